"""Media: upload, URL, download, delete through pywa; limits; ids and links in sends (131053)."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.conftest import AUTH, PHONE_ID, send

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


async def upload(wa_sandbox: Any, data: bytes, mime: str, *, fields: dict[str, str] | None = None, query: str = "") -> tuple[int, Any]:
    form = aiohttp.FormData()
    form.add_field("file", data, filename="file.bin", content_type=mime)
    for key, value in (fields if fields is not None else {"messaging_product": "whatsapp", "type": mime}).items():
        form.add_field(key, value)
    url = f"{wa_sandbox.url}/v23.0/{PHONE_ID}/media{query}"
    async with wa_sandbox.control.session.post(url, data=form, headers=AUTH) as resp:
        return resp.status, await resp.json()


async def test_pywa_uploads_gets_url_downloads_and_deletes(wa, wa_sandbox):
    media = await wa.upload_media(media=PNG, mime_type="image/png", filename="dot.png")
    info = await wa.get_media_url(media.id)
    assert info.mime_type == "image/png" and int(info.file_size) == len(PNG)
    assert info.url.startswith(f"{wa_sandbox.url}/whatsapp_business/attachments/?mid={media.id}")
    assert await wa.get_media_bytes(info.url) == PNG
    assert await wa.delete_media(media.id)
    status, body = await send_get(wa_sandbox, f"/v23.0/{media.id}")
    assert status == 400 and body["error"]["error_subcode"] == 33


async def send_get(wa_sandbox: Any, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}{path}", headers=AUTH if headers is None else headers) as resp:
        return resp.status, await resp.json(content_type=None)


async def test_media_info_has_metas_keys_and_unversioned_path_works(wa_sandbox):
    _, created = await upload(wa_sandbox, PNG, "image/png")
    status, body = await send_get(wa_sandbox, f"/{created['id']}")
    assert status == 200
    assert set(body) == {"messaging_product", "url", "mime_type", "sha256", "file_size", "id"}
    assert body["file_size"] == str(len(PNG)) and len(body["sha256"]) == 64


async def test_download_without_bearer_is_404(wa_sandbox):
    _, created = await upload(wa_sandbox, PNG, "image/png")
    _, info = await send_get(wa_sandbox, f"/v23.0/{created['id']}")
    async with wa_sandbox.control.session.get(info["url"]) as resp:
        assert resp.status == 404


async def test_download_url_expires_after_five_minutes(wa_sandbox):
    _, created = await upload(wa_sandbox, PNG, "image/png")
    _, info = await send_get(wa_sandbox, f"/v23.0/{created['id']}")
    await wa_sandbox.control.advance(301)
    async with wa_sandbox.control.session.get(info["url"], headers=AUTH) as resp:
        assert resp.status == 404


async def test_upload_accepts_product_in_query_and_no_type_field(wa_sandbox):
    status, body = await upload(wa_sandbox, PNG, "image/png", fields={}, query="?messaging_product=whatsapp")
    assert status == 200 and body["id"].isdigit()


async def test_upload_without_messaging_product_is_100(wa_sandbox):
    status, body = await upload(wa_sandbox, PNG, "image/png", fields={"type": "image/png"})
    assert status == 400 and body["error"]["message"] == "(#100) The parameter messaging_product is required."


async def test_upload_of_unsupported_type_gets_metas_type_list(wa_sandbox):
    status, body = await upload(wa_sandbox, b"PK..", "application/zip")
    error = body["error"]
    assert status == 400 and error["code"] == 100
    assert error["message"].startswith("(#100) Param file must be a file with one of the following types: audio/aac")
    assert error["message"].endswith("Received file of type 'application/zip'.")


@pytest.mark.parametrize(("mime", "size"), [("image/jpeg", 5 * 1024 * 1024 + 1), ("image/webp", 500 * 1024 + 1)])
async def test_upload_over_the_kind_limit_is_refused(wa_sandbox, mime, size):
    status, body = await upload(wa_sandbox, b"\0" * size, mime)
    assert status == 400 and body["error"]["code"] == 131053
    assert "at most" in body["error"]["error_data"]["details"]
    assert len(wa_sandbox.runtime.meta_platform.media.store) == 0


async def test_storage_cap_evicts_oldest_media(wa_sandbox):
    store = wa_sandbox.runtime.meta_platform.media.store
    store.max_bytes = 2 * len(PNG)
    ids = [(await upload(wa_sandbox, PNG, "image/png"))[1]["id"] for _ in range(3)]
    assert store.get(ids[0]) is None and store.get(ids[2]) is not None and store.evicted == 1


async def test_uploaded_media_id_is_delivered_in_a_send(wa_sandbox):
    _, created = await upload(wa_sandbox, PNG, "image/png")
    _, sent = await send(wa_sandbox, {"messaging_product": "whatsapp", "to": "15550200001", "type": "image", "image": {"id": created["id"]}})
    await wa_sandbox.control.advance(2)
    assert (await wa_sandbox.control.message(sent["messages"][0]["id"]))["status"] == "delivered"


async def test_unknown_media_id_fails_the_message_with_131053(wa_sandbox):
    _, sent = await send(wa_sandbox, {"messaging_product": "whatsapp", "to": "15550200001", "type": "image", "image": {"id": "1234567890123456"}})
    await wa_sandbox.control.advance(5)
    message = await wa_sandbox.control.message(sent["messages"][0]["id"])
    assert [e["status"] for e in message["history"]] == ["accepted", "failed"]
    assert message["history"][-1]["errors"][0]["code"] == 131053


# --- links ----------------------------------------------------------------------------------------


@pytest.fixture
async def media_server(aiohttp_server: Any) -> Any:
    """A media host whose answers each test scripts: path -> (status, content type, headers)."""
    routes: dict[str, tuple[int, str, dict[str, str]]] = {}
    hits: list[dict[str, str]] = []

    async def serve(request: web.Request) -> web.Response:
        hits.append(dict(request.headers))
        status, ctype, headers = routes.get(request.path, (404, "text/plain", {}))
        if status == 304 or request.headers.get("If-Modified-Since") and request.headers["If-Modified-Since"] == headers.get("Last-Modified"):
            return web.Response(status=304, headers=headers)
        return web.Response(status=status, body=PNG if status == 200 else b"nope", content_type=ctype, headers=headers)

    app = web.Application()
    app.router.add_get("/{tail:.*}", serve)
    server = await aiohttp_server(app)
    server.routes, server.hits = routes, hits
    return server


async def send_link(wa_sandbox: Any, url: str) -> dict[str, Any]:
    _, sent = await send(wa_sandbox, {"messaging_product": "whatsapp", "to": "15550200001", "type": "image", "image": {"link": url}})
    await wa_sandbox.control.advance(2)
    return await wa_sandbox.control.message(sent["messages"][0]["id"])


async def test_unreachable_link_fails_with_131053_and_metas_wording(wa_sandbox, media_server):
    message = await send_link(wa_sandbox, str(media_server.make_url("/missing.png")))
    error = message["history"][-1]["errors"][0]
    assert message["status"] == "failed" and error["code"] == 131053
    assert error["error_data"]["details"] == "Downloading media from weblink failed with http code 404, status message Not Found"


async def test_link_of_unsupported_type_fails_with_131053(wa_sandbox, media_server):
    media_server.routes["/a.gif"] = (200, "image/gif", {})
    message = await send_link(wa_sandbox, str(media_server.make_url("/a.gif")))
    assert message["status"] == "failed" and "image/gif" in message["history"][-1]["errors"][0]["error_data"]["details"]


async def test_link_declared_over_the_type_limit_fails_with_131053_and_keeps_nothing(wa_sandbox, aiohttp_server):
    async def big(request: web.Request) -> web.Response:
        return web.Response(body=b"0" * (5 * 1024 * 1024 + 1), content_type="image/png")

    app = web.Application()
    app.router.add_get("/big.png", big)
    message = await send_link(wa_sandbox, str((await aiohttp_server(app)).make_url("/big.png")))
    details = message["history"][-1]["errors"][0]["error_data"]["details"]
    assert message["status"] == "failed" and details.startswith("Media file size exceeds the 5242880 byte limit for image/png")
    assert len(wa_sandbox.runtime.meta_platform.media.store) == 0


async def test_link_with_max_age_is_fetched_once_while_fresh(wa_sandbox, media_server):
    media_server.routes["/a.png"] = (200, "image/png", {"Cache-Control": "max-age=60"})
    url = str(media_server.make_url("/a.png"))
    first, second = await send_link(wa_sandbox, url), await send_link(wa_sandbox, url)
    assert first["status"] == "delivered" and second["meta"]["media"][0]["cache"] == "hit"
    assert len(media_server.hits) == 1
    await wa_sandbox.control.advance(60)
    await send_link(wa_sandbox, url)
    assert len(media_server.hits) == 2


async def test_link_whose_max_age_is_not_ascii_digits_is_not_cached(wa_sandbox, media_server, caplog):
    media_server.routes["/a.png"] = (200, "image/png", {"Cache-Control": "max-age=²"})  # "²".isdigit() is True
    url = str(media_server.make_url("/a.png"))
    first, second = await send_link(wa_sandbox, url), await send_link(wa_sandbox, url)
    assert first["status"] == second["status"] == "delivered" and len(media_server.hits) == 2
    assert [m["cache"] for m in (first["meta"]["media"][0], second["meta"]["media"][0])] == ["miss", "miss"]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # the media check used to crash on int("²")


@pytest.mark.parametrize("directive", ["no-store", "private"])
async def test_link_with_no_store_or_private_is_fetched_every_time(wa_sandbox, media_server, directive):
    media_server.routes["/a.png"] = (200, "image/png", {"Cache-Control": directive})
    url = str(media_server.make_url("/a.png"))
    await send_link(wa_sandbox, url)
    await send_link(wa_sandbox, url)
    assert len(media_server.hits) == 2


async def test_link_with_no_cache_revalidates_with_last_modified(wa_sandbox, media_server):
    stamp = "Tue, 22 Feb 2022 22:22:22 GMT"
    media_server.routes["/a.png"] = (200, "image/png", {"Cache-Control": "no-cache", "Last-Modified": stamp})
    url = str(media_server.make_url("/a.png"))
    await send_link(wa_sandbox, url)
    second = await send_link(wa_sandbox, url)
    assert media_server.hits[1]["If-Modified-Since"] == stamp
    assert second["meta"]["media"][0]["cache"] == "revalidated" and second["status"] == "delivered"


async def test_link_fetching_can_be_switched_off(wa_sandbox, media_server):
    wa_sandbox.runtime.settings.media_fetch_links = False
    message = await send_link(wa_sandbox, str(media_server.make_url("/missing.png")))
    assert message["status"] == "delivered" and media_server.hits == []


async def test_injected_inbound_image_is_downloadable_with_the_bearer(wa_sandbox):
    inbound = await wa_sandbox.control.inject_inbound("+15550200001", type="image", image={"data": base64.b64encode(PNG).decode()})
    image = inbound["payload"]["image"] if "payload" in inbound else inbound["image"]
    _, info = await send_get(wa_sandbox, f"/v23.0/{image['id']}")
    async with wa_sandbox.control.session.get(info["url"], headers=AUTH) as resp:
        assert resp.status == 200 and await resp.read() == PNG
