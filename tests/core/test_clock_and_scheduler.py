from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.core.clock import VirtualClock
from sandbox.core.scheduler import Scheduler


class FakeTime:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_real_mode_runs_with_speed():
    mono = FakeTime()
    clock = VirtualClock(mode="real", speed=10, start=0, monotonic=mono)
    mono.t += 2
    assert clock.now() == pytest.approx(20)


def test_manual_mode_stands_still_until_advanced():
    mono = FakeTime()
    clock = VirtualClock(mode="manual", start=100, monotonic=mono)
    mono.t += 50
    assert clock.now() == 100
    assert clock.advance(5) == 105


def test_switching_mode_keeps_the_current_time():
    mono = FakeTime()
    clock = VirtualClock(mode="real", start=0, monotonic=mono)
    mono.t += 3
    clock.set_mode("manual")
    mono.t += 100
    assert clock.now() == pytest.approx(3)


def test_clock_refuses_to_go_backwards_by_advance():
    with pytest.raises(ValueError):
        VirtualClock(mode="manual").advance(-1)


async def test_advance_runs_jobs_in_order_at_their_own_times():
    clock = VirtualClock(mode="manual", start=0)
    scheduler = Scheduler(clock)
    seen: list[tuple[str, float]] = []
    scheduler.at(3, lambda: seen.append(("b", clock.now())))
    scheduler.at(1, lambda: seen.append(("a", clock.now())))
    scheduler.at(10, lambda: seen.append(("c", clock.now())))
    ran = await scheduler.advance(5)
    assert seen == [("a", 1), ("b", 3)] and ran == 2 and clock.now() == 5


async def test_a_failing_job_does_not_stop_the_others():
    clock = VirtualClock(mode="manual", start=0)
    scheduler = Scheduler(clock)
    seen: list[int] = []
    scheduler.at(1, lambda: 1 / 0)
    scheduler.at(2, lambda: seen.append(2))
    await scheduler.advance(2)
    assert seen == [2]


async def test_clear_cancels_pending_jobs():
    clock = VirtualClock(mode="manual", start=0)
    scheduler = Scheduler(clock)
    seen: list[int] = []
    scheduler.at(1, lambda: seen.append(1))
    scheduler.clear()
    await scheduler.advance(2)
    assert seen == [] and scheduler.pending() == []


async def test_cancel_by_kind_leaves_the_keys_other_jobs():
    clock = VirtualClock(mode="manual", start=0)
    scheduler = Scheduler(clock)
    seen: list[str] = []
    scheduler.at(1, lambda: seen.append("status"), key="m1", kind="status")
    scheduler.at(2, lambda: seen.append("reply"), key="m1", kind="action")
    scheduler.at(1, lambda: seen.append("other"), key="m2", kind="status")
    assert scheduler.cancel("m1", {"status"}) == 1
    await scheduler.advance(3)
    assert seen == ["other", "reply"]


async def test_jobs_due_at_the_same_time_run_in_the_order_they_were_scheduled():
    clock = VirtualClock(mode="manual", start=0)
    scheduler = Scheduler(clock)
    seen: list[str] = []
    scheduler.at(2, lambda: seen.append("first"))  # lane "2 s after now"
    clock.set(1)
    scheduler.at(2, lambda: seen.append("second"))  # lane "1 s after now", same due time
    scheduler.at(2, lambda: seen.append("third"))
    await scheduler.advance(5)
    assert seen == ["first", "second", "third"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 5), st.sampled_from([0.0, 0.2, 1.0, 3.0, 0.5, 7.25]), st.integers(0, 40),
                          st.booleans()), max_size=120))
def test_jobs_run_in_due_order_whatever_the_mix_of_delays_and_clock_moves(plan):
    """The scheduler's lanes are a fast path: any mix of delays, irregular ones (more than MAX_LANES
    distinct, or a clock that moved back) and cancellations still runs in exact (due, seq) order."""
    clock = VirtualClock(mode="manual", start=0)
    scheduler = Scheduler(clock)
    ran: list[tuple[float, int]] = []
    expected: list[tuple[float, int]] = []
    for seq, (at, delay, jitter, cancel) in enumerate(plan):
        clock.set(at)  # moves the clock forward or back between schedulings
        due = at + delay + jitter / 100
        key = f"k{seq}"
        scheduler.at(due, lambda due=due, seq=seq: ran.append((due, seq)), key=key)
        if cancel:
            scheduler.cancel(key)
        else:
            expected.append((due, seq))
    clock.set(0)
    asyncio.run(scheduler.run_until(100))
    assert ran == sorted(expected)


def test_pending_count_counts_what_pending_lists_without_the_cancelled():
    clock = VirtualClock(mode="manual", start=0)
    scheduler = Scheduler(clock)
    for n in range(5):
        scheduler.at(n + 1, lambda: None, key=f"k{n % 2}")
    scheduler.cancel("k1")
    assert scheduler.pending_count() == len(scheduler.pending()) == 3


class StepTimer:
    """A timer that moves ``step`` seconds per reading: every job "takes" that long."""

    def __init__(self, step: float) -> None:
        self.t, self.step = 0.0, step

    def __call__(self) -> float:
        self.t += self.step
        return self.t


async def test_the_real_clock_loop_lets_other_work_run_between_slices_of_due_jobs():
    clock = VirtualClock(mode="real", start=0)
    scheduler = Scheduler(clock, timer=StepTimer(0.001), slice_seconds=0.002)
    order: list[str] = []
    for n in range(10):
        scheduler.at(0, lambda n=n: order.append(f"job{n}"))

    async def send() -> None:  # what a request handler would do while the jobs are due
        order.append("send")

    scheduler.start()
    sending = asyncio.create_task(send())
    try:
        await asyncio.wait_for(sending, 5)
        for _ in range(100):
            if len(order) == 11:
                break
            await asyncio.sleep(0)
    finally:
        await scheduler.stop()
    assert order.index("send") < 10  # not after all ten jobs
    assert [x for x in order if x != "send"] == [f"job{n}" for n in range(10)]


async def test_advance_runs_every_due_job_without_yielding_mid_way():
    clock = VirtualClock(mode="manual", start=0)
    scheduler = Scheduler(clock, timer=StepTimer(1.0), slice_seconds=0.002)
    order: list[str] = []
    for n in range(5):
        scheduler.at(1, lambda n=n: order.append(f"job{n}"))

    async def other() -> None:
        order.append("other")

    task = asyncio.create_task(other())
    await scheduler.advance(2)
    await task
    assert order == [*(f"job{n}" for n in range(5)), "other"]
