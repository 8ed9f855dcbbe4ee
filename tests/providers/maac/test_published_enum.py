"""MAAC answers a strict client generated from maac-openapi.md accepts (issue 17 item 5): by default only
the published report/webhook fields and status enum; JSON bodies only (415); coordinates in range."""

from __future__ import annotations

import pytest

from sandbox.testing.plugin import RunningSandbox
from sandbox.testing.receiver import WebhookReceiver

from .conftest import (
    AUTH,
    FALLBACK_SECONDS,
    PUSH,
    call,
    listen,
    opt_in_whatsapp_statuses,
    push,
    report,
    seed_body,
)

pytestmark = pytest.mark.asyncio
WINDOW = "pnp_setting_id=1&updated_at_min=2000-01-01T00:00:00Z&updated_at_max=2100-01-01T00:00:00Z"
# maac-openapi.md, GET /openapi/v1/pnp/message/ results[] and the pnp.status_updated webhook's data.
REPORT_FIELDS = {"pnp_message_id", "phone_number", "status", "line_push_template_id", "line_push_status",
                 "line_push_delivered_at", "line_push_error_category", "pnp_status", "pnp_delivered_at",
                 "sms_status", "sms_delivered_at", "sms_error_category", "updated_at", "event_id", "customized_id"}
WEBHOOK_FIELDS = (REPORT_FIELDS - {"updated_at"}) | {"pnp_setting_id", "pnp_setting_name"}
STATUS_ENUM = {
    "line_push_preparing", "line_push_delivered", "line_push_failed", "line_push_undeliverable",
    "pnp_preparing", "pnp_accepted", "pnp_delivered", "pnp_failed", "pnp_undeliverable",
    "sms_preparing", "sms_accepted", "sms_delivered", "sms_failed", "sms_undeliverable", "sms_blocked",
    "sms_temporary_error", "sms_callback_timeout",
}
BLOCKED = "+15550200006"


async def test_by_default_reports_and_webhooks_hold_only_published_fields_and_statuses(
    wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    await listen(wa_sandbox, webhook_receiver)
    await push(wa_sandbox, seed_body("Text Header", phone=BLOCKED))  # WhatsApp fails, then SMS
    await push(wa_sandbox, seed_body("Text Header", phone="+15550200001"))  # WhatsApp delivered
    await wa_sandbox.control.advance(FALLBACK_SECONDS + 5)
    rows = (await report(wa_sandbox, WINDOW)).json["results"]
    assert all(set(row) == REPORT_FIELDS for row in rows)
    assert {row["status"] for row in rows} == {"sms_delivered", "pnp_delivered"}
    posts = await webhook_receiver.wait_posts(6)
    assert all(set(p.json["data"]) == WEBHOOK_FIELDS for p in posts)
    seen = {p.json["data"][key] for p in posts for key in ("status", "pnp_status", "sms_status")} - {None}
    assert seen <= STATUS_ENUM and "pnp_undeliverable" in seen


async def test_whatsapp_statuses_are_an_opt_in_scenario_setting(wa_sandbox: RunningSandbox) -> None:
    await opt_in_whatsapp_statuses(wa_sandbox)
    await push(wa_sandbox, seed_body("Text Header", phone="+15550200001"))
    await wa_sandbox.control.advance(5)
    row = (await report(wa_sandbox, WINDOW)).json["results"][0]
    assert (row["status"], row["whatsapp_status"], row["pnp_status"]) == ("whatsapp_delivered", "whatsapp_delivered", None)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
async def test_push_with_a_non_json_content_type_is_415(wa_sandbox: RunningSandbox, content_type: str) -> None:
    body = b'{"pnp_setting_id": 1, "data": {"phone_number": "+15550200001", "pnp": {}, "sms": {}}}'
    answer = await call(wa_sandbox, "POST", PUSH, data=body, headers={**AUTH, "Content-Type": content_type})
    assert (answer.status, answer.json) == (415, {"detail": f'Unsupported media type "{content_type}" in request.'})
    assert await wa_sandbox.control.messages(provider="maac") == []


async def test_push_with_json_and_a_charset_is_accepted(wa_sandbox: RunningSandbox) -> None:
    body = b'{"pnp_setting_id": 1, "data": {"phone_number": "+15550200001", "pnp": {}, "sms": {}}}'
    headers = {**AUTH, "Content-Type": "application/json; charset=utf-8"}
    assert (await call(wa_sandbox, "POST", PUSH, data=body, headers=headers)).status == 200


async def test_multicast_with_a_non_json_content_type_is_415(wa_sandbox: RunningSandbox) -> None:
    from .conftest import MULTICAST

    answer = await call(wa_sandbox, "POST", MULTICAST, data=b"{}", headers={**AUTH, "Content-Type": "text/plain"})
    assert answer.status == 415


@pytest.mark.parametrize(("field", "value", "text"), [
    ("latitude", "95", "latitude: Ensure this value is less than or equal to 90."),
    ("latitude", -90.5, "latitude: Ensure this value is greater than or equal to -90."),
    ("longitude", "181", "longitude: Ensure this value is less than or equal to 180."),
    ("longitude", "east", "longitude: A valid number is required."),
])
async def test_location_header_coordinates_out_of_range_are_refused(
    wa_sandbox: RunningSandbox, field: str, value: object, text: str
) -> None:
    body = seed_body("Location Header")
    body["data"]["whatsapp"]["template_data"]["header"]["parameters"][0][field] = value
    answer = await push(wa_sandbox, body)
    assert (answer.status, answer.content_type, answer.text) == (400, "text/plain", text)
