"""Test-suite integration: the pytest plugin, a control-API client and a webhook receiver."""

from sandbox.testing.client import SandboxControl
from sandbox.testing.receiver import WebhookReceiver

__all__ = ["SandboxControl", "WebhookReceiver"]
