"""``/_sandbox/stats`` webhook counters add up, resets included: every delivery that entered the
dispatcher is delivered, failed, dropped by a reset, or still pending (in memory or spilled)."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.testing.plugin import RunningSandbox
from tests.conftest import send
from tests.reliability.helpers import TEXT


def balance(stats: dict[str, Any]) -> int:
    w = stats["webhooks"]
    return w["enqueued"] - (w["delivered"] + w["failed"] + w["dropped_by_reset"] + w["pending_in_memory"]
                            + w["pending_spilled"])


async def stats(wa_sandbox: RunningSandbox) -> dict[str, Any]:
    async with wa_sandbox.control.session.get(f"{wa_sandbox.url}/_sandbox/stats") as resp:
        return dict(await resp.json())


async def send_some(wa_sandbox: RunningSandbox, count: int) -> None:
    for n in range(count):
        status, body = await send(wa_sandbox, {**TEXT, "to": f"1555{8000000 + n}"})
        assert status == 200, body


@pytest.mark.wa_sandbox(webhook_backlog=3)
@pytest.mark.parametrize("provider", [None, "meta"], ids=["reset-all", "reset-meta"])
async def test_counters_add_up_after_a_reset_drops_pending_webhooks(wa_sandbox: RunningSandbox, webhook_receiver: Any,
                                                                   provider: str | None):
    await wa_sandbox.control.set_webhook(webhook_receiver.url, verify=False)
    webhook_receiver.default_status = 503  # every webhook stays pending, retried later
    await send_some(wa_sandbox, 4)
    await wa_sandbox.control.advance(2)  # sent statuses: held, retried, and past the backlog spilled
    before = await stats(wa_sandbox)
    pending = before["webhooks"]["pending_in_memory"] + before["webhooks"]["pending_spilled"]
    assert pending > 0 and before["webhooks"]["pending_spilled"] > 0 and balance(before) == 0
    await wa_sandbox.control.reset(provider)
    after = await stats(wa_sandbox)
    assert after["webhooks"]["dropped_by_reset"] == pending
    assert balance(after) == 0


@pytest.mark.wa_sandbox(webhook_backlog=100)
async def test_a_dropped_delivery_is_never_attempted_again(wa_sandbox: RunningSandbox, webhook_receiver: Any):
    await wa_sandbox.control.set_webhook(webhook_receiver.url, verify=False)
    webhook_receiver.default_status = 503
    await send_some(wa_sandbox, 1)
    await wa_sandbox.control.advance(1)
    attempts = len(webhook_receiver.posts)
    await wa_sandbox.control.reset("meta")  # the retry timers stay with the clock; they must do nothing
    await wa_sandbox.control.advance(3600)
    assert len(webhook_receiver.posts) == attempts
    assert balance(await stats(wa_sandbox)) == 0


async def test_redeliveries_are_counted_as_enqueued(wa_sandbox: RunningSandbox, webhook_receiver: Any):
    await wa_sandbox.control.set_webhook(webhook_receiver.url, verify=False)
    await send_some(wa_sandbox, 1)
    await wa_sandbox.control.advance(5)
    first = (await wa_sandbox.control.webhooks())[0]
    async with wa_sandbox.control.session.post(f"{wa_sandbox.url}/_sandbox/webhooks/{first['id']}/redeliver") as resp:
        assert resp.status == 201
    after = await stats(wa_sandbox)
    assert after["webhooks"]["delivered"] == after["webhooks"]["enqueued"] and balance(after) == 0
