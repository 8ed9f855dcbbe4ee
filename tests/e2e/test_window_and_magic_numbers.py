"""The 24-hour customer-service window on the manual clock, and every magic number of the default scenario."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import send

DAY = 24 * 3600


def text(to: str, body: str = "hello") -> dict:
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}}


TEMPLATE = {"type": "template", "template": {"name": "hello_world", "language": {"code": "en_US"}}}


async def final_status(wa_sandbox, body: dict, seconds: float = 60) -> dict:
    status, answer = await send(wa_sandbox, body)
    assert status == 200, answer
    await wa_sandbox.control.advance(seconds)
    return await wa_sandbox.control.message(answer["messages"][0]["id"])


async def test_free_form_without_inbound_fails_with_131047(wa_sandbox):
    entry = await final_status(wa_sandbox, text("+15550207777"))
    assert entry["status"] == "failed"
    assert entry["history"][-1]["errors"][0]["code"] == 131047


async def test_inbound_message_opens_the_window(wa_sandbox):
    await wa_sandbox.control.inject_inbound("+15550207777", type="text", text="hi")
    entry = await final_status(wa_sandbox, text("+15550207777"))
    assert entry["status"] == "read"


async def test_window_closes_after_24_hours_of_virtual_time(wa_sandbox):
    await wa_sandbox.control.inject_inbound("+15550207777", type="text", text="hi")
    await wa_sandbox.control.advance(DAY + 1)
    entry = await final_status(wa_sandbox, text("+15550207777"))
    assert entry["history"][-1]["errors"][0]["code"] == 131047


async def test_templates_are_allowed_outside_the_window(wa_sandbox):
    entry = await final_status(wa_sandbox, {"messaging_product": "whatsapp", "to": "+15550207777", **TEMPLATE})
    assert entry["status"] == "read"


DEFAULT = yaml.safe_load((Path(__file__).parents[2] / "scenarios" / "default.yaml").read_text())
MAGIC = {rule["name"]: rule["match"]["to"] for rule in DEFAULT["rules"] if rule.get("magic")}


def test_every_magic_number_has_a_test_below():
    tested = {"delivered-and-read", "delivered-only", "failed-131026", "failed-131049", "not-a-whatsapp-user",
              "blocked-the-business", "window-closed", "slow-network", "replies-hi", "taps-first-button",
              "picks-first-row", "submits-address", "no-address-support", "shares-location", "reacts",
              "batched-statuses"}
    assert set(MAGIC) == tested


@pytest.mark.parametrize(
    ("rule", "expected_status", "error_code"),
    [
        ("delivered-and-read", "read", None),
        ("delivered-only", "delivered", None),
        ("failed-131026", "failed", 131026),
        ("failed-131049", "failed", 131049),
        ("not-a-whatsapp-user", "failed", 131026),
        ("blocked-the-business", "failed", 131026),
        ("slow-network", "read", None),
    ],
)
async def test_magic_number_status_outcome(wa_sandbox, rule, expected_status, error_code):
    entry = await final_status(wa_sandbox, text(MAGIC[rule]))
    assert entry["status"] == expected_status
    if error_code:
        assert entry["history"][-1]["errors"][0]["code"] == error_code


async def test_magic_slow_network_is_still_only_sent_after_29_seconds(wa_sandbox):
    entry = await final_status(wa_sandbox, text(MAGIC["slow-network"]), seconds=29)
    assert entry["status"] == "sent"


async def test_magic_window_closed_fails_free_form_but_delivers_templates(wa_sandbox):
    free = await final_status(wa_sandbox, text(MAGIC["window-closed"]))
    tpl = await final_status(wa_sandbox, {"messaging_product": "whatsapp", "to": MAGIC["window-closed"], **TEMPLATE})
    assert free["history"][-1]["errors"][0]["code"] == 131047
    assert tpl["status"] == "read"


async def test_magic_batched_statuses_sends_sent_and_delivered_in_one_post(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    entry = await final_status(wa_sandbox, text(MAGIC["batched-statuses"]))
    assert [(e["status"], e["timestamp"] - entry["created_at"]) for e in entry["history"]] == [
        ("accepted", 0), ("sent", 1), ("delivered", 1), ("read", 3)]
    posts = await webhook_receiver.wait_posts(2)
    assert [[s["status"] for s in p.json["entry"][0]["changes"][0]["value"]["statuses"]] for p in posts] == [
        ["sent", "delivered"], ["read"]]


async def inbound_after(wa_sandbox, body: dict, seconds: float) -> dict:
    status, answer = await send(wa_sandbox, body)
    assert status == 200, answer
    await wa_sandbox.control.advance(seconds)
    found = await wa_sandbox.control.wait_for(direction="inbound")
    return found[0]


async def test_magic_replies_hi(wa_sandbox):
    inbound = await inbound_after(wa_sandbox, text(MAGIC["replies-hi"]), 5)
    assert inbound["payload"]["text"]["body"] == "hi"


async def test_magic_taps_first_button(wa_sandbox):
    body = {**text(MAGIC["taps-first-button"]), "type": "interactive", "interactive": {
        "type": "button", "body": {"text": "Ok?"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": "ok", "title": "OK"}}]}}}
    inbound = await inbound_after(wa_sandbox, body, 5)
    assert inbound["payload"]["interactive"]["button_reply"] == {"id": "ok", "title": "OK"}


async def test_magic_taps_first_template_quick_reply(wa_sandbox):
    body = {"messaging_product": "whatsapp", "to": MAGIC["taps-first-button"], "type": "template", "template": {
        "name": "seasonal_promotion", "language": {"code": "en_US"}, "components": [
            {"type": "header", "parameters": [{"type": "text", "text": "Summer Sale"}]},
            {"type": "body", "parameters": [{"type": "text", "text": t} for t in ("Sunday", "25OFF", "25%")]},
            {"type": "button", "sub_type": "quick_reply", "index": "0", "parameters": [{"type": "payload", "payload": "STOP-PROMOS"}]}]}}
    status, answer = await send(wa_sandbox, body)
    assert status == 200, answer
    await wa_sandbox.control.advance(5)
    inbound = (await wa_sandbox.control.wait_for(direction="inbound"))[0]
    assert inbound["payload"]["button"] == {"payload": "STOP-PROMOS", "text": "Unsubscribe from Promos"}
    assert inbound["payload"]["context"]["id"] == answer["messages"][0]["id"]


async def test_magic_picks_first_row(wa_sandbox):
    body = {**text(MAGIC["picks-first-row"]), "type": "interactive", "interactive": {
        "type": "list", "body": {"text": "Pick"},
        "action": {"button": "Menu", "sections": [{"title": "S", "rows": [{"id": "r1", "title": "Row 1"}, {"id": "r2", "title": "Row 2"}]}]}}}
    inbound = await inbound_after(wa_sandbox, body, 5)
    assert inbound["payload"]["interactive"]["list_reply"] == {"id": "r1", "title": "Row 1"}


def address(to: str) -> dict:
    return {"messaging_product": "whatsapp", "to": to, "type": "interactive", "interactive": {
        "type": "address_message", "body": {"text": "Address?"},
        "action": {"name": "address_message", "parameters": {"country": "IN"}}}}


async def test_magic_submits_address(wa_sandbox):
    inbound = await inbound_after(wa_sandbox, address(MAGIC["submits-address"]), 10)
    assert inbound["payload"]["interactive"]["nfm_reply"]["name"] == "address_message"


async def test_magic_no_address_support(wa_sandbox):
    entry = await final_status(wa_sandbox, address(MAGIC["no-address-support"]), 5)
    assert entry["status"] == "failed" and entry["history"][-1]["errors"][0]["code"] == 1026


async def test_magic_shares_location(wa_sandbox):
    body = {**text(MAGIC["shares-location"]), "type": "interactive", "interactive": {
        "type": "location_request_message", "body": {"text": "Where are you?"}, "action": {"name": "send_location"}}}
    inbound = await inbound_after(wa_sandbox, body, 5)
    assert -90 <= inbound["payload"]["location"]["latitude"] <= 90


async def test_magic_reacts(wa_sandbox):
    status, answer = await send(wa_sandbox, text(MAGIC["reacts"]))
    await wa_sandbox.control.advance(5)
    inbound = (await wa_sandbox.control.wait_for(direction="inbound"))[0]
    assert inbound["payload"]["reaction"] == {"message_id": answer["messages"][0]["id"], "emoji": "👍"}


async def test_submitted_address_carries_the_users_own_name_and_number(wa_sandbox):
    inbound = await inbound_after(wa_sandbox, address(MAGIC["submits-address"]), 10)
    values = json.loads(inbound["payload"]["interactive"]["nfm_reply"]["response_json"])["values"]
    assert values["name"] == "Priya Sharma" and values["phone_number"] == "+919876500012"


# ---------------------------------------------- a send by BSUID alone reaches the persona's number --

ANA_BSUID = "US.10000000000000000001"  # default scenario: persona +15550200001 (delivered-and-read)


def by_bsuid(bsuid: str) -> dict:
    return {"messaging_product": "whatsapp", "recipient": bsuid, "type": "text", "text": {"body": "hello"}}


async def test_send_by_a_declared_bsuid_follows_the_persona_numbers_magic_rule(wa_sandbox):
    status, answer = await send(wa_sandbox, by_bsuid(ANA_BSUID))
    assert status == 200 and answer["contacts"] == [{"input": ANA_BSUID, "user_id": ANA_BSUID}]  # no wa_id
    await wa_sandbox.control.advance(60)
    entry = await wa_sandbox.control.message(answer["messages"][0]["id"])
    assert entry["user"] == "15550200001" and entry["meta"]["rule"] == "delivered-and-read"
    assert [h["status"] for h in entry["history"]] == ["accepted", "sent", "delivered", "read"]


async def test_send_by_bsuid_uses_the_numbers_24_hour_window(wa_sandbox):
    _, first = await send(wa_sandbox, text("+15550207777"))  # answered with the number's generated BSUID
    bsuid = first["contacts"][0]["user_id"]
    closed = await final_status(wa_sandbox, by_bsuid(bsuid))
    assert closed["user"] == "15550207777" and closed["history"][-1]["errors"][0]["code"] == 131047
    await wa_sandbox.control.inject_inbound("+15550207777", type="text", text="hi")
    assert (await final_status(wa_sandbox, by_bsuid(bsuid)))["status"] == "read"


async def test_status_webhook_of_a_bsuid_send_omits_recipient_id(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    _, answer = await send(wa_sandbox, by_bsuid(ANA_BSUID))
    await wa_sandbox.control.advance(1)
    posts = await webhook_receiver.wait_posts(1)
    status = posts[0].json["entry"][0]["changes"][0]["value"]["statuses"][0]
    assert status["id"] == answer["messages"][0]["id"]
    assert "recipient_id" not in status and status["recipient_user_id"] == ANA_BSUID


async def test_send_by_a_bsuid_the_sandbox_never_handed_out_is_keyed_by_that_bsuid(wa_sandbox):
    _, answer = await send(wa_sandbox, by_bsuid("US.99999999999999999999"))
    entry = await wa_sandbox.control.message(answer["messages"][0]["id"])
    assert entry["user"] == "US.99999999999999999999"
