"""Regression tests for the failures the fuzzers found: each answered a 500 before its fix."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest

from sandbox.providers.smsglobal.auth import sign
from sandbox.testing.plugin import RunningSandbox
from tests.fuzz.harness import check_response

DEEP = b'{"a":' * 5000 + b"1" + b"}" * 5000  # past the interpreter's recursion limit
NESTED_100 = b"[" * 100 + b"]" * 100  # parses, but deeper than any real payload
BEARER = {"Authorization": "Bearer sandbox-token"}
MODICA = {"Authorization": "Basic " + base64.b64encode(b"sandbox:sandbox-secret").decode()}


async def _post(sandbox: RunningSandbox, path: str, body: bytes, **kwargs: Any) -> tuple[int, str, str]:
    kwargs.setdefault("headers", {})
    kwargs["headers"].setdefault("Content-Type", "application/json")
    async with sandbox.control.session.post(f"{sandbox.url}{path}", data=body, **kwargs) as resp:
        return resp.status, resp.content_type, await resp.text()


def _smsglobal_auth(sandbox: RunningSandbox, path: str) -> dict[str, str]:
    host = sandbox.url.removeprefix("http://")
    return {"Authorization": sign("sandbox-key", "sandbox-secret", "POST", path, host, 80, int(time.time()), "r1"),
            "Content-Type": "application/json"}


@pytest.mark.parametrize("body", [DEEP, NESTED_100], ids=["recursion-limit", "over-max-depth"])
async def test_deeply_nested_json_is_meta_error_100(wa_sandbox: RunningSandbox, body: bytes) -> None:
    status, ctype, text = await _post(wa_sandbox, "/v23.0/100000000000001/messages", body, headers=dict(BEARER))
    assert status == 400 and json.loads(text)["error"]["code"] == 100 and "nest deeper than 64 levels" in text
    check_response("/v23.0/x", status, ctype, text)


async def test_deeply_nested_json_is_control_400(wa_sandbox: RunningSandbox) -> None:
    status, ctype, text = await _post(wa_sandbox, "/_sandbox/inbound", DEEP)
    assert status == 400 and "not valid JSON" in text
    check_response("/_sandbox/inbound", status, ctype, text)


async def test_deeply_nested_json_is_modica_invalid_json(wa_sandbox: RunningSandbox) -> None:
    status, ctype, text = await _post(wa_sandbox, "/rest/gateway/messages", DEEP, headers=dict(MODICA))
    assert status == 400 and '"error": "invalid_json"' in text
    check_response("/rest/gateway/messages", status, ctype, text)


async def test_deeply_nested_json_is_maac_text_400(wa_sandbox: RunningSandbox) -> None:
    headers = {"Authorization": "Bearer sandbox-maac-token"}
    status, ctype, text = await _post(wa_sandbox, "/openapi/v1/pnp/message/push/", DEEP, headers=headers)
    assert status == 400 and ctype == "text/plain" and text.startswith("JSON parse error")


async def test_deeply_nested_json_is_smsglobal_field_error(wa_sandbox: RunningSandbox) -> None:
    status, ctype, text = await _post(wa_sandbox, "/v2/sms", DEEP, headers=_smsglobal_auth(wa_sandbox, "/v2/sms"))
    assert status == 400 and "not valid JSON" in text
    check_response("/v2/sms", status, ctype, text)


MALFORMED_MULTIPART = (
    b"--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n"
    b"\xf4\x87 not a header\r\n\r\ndata\r\n--XYZ--\r\n"
)


async def test_malformed_multipart_upload_is_meta_error_100(wa_sandbox: RunningSandbox) -> None:
    headers = {**BEARER, "Content-Type": "multipart/form-data; boundary=XYZ"}
    status, ctype, text = await _post(wa_sandbox, "/v23.0/100000000000001/media", MALFORMED_MULTIPART, headers=headers)
    assert status == 400 and json.loads(text)["error"]["code"] == 100 and "could not be parsed" in text


async def test_malformed_multipart_upload_is_modica_invalid_attrib(wa_sandbox: RunningSandbox) -> None:
    headers = {**MODICA, "Content-Type": "multipart/form-data; boundary=XYZ"}
    status, ctype, text = await _post(wa_sandbox, "/rest/wab/v1/media?source=6421555000", MALFORMED_MULTIPART, headers=headers)
    assert status == 400 and "invalid_attrib" in text and "could not be parsed" in text


# No boundary, an empty one, one over 70 characters, one the body never shows (issue 19).
BAD_BOUNDARIES = ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=" + "b" * 71,
                  "multipart/form-data; boundary=ABC"]
FORM_BODY = b"--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\r\ndata\r\n--XYZ--\r\n"


@pytest.mark.parametrize("ctype", BAD_BOUNDARIES)
async def test_upload_without_a_usable_boundary_is_meta_error_100(wa_sandbox: RunningSandbox, ctype: str) -> None:
    status, _, text = await _post(wa_sandbox, "/v23.0/100000000000001/media", FORM_BODY,
                                  headers={**BEARER, "Content-Type": ctype})
    assert status == 400 and json.loads(text)["error"]["code"] == 100 and "boundary" in text


@pytest.mark.parametrize("ctype", BAD_BOUNDARIES)
async def test_upload_without_a_usable_boundary_is_modica_invalid_attrib(wa_sandbox: RunningSandbox, ctype: str) -> None:
    status, _, text = await _post(wa_sandbox, "/rest/wab/v1/media?source=6421555000", FORM_BODY,
                                  headers={**MODICA, "Content-Type": ctype})
    assert status == 400 and "invalid_attrib" in text and "boundary" in text


MULTIPART_SEND = (
    b"--XYZ\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n"
    b"--XYZ\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\n15550200001\r\n"
    b"--XYZ\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n{\"body\": \"hi\"}\r\n"
    b"--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\r\nbytes\r\n--XYZ--\r\n"
)


async def test_multipart_send_is_read_like_a_form(wa_sandbox: RunningSandbox) -> None:
    """Graph reads multipart/form-data like a urlencoded form; the body used to be read as bytes first,
    after which the multipart parser found no boundary: a 500."""
    headers = {**BEARER, "Content-Type": "multipart/form-data; boundary=XYZ"}
    status, ctype, text = await _post(wa_sandbox, "/v23.0/100000000000001/messages", MULTIPART_SEND, headers=headers)
    assert status == 200, text
    assert json.loads(text)["messages"][0]["id"].startswith("wamid.")


async def test_multipart_params_on_a_graph_edge_are_read(wa_sandbox: RunningSandbox) -> None:
    """Edges that take query or body parameters (register, profile, settings...) read a multipart form too."""
    body = (b"--XYZ\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n"
            b"--XYZ\r\nContent-Disposition: form-data; name=\"pin\"\r\n\r\n123456\r\n--XYZ--\r\n")
    headers = {**BEARER, "Content-Type": "multipart/form-data; boundary=XYZ"}
    status, ctype, text = await _post(wa_sandbox, "/v23.0/100000000000001/register", body, headers=headers)
    assert status == 200 and json.loads(text) == {"success": True}, text


async def test_malformed_multipart_send_is_meta_error_100(wa_sandbox: RunningSandbox) -> None:
    headers = {**BEARER, "Content-Type": "multipart/form-data; boundary=XYZ"}
    status, ctype, text = await _post(wa_sandbox, "/v23.0/100000000000001/messages", MALFORMED_MULTIPART,
                                      headers=headers)
    assert status == 400 and json.loads(text)["error"]["code"] == 100 and "could not be parsed" in text


async def test_reset_with_a_list_as_provider_is_404(wa_sandbox: RunningSandbox) -> None:
    status, ctype, text = await _post(wa_sandbox, "/_sandbox/reset", b'{"provider": ["meta"]}')
    assert status == 404 and "unknown provider" in text


@pytest.mark.parametrize("body", [b'{"from": "+15551234567", "type": "text", "text": true}',
                                  b'{"from": "+15551234567", "type": "image", "image": "x"}',
                                  b'{"from": "+15551234567", "type": ["text"]}'])
async def test_inbound_with_a_wrongly_typed_message_is_400(wa_sandbox: RunningSandbox, body: bytes) -> None:
    status, ctype, text = await _post(wa_sandbox, "/_sandbox/inbound", body)
    assert status == 400
    check_response("/_sandbox/inbound", status, ctype, text)


async def test_smsglobal_whatsapp_with_a_list_as_type_is_field_error(wa_sandbox: RunningSandbox) -> None:
    body = b'{"to": ["61400000001"], "message": {"type": ["text"], "text": "hi"}}'
    status, ctype, text = await _post(wa_sandbox, "/v2/whatsapp", body, headers=_smsglobal_auth(wa_sandbox, "/v2/whatsapp"))
    assert status == 400 and "message.type" in text


# "²" (and other superscript and circled digits) passes str.isdigit() but int() refuses it: every
# "isdigit() then int()" was a 500. Numbers in queries, headers and bodies are now ASCII digits only.
SUPERSCRIPT_TWO = "\u00b2"
WABA, APP = "200000000000001", "987654321012345"


async def _call(sandbox: RunningSandbox, method: str, target: str, **kwargs: Any) -> tuple[int, str, str]:
    async with sandbox.control.session.request(method, f"{sandbox.url}{target}", **kwargs) as resp:
        return resp.status, resp.content_type, await resp.text()


@pytest.mark.parametrize("target", [f"/v23.0/{WABA}/message_templates", "/v23.0/100000000000001/block_users",
                                    "/v23.0/100000000000001/message_qrdls"])
async def test_meta_superscript_digit_limit_is_error_100(wa_sandbox: RunningSandbox, target: str) -> None:
    status, ctype, text = await _call(wa_sandbox, "GET", f"{target}?limit={SUPERSCRIPT_TWO}", headers=BEARER)
    assert status == 400 and json.loads(text)["error"]["code"] == 100 and "Param limit must be a non-negative integer" in text
    check_response(target, status, ctype, text)


async def test_meta_superscript_digit_file_length_is_error_100(wa_sandbox: RunningSandbox) -> None:
    query = f"file_length={SUPERSCRIPT_TWO}&file_type=image/png"
    status, ctype, text = await _call(wa_sandbox, "POST", f"/v23.0/{APP}/uploads?{query}", headers=BEARER)
    assert status == 400 and "Param file_length must be a positive integer" in text


async def test_meta_superscript_digit_file_offset_is_error_100(wa_sandbox: RunningSandbox) -> None:
    status, _, text = await _call(wa_sandbox, "POST", f"/v23.0/{APP}/uploads?file_length=4&file_type=image/png", headers=BEARER)
    session = json.loads(text)["id"]
    headers = {**BEARER, "file_offset": SUPERSCRIPT_TWO}
    status, ctype, text = await _call(wa_sandbox, "POST", f"/{session}", data=b"abcd", headers=headers)
    assert status == 400 and "Header file_offset must be a non-negative integer" in text


async def test_meta_media_url_with_superscript_digit_expiry_is_404(wa_sandbox: RunningSandbox) -> None:
    target = f"/whatsapp_business/attachments/?mid=1&ext={SUPERSCRIPT_TWO}&hash=x"
    status, ctype, text = await _call(wa_sandbox, "GET", target, headers=BEARER)
    assert status == 404 and "Media not found" in text


async def test_meta_template_ttl_in_superscript_digits_is_not_a_500(wa_sandbox: RunningSandbox) -> None:
    body = {"name": "ttl_tpl", "language": "en_US", "category": "UTILITY", "message_send_ttl_seconds": SUPERSCRIPT_TWO,
            "components": [{"type": "BODY", "text": "Hi"}]}
    status, ctype, text = await _call(wa_sandbox, "POST", f"/v23.0/{WABA}/message_templates", json=body, headers=BEARER)
    assert status < 500, text
    check_response("/v23.0/x", status, ctype, text)


def _smsglobal_signed(sandbox: RunningSandbox, method: str, target: str) -> dict[str, str]:
    host = sandbox.url.removeprefix("http://")
    return {"Authorization": sign("sandbox-key", "sandbox-secret", method, target, host, 80, int(time.time()), "r2")}


async def test_smsglobal_superscript_digit_limit_is_field_error(wa_sandbox: RunningSandbox) -> None:
    target = f"/v2/sms?limit={SUPERSCRIPT_TWO}"
    status, ctype, text = await _call(wa_sandbox, "GET", target, headers=_smsglobal_signed(wa_sandbox, "GET", "/v2/sms?limit=%C2%B2"))
    assert status == 400 and "limit must be a whole number" in text


async def test_smsglobal_otp_superscript_digit_length_is_field_error(wa_sandbox: RunningSandbox) -> None:
    body = {"destination": "61400000009", "message": "Code {*code*}", "length": SUPERSCRIPT_TWO}
    status, ctype, text = await _call(wa_sandbox, "POST", "/v2/otp", json=body, headers=_smsglobal_signed(wa_sandbox, "POST", "/v2/otp"))
    assert status == 400 and "length must be a whole number of digits" in text


MAAC = {"Authorization": "Bearer sandbox-maac-token"}


async def test_maac_superscript_digit_setting_id_is_404(wa_sandbox: RunningSandbox) -> None:
    status, ctype, text = await _call(wa_sandbox, "GET", f"/openapi/v1/pnp/setting/{SUPERSCRIPT_TWO}/", headers=MAAC)
    assert status == 404 and "Not found." in text


async def test_maac_report_superscript_digit_setting_id_is_field_error(wa_sandbox: RunningSandbox) -> None:
    status, ctype, text = await _call(wa_sandbox, "GET", f"/openapi/v1/pnp/message/?pnp_setting_id={SUPERSCRIPT_TWO}", headers=MAAC)
    assert status == 400 and "A valid integer is required." in text


async def test_maac_push_superscript_digit_setting_id_is_400(wa_sandbox: RunningSandbox) -> None:
    body = {"pnp_setting_id": SUPERSCRIPT_TWO, "data": {"phone_number": "+15550200001", "pnp": {}, "sms": {}}}
    status, ctype, text = await _call(wa_sandbox, "POST", "/openapi/v1/pnp/message/push/", json=body, headers=MAAC)
    assert status == 400 and "pnp_setting_id: a valid integer is required" in text
