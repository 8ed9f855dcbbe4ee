"""WhatsApp first, SMS after fallback_period: the legs in the journal, the send report and the
signed pnp.status_updated webhook."""

from __future__ import annotations

import pytest

from sandbox.testing.plugin import RunningSandbox
from sandbox.testing.receiver import WebhookReceiver

from .conftest import (
    FALLBACK_SECONDS,
    listen,
    opt_in_whatsapp_statuses,
    push,
    report,
    seed_body,
    signature_valid,
)

pytestmark = pytest.mark.asyncio
WINDOW = "pnp_setting_id=1&updated_at_min=2000-01-01T00:00:00Z&updated_at_max=2100-01-01T00:00:00Z"
BLOCKED = "+15550200006"
NOT_ON_WHATSAPP = "+15550200005"


async def test_blocked_recipient_fails_on_whatsapp_then_is_delivered_by_sms(
    wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    await opt_in_whatsapp_statuses(wa_sandbox)  # whatsapp_* fields are opt-in (UNCONFIRMED)
    await listen(wa_sandbox, webhook_receiver)
    answer = await push(wa_sandbox, seed_body("Image Header (using media url)", phone=BLOCKED))
    pnp_message_id = answer.json["id"]
    await wa_sandbox.control.advance(FALLBACK_SECONDS + 5)

    whatsapp = await wa_sandbox.control.message(f"maac-{pnp_message_id}-whatsapp")
    sms = await wa_sandbox.control.message(f"maac-{pnp_message_id}-sms")
    assert (whatsapp["channel"], whatsapp["status"]) == ("whatsapp", "failed")
    assert (sms["channel"], sms["status"]) == ("sms", "delivered")
    assert sms["created_at"] - whatsapp["created_at"] == FALLBACK_SECONDS

    row = (await report(wa_sandbox, WINDOW)).json["results"][0]
    assert row["pnp_message_id"] == pnp_message_id
    assert row["status"] == "sms_delivered"
    assert row["whatsapp_status"] == "whatsapp_undeliverable"
    assert row["whatsapp_error_category"] == "blocked"
    assert row["sms_status"] == "sms_delivered" and row["sms_delivered_at"].endswith("+08:00")

    posts = await webhook_receiver.wait_posts(5)
    statuses = [p.json["data"]["status"] for p in posts]
    assert statuses == ["whatsapp_preparing", "whatsapp_undeliverable", "sms_preparing", "sms_accepted", "sms_delivered"]
    assert all(signature_valid(p) for p in posts)
    last = posts[-1].json
    assert last["topic"] == "pnp.status_updated"
    assert last["data"]["whatsapp_status"] == "whatsapp_undeliverable"
    assert last["data"]["pnp_message_id"] == pnp_message_id and last["data"]["phone_number"] == BLOCKED


async def test_not_a_whatsapp_user_falls_back_to_sms(wa_sandbox: RunningSandbox) -> None:
    await opt_in_whatsapp_statuses(wa_sandbox)  # whatsapp_* fields are opt-in (UNCONFIRMED)
    answer = await push(wa_sandbox, seed_body("Text Header", phone=NOT_ON_WHATSAPP))
    await wa_sandbox.control.advance(FALLBACK_SECONDS + 5)
    row = (await report(wa_sandbox, WINDOW)).json["results"][0]
    assert row["pnp_message_id"] == answer.json["id"]
    assert (row["whatsapp_status"], row["whatsapp_error_category"]) == ("whatsapp_undeliverable", "not_whatsapp_user")
    assert row["status"] == "sms_delivered"


async def test_sms_leg_waits_for_the_fallback_period(wa_sandbox: RunningSandbox) -> None:
    await push(wa_sandbox, seed_body("Text Header", phone=BLOCKED))
    await wa_sandbox.control.advance(FALLBACK_SECONDS - 1)
    assert [m["channel"] for m in await wa_sandbox.control.messages(provider="maac")] == ["whatsapp"]
    await wa_sandbox.control.advance(1)
    assert [m["channel"] for m in await wa_sandbox.control.messages(provider="maac")] == ["sms", "whatsapp"]


async def test_delivered_whatsapp_message_gets_no_sms(wa_sandbox: RunningSandbox) -> None:
    await opt_in_whatsapp_statuses(wa_sandbox)  # whatsapp_* fields are opt-in (UNCONFIRMED)
    await push(wa_sandbox, seed_body("Text Header", phone="+15550200002"))
    await wa_sandbox.control.advance(FALLBACK_SECONDS * 2)
    row = (await report(wa_sandbox, WINDOW)).json["results"][0]
    assert (row["status"], row["whatsapp_status"], row["sms_status"]) == ("whatsapp_delivered", "whatsapp_delivered", None)


async def test_unknown_template_fails_whatsapp_and_falls_back(wa_sandbox: RunningSandbox) -> None:
    await opt_in_whatsapp_statuses(wa_sandbox)  # whatsapp_* fields are opt-in (UNCONFIRMED)
    body = seed_body("Text Header", phone="+15550200001")
    body["data"]["whatsapp"]["template_name"] = "no_such_template"
    await push(wa_sandbox, body)
    await wa_sandbox.control.advance(FALLBACK_SECONDS + 5)
    whatsapp = await wa_sandbox.control.latest(provider="maac", channel="whatsapp")
    assert whatsapp["history"][-1]["errors"][0]["code"] == 132001
    row = (await report(wa_sandbox, WINDOW)).json["results"][0]
    assert (row["whatsapp_status"], row["whatsapp_error_category"], row["status"]) == (
        "whatsapp_failed", "template_error", "sms_delivered"
    )


async def test_header_type_other_than_the_template_fails_whatsapp(wa_sandbox: RunningSandbox) -> None:
    body = seed_body("Image Header (using media ID)")
    body["data"]["whatsapp"]["template_name"] = "video_template_1"
    await push(wa_sandbox, body)
    await wa_sandbox.control.advance(1)
    whatsapp = await wa_sandbox.control.latest(provider="maac", channel="whatsapp")
    assert whatsapp["history"][-1]["errors"][0]["code"] == 132012


async def test_sms_leg_has_its_own_scripted_outcome(wa_sandbox: RunningSandbox) -> None:
    await opt_in_whatsapp_statuses(wa_sandbox, SMS_UNDELIVERABLE)  # asserts whatsapp_status
    await push(wa_sandbox, seed_body("Text Header", phone="+15550201234"))
    await wa_sandbox.control.advance(FALLBACK_SECONDS + 5)
    row = (await report(wa_sandbox, WINDOW)).json["results"][0]
    assert (row["status"], row["sms_error_category"]) == ("sms_undeliverable", "target_reception_issue")
    assert row["whatsapp_status"] == "whatsapp_undeliverable"


async def test_fallback_disabled_leaves_the_whatsapp_failure_final(wa_sandbox: RunningSandbox) -> None:
    await wa_sandbox.control.load_scenario(yaml=NO_FALLBACK)
    await push(wa_sandbox, seed_body("Text Header", phone=BLOCKED))
    await wa_sandbox.control.advance(FALLBACK_SECONDS * 3)
    assert [m["channel"] for m in await wa_sandbox.control.messages(provider="maac")] == ["whatsapp"]


async def test_report_whatsapp_as_pnp_puts_the_whatsapp_leg_in_pnp_fields(wa_sandbox: RunningSandbox) -> None:
    await wa_sandbox.control.load_scenario(yaml=PNP_STYLE)
    await push(wa_sandbox, seed_body("Text Header", phone=BLOCKED))
    await wa_sandbox.control.advance(FALLBACK_SECONDS + 5)
    row = (await report(wa_sandbox, WINDOW)).json["results"][0]
    assert (row["status"], row["pnp_status"], row["sms_status"]) == ("sms_delivered", "pnp_undeliverable", "sms_delivered")
    assert "whatsapp_status" not in row


SMS_UNDELIVERABLE = """
version: 1
rules:
  - name: whatsapp-blocked
    match: {provider: maac, channel: whatsapp, to: "+15550201234"}
    timeline: [{after: 1, status: failed, error: blocked}]
  - name: sms-phone-off
    match: {provider: maac, channel: sms, to: "+15550201234"}
    timeline: [{after: 1, status: sent}, {after: 5, status: failed, error: undeliverable}]
"""

NO_FALLBACK = """
version: 1
rules:
  - name: whatsapp-blocked
    match: {channel: whatsapp, to: "+15550200006"}
    timeline: [{after: 1, status: failed, error: blocked}]
maac:
  pnp_settings:
    - {id: 1, name: WhatsApp only, fallback_enabled: false}
"""

PNP_STYLE = """
version: 1
rules:
  - name: whatsapp-blocked
    match: {channel: whatsapp, to: "+15550200006"}
    timeline: [{after: 1, status: failed, error: blocked}]
maac:
  report_whatsapp_as: pnp
"""
