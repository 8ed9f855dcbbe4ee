"""Request limits (sandbox/limits.py, Settings): body size, header size, requests in flight, media
storage; each refusal in the shape of the provider the path belongs to (checked by the fuzz oracle)."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from sandbox.app import create_app
from sandbox.keys import ADMISSION, RUNTIME
from sandbox.limits import Admission
from sandbox.providers.smsglobal.auth import sign
from sandbox.settings import Settings
from sandbox.testing.client import SandboxControl
from sandbox.testing.plugin import RunningSandbox
from tests.fuzz.harness import check_error_shape

MODICA = {"Authorization": "Basic " + base64.b64encode(b"sandbox:sandbox-secret").decode()}
# One POST route per API family: (path, credentials)
ROUTES = {
    "control": ("/_sandbox/inbound", {}),
    "meta": ("/v23.0/100000000000001/messages", {"Authorization": "Bearer sandbox-token"}),
    "smsglobal": ("/v2/sms", None),  # MAC-signed per request
    "maac": ("/openapi/v1/pnp/message/push/", {"Authorization": "Bearer sandbox-maac-token"}),
    "modica_v1": ("/rest/gateway/messages", MODICA),
    "modica_v2": ("/rest/sms/v2/messages", MODICA),
    "modica_wab": ("/rest/wab/v1/messages", MODICA),
}
PROVIDERS = [name for name in ROUTES if name != "control"]


def _headers(sandbox: RunningSandbox, name: str) -> dict[str, str]:
    path, auth = ROUTES[name]
    if auth is not None:
        return {**auth, "Content-Type": "application/json"}
    host = sandbox.url.removeprefix("http://")
    mac = sign("sandbox-key", "sandbox-secret", "POST", path, host, 80, int(time.time()), f"n{time.monotonic_ns()}")
    return {"Authorization": mac, "Content-Type": "application/json"}


async def _post(sandbox: RunningSandbox, name: str, body: bytes, extra: dict[str, str] | None = None) -> tuple[int, str, str, Any]:
    path = ROUTES[name][0]
    headers = {**_headers(sandbox, name), **(extra or {})}
    async with sandbox.control.session.post(f"{sandbox.url}{path}", data=body, headers=headers) as resp:
        return resp.status, resp.content_type, await resp.text(), resp.headers


@pytest.fixture
async def limited(aiohttp_server: Any) -> AsyncIterator[tuple[RunningSandbox, Admission]]:
    """A sandbox with small limits, and its admission counter (the app itself is not on RunningSandbox)."""
    settings = Settings(clock="manual", seed="limits", max_body_bytes=4096, max_header_bytes=2048,
                        max_concurrent_requests=1)
    app = create_app(settings)
    server = await aiohttp_server(app)
    url = str(server.make_url("")).rstrip("/")
    async with SandboxControl(url) as control:
        yield RunningSandbox(url=url, runtime=app[RUNTIME], control=control), app[ADMISSION]


@pytest.mark.parametrize("name", list(ROUTES))
async def test_oversize_body_is_413_in_the_providers_shape(limited: tuple[RunningSandbox, Admission], name: str) -> None:
    wa_sandbox, admission = limited
    status, ctype, text, _ = await _post(wa_sandbox, name, b'{"to": "' + b"1" * 8000 + b'"}')
    assert status in (413, 400), text  # Meta's Graph error 100 is a 400 (as Graph answers oversize bodies)
    assert "4096" in text
    check_error_shape(ROUTES[name][0], status, ctype, text)


@pytest.mark.parametrize("name", list(ROUTES))
async def test_oversize_headers_are_431_in_the_providers_shape(limited: tuple[RunningSandbox, Admission], name: str) -> None:
    wa_sandbox, admission = limited
    status, ctype, text, _ = await _post(wa_sandbox, name, b"{}", {"X-Padding": "p" * 3000})
    assert status == 431, text
    assert "more than the 2048" in text
    check_error_shape(ROUTES[name][0], status, ctype, text)


async def test_a_header_beyond_the_parser_limit_is_a_bare_400_from_aiohttp(limited: tuple[RunningSandbox, Admission]) -> None:
    """Documented limitation: past 2 x max_header_bytes (at least 8190) aiohttp refuses the line itself."""
    wa_sandbox, admission = limited
    status, _, text, _ = await _post(wa_sandbox, "meta", b"{}", {"X-Padding": "p" * 9000})
    assert status == 400 and "error" not in text.lower()[:1]


@pytest.mark.parametrize("name", PROVIDERS)
async def test_requests_past_the_concurrency_cap_are_503_in_the_providers_shape(limited: tuple[RunningSandbox, Admission], name: str) -> None:
    wa_sandbox, admission = limited
    admission.in_flight = admission.limit  # as if the cap's worth of requests were being handled
    try:
        status, ctype, text, headers = await _post(wa_sandbox, name, b"{}")
    finally:
        admission.in_flight = 0
    assert status == 503 and headers["Retry-After"] == "1", text
    check_error_shape(ROUTES[name][0], status, ctype, text)
    assert admission.refused == 1


async def test_the_control_api_is_never_refused_by_the_concurrency_cap(limited: tuple[RunningSandbox, Admission]) -> None:
    wa_sandbox, admission = limited
    admission.in_flight = admission.limit
    try:
        health = await wa_sandbox.control.session.get(f"{wa_sandbox.url}/_sandbox/health")
    finally:
        admission.in_flight = 0
    assert health.status == 200


async def test_a_request_held_open_takes_the_only_slot_and_frees_it_when_done(limited: tuple[RunningSandbox, Admission]) -> None:
    wa_sandbox, admission = limited
    release = asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        yield b"first-bytes"
        await release.wait()
        yield b"-rest"

    url = f"{wa_sandbox.url}/rest/wab/v1/media?source=6421555000"
    upload = asyncio.create_task(wa_sandbox.control.session.post(
        url, data=slow_body(), headers={**MODICA, "Content-Type": "image/jpeg"}))
    for _ in range(200):  # until the server has admitted the upload (event-loop turns, no wall-clock sleep)
        if admission.in_flight == 1:
            break
        await asyncio.sleep(0)
    assert admission.in_flight == 1
    refused, ctype, text, _ = await _post(wa_sandbox, "meta", b"{}")
    release.set()
    async with await upload as done:
        assert done.status == 200
    assert refused == 503 and json.loads(text)["error"]["code"] == 131016
    status, _, _, _ = await _post(wa_sandbox, "modica_v1", b'{"destination": "+64211234567", "content": "hi"}')
    assert status == 201 and admission.in_flight == 0
