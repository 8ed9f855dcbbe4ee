"""Forced statuses stick (issue 17): the core's status order, the cancelled script, Meta's webhooks."""

from __future__ import annotations

import json

import pytest

from sandbox.core.errors import ScenarioError
from sandbox.core.scenario import parse_scenario
from sandbox.core.status_order import NEUTRAL, SMS
from sandbox.testing.client import ControlAPIError
from tests.conftest import send

TEXT = {"messaging_product": "whatsapp", "to": "15550200001", "type": "text", "text": {"body": "hi"}}


def meta_statuses(receiver) -> list[str]:
    return [json.loads(p.body)["entry"][0]["changes"][0]["value"]["statuses"][0]["status"]
            for p in receiver.posts if "statuses" in json.loads(p.body)["entry"][0]["changes"][0]["value"]]


async def test_meta_forced_failure_is_never_followed_by_delivered_or_read(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    _, body = await send(wa_sandbox, TEXT)
    wamid = body["messages"][0]["id"]
    await wa_sandbox.control.set_status(wamid, "failed", {"code": 131026})
    await wa_sandbox.control.advance(10)
    assert meta_statuses(webhook_receiver) == ["failed"]
    assert [h["status"] for h in (await wa_sandbox.control.message(wamid))["history"]] == ["accepted", "failed"]


async def test_meta_forced_delivered_cancels_the_scripted_read_but_not_the_reply(wa_sandbox):
    await wa_sandbox.control.load_scenario(yaml="""
version: 1
rules:
  - name: answers
    match: {to: "+15550209999"}
    window: open
    timeline: [{after: 1, status: sent}, {after: 2, status: delivered}, {after: 3, status: read}]
    user: [{after: 4, reply: "thanks"}]
""")
    _, body = await send(wa_sandbox, {**TEXT, "to": "15550209999"})
    wamid = body["messages"][0]["id"]
    await wa_sandbox.control.set_status(wamid, "delivered")
    await wa_sandbox.control.advance(10)
    message = await wa_sandbox.control.message(wamid)
    assert [h["status"] for h in message["history"]] == ["accepted", "delivered"]
    assert len(await wa_sandbox.control.messages(direction="inbound", provider="meta")) == 1


async def test_meta_forced_failure_cancels_the_scripted_reply(wa_sandbox):
    await wa_sandbox.control.load_scenario(yaml="""
version: 1
rules:
  - name: answers
    match: {to: "+15550209999"}
    window: open
    user: [{after: 4, reply: "thanks"}]
""")
    _, body = await send(wa_sandbox, {**TEXT, "to": "15550209999"})
    await wa_sandbox.control.set_status(body["messages"][0]["id"], "failed", {"code": 131026})
    await wa_sandbox.control.advance(10)
    assert await wa_sandbox.control.messages(direction="inbound", provider="meta") == []


async def test_a_failed_message_refuses_another_forced_status_with_409(wa_sandbox):
    _, body = await send(wa_sandbox, TEXT)
    wamid = body["messages"][0]["id"]
    await wa_sandbox.control.set_status(wamid, "failed", {"code": 131026})
    with pytest.raises(ControlAPIError) as exc:
        await wa_sandbox.control.set_status(wamid, "read")
    assert exc.value.status == 409 and "'failed' is final" in str(exc.value)


def test_status_order_refuses_moving_back_and_anything_after_final():
    assert NEUTRAL.refusal("read", "delivered") is not None
    assert NEUTRAL.refusal("read", "delivered", forced=True) is None  # a late duplicate, journal unchanged
    assert NEUTRAL.refusal("failed", "delivered", forced=True) is not None
    assert NEUTRAL.refusal("sent", "failed") is None
    assert SMS.refusal("delivered", "failed") is not None and SMS.refusal("sent", "read") is not None


@pytest.mark.parametrize("timeline", [
    "[{after: 2, status: sent}, {after: 1, status: delivered}, {after: 3, status: sent}]",
    "[{after: 1, status: failed, error: blocked}, {after: 2, status: delivered}]",
])
def test_a_timeline_that_moves_backwards_is_refused_at_load_with_its_line(timeline):
    text = f"version: 1\nrules:\n  - name: odd\n    match: {{to: '+1555'}}\n    timeline: {timeline}\n"
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(text, "odd.yaml")
    assert str(exc.value).startswith("odd.yaml:5: rules.0.timeline.") and "rule 'odd'" in str(exc.value)


def test_a_timeline_listed_out_of_order_but_timed_in_order_loads():
    parse_scenario("version: 1\ndefault:\n  timeline: [{after: 2, status: delivered}, {after: 1, status: sent}]\n")
