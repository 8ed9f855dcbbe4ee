"""Modica's WAB media live in the core media store: the same byte cap as Meta's media
(SANDBOX_MEDIA_MAX_BYTES), least recently used evicted first and counted in /_sandbox/stats; an evicted
id answers Modica's own 404."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp
import pytest

from sandbox.settings import Settings
from sandbox.testing.plugin import RunningSandbox
from tests.conftest import AUTH, PHONE_ID
from tests.providers.modica.conftest import ModicaClient
from tests.providers.modica.test_wab import assert_wab_error

CAP = 1000
MEDIA = "/rest/wab/v1/media"
SOURCE = {"source": "6421555000"}


@pytest.fixture
def wa_sandbox_settings() -> Settings:
    return Settings(clock="manual", seed="modica-media-cap", media_max_bytes=CAP)


async def upload(modica: ModicaClient, size: int) -> str:
    reply = await modica.post(MEDIA, data=b"\xff\xd8" + b"\x00" * (size - 2), headers={"Content-Type": "image/jpeg"},
                             params={"source": "6421555000"})
    assert reply.status == 200, reply.body
    return str(reply.body[0]["id"])


async def media_stats(sandbox: RunningSandbox) -> dict[str, Any]:
    async with sandbox.control.session.get(f"{sandbox.url}/_sandbox/stats") as resp:
        return dict((await resp.json())["media"])


async def meta_upload(sandbox: RunningSandbox, size: int) -> str:
    form = aiohttp.FormData()
    form.add_field("file", b"\x89PNG" + b"\x00" * (size - 4), filename="a.png", content_type="image/png")
    form.add_field("messaging_product", "whatsapp")
    async with sandbox.control.session.post(f"{sandbox.url}/v23.0/{PHONE_ID}/media", data=form, headers=AUTH) as resp:
        return str((await resp.json())["id"])


async def test_uploads_past_the_cap_evict_the_oldest_and_count_them(modica: ModicaClient, wa_sandbox):
    ids = [await upload(modica, 400) for _ in range(4)]
    stats = await media_stats(wa_sandbox)
    assert (stats["count"], stats["bytes"], stats["evicted"]) == (2, 800, 2)
    assert stats["by_provider"]["modica"] == {"count": 2, "bytes": 800, "evicted": 2}
    downloads = [(await modica.get(MEDIA, params={"media_id": i})).status for i in ids]
    assert downloads == [404, 404, 200, 200]


async def test_download_of_evicted_media_is_modicas_404(modica: ModicaClient):
    first = await upload(modica, 600)
    await upload(modica, 600)
    reply = await modica.get(MEDIA, params={"media_id": first})
    assert_wab_error(reply, 404, f"No media with media_id {first} for application 'sandbox'")


async def test_send_naming_evicted_media_is_invalid_attrib(modica: ModicaClient):
    first = await upload(modica, 600)
    await upload(modica, 600)
    body = {"to": "+64211234567", "type": "image", "image": {"id": first}}
    assert_wab_error(await modica.post("/rest/wab/v1/messages", body), 400, "is not media uploaded by this application")


async def test_meta_and_modica_media_share_one_budget(modica: ModicaClient, wa_sandbox):
    meta_id = await meta_upload(wa_sandbox, 400)
    await upload(modica, 400)
    await upload(modica, 400)
    stats = await media_stats(wa_sandbox)
    assert stats["by_provider"]["meta"] == {"count": 0, "bytes": 0, "evicted": 1} and stats["evicted"] == 1
    assert wa_sandbox.runtime.meta_platform.media.lookup(meta_id) is None


async def test_users_media_count_against_the_cap(modica: ModicaClient, wa_sandbox):
    uploaded = await upload(modica, 600)
    data = base64.b64encode(b"\xff\xd8" + b"\x00" * 598).decode()
    await wa_sandbox.control.inject_inbound("+64211234567", provider="modica", type="image", image={"data": data})
    assert (await modica.get(MEDIA, params={"media_id": uploaded})).status == 404
    assert (await media_stats(wa_sandbox))["by_provider"]["modica"]["evicted"] == 1


async def test_upload_larger_than_the_whole_storage_is_413_and_keeps_the_rest(modica: ModicaClient, wa_sandbox):
    kept = await upload(modica, 400)
    reply = await modica.post(MEDIA, data=b"\x00" * (CAP + 1), headers={"Content-Type": "image/jpeg"}, params=SOURCE)
    assert_wab_error(reply, 413, f"the sandbox's whole media storage holds {CAP} bytes")
    assert (await modica.get(MEDIA, params={"media_id": kept})).status == 200
    assert (await media_stats(wa_sandbox))["evicted"] == 0


async def test_resetting_modica_drops_only_its_media(modica: ModicaClient, wa_sandbox):
    meta_id = await meta_upload(wa_sandbox, 300)
    modica_id = await upload(modica, 300)
    await wa_sandbox.control.reset("modica")
    assert (await modica.get(MEDIA, params={"media_id": modica_id})).status == 404
    assert wa_sandbox.runtime.meta_platform.media.lookup(meta_id) is not None


async def test_an_id_shared_with_meta_media_replaces_neither(modica: ModicaClient, wa_sandbox):
    data = base64.b64encode(b"\xff\xd8modica").decode()
    await wa_sandbox.control.inject_inbound("+64211234567", provider="modica", type="image", image={"id": "1234", "data": data})
    meta = wa_sandbox.runtime.meta_platform.media
    meta.store_inbound(PHONE_ID, "image", {"id": "1234", "mime_type": "image/png"}, b"\x89PNGmeta")
    assert (await modica.get(MEDIA, params={"media_id": "1234"})).body == b"\xff\xd8modica"
    record = meta.lookup("1234")
    assert record is not None and meta.store.read(record.id) == b"\x89PNGmeta"
