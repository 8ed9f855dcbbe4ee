"""Meta's Resumable Upload API, through pywa and raw Graph calls, and where its handles are taken.

Sources: Meta's upload guide (developers.facebook.com/docs/graph-api/guides/upload: POST /{app_id}/uploads
?file_name&file_length&file_type -> {"id": "upload:<id>"}; POST /upload:<id> with header file_offset and
"Authorization: OAuth" -> {"h"}; GET /upload:<id> -> {"id", "file_offset"}; types pdf, jpeg, jpg, png, mp4);
OPENAPI WhatsAppBusinessProfile profile_picture_handle and template example.header_handle; reports that a
media id or URL in header_handle is "Invalid parameter" (gabrieldwight/Whatsapp-Business-Cloud-Api-Net#180,
ArnasDon/wacrm#562).
"""

from __future__ import annotations

from typing import Any

import pytest
from pywa_async.types import templates as t

from tests.conftest import PHONE_ID, TOKEN, WABA_ID

APP_ID = "300000000000001"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4
OAUTH = {"Authorization": f"OAuth {TOKEN}"}


async def graph(wa_sandbox: Any, method: str, path: str, **kw: Any) -> tuple[int, Any]:
    headers = {**OAUTH, **kw.pop("headers", {})}
    async with wa_sandbox.control.session.request(method, f"{wa_sandbox.url}/v23.0{path}", headers=headers, **kw) as resp:
        return resp.status, await resp.json()


async def upload(wa: Any, data: bytes = JPEG, file_type: str = "image/jpeg") -> str:
    session = await wa.api.create_upload_session(app_id=APP_ID, file_name="cat.jpg", file_length=len(data), file_type=file_type)
    return str((await wa.api.upload_file(upload_session_id=session["id"], file=data, file_offset=0))["h"])


async def test_pywa_upload_session_answers_an_upload_id(wa):
    session = await wa.api.create_upload_session(app_id=APP_ID, file_name="cat.jpg", file_length=len(JPEG), file_type="image/jpeg")
    assert session["id"].startswith("upload:")


async def test_pywa_upload_file_answers_a_file_handle(wa):
    handle = await upload(wa)
    assert handle.startswith("4::aW1hZ2UvanBlZw:")  # base64 of the MIME type, as Meta's handles carry it


async def test_oauth_authorization_uploads_the_bytes(wa_sandbox):
    status, session = await graph(wa_sandbox, "POST", f"/{APP_ID}/uploads?file_name=a.pdf&file_length=4&file_type=application/pdf")
    assert status == 200
    status, body = await graph(wa_sandbox, "POST", f"/{session['id']}", data=b"%PDF", headers={"file_offset": "0"})
    assert status == 200 and set(body) == {"h"}


async def test_interrupted_upload_resumes_from_the_offset_get_answers(wa):
    session = await wa.api.create_upload_session(app_id=APP_ID, file_name="cat.jpg", file_length=len(JPEG), file_type="image/jpeg")
    partial = await wa.api.upload_file(upload_session_id=session["id"], file=JPEG[:300], file_offset=0)
    assert partial == {"id": session["id"], "file_offset": 300}
    assert await wa.api.get_upload_session(upload_session_id=session["id"]) == {"id": session["id"], "file_offset": 300}
    done = await wa.api.upload_file(upload_session_id=session["id"], file=JPEG[300:], file_offset=300)
    assert done["h"].startswith("4::")


async def test_a_new_session_reads_file_offset_zero(wa):
    session = await wa.api.create_upload_session(app_id=APP_ID, file_name="cat.jpg", file_length=10, file_type="image/png")
    assert (await wa.api.get_upload_session(upload_session_id=session["id"]))["file_offset"] == 0


async def test_wrong_file_offset_is_rejected_naming_the_offset_to_resume_from(wa_sandbox):
    _, session = await graph(wa_sandbox, "POST", f"/{APP_ID}/uploads?file_length=8&file_type=image/png")
    await graph(wa_sandbox, "POST", f"/{session['id']}", data=b"1234", headers={"file_offset": "0"})
    status, body = await graph(wa_sandbox, "POST", f"/{session['id']}", data=b"5678", headers={"file_offset": "0"})
    assert status == 400 and body["error"]["code"] == 100
    assert "send the rest from file_offset 4" in body["error"]["error_data"]["details"]


async def test_bytes_past_file_length_are_rejected_and_not_kept(wa_sandbox):
    _, session = await graph(wa_sandbox, "POST", f"/{APP_ID}/uploads?file_length=4&file_type=image/png")
    status, body = await graph(wa_sandbox, "POST", f"/{session['id']}", data=b"123456", headers={"file_offset": "0"})
    assert status == 400 and "goes past file_length 4" in body["error"]["error_data"]["details"]
    _, state = await graph(wa_sandbox, "GET", f"/{session['id']}")
    assert state["file_offset"] == 0


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("file_type=image/png", "(#100) The parameter file_length is required"),
        ("file_length=0&file_type=image/png", "(#100) Param file_length must be a positive integer"),
        ("file_length=5", "(#100) The parameter file_type is required"),
        ("file_length=5&file_type=image/gif", "(#100) Param file_type must be one of {application/pdf, image/jpeg"),
    ],
)
async def test_session_parameters_are_checked(wa_sandbox, query, says):
    status, body = await graph(wa_sandbox, "POST", f"/{APP_ID}/uploads?{query}")
    assert status == 400 and body["error"]["code"] == 100
    assert body["error"]["message"].startswith(says)


async def test_unknown_upload_session_is_graphs_unsupported_request(wa_sandbox):
    status, body = await graph(wa_sandbox, "GET", "/upload:MTphdHRhY2htZW50Om5vcGU")
    assert status == 400 and (body["error"]["code"], body["error"]["error_subcode"]) == (100, 33)


async def test_a_phone_number_has_no_uploads_edge(wa_sandbox):
    status, body = await graph(wa_sandbox, "POST", f"/{PHONE_ID}/uploads?file_length=4&file_type=image/png")
    assert status == 400 and body["error"]["error_subcode"] == 33


async def test_uploads_without_a_token_are_refused(wa_sandbox):
    async with wa_sandbox.control.session.post(f"{wa_sandbox.url}/v23.0/{APP_ID}/uploads?file_length=4&file_type=image/png") as resp:
        assert resp.status == 401 and (await resp.json())["error"]["code"] == 104


async def test_uploaded_bytes_count_against_the_media_store(wa, wa_sandbox):
    before = wa_sandbox.runtime.meta_platform.media.store.total_bytes
    await upload(wa)
    assert wa_sandbox.runtime.meta_platform.media.store.total_bytes == before + len(JPEG)


async def test_evicted_upload_starts_over_at_offset_zero_and_its_handle_stops_working(wa, wa_sandbox):
    handle = await upload(wa)
    store = wa_sandbox.runtime.meta_platform.media.store
    session = wa_sandbox.runtime.meta_platform.uploads.by_handle(handle, store, 0)
    store.delete(session.media_id)  # as the size cap's eviction does
    assert (await wa.api.get_upload_session(upload_session_id=session.id))["file_offset"] == 0
    assert wa_sandbox.runtime.meta_platform.uploads.by_handle(handle, store, 0) is None


async def test_reset_forgets_upload_sessions(wa, wa_sandbox):
    session = await wa.api.create_upload_session(app_id=APP_ID, file_name="a.png", file_length=4, file_type="image/png")
    await wa_sandbox.control.reset()
    status, _ = await graph(wa_sandbox, "GET", f"/{session['id']}")
    assert status == 400


# --- the business profile picture ------------------------------------------------------------------


async def test_pywa_profile_picture_upload_sets_profile_picture_url(wa):
    await wa.update_business_profile(profile_picture=JPEG, app_id=APP_ID)
    profile = await wa.get_business_profile()
    assert profile.profile_picture_url.startswith("https://pps.whatsapp.net/")


async def test_profile_picture_handle_not_from_an_upload_is_rejected(wa_sandbox):
    body = {"messaging_product": "whatsapp", "profile_picture_handle": "4::aW1hZ2UvanBn:made-up"}
    status, answer = await graph(wa_sandbox, "POST", f"/{PHONE_ID}/whatsapp_business_profile", json=body)
    assert status == 400 and answer["error"]["code"] == 100
    assert "must be a file handle from the Resumable Upload API" in answer["error"]["error_data"]["details"]


async def test_profile_picture_must_be_an_image(wa, wa_sandbox):
    handle = await upload(wa, b"%PDF-1.4", "application/pdf")
    body = {"messaging_product": "whatsapp", "profile_picture_handle": handle}
    status, answer = await graph(wa_sandbox, "POST", f"/{PHONE_ID}/whatsapp_business_profile", json=body)
    assert status == 400 and "a profile picture is a JPEG or PNG image" in answer["error"]["error_data"]["details"]


# --- template header samples -----------------------------------------------------------------------


def image_template(header: Any, name: str = "summer_sale") -> t.Template:
    return t.Template(
        name=name, category=t.TemplateCategory.MARKETING, language=t.TemplateLanguage.ENGLISH_US,
        components=[header, t.BodyText(text="Our summer sale starts today!")],
    )


async def test_pywa_template_with_image_header_uploads_its_sample_and_is_created(wa):
    created = await wa.create_template(image_template(t.HeaderImage(example=JPEG, mime_type="image/jpeg")), app_id=APP_ID)
    assert created.status.value == "PENDING"


def raw_template(header: dict[str, Any]) -> dict[str, Any]:
    return {"name": "receipt", "language": "en_US", "category": "UTILITY",
            "components": [header, {"type": "BODY", "text": "Your receipt is attached."}]}


async def test_media_header_without_a_sample_is_rejected(wa_sandbox):
    status, body = await graph(wa_sandbox, "POST", f"/{WABA_ID}/message_templates", json=raw_template({"type": "HEADER", "format": "DOCUMENT"}))
    assert status == 400 and body["error"]["code"] == 100
    assert "A DOCUMENT header needs a sample" in body["error"]["error_data"]["details"]


@pytest.mark.parametrize("handle", ["1037543291543636", "https://example.com/receipt.pdf"])
async def test_header_handle_that_is_a_media_id_or_url_is_invalid(wa_sandbox, handle):
    header = {"type": "HEADER", "format": "DOCUMENT", "example": {"header_handle": [handle]}}
    status, body = await graph(wa_sandbox, "POST", f"/{WABA_ID}/message_templates", json=raw_template(header))
    assert status == 400 and body["error"]["code"] == 100
    assert "must be a file handle from the Resumable Upload API" in body["error"]["error_data"]["details"]


async def test_header_handle_must_fit_the_header_format(wa, wa_sandbox):
    handle = await upload(wa)
    header = {"type": "HEADER", "format": "DOCUMENT", "example": {"header_handle": [handle]}}
    status, body = await graph(wa_sandbox, "POST", f"/{WABA_ID}/message_templates", json=raw_template(header))
    assert status == 400 and "a DOCUMENT header takes application/pdf" in body["error"]["error_data"]["details"]


async def test_edit_checks_new_header_handles_too(wa, wa_sandbox):
    handle = await upload(wa, b"%PDF-1.4", "application/pdf")
    header = {"type": "HEADER", "format": "DOCUMENT", "example": {"header_handle": [handle]}}
    _, created = await graph(wa_sandbox, "POST", f"/{WABA_ID}/message_templates", json=raw_template(header))
    await wa_sandbox.control.advance(10)  # reviewed: APPROVED, so it may be edited
    bad = {"type": "HEADER", "format": "DOCUMENT", "example": {"header_handle": ["nope"]}}
    status, body = await graph(wa_sandbox, "POST", f"/{created['id']}", json={"components": raw_template(bad)["components"]})
    assert status == 400 and body["error"]["code"] == 100
