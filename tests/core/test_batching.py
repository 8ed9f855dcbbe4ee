"""core/batching.py: when a batch closes, on the virtual clock."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.core.batching import Batcher, BatchPolicy, BatchPolicyError
from sandbox.core.clock import VirtualClock
from sandbox.core.scheduler import Scheduler


def batcher() -> tuple[Scheduler, Batcher[str], list[tuple[Any, list[str]]]]:
    scheduler = Scheduler(VirtualClock(mode="manual"))
    sent: list[tuple[Any, list[str]]] = []
    return scheduler, Batcher(scheduler, lambda group, updates: sent.append((group, updates))), sent


async def test_a_full_batch_is_sent_at_once_and_its_window_job_does_nothing():
    scheduler, b, sent = batcher()
    policy = BatchPolicy(max_size=2, window=1.0)
    for update in ("a", "b", "c"):
        b.add("g", update, policy)
    assert sent == [("g", ["a", "b"])] and len(b) == 1
    await scheduler.advance(1.0)
    assert sent == [("g", ["a", "b"]), ("g", ["c"])] and len(b) == 0


async def test_the_window_runs_from_the_first_update_on_the_virtual_clock():
    scheduler, b, sent = batcher()
    policy = BatchPolicy(max_size=10, window=0.5)
    b.add("g", "a", policy)
    await scheduler.advance(0.4)
    b.add("g", "b", policy)
    assert sent == []
    await scheduler.advance(0.1)
    assert sent == [("g", ["a", "b"])]


async def test_groups_never_share_a_batch():
    scheduler, b, sent = batcher()
    policy = BatchPolicy(max_size=10, window=0.1)
    b.add("one", "a", policy)
    b.add("two", "b", policy)
    b.add("one", "c", policy)
    await scheduler.advance(0.1)
    assert sorted(sent) == [("one", ["a", "c"]), ("two", ["b"])]


async def test_a_zero_window_joins_the_updates_of_the_same_instant():
    scheduler, b, sent = batcher()
    policy = BatchPolicy(max_size=10, window=0.0)
    for name in ("a", "b"):
        scheduler.after(1.0, lambda name=name: b.add("g", name, policy))
    scheduler.after(2.0, lambda: b.add("g", "c", policy))
    await scheduler.advance(3.0)
    assert sent == [("g", ["a", "b"]), ("g", ["c"])]


async def test_a_restored_batch_closes_when_it_would_have():
    scheduler, b, sent = batcher()
    b.restore("g", BatchPolicy(max_size=5, window=1.0), scheduler.clock.now() + 2.0, ["a"])
    b.add("g", "b", BatchPolicy(max_size=5, window=1.0))
    await scheduler.advance(1.9)
    assert sent == []
    await scheduler.advance(0.1)
    assert sent == [("g", ["a", "b"])]


def test_policy_parses_meta_style_settings():
    assert BatchPolicy.parse({"max_size": 50, "window_ms": 100}, "x") == BatchPolicy(50, 0.1)
    assert not BatchPolicy.parse(None, "x").on and not BatchPolicy.parse({"max_size": 1}, "x").on
    with pytest.raises(BatchPolicyError, match="x.max_size must be a whole number from 1"):
        BatchPolicy.parse({"max_size": True}, "x")
