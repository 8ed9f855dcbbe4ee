"""Helpers for the workspace tests: raw calls to each provider as a workspace's client makes them,
either through the ``/w/{name}`` prefix or with the workspace's credentials alone."""

from __future__ import annotations

import base64
import itertools
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import yarl

from sandbox.providers.smsglobal.auth import sign
from sandbox.testing.plugin import RunningSandbox

PHONE_ID = "100000000000001"
WABA_ID = "200000000000001"
TEXT = {"messaging_product": "whatsapp", "to": "+15550200001", "type": "text", "text": {"body": "hello"}}


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class Caller:
    """One workspace's (or the default's) providers, by prefix (``root``) and credentials."""

    sandbox: RunningSandbox
    root: str  # the server URL, plus /w/{name} to go by prefix
    credentials: dict[str, Any]
    _nonces: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def session(self) -> aiohttp.ClientSession:
        return self.sandbox.control.session

    async def _call(self, method: str, path: str, headers: dict[str, str], **kwargs: Any) -> Reply:
        url = yarl.URL(self.root + path, encoded=True)
        async with self.session.request(method, url, headers=headers, **kwargs) as resp:
            text = await resp.text()
            try:
                body: Any = await resp.json(content_type=None)
            except ValueError:
                body = text
            return Reply(resp.status, body, dict(resp.headers))

    async def graph(self, method: str, path: str, **kwargs: Any) -> Reply:
        token = self.credentials["meta"]["access_token"]
        return await self._call(method, f"/v23.0{path}", {"Authorization": f"Bearer {token}"}, **kwargs)

    async def smsglobal(self, method: str, path: str, **kwargs: Any) -> Reply:
        creds = self.credentials["smsglobal"]
        target = urlsplit(self.root).path + path  # the client signs the path it sends, prefix included
        header = sign(creds["key"], creds["secret"], method, target, urlsplit(self.root).netloc, 80,
                      int(time.time()), f"n{next(self._nonces)}")
        return await self._call(method, path, {"Authorization": header, "Accept": "application/json"}, **kwargs)

    async def maac(self, method: str, path: str, **kwargs: Any) -> Reply:
        token = self.credentials["maac"]["token"]
        return await self._call(method, path, {"Authorization": f"Bearer {token}"}, **kwargs)

    async def modica(self, method: str, path: str, **kwargs: Any) -> Reply:
        creds = self.credentials["modica"]
        basic = base64.b64encode(f"{creds['user']}:{creds['password']}".encode()).decode()
        return await self._call(method, path, {"Authorization": f"Basic {basic}"}, **kwargs)


DEFAULT_CREDENTIALS = {
    "meta": {"access_token": "sandbox-token"},
    "smsglobal": {"key": "sandbox-key", "secret": "sandbox-secret"},
    "maac": {"token": "sandbox-maac-token"},
    "modica": {"user": "sandbox", "password": "sandbox-secret"},
}


def by_prefix(sandbox: RunningSandbox, workspace: dict[str, Any]) -> Caller:
    return Caller(sandbox, f"{sandbox.url}/w/{workspace['name']}", workspace["credentials"])


def by_credentials(sandbox: RunningSandbox, workspace: dict[str, Any]) -> Caller:
    return Caller(sandbox, sandbox.url, workspace["credentials"])


def default(sandbox: RunningSandbox) -> Caller:
    return Caller(sandbox, sandbox.url, DEFAULT_CREDENTIALS)


SMS = {"destination": "61400000001", "message": "hello", "origin": "Test"}
MAAC_PUSH = {"pnp_setting_id": 1, "data": {
    "phone_number": "+15550200001", "pnp": {}, "sms": {},
    "whatsapp": {"template_name": "text_template_1", "language": "en", "template_data": {
        "header": {"parameters": [{"type": "text", "text": "header param"}]}, "body": {"parameters": ["body param"]}}}}}
MODICA_SEND = {"destination": "+64211234567", "content": "hello"}
