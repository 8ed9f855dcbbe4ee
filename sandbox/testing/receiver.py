"""A real webhook receiver for tests: records every request, verifies Meta signatures, answers as told."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from sandbox.testing.waiting import wait_until


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    answered: int

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def form(self) -> dict[str, str]:
        """A form-encoded body's fields (SMSGlobal's default callbacks), last value of a repeated name."""
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    def signature_valid(self, app_secret: str) -> bool:
        expected = "sha256=" + hmac.new(app_secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers.get("X-Hub-Signature-256", ""))


@dataclass
class WebhookReceiver:
    """Answers GET handshakes with the challenge when ``verify_token`` matches, and POSTs with
    the next status from ``script`` (then ``default_status``)."""

    verify_token: str = "sandbox-verify-token"
    default_status: int = 200
    script: deque[int] = field(default_factory=deque)
    received: list[Received] = field(default_factory=list)
    url: str = ""
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def answer_next(self, *statuses: int) -> None:
        self.script.extend(statuses)

    @property
    def posts(self) -> list[Received]:
        return [r for r in self.received if r.method == "POST"]

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        if request.method == "GET":
            ok = request.query.get("hub.verify_token") == self.verify_token and request.query.get("hub.mode") == "subscribe"
            status = 200 if ok else 403
            text = request.query.get("hub.challenge", "") if ok else "Forbidden"
        else:
            status = self.script.popleft() if self.script else self.default_status
            text = "ok" if status < 400 else "error"
        self.received.append(Received(request.method, request.path, dict(request.query), dict(request.headers), body, status))
        self._changed.set()
        return web.Response(status=status, text=text)

    async def wait_posts(self, count: int, timeout: float = 5.0) -> list[Received]:
        """Wait (on events, not sleeps) until at least ``count`` POSTs arrived."""
        return await wait_until(
            self._changed, lambda: self.posts if len(self.posts) >= count else None, timeout,
            f"{count} webhook POSTs (got {len(self.posts)})",
        )
