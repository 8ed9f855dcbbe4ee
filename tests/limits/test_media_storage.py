"""Media storage cap (Settings.media_max_bytes, sandbox/core/media_store.py): the least recently used
media are evicted and counted (GET /_sandbox/stats), and one upload larger than the whole storage is
Meta's 131053, with nothing kept."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from sandbox.settings import Settings
from sandbox.testing.plugin import RunningSandbox

CAP = 1000
AUTH = {"Authorization": "Bearer sandbox-token"}


@pytest.fixture
def wa_sandbox_settings() -> Settings:
    return Settings(clock="manual", seed="media-cap", media_max_bytes=CAP)


async def _upload(sandbox: RunningSandbox, size: int) -> tuple[int, Any]:
    form = aiohttp.FormData()
    form.add_field("file", b"\x89PNG" + b"\x00" * (size - 4), filename="a.png", content_type="image/png")
    form.add_field("messaging_product", "whatsapp")
    url = f"{sandbox.url}/v23.0/100000000000001/media"
    async with sandbox.control.session.post(url, data=form, headers=AUTH) as resp:
        return resp.status, await resp.json()


async def _media_stats(sandbox: RunningSandbox) -> dict[str, Any]:
    async with sandbox.control.session.get(f"{sandbox.url}/_sandbox/stats") as resp:
        return (await resp.json())["media"]


async def test_uploads_past_the_cap_evict_the_oldest_and_count_them(wa_sandbox: RunningSandbox) -> None:
    ids = [(await _upload(wa_sandbox, 400))[1]["id"] for _ in range(4)]
    stats = await _media_stats(wa_sandbox)
    assert stats == {**stats, "count": 2, "bytes": 800, "max_bytes": CAP, "evicted": 2}
    store = wa_sandbox.runtime.meta_platform.media.store
    assert [store.get(i) is not None for i in ids] == [False, False, True, True]


async def test_an_upload_larger_than_the_whole_storage_is_131053_and_keeps_nothing(wa_sandbox: RunningSandbox) -> None:
    await _upload(wa_sandbox, 400)
    status, body = await _upload(wa_sandbox, CAP + 1)
    assert status == 400 and body["error"]["code"] == 131053
    assert f"media storage of {CAP} bytes" in body["error"]["error_data"]["details"]
    stats = await _media_stats(wa_sandbox)
    assert stats["count"] == 1 and stats["evicted"] == 0  # the stored media stayed
