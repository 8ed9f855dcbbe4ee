"""Domain errors: small classes with a code and a message, rendered to each provider's wire format
in exactly one place per provider (STYLE.md, after moto)."""

from __future__ import annotations


class SandboxError(Exception):
    """Base of every error the sandbox raises on purpose."""


class ScenarioError(SandboxError):
    """A scenario file is invalid; the message names the file, the line and the rule."""


class ControlError(SandboxError):
    """Bad input to the control API; rendered as ``{"error": {"message", "status"}}``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
