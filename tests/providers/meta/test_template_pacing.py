"""Template sends: `message_status` for paced (marketing) templates and the pricing category."""

from __future__ import annotations

import json

import pytest

from sandbox.testing.client import ControlAPIError
from tests.conftest import send

PROMO = {"messaging_product": "whatsapp", "to": "15550200001", "type": "template", "template": {
    "name": "seasonal_promotion", "language": {"code": "en_US"}, "components": [
        {"type": "header", "parameters": [{"type": "text", "text": "Summer Sale"}]},
        {"type": "body", "parameters": [{"type": "text", "text": t} for t in ("Sunday", "25OFF", "25%")]}]}}
HELLO = {"messaging_product": "whatsapp", "to": "15550200001", "type": "template",
         "template": {"name": "hello_world", "language": {"code": "en_US"}}}


async def test_marketing_template_answers_message_status_accepted(wa_sandbox):
    status, body = await send(wa_sandbox, PROMO)
    assert status == 200 and body["messages"][0]["message_status"] == "accepted"


async def test_utility_template_has_no_message_status(wa_sandbox):
    status, body = await send(wa_sandbox, HELLO)
    assert status == 200 and set(body["messages"][0]) == {"id"}


async def test_template_marked_held_answers_held_for_quality_assessment(wa_sandbox):
    await wa_sandbox.control.load_scenario(yaml="""
version: 1
meta:
  templates:
    - {name: new_promo, language: en_US, category: MARKETING, pacing: held, components: [{type: BODY, text: "Big sale!"}]}
rules:
  - {name: open, match: {to: "*"}, window: open}
""")
    status, body = await send(wa_sandbox, {**HELLO, "template": {"name": "new_promo", "language": {"code": "en_US"}}})
    assert status == 200 and body["messages"][0]["message_status"] == "held_for_quality_assessment"


async def test_status_webhook_prices_a_marketing_template_as_marketing(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await send(wa_sandbox, PROMO)
    await wa_sandbox.control.advance(0.2)
    post = (await webhook_receiver.wait_posts(1))[0]
    status = json.loads(post.body)["entry"][0]["changes"][0]["value"]["statuses"][0]
    assert status["pricing"]["category"] == "marketing" and status["pricing"]["billable"] is True
    assert status["conversation"]["origin"]["type"] == "marketing"


async def test_pricing_rides_on_sent_and_delivered_but_not_on_the_read_after_them(wa_sandbox, webhook_receiver):
    # meta-cloud-api.md §3.5 (META-WH-STATUS): pricing/conversation "only with sent and one of delivered/read".
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await send(wa_sandbox, PROMO)
    await wa_sandbox.control.advance(5)
    posts = await webhook_receiver.wait_posts(3)
    statuses = [json.loads(p.body)["entry"][0]["changes"][0]["value"]["statuses"][0] for p in posts]
    assert [(s["status"], "pricing" in s, "conversation" in s) for s in statuses] == [
        ("sent", True, True), ("delivered", True, True), ("read", False, False)]


async def test_a_read_without_a_delivered_before_it_carries_the_pricing(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.load_scenario(yaml="""
version: 1
rules:
  - {name: read-only, match: {to: "*"}, window: open, timeline: [{after: 0.2, status: sent}, {after: 1, status: read}]}
""")
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    status, _ = await send(wa_sandbox, {"messaging_product": "whatsapp", "to": "15550200001", "text": {"body": "hi"}})
    await wa_sandbox.control.advance(5)
    posts = await webhook_receiver.wait_posts(2)
    read = json.loads(posts[1].body)["entry"][0]["changes"][0]["value"]["statuses"][0]
    assert status == 200 and read["status"] == "read" and read["pricing"]["category"] == "service"


async def test_a_status_forced_again_carries_no_second_pricing(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    _, body = await send(wa_sandbox, PROMO)
    await wa_sandbox.control.advance(1)  # sent, delivered
    await webhook_receiver.wait_posts(2)
    await wa_sandbox.control.set_status(body["messages"][0]["id"], "delivered")
    posts = await webhook_receiver.wait_posts(3)
    again = json.loads(posts[2].body)["entry"][0]["changes"][0]["value"]["statuses"][0]
    assert again["status"] == "delivered" and "pricing" not in again and "conversation" not in again


async def test_from_webhook_version_24_statuses_carry_pricing_but_no_conversation(wa_sandbox, webhook_receiver):
    # meta-cloud-api.md §3.5: `conversation` is omitted in v24.0+ unless it is a free entry point.
    await wa_sandbox.control.load_scenario(yaml="""
version: 1
meta:
  webhook_version: v24.0
rules:
  - {name: open, match: {to: "*"}, window: open, timeline: [{after: 0.2, status: sent}]}
""")
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    status, _ = await send(wa_sandbox, {"messaging_product": "whatsapp", "to": "15550200001", "text": {"body": "hi"}})
    await wa_sandbox.control.advance(1)
    [post] = await webhook_receiver.wait_posts(1)
    sent = json.loads(post.body)["entry"][0]["changes"][0]["value"]["statuses"][0]
    assert status == 200 and sent["pricing"]["category"] == "service" and "conversation" not in sent


async def test_a_malformed_webhook_version_is_a_scenario_error(wa_sandbox):
    with pytest.raises(ControlAPIError, match="webhook_version"):
        await wa_sandbox.control.load_scenario(yaml="version: 1\nmeta:\n  webhook_version: '24'\n")
