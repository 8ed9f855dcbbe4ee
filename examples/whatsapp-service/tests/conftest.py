"""The service under test, wired to the wa-sandbox the pytest plugin starts (fixture ``wa_sandbox``).

Exactly what a deployment does: environment variables point the service at the Graph API, and the Graph
API (here the sandbox) is told where the service's webhook is. The sandbox runs on a manual clock, so a
test moves time with ``await wa_sandbox.control.advance(seconds)``; ``advance`` returns once the status
webhooks due by then were delivered to the service, so the service's store is up to date on return.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from whatsapp_service.app import create_app
from whatsapp_service.config import Config

API_TOKEN = "service-api-token"


def service_env(wa_sandbox: Any) -> dict[str, str]:
    business = wa_sandbox.meta_business  # the scenario's business: ids and credentials
    return {
        "GRAPH_API_BASE": wa_sandbox.base_urls["meta"],  # http://127.0.0.1:<port>/v23.0
        "WHATSAPP_TOKEN": business["access_token"],
        "PHONE_NUMBER_ID": business["phone_number_id"],
        "WABA_ID": business["waba_id"],
        "APP_SECRET": business["app_secret"],
        "VERIFY_TOKEN": business["verify_token"],
        "API_TOKEN": API_TOKEN,
        "TEMPLATE_PAGE_SIZE": "5",  # small pages, so that template sync has to follow paging.next
    }


class Service:
    """The running service seen from its callers: ``call`` its API, read a ``conversation``."""

    def __init__(self, client: Any) -> None:
        self.client = client  # aiohttp TestClient, with the API token already in its headers

    def url(self, path: str) -> str:
        return str(self.client.make_url(path))

    async def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> tuple[int, dict[str, Any]]:
        async with self.client.request(method, path, json=body, **kwargs) as resp:
            return resp.status, await resp.json()

    async def conversation(self, phone_number: str) -> dict[str, Any]:
        """The conversation with this number, messages included."""
        status, found = await self.call("GET", "/api/whatsapp/conversations", params={"phoneNumber": phone_number})
        assert status == 200 and found["data"], found
        status, conversation = await self.call("GET", f"/api/whatsapp/conversations/{found['data'][0]['conversation_id']}")
        assert status == 200, conversation
        return dict(conversation["data"])


@pytest.fixture
def start_service(aiohttp_client: Any, wa_sandbox: Any) -> Callable[..., Awaitable[Service]]:
    """Start the service configured for the sandbox; keyword arguments override environment variables."""

    async def start(**overrides: str) -> Service:
        config = Config.from_env({**service_env(wa_sandbox), **overrides})
        return Service(await aiohttp_client(create_app(config), headers={"Authorization": f"Bearer {API_TOKEN}"}))

    return start


@pytest.fixture
async def service(start_service: Any, wa_sandbox: Any) -> Service:
    """The running service, whose /webhook the sandbox has verified and delivers to."""
    service = await start_service()
    # Registering the webhook performs Meta's GET handshake against the service (verify_token must match).
    await wa_sandbox.control.set_webhook(service.url("/webhook"))
    return service
