"""A signing SMSGlobal client for the HTTP tests (signs like the npm SDK: host:port, port 80)."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp
import pytest
import yarl

from sandbox.providers.smsglobal.auth import sign
from sandbox.testing.plugin import RunningSandbox

KEY = "sandbox-key"
SECRET = "sandbox-secret"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class SmsglobalClient:
    base: str  # http://127.0.0.1:PORT
    session: aiohttp.ClientSession
    key: str = KEY
    secret: str = SECRET
    _nonces: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def authorization(self, method: str, target: str, *, ts: int | None = None, nonce: str | None = None) -> str:
        host = urlsplit(self.base).netloc
        stamp = int(time.time()) if ts is None else ts
        return sign(self.key, self.secret, method, target, host, 80, stamp, nonce or f"n{next(self._nonces)}")

    async def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: dict[str, Any] | None = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        auth: str | None = None,
    ) -> Reply:
        target = path + ("?" + urlencode(params) if params else "")
        sent = {"Accept": "application/json"}
        body = data
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        sent.setdefault("Authorization", auth or self.authorization(method, target))
        url = yarl.URL(self.base + target, encoded=True)  # send exactly the target that was signed
        async with self.session.request(method, url, data=body, headers=sent) as resp:
            return Reply(resp.status, dict(resp.headers), await resp.text())

    async def send(self, **body: Any) -> Reply:
        return await self.call("POST", "/v2/sms", json_body=body)


@pytest.fixture
async def sg(wa_sandbox: RunningSandbox) -> AsyncIterator[SmsglobalClient]:
    async with aiohttp.ClientSession() as session:
        yield SmsglobalClient(wa_sandbox.url, session)


async def load(wa_sandbox: RunningSandbox, yaml_text: str) -> None:
    """Load a scenario for one test (the default one's smsglobal section applies when it has none)."""
    await wa_sandbox.control.load_scenario(yaml=yaml_text)
