"""A forced status sticks (issue 17): the send report and the webhooks agree with the journal."""

from __future__ import annotations

import pytest

from sandbox.testing.plugin import RunningSandbox
from sandbox.testing.receiver import WebhookReceiver

from .conftest import listen, push, report, seed_body

pytestmark = pytest.mark.asyncio
WINDOW = "pnp_setting_id=1&updated_at_min=2000-01-01T00:00:00Z&updated_at_max=2100-01-01T00:00:00Z"
SMS_ONLY = {"pnp_setting_id": 1, "data": {"phone_number": "+15550200001", "pnp": {}, "sms": {}}}


async def test_forced_sms_blocked_is_final_in_report_and_webhooks(
    wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    await listen(wa_sandbox, webhook_receiver)
    pnp_message_id = (await push(wa_sandbox, SMS_ONLY)).json["id"]
    await wa_sandbox.control.set_status(f"maac-{pnp_message_id}-sms", "failed", "blocked")
    await wa_sandbox.control.advance(10)
    statuses = [p.json["data"]["status"] for p in webhook_receiver.posts]
    assert statuses == ["sms_preparing", "sms_blocked"]
    row = (await report(wa_sandbox, WINDOW)).json["results"][0]
    assert (row["status"], row["sms_status"]) == ("sms_blocked", "sms_blocked")
    assert (await wa_sandbox.control.message(f"maac-{pnp_message_id}-sms"))["status"] == "failed"


async def test_forced_whatsapp_delivery_stops_the_script_and_the_fallback(wa_sandbox: RunningSandbox) -> None:
    pnp_message_id = (await push(wa_sandbox, seed_body("Text Header", phone="+15550200001"))).json["id"]
    await wa_sandbox.control.set_status(f"maac-{pnp_message_id}-whatsapp", "delivered")
    await wa_sandbox.control.advance(120)
    leg = await wa_sandbox.control.message(f"maac-{pnp_message_id}-whatsapp")
    assert [h["status"] for h in leg["history"]] == ["accepted", "delivered"]
    row = (await report(wa_sandbox, WINDOW)).json["results"][0]
    assert row["status"].endswith("_delivered") and row["sms_status"] is None


async def test_a_late_duplicate_never_moves_the_whatsapp_leg_back(wa_sandbox: RunningSandbox) -> None:
    pnp_message_id = (await push(wa_sandbox, seed_body("Text Header", phone="+15550200001"))).json["id"]
    await wa_sandbox.control.advance(5)  # sent, delivered, read
    await wa_sandbox.control.set_status(f"maac-{pnp_message_id}-whatsapp", "sent")
    row = (await report(wa_sandbox, WINDOW)).json["results"][0]
    assert row["status"].endswith("_delivered")
