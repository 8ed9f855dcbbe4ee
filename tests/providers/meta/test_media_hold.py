"""Real clock: a slow media link holds only its own message's timeline, not everyone else's."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web

from sandbox.settings import Settings
from tests.conftest import send


@pytest.fixture
def wa_sandbox_settings() -> Settings:
    return Settings(clock="real", clock_speed=100.0, seed="hold")  # 3 virtual seconds = 30 ms


@pytest.fixture
async def slow_media(aiohttp_server: Any) -> tuple[str, asyncio.Event]:
    release = asyncio.Event()

    async def image(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(body=b"\xff\xd8\xff\xe0" + b"\x00" * 100, content_type="image/jpeg")

    app = web.Application()
    app.router.add_get("/slow.jpg", image)
    server = await aiohttp_server(app)
    return str(server.make_url("/slow.jpg")), release


async def test_other_messages_complete_while_one_waits_for_its_media(wa_sandbox, slow_media):
    url, release = slow_media
    _, slow = await send(wa_sandbox, {"messaging_product": "whatsapp", "to": "15550200001", "type": "image", "image": {"link": url}})
    _, fast = await send(wa_sandbox, {"messaging_product": "whatsapp", "to": "15550200002", "type": "text", "text": {"body": "hi"}})
    await wa_sandbox.control.wait_for(id=fast["messages"][0]["id"], status="delivered", timeout=5)
    assert (await wa_sandbox.control.message(slow["messages"][0]["id"]))["status"] == "accepted"
    release.set()
    done = await wa_sandbox.control.wait_for(id=slow["messages"][0]["id"], status="read", timeout=5)
    assert [h["status"] for h in done[0]["history"]] == ["accepted", "sent", "delivered", "read"]
