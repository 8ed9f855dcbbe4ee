"""Test-suite integration: the pytest plugin, a control-API client and a webhook receiver."""

from sandbox.testing.client import ControlAPIError, SandboxControl
from sandbox.testing.receiver import Received, WebhookReceiver
from sandbox.testing.workspaces import TestWorkspace

__all__ = ["ControlAPIError", "Received", "SandboxControl", "TestWorkspace", "WebhookReceiver"]
