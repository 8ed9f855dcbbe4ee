"""Links the sandbox hands out follow the address the client used unless a public URL is configured."""

from __future__ import annotations

import pytest

from sandbox.settings import Settings
from tests.conftest import AUTH, WABA_ID


@pytest.fixture
def wa_sandbox_settings() -> Settings:
    return Settings(clock="manual", seed="links")  # no public_url: links follow the Host header


async def test_paging_next_uses_the_host_the_client_called(wa_sandbox):
    url = f"{wa_sandbox.url}/v23.0/{WABA_ID}/message_templates?limit=1"
    wa_sandbox.runtime.settings.public_url = None
    async with wa_sandbox.control.session.get(url, headers={**AUTH, "Host": "sandbox.test:18080"}) as resp:
        body = await resp.json()
    assert resp.status == 200
    assert body["paging"]["next"].startswith(f"http://sandbox.test:18080/v23.0/{WABA_ID}/message_templates?")


async def test_configured_public_url_wins(wa_sandbox):
    wa_sandbox.runtime.settings.public_url = "https://wa.example.com/"
    url = f"{wa_sandbox.url}/v23.0/{WABA_ID}/message_templates?limit=1"
    async with wa_sandbox.control.session.get(url, headers=AUTH) as resp:
        body = await resp.json()
    assert body["paging"]["next"].startswith(f"https://wa.example.com/v23.0/{WABA_ID}/")
