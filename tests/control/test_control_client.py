"""SandboxControl helpers and what a timed-out wait tells the test author (found walking the outcome
examples in test_outcome_walkthrough.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import pytest

from sandbox.testing.client import ControlAPIError
from sandbox.testing.plugin import RunningSandbox
from sandbox.testing.receiver import Received, WebhookReceiver
from tests.conftest import send

TEXT = {"messaging_product": "whatsapp", "to": "15550200001", "type": "text", "text": {"body": "hi"}}


async def wamid_of(wa_sandbox: RunningSandbox, to: str = "15550200001") -> str:
    status, answer = await send(wa_sandbox, {**TEXT, "to": to})
    assert status == 200, answer
    return str(answer["messages"][0]["id"])


async def timeout_message(call: Awaitable[Any]) -> str:
    with pytest.raises(ControlAPIError) as caught:
        await call
    assert caught.value.status == 408
    return str(caught.value)


# --- timed-out waits ---------------------------------------------------------------------------


async def test_timed_out_wait_names_its_filters_and_the_status_the_message_has(wa_sandbox: RunningSandbox) -> None:
    wamid = await wamid_of(wa_sandbox)
    message = await timeout_message(wa_sandbox.control.wait_for(to="15550200001", status="read", timeout=0.01))
    assert "waiting for 1 message(s) with to=15550200001, status=read (found 0)" in message
    assert f"without the status filter: {wamid} is accepted" in message


async def test_timed_out_wait_on_the_manual_clock_says_when_the_next_step_is_due(wa_sandbox: RunningSandbox) -> None:
    await wamid_of(wa_sandbox)
    message = await timeout_message(wa_sandbox.control.wait_for(status="delivered", timeout=0.01))
    assert "the clock is manual and the next timeline step or retry is due in 0.2 s: advance it" in message


async def test_timed_out_wait_with_nothing_pending_says_nothing_will_change(wa_sandbox: RunningSandbox) -> None:
    message = await timeout_message(wa_sandbox.control.wait_for(direction="inbound", timeout=0.01))
    assert "no timeline step or retry is pending: nothing changes until the application sends" in message


@pytest.mark.wa_sandbox(clock="real")
async def test_timed_out_wait_on_a_real_clock_has_no_clock_hint(wa_sandbox: RunningSandbox) -> None:
    message = await timeout_message(wa_sandbox.control.wait_for(direction="inbound", timeout=0.01))
    assert "clock" not in message


async def test_timed_out_webhook_wait_counts_deliveries_in_other_states(
    wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver
) -> None:
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    webhook_receiver.default_status = 500  # every attempt fails: the sent status waits for a retry
    await wamid_of(wa_sandbox)
    await wa_sandbox.control.advance(0.2)
    message = await timeout_message(wa_sandbox.control.wait_for_webhook(event="status:sent", timeout=0.01))
    assert "with event=status:sent, state=delivered (found 0); in other states: 1 pending" in message
    assert "next timeline step or retry is due in" in message


async def test_timed_out_webhook_wait_names_providers_without_a_target(wa_sandbox: RunningSandbox) -> None:
    await wamid_of(wa_sandbox)
    await wa_sandbox.control.advance(3)
    message = await timeout_message(wa_sandbox.control.wait_for_webhook(provider="meta", timeout=0.01))
    assert "no webhook target is set for meta (PUT /_sandbox/webhooks/targets/{provider}" in message
    assert "a reset, or a scenario load that resets, forgets targets set at run time" in message


async def test_latest_without_a_match_names_its_filters(wa_sandbox: RunningSandbox) -> None:
    await wamid_of(wa_sandbox)
    with pytest.raises(ControlAPIError) as caught:
        await wa_sandbox.control.latest(to="19999999999", direction="inbound")
    assert caught.value.status == 404
    assert "no message matches to=19999999999, direction=inbound (the journal holds 1)" in str(caught.value)


# --- helpers -------------------------------------------------------------------------------------


async def test_wait_for_status_answers_the_message_once_it_has_that_status(wa_sandbox: RunningSandbox) -> None:
    wamid = await wamid_of(wa_sandbox)
    waiting = asyncio.create_task(wa_sandbox.control.wait_for_status(wamid, "delivered", timeout=5))
    await wa_sandbox.control.advance(1)
    message = await waiting
    assert message["id"] == wamid and message["status"] == "delivered"


async def test_load_scenario_can_keep_the_journal(wa_sandbox: RunningSandbox) -> None:
    wamid = await wamid_of(wa_sandbox)
    await wa_sandbox.control.load_scenario(yaml="version: 1\n", reset=False)
    assert [m["id"] for m in await wa_sandbox.control.messages()] == [wamid]
    await wa_sandbox.control.load_scenario(yaml="version: 1\n")
    assert await wa_sandbox.control.messages() == []


async def test_redeliver_sends_a_logged_delivery_again(wa_sandbox: RunningSandbox, webhook_receiver: WebhookReceiver) -> None:
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await wamid_of(wa_sandbox)
    await wa_sandbox.control.advance(0.2)
    [sent] = await wa_sandbox.control.webhooks(event="status:sent")
    copy = await wa_sandbox.control.redeliver(sent["id"])
    assert copy["id"] != sent["id"] and copy["event"] == "status:sent (redelivery)"
    first, again = webhook_receiver.posts
    assert again.body == first.body


async def test_magic_numbers_lists_the_scenario_table(wa_sandbox: RunningSandbox) -> None:
    table = {row["number"]: row for row in await wa_sandbox.control.magic_numbers()}
    assert table["+15550200009"]["rule"] == "replies-hi"


def test_received_form_reads_a_form_encoded_callback() -> None:
    post = Received("POST", "/dlr", {}, {}, b"id=17&status=Delivered&update_time=2026-01-01T00%3A00%3A00%2B00%3A00", 200)
    assert post.form == {"id": "17", "status": "Delivered", "update_time": "2026-01-01T00:00:00+00:00"}
