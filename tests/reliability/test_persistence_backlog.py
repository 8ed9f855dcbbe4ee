"""--data-dir in process, with a tiny webhook backlog: spilled deliveries live in the same database and
come back after a restart in their order; a reset empties the database."""

from __future__ import annotations

import pytest

from sandbox.runtime import build_runtime
from sandbox.settings import Settings
from tests.reliability.helpers import send_texts, step_clock


@pytest.fixture
def wa_sandbox_settings(tmp_path) -> Settings:
    return Settings(clock="manual", seed="pytest", verify_webhooks=False, webhook_backlog=2, data_dir=str(tmp_path))


async def test_spilled_deliveries_are_restored_behind_the_backlog_bound(wa_sandbox, webhook_receiver, tmp_path):
    await wa_sandbox.control.set_webhook(webhook_receiver.url, verify=False)
    webhook_receiver.default_status = 503
    await send_texts(wa_sandbox, 5)
    await step_clock(wa_sandbox, 10)
    assert wa_sandbox.runtime.dispatcher.stats()["pending_spilled"] == 13
    restarted = build_runtime(Settings(clock="manual", webhook_backlog=2, data_dir=str(tmp_path)))
    stats = restarted.dispatcher.stats()
    assert restarted.restored["webhooks"] == 15
    assert stats["pending_in_memory"] == 2 and stats["pending_spilled"] == 13
    first = [d.event for d in restarted.dispatcher.pending()]
    assert first == ["status:sent", "status:sent"]
    restarted.persistence.close()


async def test_reset_empties_the_database_too(wa_sandbox, tmp_path):
    await send_texts(wa_sandbox, 2)
    await wa_sandbox.control.reset()
    restarted = build_runtime(Settings(clock="manual", data_dir=str(tmp_path)))
    assert restarted.restored == {"messages": 0, "media": 0, "steps": 0, "webhooks": 0,
                                  "smsglobal.outgoing_ids": 0, "maac.records": 0}
    restarted.persistence.close()
