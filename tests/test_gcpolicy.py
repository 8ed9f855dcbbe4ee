"""The serving process's garbage-collector policy (sandbox/gcpolicy.py)."""

from __future__ import annotations

import asyncio
import contextlib
import gc

from sandbox.gcpolicy import NO_AUTOMATIC_FULL_COLLECTIONS, housekeeping


async def run_briefly(freeze: float, full: float, ticks: int) -> tuple[int, tuple[int, int, int]]:
    task = asyncio.create_task(housekeeping(freeze, full))
    for _ in range(ticks):
        await asyncio.sleep(freeze)
    frozen, threshold = gc.get_freeze_count(), gc.get_threshold()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return frozen, threshold


async def test_survivors_are_frozen_and_automatic_full_collections_are_off():
    before = gc.get_threshold()
    frozen, threshold = await run_briefly(0.01, 0, 3)
    assert frozen > 0 and threshold[2] == NO_AUTOMATIC_FULL_COLLECTIONS
    assert gc.get_freeze_count() == 0 and gc.get_threshold()[:2] == before[:2]  # restored when cancelled


async def test_a_zero_interval_leaves_pythons_gc_alone():
    # The count as it was, not 0: the pytest plugin freezes the heap before this suite's first wa_sandbox
    # (sandbox/testing/heap.py), and under pytest-randomly that test may have run first.
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    await housekeeping(0, 0)
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen
