"""Test-suite integration: the pytest plugin, a control-API client and a webhook receiver."""

from sandbox.testing.client import ControlAPIError, SandboxControl
from sandbox.testing.receiver import Received, WebhookReceiver

__all__ = ["ControlAPIError", "Received", "SandboxControl", "WebhookReceiver"]
