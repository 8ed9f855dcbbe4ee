"""WhatsApp over Modica (/rest/wab/v1): messages through the scenario, media upload and download."""

from __future__ import annotations

import aiohttp
import pytest

from tests.providers.modica.conftest import ModicaClient

SEND = "/rest/wab/v1/messages"
MEDIA = "/rest/wab/v1/media"
SOURCE = {"source": "6421555000"}  # the default application's WhatsApp number
# The provider OpenAPI's example (reference C3), verbatim.
REFERENCE_EXAMPLE = {"to": "+64123456789", "type": "text", "source": "1234567890", "text": {"body": "Hello"}}
TEMPLATE = {"to": "+64211234567", "type": "template",
            "template": {"name": "order_update", "language": {"code": "en"}, "components": []}}


def assert_wab_error(reply, status: int, text: str) -> None:
    assert reply.status == status
    assert set(reply.body) == {"message", "statusCode", "error"} and reply.body["statusCode"] == status
    assert text in reply.body["error"]


async def test_reference_example_is_accepted(modica: ModicaClient, wa_sandbox):
    reply = await modica.post(SEND, REFERENCE_EXAMPLE)
    assert reply.status == 202 and reply.body[0]["status"] == "accepted"
    stored = await wa_sandbox.control.message(reply.body[0]["id"])
    assert stored["provider"] == "modica" and stored["channel"] == "whatsapp" and stored["meta"]["source"] == "1234567890"


async def test_template_outside_the_window_is_delivered(modica: ModicaClient, wa_sandbox):
    message_id = (await modica.post(SEND, TEMPLATE)).body[0]["id"]
    await wa_sandbox.control.advance(5)
    assert (await wa_sandbox.control.message(message_id))["status"] == "read"


async def test_free_form_text_without_an_inbound_fails_window_closed(modica: ModicaClient, wa_sandbox):
    message_id = (await modica.post(SEND, {**REFERENCE_EXAMPLE, "to": "+64211234567"})).body[0]["id"]
    await wa_sandbox.control.advance(1)
    stored = await wa_sandbox.control.message(message_id)
    assert stored["status"] == "failed" and stored["history"][-1]["errors"][0]["reason"] == "window_closed"


async def test_free_form_text_after_an_inbound_is_delivered(modica: ModicaClient, wa_sandbox):
    await wa_sandbox.control.inject_inbound("+64211234567", provider="modica", type="text", text="hi")
    message_id = (await modica.post(SEND, {**REFERENCE_EXAMPLE, "to": "+64211234567"})).body[0]["id"]
    await wa_sandbox.control.advance(5)
    assert (await wa_sandbox.control.message(message_id))["status"] == "read"


async def test_uploaded_media_downloads_byte_for_byte(modica: ModicaClient):
    form = aiohttp.FormData()
    form.add_field("file", b"%PDF-1.4 invoice", filename="invoice.pdf", content_type="application/pdf")
    upload = await modica.request("POST", MEDIA, data=form, params=SOURCE)
    assert upload.status == 200
    download = await modica.get(MEDIA, params={"media_id": upload.body[0]["id"]})
    assert download.status == 200 and download.body == b"%PDF-1.4 invoice"
    assert download.headers["Content-Type"] == "application/pdf"


async def test_raw_body_upload_keeps_its_content_type(modica: ModicaClient):
    upload = await modica.post(MEDIA, data=b"\x89PNG", headers={"Content-Type": "image/png"}, params=SOURCE)
    download = await modica.get(MEDIA, params={"media_id": upload.body[0]["id"]})
    assert download.body == b"\x89PNG" and download.headers["Content-Type"] == "image/png"


async def test_image_by_uploaded_media_id_is_accepted(modica: ModicaClient):
    media_id = (await modica.post(MEDIA, data=b"jpeg", headers={"Content-Type": "image/jpeg"}, params=SOURCE)).body[0]["id"]
    body = {"to": "+64211234567", "type": "image", "image": {"id": media_id, "caption": "Receipt"}}
    assert (await modica.post(SEND, body)).status == 202


async def test_document_by_link_is_accepted(modica: ModicaClient):
    body = {"to": "+64211234567", "type": "document",
            "document": {"link": "https://example.com/invoice.pdf", "filename": "invoice.pdf"}}
    assert (await modica.post(SEND, body)).status == 202


async def test_empty_upload_is_missing_attrib(modica: ModicaClient):
    reply = await modica.post(MEDIA, data=b"", headers={"Content-Type": "image/png"}, params=SOURCE)
    assert_wab_error(reply, 400, "Missing required file attribute")


async def test_download_without_media_id_is_missing_attrib(modica: ModicaClient):
    assert_wab_error(await modica.get(MEDIA), 400, "Missing required media_id attribute")


async def test_download_of_unknown_media_is_404(modica: ModicaClient):
    assert_wab_error(await modica.get(MEDIA, params={"media_id": "nope"}), 404, "No media with media_id nope")


@pytest.mark.parametrize("body,text", [
    ({"type": "text", "text": {"body": "x"}}, "Missing required destination attribute"),
    ({**REFERENCE_EXAMPLE, "to": "021 123"}, "Invalid to attribute"),
    ({"to": "+64211234567", "text": {"body": "x"}}, "Missing required type attribute"),
    ({"to": "+64211234567", "type": "fax", "fax": {}}, "Invalid type attribute"),
    ({"to": "+64211234567", "type": "text"}, "Missing required text attribute"),
    ({"to": "+64211234567", "type": "text", "text": "hi"}, "Invalid text attribute: must be an object"),
    ({"to": "+64211234567", "type": "text", "text": {}}, "Missing required text.body attribute"),
    ({"to": "+64211234567", "type": "text", "text": {"body": "x" * 4097}}, "limit is 4096"),
    ({"to": "+64211234567", "type": "image", "image": {}}, "Missing required image.id or image.link"),
    ({"to": "+64211234567", "type": "image", "image": {"id": "123"}}, "not media uploaded by this application"),
    ({"to": "+64211234567", "type": "image", "image": {"link": "ftp://x"}}, "must be an http(s) URL"),
    ({"to": "+64211234567", "type": "template", "template": {"language": {"code": "en"}}}, "template.name"),
    ({"to": "+64211234567", "type": "template", "template": {"name": "t"}}, "template.language"),
    ({"to": "+64211234567", "type": "location", "location": {"latitude": 1}}, "location.longitude"),
    ({"to": "+64211234567", "type": "interactive", "interactive": {}}, "interactive.type"),
    ({"to": "+64211234567", "type": "contacts", "contacts": {}}, "must be an array"),
    ({**REFERENCE_EXAMPLE, "source": 5}, "Invalid source attribute"),
])
async def test_invalid_whatsapp_bodies(modica: ModicaClient, body, text):
    assert_wab_error(await modica.post(SEND, body), 400, text)


async def test_non_object_body_is_invalid_json(modica: ModicaClient):
    assert_wab_error(await modica.post(SEND, ["x"]), 400, "invalid_json")


async def test_unknown_wab_path_is_404_in_wab_shape(modica: ModicaClient):
    assert_wab_error(await modica.get("/rest/wab/v1/status"), 404, "Not Found")
