"""Shared fixtures. The sandbox itself comes from our own pytest plugin (sandbox.testing.plugin):
``wa_sandbox`` (in-process, manual clock) and ``webhook_receiver``."""

from __future__ import annotations

from typing import Any

import pytest
from pywa_async import WhatsApp

from sandbox.testing.plugin import RunningSandbox

PHONE_ID = "100000000000001"
WABA_ID = "200000000000001"
TOKEN = "sandbox-token"
APP_SECRET = "sandbox-app-secret"
VERIFY_TOKEN = "sandbox-verify-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def wa(wa_sandbox: RunningSandbox) -> Any:
    """The real pywa (async) client, pointed at the in-process sandbox as the reference §8 explains."""
    client = WhatsApp(
        phone_id=PHONE_ID,
        token=TOKEN,
        app_secret=APP_SECRET,
        verify_token=VERIFY_TOKEN,
        waba_id=WABA_ID,
        server=None,
    )
    client.api._session.base_url = f"{wa_sandbox.url}/v23.0"
    yield client
    await client.api._session.aclose()


async def send(wa_sandbox: RunningSandbox, body: dict[str, Any], *, path: str | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """A raw Cloud API send (for shapes and errors no client library produces)."""
    url = f"{wa_sandbox.url}{path or f'/v23.0/{PHONE_ID}/messages'}"
    async with wa_sandbox.control.session.post(url, json=body, headers=AUTH if headers is None else headers) as resp:
        return resp.status, await resp.json(content_type=None)


# Small but real media files for sends by `link` (the sandbox fetches links, as Meta does).
MEDIA_FILES = {
    "/voice.ogg": ("audio/ogg", b"OggS" + b"\x00" * 200),
    "/cat.jpg": ("image/jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 200),
    "/clip.mp4": ("video/mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200),
    "/invoice.pdf": ("application/pdf", b"%PDF-1.4\n" + b"\x00" * 200),
    "/sticker.webp": ("image/webp", b"RIFF\x00\x00\x00\x00WEBP" + b"\x00" * 200),
}


@pytest.fixture
async def media_server(aiohttp_server: Any) -> str:
    """Base URL of a local server hosting MEDIA_FILES."""
    from aiohttp import web

    async def serve(request: web.Request) -> web.Response:
        found = MEDIA_FILES.get(request.path)
        if found is None:
            return web.Response(status=404)
        return web.Response(body=found[1], content_type=found[0])

    app = web.Application()
    app.router.add_get("/{name}", serve)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/")
