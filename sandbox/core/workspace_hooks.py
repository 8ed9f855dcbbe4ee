"""What a provider tells the workspaces (``sandbox/workspaces/``) about itself: the ``WorkspaceHooks`` of
its ``ProviderSpec``. With them the workspaces mint and apply each provider's credentials, route an
unprefixed request by the credential it carries, and answer an unknown workspace in the provider's shape,
without naming any provider.

A workspace mints its credentials from its name and seed (``Minter``: the same name and seed give the same
credentials, so a test's fixtures are reproducible; two live workspaces never share one, since names are
unique). They are written into every scenario the workspace loads (``apply``), so a reset or a scenario
load keeps them, and indexed by routing key (``keys``) so that a request carrying one lands in its
workspace (``schemes``, ``query``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Section = dict[str, Any]  # a provider's section of the scenario file
Webhook = Any  # a URL, or an object naming each callback field (``WorkspaceHooks.webhook_fields``)
Reader = Callable[[str], "str | None"]  # the rest of an Authorization header -> the routing key in it


@dataclass(frozen=True)
class Minter:
    """Deterministic credentials of one workspace: HMAC of a label under its name and seed."""

    name: str
    seed: str

    def _hex(self, label: str, length: int) -> str:
        key = f"wa-sandbox workspace {self.name} {self.seed}".encode()
        return hmac.new(key, label.encode(), hashlib.sha256).hexdigest()[:length]

    def token(self, label: str) -> str:
        """A credential that names its workspace (readable in logs): ``ws-ci-1-token-3f9a...``."""
        return f"ws-{self.name}-{label}-{self._hex(label, 20)}"

    def secret(self, label: str) -> str:
        return self._hex(label, 32)


def bearer(value: str) -> str | None:
    """The routing key of ``Authorization: Bearer <token>``: the token. One function for every provider
    reading this scheme, so the workspaces can check that providers sharing a scheme read it alike."""
    return value


@dataclass(frozen=True)
class WorkspaceHooks:
    """A provider's part in workspaces (issue 15)."""

    base_path: str  # below the mount: where the provider's client points its base URL
    apply: Callable[[Section, Minter, Webhook], Section]  # its section with the workspace's credentials
    keys: Callable[[Section], list[str]]  # the routing keys in a section (after apply)
    describe: Callable[[Section], dict[str, Any]]  # what a test needs to authenticate and verify webhooks
    webhook_fields: tuple[str, ...]  # the callback fields a ``webhooks`` object may name (else one URL)
    # the answer for a path it owns under an unknown workspace's prefix: (request, path below the prefix, why)
    not_found: Callable[[web.Request, str, str], web.StreamResponse]
    # maps Authorization scheme (lower case) -> reads the routing key from the rest of the header
    schemes: Mapping[str, Reader] = field(default_factory=dict)
    query: tuple[str, ...] = ()  # query parameters carrying a routing key when there is no Authorization


def suffix(index: int) -> str:
    """The label suffix of a section's n-th item: "" for the first, "2", "3"... after it."""
    return "" if index == 0 else str(index + 1)


def items(section: Section, listing: str, default: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Copies of a section's items; without any, the one the provider assumes (its defaults fill the rest)."""
    return [dict(item) for item in section.get(listing) or [default or {}]]


def callbacks(webhook: Webhook, fields: tuple[str, ...]) -> dict[str, str]:
    """The callback fields a workspace's ``webhooks`` entry sets: one URL for every field, or some by name."""
    if webhook is None:
        return {}
    if isinstance(webhook, str):
        return dict.fromkeys(fields, webhook)
    return {k: v for k, v in webhook.items() if k in fields}
