"""POST /openapi/v1/pnp/message/push/: accepted bodies and MAAC's text/plain errors."""

from __future__ import annotations

import pytest

from sandbox.testing.plugin import RunningSandbox

from .conftest import SEED_BODIES, filled, push, seed_body

pytestmark = pytest.mark.asyncio


@pytest.mark.parametrize("example", SEED_BODIES, ids=[b["title"] for b in SEED_BODIES])
async def test_every_seed_example_is_accepted_and_delivered_on_whatsapp(wa_sandbox: RunningSandbox, example: dict) -> None:
    answer = await push(wa_sandbox, filled(example["body"]))
    assert answer.status == 200, answer.text
    assert answer.json == {"id": 1, "result": "success"}
    await wa_sandbox.control.advance(120)
    legs = await wa_sandbox.control.messages(provider="maac")
    assert [(m["channel"], m["status"]) for m in legs] == [("whatsapp", "read")]


async def test_push_answers_json_with_a_numeric_id(wa_sandbox: RunningSandbox) -> None:
    first = await push(wa_sandbox, seed_body("Location Header"))
    second = await push(wa_sandbox, seed_body("Location Header"))
    assert first.content_type == "application/json"
    assert (first.json["id"], second.json["id"]) == (1, 2)


async def test_doc_example_with_customized_id_and_event_id_is_accepted(wa_sandbox: RunningSandbox) -> None:
    body = seed_body("Text Header")
    body["event_id"] = 123
    body["data"]["customized_id"] = "AJ1234567890"
    body["data"]["sms"] = {"order_number": "AJ1234567"}
    answer = await push(wa_sandbox, body)
    assert answer.status == 200
    leg = await wa_sandbox.control.latest(provider="maac")
    assert leg["meta"]["customized_id"] == "AJ1234567890" and leg["meta"]["event_id"] == 123


async def test_unknown_setting_is_400_pnp_setting_not_found(wa_sandbox: RunningSandbox) -> None:
    body = seed_body("Text Header")
    body["pnp_setting_id"] = 1111
    answer = await push(wa_sandbox, body)
    assert (answer.status, answer.content_type, answer.text) == (400, "text/plain", "pnp setting not found")


@pytest.mark.parametrize("field", ["phone_number", "pnp", "sms"])
async def test_missing_contact_field_is_400_field_is_required(wa_sandbox: RunningSandbox, field: str) -> None:
    body = seed_body("Text Header")
    del body["data"][field]
    answer = await push(wa_sandbox, body)
    assert (answer.status, answer.content_type, answer.text) == (400, "text/plain", f"{field} field is required")


async def test_missing_pnp_setting_id_is_400_field_is_required(wa_sandbox: RunningSandbox) -> None:
    body = seed_body("Text Header")
    del body["pnp_setting_id"]
    answer = await push(wa_sandbox, body)
    assert (answer.status, answer.text) == (400, "pnp_setting_id field is required")


@pytest.mark.parametrize("field", ["template_name", "language", "template_data"])
async def test_missing_whatsapp_field_is_400_field_is_required(wa_sandbox: RunningSandbox, field: str) -> None:
    body = seed_body("Image Header (using media ID)")
    del body["data"]["whatsapp"][field]
    answer = await push(wa_sandbox, body)
    assert (answer.status, answer.text) == (400, f"{field} field is required")


async def test_document_header_without_filename_is_400(wa_sandbox: RunningSandbox) -> None:
    body = seed_body("Document Header (using media url)")
    del body["data"]["whatsapp"]["template_data"]["header"]["parameters"][0]["filename"]
    answer = await push(wa_sandbox, body)
    assert (answer.status, answer.text) == (400, "filename field is required")


async def test_media_header_without_media_id_or_url_is_400(wa_sandbox: RunningSandbox) -> None:
    body = seed_body("Video Header (using media ID)")
    del body["data"]["whatsapp"]["template_data"]["header"]["parameters"][0]["media_id"]
    answer = await push(wa_sandbox, body)
    assert (answer.status, answer.text) == (400, "media_id field is required")


@pytest.mark.parametrize("phone", ["0912345678", "886912345678", "+886-912-345-678", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"])
async def test_phone_number_not_e164_is_400_pattern(wa_sandbox: RunningSandbox, phone: str) -> None:
    answer = await push(wa_sandbox, seed_body("Text Header", phone=phone))
    assert (answer.status, answer.text) == (400, "this value does not match the required pattern")


async def test_sha256_phone_number_is_refused_while_sms_is_enabled(wa_sandbox: RunningSandbox) -> None:
    hashed = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    answer = await push(wa_sandbox, seed_body("Text Header", phone=hashed))
    assert (answer.status, answer.text) == (400, "this value does not match the required pattern")


async def test_sha256_phone_number_is_accepted_when_sms_is_disabled(wa_sandbox: RunningSandbox) -> None:
    await wa_sandbox.control.load_scenario(yaml=WHATSAPP_ONLY)
    hashed = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    answer = await push(wa_sandbox, seed_body("Text Header", phone=hashed))
    assert answer.status == 200


async def test_missing_sms_variable_of_the_setting_is_400_field_is_required(wa_sandbox: RunningSandbox) -> None:
    await wa_sandbox.control.load_scenario(yaml=WITH_SMS_VARIABLES)
    answer = await push(wa_sandbox, seed_body("Text Header"))
    assert (answer.status, answer.text) == (400, "order_number field is required")


async def test_body_that_is_not_json_is_400_text(wa_sandbox: RunningSandbox) -> None:
    from .conftest import PUSH, call

    headers = {"Authorization": "Bearer sandbox-maac-token", "Content-Type": "application/json"}
    answer = await call(wa_sandbox, "POST", PUSH, data=b"{not json", headers=headers)
    assert answer.status == 400 and answer.content_type == "text/plain"
    assert answer.text.startswith("JSON parse error")


async def test_scenario_reject_503_answers_failed_to_emit_messages(wa_sandbox: RunningSandbox) -> None:
    await wa_sandbox.control.load_scenario(yaml=EMIT_FAILS)
    answer = await push(wa_sandbox, seed_body("Text Header", phone="+15550209999"))
    assert (answer.status, answer.content_type, answer.text) == (503, "text/plain", "failed to emit messages")


WHATSAPP_ONLY = """
version: 1
maac:
  pnp_settings:
    - {id: 1, name: WhatsApp only, fallback_enabled: false}
"""

WITH_SMS_VARIABLES = """
version: 1
maac:
  pnp_settings:
    - {id: 1, name: Orders, sms_parameters: [order_number], sms_text: "Order {order_number} has arrived"}
"""

EMIT_FAILS = """
version: 1
rules:
  - name: emit-fails
    match: {provider: maac, to: "+15550209999"}
    reject: {code: 503}
"""
