"""Modica test helpers: a small HTTP client with Basic auth (no Python Modica client library exists;
go-modica and Moodle's PHP gateway send exactly these requests: Basic auth, JSON, the v1 Accept type)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import pytest

from sandbox.testing.plugin import RunningSandbox

APP, PASSWORD = "sandbox", "sandbox-secret"


def basic(name: str, password: str) -> str:
    """An HTTP Basic ``Authorization`` value, as every Modica client sends it."""
    return "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()


V1_ACCEPT = "application/vnd.modica.gateway.v1+json"


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class ModicaClient:
    sandbox: RunningSandbox
    auth: str | None = basic(APP, PASSWORD)

    async def request(self, method: str, path: str, *, json: Any = None, data: Any = None,
                      params: dict[str, str] | None = None, auth: Any = "default",
                      headers: dict[str, str] | None = None) -> Reply:
        session = self.sandbox.control.session
        authorization = self.auth if auth == "default" else auth
        sent = {"Accept": V1_ACCEPT, **({"Authorization": authorization} if authorization else {}), **(headers or {})}
        kwargs: dict[str, Any] = {"params": params, "headers": sent}
        if json is not None:
            kwargs["json"] = json
        if data is not None:
            kwargs["data"] = data
        async with session.request(method, f"{self.sandbox.url}{path}", **kwargs) as resp:
            raw = await resp.read()
            is_json = resp.content_type == "application/json"
            body = await resp.json() if is_json else raw
            return Reply(resp.status, body, dict(resp.headers))

    async def post(self, path: str, json: Any = None, **kwargs: Any) -> Reply:
        return await self.request("POST", path, json=json, **kwargs)

    async def get(self, path: str, **kwargs: Any) -> Reply:
        return await self.request("GET", path, **kwargs)


@pytest.fixture
def modica(wa_sandbox: RunningSandbox) -> ModicaClient:
    return ModicaClient(wa_sandbox)


@pytest.fixture
async def callbacks(wa_sandbox: RunningSandbox, webhook_receiver: Any) -> Any:
    """The default application's MO and DLR callbacks pointed at a real receiver."""
    await wa_sandbox.control.set_webhook(webhook_receiver.url, provider="modica")
    return webhook_receiver
