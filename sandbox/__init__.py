"""wa-sandbox: a local, faithful mock of WhatsApp and SMS provider APIs."""

__version__ = "0.1.0"
