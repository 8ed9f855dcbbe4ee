"""A template's media-header sample as Graph reads it back: an scontent CDN URL, not the upload handle.

Sources: meta-cloud-api.md §5.1 (GET message_templates answers
``"example":{"header_handle":["https://scontent.whatsapp.net/v/t61..."]}`` for an IMAGE header); templates
read back from Graph in public code show the full shape
``https://scontent.whatsapp.net/v/t61.29466-34/<n>_<n>_<n>_n.jpg?ccb=1-7&_nc_sid=8b1bef&...&oe=<hex>``
(also ``.png``, ``.mp4``); the create examples in meta-openapi-v23.yaml send ``4::<base64 MIME>:...``
handles. pywa reads the URL as the header's ``example`` and, on update, downloads it to upload it again.
"""

from __future__ import annotations

import re
from typing import Any

from pywa_async.types import templates as t

from tests.conftest import AUTH, PHONE_ID, WABA_ID
from tests.providers.meta.test_resumable_upload import APP_ID, JPEG, upload

SAMPLE_URL = re.compile(r"^(?P<base>.+)/v/t61\.29466-34/\d+_\d+_\d+_n\.(?P<ext>[a-z0-9]+)\?ccb=1-7&_nc_sid=8b1bef&.*&oe=[0-9A-F]{8}$")
PDF = b"%PDF-1.4\n" + b"\x00" * 64


async def graph(wa_sandbox: Any, method: str, path: str, **kw: Any) -> tuple[int, Any]:
    async with wa_sandbox.control.session.request(method, f"{wa_sandbox.url}/v23.0{path}", headers=AUTH, **kw) as resp:
        return resp.status, await resp.json()


def receipt(handle: str, name: str = "sample_receipt") -> dict[str, Any]:
    return {"name": name, "language": "en_US", "category": "UTILITY", "components": [
        {"type": "HEADER", "format": "DOCUMENT", "example": {"header_handle": [handle]}},
        {"type": "BODY", "text": "Your receipt is attached."},
    ]}


async def created_receipt(wa: Any, wa_sandbox: Any) -> tuple[str, str]:
    handle = await upload(wa, PDF, "application/pdf")
    _, created = await graph(wa_sandbox, "POST", f"/{WABA_ID}/message_templates", json=receipt(handle))
    return handle, created["id"]


def sample_of(item: dict[str, Any]) -> str:
    header = next(c for c in item["components"] if c["type"] == "HEADER")
    [url] = header["example"]["header_handle"]
    return str(url)


async def test_list_shows_an_scontent_style_url_where_the_handle_was(wa, wa_sandbox):
    handle, _ = await created_receipt(wa, wa_sandbox)
    _, listed = await graph(wa_sandbox, "GET", f"/{WABA_ID}/message_templates", params={"name": "sample_receipt"})
    url = sample_of(listed["data"][0])
    found = SAMPLE_URL.match(url)
    assert found and found["base"] == wa_sandbox.url and found["ext"] == "pdf"
    assert handle not in url


async def test_the_url_is_stable_across_reads_and_the_same_by_id(wa, wa_sandbox):
    _, template_id = await created_receipt(wa, wa_sandbox)
    _, listed = await graph(wa_sandbox, "GET", f"/{WABA_ID}/message_templates", params={"name": "sample_receipt"})
    _, by_id = await graph(wa_sandbox, "GET", f"/{template_id}")
    _, again = await graph(wa_sandbox, "GET", f"/{template_id}")
    assert sample_of(listed["data"][0]) == sample_of(by_id) == sample_of(again)


async def test_the_url_serves_the_uploaded_bytes_without_a_token(wa, wa_sandbox):
    _, template_id = await created_receipt(wa, wa_sandbox)
    _, item = await graph(wa_sandbox, "GET", f"/{template_id}")
    async with wa_sandbox.control.session.get(sample_of(item)) as resp:
        assert resp.status == 200 and resp.content_type == "application/pdf"
        assert await resp.read() == PDF


async def test_pywa_reads_the_url_as_the_header_example(wa):
    created = await wa.create_template(
        t.Template(name="summer_sale", category=t.TemplateCategory.MARKETING, language=t.TemplateLanguage.ENGLISH_US,
                   components=[t.HeaderImage(example=JPEG, mime_type="image/jpeg"), t.BodyText(text="Our summer sale starts today!")]),
        app_id=APP_ID,
    )
    header = next(c for c in (await wa.get_template(created.id)).components if isinstance(c, t.HeaderImage))
    assert SAMPLE_URL.match(str(header.example)) and str(header.example).split("?")[0].endswith(".jpg")


async def test_pywa_update_with_the_read_back_header_downloads_and_uploads_it_again(wa, wa_sandbox):
    _, template_id = await created_receipt(wa, wa_sandbox)
    await wa_sandbox.control.advance(10)  # reviewed: APPROVED, so it may be edited
    header = next(c for c in (await wa.get_template(template_id)).components if isinstance(c, t.HeaderDocument))
    await wa.update_template(template_id, new_components=[header, t.BodyText(text="Your new receipt is attached.")], app_id=APP_ID)
    _, item = await graph(wa_sandbox, "GET", f"/{template_id}")
    assert item["status"] == "PENDING" and item["components"][1]["text"] == "Your new receipt is attached."
    async with wa_sandbox.control.session.get(sample_of(item)) as resp:
        assert await resp.read() == PDF


async def test_an_edit_with_a_new_handle_shows_the_new_handles_url(wa, wa_sandbox):
    _, template_id = await created_receipt(wa, wa_sandbox)
    _, before = await graph(wa_sandbox, "GET", f"/{template_id}")
    await wa_sandbox.control.advance(10)
    other = await upload(wa, PDF + b"v2", "application/pdf")
    status, _ = await graph(wa_sandbox, "POST", f"/{template_id}", json={"components": receipt(other)["components"]})
    _, after = await graph(wa_sandbox, "GET", f"/{template_id}")
    assert status == 200 and sample_of(after) != sample_of(before)
    async with wa_sandbox.control.session.get(sample_of(after)) as resp:
        assert await resp.read() == PDF + b"v2"


async def test_a_seeded_url_sample_reads_back_unchanged(wa_sandbox):
    _, listed = await graph(wa_sandbox, "GET", f"/{WABA_ID}/message_templates", params={"name": "image_template_1"})
    assert sample_of(listed["data"][0]) == "https://example.com/header.jpg"


async def test_an_unknown_sample_url_is_a_graph_404(wa_sandbox):
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}/v/t61.29466-34/1_2_3_n.jpg?ccb=1-7") as resp:
        body = await resp.json()
    assert resp.status == 404 and body["error"]["code"] == 100
    assert "sample" in body["error"]["error_data"]["details"]


async def test_a_template_with_a_media_header_still_sends(wa, wa_sandbox):
    _, template_id = await created_receipt(wa, wa_sandbox)
    await wa_sandbox.control.advance(10)
    send = {"messaging_product": "whatsapp", "to": "15550200001", "type": "template", "template": {
        "name": "sample_receipt", "language": {"code": "en_US"},
        "components": [{"type": "header", "parameters": [{"type": "document", "document": {"link": "https://example.com/r.pdf"}}]}]}}
    status, answer = await graph(wa_sandbox, "POST", f"/{PHONE_ID}/messages", json=send)
    assert status == 200 and answer["messages"][0]["id"].startswith("wamid.")
