"""A small typed client for the /_sandbox/ control API."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp


class ControlAPIError(RuntimeError):
    def __init__(self, status: int, body: Any) -> None:
        message = body.get("error", {}).get("message") if isinstance(body, dict) else str(body)
        super().__init__(f"control API answered {status}: {message}")
        self.status = status
        self.body = body


OTHER_LOOP = (
    "this test runs on another event loop than the in-process sandbox it calls, which would never answer: "
    "pytest-asyncio's asyncio_default_fixture_loop_scope is wider than the test's loop scope. Give tests the "
    "same scope (asyncio_default_test_loop_scope, or @pytest.mark.asyncio(loop_scope=...)), or leave both at function"
)


class SandboxControl:
    def __init__(self, base_url: str, session: aiohttp.ClientSession | None = None,
                 *, server_loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = session
        self._own_session = session is None
        # The pytest plugin's sandbox serves on the fixture's loop; a call from another loop would hang
        # until aiohttp's 5-minute timeout, so it is refused at once.
        self._server_loop = server_loop

    async def __aenter__(self) -> SandboxControl:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def request(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        if self._server_loop is not None and asyncio.get_running_loop() is not self._server_loop:
            raise RuntimeError(OTHER_LOOP)
        query = {k: str(v) for k, v in (params or {}).items() if v is not None}
        async with self.session.request(method, f"{self.base_url}/_sandbox{path}", json=json, params=query) as resp:
            body = await resp.json(content_type=None)
            if resp.status >= 400:
                raise ControlAPIError(resp.status, body)
            return body

    # --- journal --------------------------------------------------------------------------------
    async def messages(self, **filters: Any) -> list[dict[str, Any]]:
        return list((await self.request("GET", "/messages", params=filters))["messages"])

    async def message(self, message_id: str) -> dict[str, Any]:
        return dict(await self.request("GET", f"/messages/{message_id}"))

    async def latest(self, **filters: Any) -> dict[str, Any]:
        return dict(await self.request("GET", "/messages/latest", params=filters))

    async def wait_for(self, *, count: int = 1, timeout: float = 10, **filters: Any) -> list[dict[str, Any]]:
        """Long-poll until ``count`` messages match the filters (id, provider, business, to, type, status,
        direction, channel, since); ControlAPIError 408 after ``timeout`` seconds (real time, at most 60)."""
        params = {**filters, "count": count, "timeout": timeout}
        return list((await self.request("GET", "/wait/messages", params=params))["messages"])

    async def wait_for_status(self, message_id: str, status: str, *, timeout: float = 10) -> dict[str, Any]:
        """The message once its current status is ``status`` (e.g. after a real-clock timeline)."""
        [message] = await self.wait_for(id=str(message_id), status=status, timeout=timeout)
        return message

    async def wait_for_webhook(self, *, count: int = 1, timeout: float = 10, **filters: Any) -> list[dict[str, Any]]:
        """Long-poll until ``count`` deliveries match (provider, message_id, event prefix such as
        ``status:read`` or ``dlr:``, state: ``delivered`` unless given); ControlAPIError 408 on timeout."""
        params = {**filters, "count": count, "timeout": timeout}
        return list((await self.request("GET", "/wait/webhooks", params=params))["webhooks"])

    async def webhooks(self, **filters: Any) -> list[dict[str, Any]]:
        return list((await self.request("GET", "/webhooks", params=filters))["webhooks"])

    async def redeliver(self, delivery_id: str) -> dict[str, Any]:
        """Send a logged webhook delivery again (a duplicate, as providers do); answers the new delivery."""
        return dict(await self.request("POST", f"/webhooks/{delivery_id}/redeliver"))

    # --- driving --------------------------------------------------------------------------------
    async def inject_inbound(self, sender: str, *, provider: str = "meta", **message: Any) -> dict[str, Any]:
        """The user ``sender`` sends a message, e.g. ``inject_inbound("+1555...", type="text", text="hi")``;
        ``reply_to=<message id>`` quotes one (Meta's ``context``, Modica's reply). Answers the journal entry."""
        return dict(await self.request("POST", "/inbound", json={"provider": provider, "from": sender, **message}))

    async def set_status(self, message_id: str, status: str, error: Any = None) -> dict[str, Any]:
        """Force ``status`` now; ``error`` is a neutral reason (``"blocked"``) or ``{"code": 131026}``. It
        replaces the rest of the message's script; ControlAPIError 409 once the message is final."""
        body: dict[str, Any] = {"status": status}
        if error is not None:
            body["error"] = error
        return dict(await self.request("POST", f"/messages/{message_id}/status", json=body))

    async def advance(self, seconds: float) -> dict[str, Any]:
        return dict(await self.request("POST", "/clock/advance", json={"seconds": seconds}))

    async def set_clock(self, *, mode: str | None = None, speed: float | None = None, now: float | None = None) -> dict[str, Any]:
        body = {k: v for k, v in {"mode": mode, "speed": speed, "now": now}.items() if v is not None}
        return dict(await self.request("POST", "/clock", json=body))

    async def clock(self) -> dict[str, Any]:
        return dict(await self.request("GET", "/clock"))

    async def reset(self, provider: str | None = None) -> None:
        await self.request("POST", "/reset", json={"provider": provider} if provider else {})

    async def set_webhook(self, url: str | None, *, provider: str = "meta", verify: bool = True, **extra: Any) -> dict[str, Any]:
        return dict(await self.request("PUT", f"/webhooks/targets/{provider}", json={"url": url, "verify": verify, **extra}))

    async def load_scenario(self, *, name: str | None = None, yaml: str | None = None, reset: bool = True) -> dict[str, Any]:
        """Switch scenario (a file's ``name`` in the scenarios folder, or ``yaml`` text); ``reset=False``
        keeps the journal, pending timelines and the webhook targets set at run time (unless the new
        scenario sets its own for that business or account)."""
        body = {"name": name, "yaml": yaml, "reset": reset}
        return dict(await self.request("POST", "/scenarios/load", json=body))

    async def magic_numbers(self) -> list[dict[str, Any]]:
        """The active scenario's magic-number table: each number, its rule name and outcome."""
        return list((await self.request("GET", "/magic-numbers"))["magic_numbers"])

    async def set_chaos(self, **chaos: Any) -> dict[str, Any]:
        return dict(await self.request("PUT", "/chaos", json=chaos))
