"""A real webhook receiver built on pywa's own update handling (signature validation on); the hooked
receiver and the response helpers every real-client suite shares."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web
from pywa_async import WhatsApp, handlers

from sandbox.testing.plugin import RunningSandbox
from sandbox.testing.receiver import WebhookReceiver
from sandbox.testing.waiting import wait_until
from tests.conftest import APP_SECRET, PHONE_ID, TOKEN, VERIFY_TOKEN, WABA_ID


class PywaReceiver:
    """Feeds every POST to pywa; records the typed objects pywa's handlers receive."""

    def __init__(self, verify_token: str = VERIFY_TOKEN) -> None:
        self.wa = WhatsApp(
            phone_id=PHONE_ID, token=TOKEN, app_secret=APP_SECRET, verify_token=verify_token,
            waba_id=WABA_ID, server=None, webhook_challenge_delay=0,
        )
        self.updates: list[Any] = []
        self.raw: list[dict[str, Any]] = []
        self.rejected: list[int] = []
        self.url = ""
        self._changed = asyncio.Event()
        for handler in (handlers.MessageHandler, handlers.CallbackButtonHandler, handlers.CallbackSelectionHandler,
                        handlers.MessageStatusHandler, handlers.TemplateStatusUpdateHandler):
            self.wa.add_handlers(handler(self._record))
        self.wa.add_handlers(handlers.RawUpdateHandler(self._record_raw))

    async def _record(self, _: Any, update: Any) -> None:
        self.updates.append(update)
        self._changed.set()

    async def _record_raw(self, _: Any, update: Any) -> None:
        self.raw.append(dict(update))
        self._changed.set()

    def of(self, kind: type) -> list[Any]:
        return [u for u in self.updates if isinstance(u, kind)]

    async def wait(self, predicate: Any, timeout: float = 5.0) -> list[Any]:
        def probe() -> list[Any] | None:
            return [u for u in self.updates if predicate(u)] or None

        return await wait_until(self._changed, probe, timeout, f"a matching pywa update; got {self.updates!r}")

    def app(self) -> web.Application:
        async def handle(request: web.Request) -> web.Response:
            if request.method == "GET":
                text, status = await self.wa.webhook_challenge_handler(
                    vt=request.query.get("hub.verify_token"), ch=request.query.get("hub.challenge"))
                return web.Response(text=text or "", status=status)
            body = await request.read()
            invalid = await self.wa.webhook_update_validator(body, request.headers.get("X-Hub-Signature-256"))
            if invalid:
                self.rejected.append(invalid[1])
                return web.Response(text=invalid[0], status=invalid[1])
            text, status = await self.wa.webhook_update_handler(body)
            return web.Response(text=text, status=status)

        app = web.Application()
        app.router.add_route("*", "/webhook", handle)
        return app


@pytest.fixture
async def pywa_receiver(aiohttp_server: Any, wa_sandbox: Any) -> Any:
    receiver = PywaReceiver()
    server = await aiohttp_server(receiver.app())
    receiver.url = str(server.make_url("/webhook"))
    await wa_sandbox.control.set_webhook(receiver.url)
    yield receiver
    await receiver.wa.api._session.aclose()


@pytest.fixture
async def receiver(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> WebhookReceiver:
    """The plugin's receiver, with Meta's webhooks pointed at it."""
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    return webhook_receiver


def wamid(response: dict[str, Any]) -> str:
    """The message id of a Graph send response as a client library returned it."""
    assert "error" not in response, response
    return str(response["messages"][0]["id"])


async def payload(wa_sandbox: RunningSandbox, message_id: str) -> dict[str, Any]:
    """What the sandbox journaled for a send: the request body as it arrived."""
    return dict((await wa_sandbox.control.message(message_id))["payload"])
