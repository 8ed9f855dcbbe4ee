"""The inbox's own HTTP surface (no browser): the page, its assets, the event stream and two reads."""

from __future__ import annotations

import base64
import json
from dataclasses import replace

from aiohttp import FormData, encode_basic_auth

from sandbox.core.store import Message
from sandbox.testing.plugin import RunningSandbox

INBOX = "/_sandbox/inbox"
MODICA = encode_basic_auth("sandbox", "sandbox-secret")  # the default scenario's Modica application


async def modica_upload(wa_sandbox: RunningSandbox, data: bytes, content_type: str) -> str:
    """Upload WAB media as the application would; returns Modica's ``media_id``."""
    url = f"{wa_sandbox.url}/rest/wab/v1/media?source=6421555000"
    headers = {"Content-Type": content_type, "Authorization": MODICA}
    async with wa_sandbox.control.session.post(url, data=data, headers=headers) as resp:
        assert resp.status == 200, await resp.text()
        return str((await resp.json())[0]["id"])


async def test_page_is_served_with_a_policy_that_only_allows_the_sandbox_scripts(wa_sandbox: RunningSandbox) -> None:
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}{INBOX}") as resp:
        assert resp.status == 200 and resp.content_type == "text/html"
        assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
        assert '<script type="module" src="/_sandbox/inbox/static/app.js">' in await resp.text()


async def test_assets_are_served_from_the_package(wa_sandbox: RunningSandbox) -> None:
    for name, kind in (("app.js", "javascript"), ("inbox.css", "text/css")):
        async with wa_sandbox.control.session.get(f"{wa_sandbox.url}{INBOX}/static/{name}") as resp:
            assert resp.status == 200 and kind in resp.content_type


async def test_unknown_asset_gets_the_control_api_error_shape(wa_sandbox: RunningSandbox) -> None:
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}{INBOX}/static/nope.js") as resp:
        assert resp.status == 404
        assert (await resp.json())["error"]["status"] == 404


async def test_event_stream_announces_a_new_message(wa_sandbox: RunningSandbox) -> None:
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}{INBOX}/events") as resp:
        assert resp.content_type == "text/event-stream"
        assert await resp.content.readuntil(b"\n\n") == b"retry: 1000\nevent: hello\ndata: {}\n\n"
        sent = await wa_sandbox.control.inject_inbound("+15550200001", type="text", text="hi")
        event = json.loads((await resp.content.readuntil(b"\n\n")).decode().removeprefix("data: "))
        assert event == {"kind": "message", "id": sent["id"], "direction": "inbound"}


async def test_directory_names_the_users_of_the_journal(wa_sandbox: RunningSandbox) -> None:
    await wa_sandbox.control.inject_inbound("+15550200001", type="text", text="hi")
    users = (await wa_sandbox.control.request("GET", "/inbox/api/directory"))["users"]
    assert users == {"15550200001": "Ana Souza"}


async def test_address_form_of_a_message_that_is_not_an_address_message_is_404(wa_sandbox: RunningSandbox) -> None:
    sent = await wa_sandbox.control.inject_inbound("+15550200001", type="text", text="hi")
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}{INBOX}/api/address-form/{sent['id']}") as resp:
        assert resp.status == 404
        assert "is not an address message" in (await resp.json())["error"]["message"]


async def test_media_preview_serves_an_uploaded_media_id(wa_sandbox: RunningSandbox) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    form = FormData()
    form.add_field("messaging_product", "whatsapp")
    form.add_field("file", png, filename="a.png", content_type="image/png")
    url = f"{wa_sandbox.url}/v23.0/100000000000001/media"
    async with wa_sandbox.control.session.post(url, data=form, headers={"Authorization": "Bearer sandbox-token"}) as resp:
        media_id = (await resp.json())["id"]
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}{INBOX}/api/media/meta/{media_id}") as resp:
        assert resp.status == 200 and resp.content_type == "image/png"
        assert await resp.read() == png


async def test_media_preview_of_an_unknown_id_is_404(wa_sandbox: RunningSandbox) -> None:
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}{INBOX}/api/media/meta/123456") as resp:
        assert resp.status == 404
        assert "no media '123456'" in (await resp.json())["error"]["message"]


async def test_media_preview_serves_a_modica_upload_by_its_media_id(wa_sandbox: RunningSandbox) -> None:
    pdf = b"%PDF-1.4 receipt"
    media_id = await modica_upload(wa_sandbox, pdf, "application/pdf")
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}{INBOX}/api/media/modica/{media_id}") as resp:
        assert resp.status == 200 and resp.content_type == "application/pdf"
        assert await resp.read() == pdf


async def test_media_preview_serves_the_media_a_modica_user_sent(wa_sandbox: RunningSandbox) -> None:
    sent = await wa_sandbox.control.inject_inbound(
        "+64211234567", provider="modica", business="sandbox", type="image",
        image={"mime_type": "image/png", "data": base64.b64encode(b"user photo").decode()},
    )
    media_id = sent["payload"]["image"]["id"]
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}{INBOX}/api/media/modica/{media_id}") as resp:
        assert resp.status == 200 and resp.content_type == "image/png"
        assert await resp.read() == b"user photo"


async def test_media_preview_keeps_each_providers_ids_apart(wa_sandbox: RunningSandbox) -> None:
    media_id = await modica_upload(wa_sandbox, b"jpeg", "image/jpeg")
    for path in (f"meta/{media_id}", f"meta/modica-{media_id}"):  # not Meta's id, nor the store's raw key
        async with wa_sandbox.control.session.get(f"{wa_sandbox.url}{INBOX}/api/media/{path}") as resp:
            assert resp.status == 404
            assert "in the meta media store" in (await resp.json())["error"]["message"]


async def test_media_preview_takes_a_providers_key_prefix_from_its_spec(wa_sandbox: RunningSandbox) -> None:
    media_id = await modica_upload(wa_sandbox, b"jpeg", "image/jpeg")
    rt = wa_sandbox.runtime
    # a spec without the prefix: the inbox looks for the bare id, which the store does not hold
    rt.providers = tuple(replace(s, media_key_prefix="") if s.name == "modica" else s for s in rt.providers)
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}{INBOX}/api/media/modica/{media_id}") as resp:
        assert resp.status == 404


async def test_address_form_comes_from_the_spec_of_the_messages_provider(wa_sandbox: RunningSandbox) -> None:
    sent = await wa_sandbox.control.inject_inbound("+15550200001", type="text", text="hi")
    asked: list[str] = []

    def form(backend: object, message: Message) -> dict[str, object]:
        asked.append(message.id)
        return {"country": "XX", "fields": [], "values": {}}

    rt = wa_sandbox.runtime
    rt.providers = tuple(replace(s, address_form=form) if s.name == sent["provider"] else s for s in rt.providers)
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}{INBOX}/api/address-form/{sent['id']}") as resp:
        assert resp.status == 200 and await resp.json() == {"country": "XX", "fields": [], "values": {}}
    assert asked == [sent["id"]]
