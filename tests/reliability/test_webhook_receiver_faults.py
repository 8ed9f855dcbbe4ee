"""Webhook receiver down, answering 500 or slow: every event still arrives, per-message order kept,
the attempt log tells the story, and the in-memory backlog stays within its bound."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web

from sandbox.settings import Settings
from tests.reliability.helpers import send_texts, statuses_by_message, step_clock

LIFECYCLE = ["sent", "delivered", "read"]


@pytest.fixture
def wa_sandbox_settings() -> Settings:
    return Settings(clock="manual", seed="pytest", verify_webhooks=False, webhook_backlog=4)


async def test_receiver_down_for_a_while_gets_every_event_in_order_after_it_recovers(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url, verify=False)
    webhook_receiver.default_status = 503
    wamids = await send_texts(wa_sandbox, 3)
    await step_clock(wa_sandbox, 60)  # down for a minute of virtual time: only failed attempts
    assert statuses_by_message(webhook_receiver.posts) == {}
    webhook_receiver.default_status = 200
    await step_clock(wa_sandbox, 200)
    assert statuses_by_message(webhook_receiver.posts) == {w: LIFECYCLE for w in wamids}


async def test_attempt_log_tells_the_story_of_an_outage(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url, verify=False)
    webhook_receiver.default_status = 503
    await send_texts(wa_sandbox, 1)
    await step_clock(wa_sandbox, 20)
    webhook_receiver.default_status = 200
    await step_clock(wa_sandbox, 60)
    sent = (await wa_sandbox.control.webhooks(event="status:sent"))[0]
    statuses = [a["status"] for a in sent["attempts"]]
    assert sent["state"] == "delivered"
    assert statuses[-1] == 200 and set(statuses[:-1]) == {503} and len(statuses) >= 4
    times = [a["at"] for a in sent["attempts"]]
    assert times == sorted(times) and len(set(times)) == len(times)  # each retry at its own virtual time


async def test_500s_then_recovery_keeps_each_message_in_order(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url, verify=False)
    webhook_receiver.answer_next(500, 500, 500, 500, 500)
    wamids = await send_texts(wa_sandbox, 2)
    await step_clock(wa_sandbox, 120, step=2)
    assert statuses_by_message(webhook_receiver.posts) == {w: LIFECYCLE for w in wamids}
    assert [p.answered for p in webhook_receiver.posts[:5]] == [500] * 5


async def test_backlog_bound_holds_while_the_receiver_is_down(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url, verify=False)
    webhook_receiver.default_status = 503
    await send_texts(wa_sandbox, 14)  # 42 events, ten times the backlog of 4
    await step_clock(wa_sandbox, 30)
    stats = (await wa_sandbox.control.request("GET", "/stats"))["webhooks"]
    assert stats["pending_in_memory"] == 4 and stats["pending_spilled"] == 38
    assert len(wa_sandbox.runtime.dispatcher.pending()) == 4


async def test_spilled_events_are_delivered_in_order_after_recovery(wa_sandbox, webhook_receiver):
    await wa_sandbox.control.set_webhook(webhook_receiver.url, verify=False)
    webhook_receiver.default_status = 503
    wamids = await send_texts(wa_sandbox, 14)
    await step_clock(wa_sandbox, 30)
    webhook_receiver.default_status = 200
    await step_clock(wa_sandbox, 120)
    assert statuses_by_message(webhook_receiver.posts) == {w: LIFECYCLE for w in wamids}
    stats = (await wa_sandbox.control.request("GET", "/stats"))["webhooks"]
    assert stats["pending_in_memory"] == 0 and stats["pending_spilled"] == 0 and stats["delivered"] == 42


async def test_slow_receiver_for_one_message_does_not_hold_up_another(wa_sandbox, aiohttp_server):
    release = asyncio.Event()
    got: list[dict[str, Any]] = []
    slow: set[str] = set()

    async def hook(request: web.Request) -> web.Response:
        status = (await request.json())["entry"][0]["changes"][0]["value"]["statuses"][0]
        if status["id"] in slow:
            await release.wait()  # this receiver hangs on one conversation until the test lets it go
        got.append(status)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    server = await aiohttp_server(app)
    await wa_sandbox.control.set_webhook(str(server.make_url("/hook")), verify=False)
    stuck, other = await send_texts(wa_sandbox, 2)
    slow.add(stuck)
    await wa_sandbox.runtime.scheduler.advance(5)  # not the control route: it would wait for the stuck POST
    await _until(lambda: [s["status"] for s in got if s["id"] == other] == LIFECYCLE)
    assert not any(s["id"] == stuck for s in got)
    release.set()
    await _until(lambda: [s["status"] for s in got if s["id"] == stuck] == LIFECYCLE)


async def _until(predicate: Any, timeout: float = 5.0) -> None:
    """Yield to the event loop until the receiver has what we expect (no wall-clock sleeping)."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0)


@pytest.mark.parametrize("wa_sandbox_settings", [Settings(clock="manual", seed="pytest", verify_webhooks=False,
                                                          webhook_log=5)])
async def test_attempt_log_stays_bounded_behind_a_delivery_still_retrying(wa_sandbox, webhook_receiver):
    """One old delivery waiting on its retry must not stop the log from dropping the finished ones behind
    it: after an outage, deliveries backing off for minutes held the log at ~9x its cap in the soak."""
    await wa_sandbox.control.set_webhook(webhook_receiver.url, verify=False)
    webhook_receiver.answer_next(503)  # the first message's 'sent' fails and waits ~1 s for its retry
    await send_texts(wa_sandbox, 11)
    await wa_sandbox.control.advance(0.5)  # every 'sent' went out; the retry is not due yet
    dispatcher = wa_sandbox.runtime.dispatcher
    assert len(dispatcher.pending()) == 1 and len(webhook_receiver.posts) == 11
    assert len(dispatcher.deliveries()) == 5 + 1  # the newest 5 finished, plus the one still pending
    stats = (await wa_sandbox.control.request("GET", "/stats"))["webhooks"]
    assert stats["log_evicted"] == 5 and stats["max_log"] == 5
