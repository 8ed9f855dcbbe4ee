"""Runs callbacks at virtual times.

Real clock: a background task sleeps until the next due item (scaled by the clock's speed).
Manual clock: nothing runs until ``advance()``, which steps the clock through each due item in order,
so every event is stamped with exactly its scheduled time.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sandbox.core.clock import VirtualClock

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None] | None]


@dataclass(slots=True)
class _Item:
    due: float
    seq: int
    job: Job
    label: str = ""
    cancelled: bool = False
    key: str | None = None  # groups jobs that can be cancelled together


class Scheduler:
    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        # (due, seq, item): tuples compare in C, far cheaper than dataclass ordering at 3 jobs per send.
        self._heap: list[tuple[float, int, _Item]] = []
        self._sleeping_until = -math.inf  # the due time the loop waits for; -inf while it is running
        self._holds: dict[str, asyncio.Future[Any]] = {}  # maps key -> what its jobs wait for
        self._held: dict[str, list[_Item]] = {}  # maps key -> its due jobs, in order, waiting for the hold
        self._seq = itertools.count()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self.after_job: list[Callable[[], None]] = []  # run after every job (persistence writes its changes)
        clock.subscribe(self._wake.set)

    def at(self, due: float, job: Job, label: str = "", key: str | None = None) -> _Item:
        item = _Item(due, next(self._seq), job, label, key=key)
        heapq.heappush(self._heap, (due, item.seq, item))
        if due < self._sleeping_until:  # only an earlier job than the one awaited needs the loop awake
            self._wake.set()
        return item

    def after(self, delay: float, job: Job, label: str = "") -> _Item:
        return self.at(self.clock.now() + max(0.0, delay), job, label)

    def hold(self, key: str, until: Awaitable[Any]) -> None:
        """Jobs with ``key`` wait, in order, until ``until`` is done; every other job runs meanwhile
        (a slow media fetch for one message must not stall the timelines of all the others)."""
        future = asyncio.ensure_future(until)
        self._holds[key] = future
        future.add_done_callback(lambda _: self._release(key))

    def _release(self, key: str) -> None:
        self._holds.pop(key, None)
        for item in self._held.pop(key, []):
            heapq.heappush(self._heap, (item.due, item.seq, item))
        self._wake.set()

    def cancel(self, key: str) -> int:
        """Cancel every pending job scheduled with ``key`` (e.g. the rest of a message's timeline)."""
        return self.cancel_keys({key})

    def cancel_keys(self, keys: set[str]) -> int:
        """Cancel every pending job whose key is in ``keys``, in one pass over the heap."""
        cancelled = 0
        held = (item for key in keys for item in self._held.get(key, []))
        for item in itertools.chain((entry[2] for entry in self._heap), held):
            if item.key in keys and not item.cancelled:
                item.cancelled = True
                cancelled += 1
        return cancelled

    def pending(self) -> list[dict[str, object]]:
        return [{"due": due, "label": i.label} for due, _, i in sorted(self._heap) if not i.cancelled]

    def next_due(self) -> float | None:
        while self._heap and self._heap[0][2].cancelled:  # cancelled jobs are dropped lazily
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def clear(self) -> None:
        for _, _, item in self._heap:
            item.cancelled = True
        self._heap.clear()
        for future in self._holds.values():
            future.cancel()
        self._held.clear()

    async def advance(self, seconds: float) -> int:
        """Manual mode: move time forward, running due jobs in order at their own times."""
        target = self.clock.now() + seconds
        return await self.run_until(target)

    async def run_until(self, target: float) -> int:
        ran = 0
        async with self._lock:
            while self._heap and self._heap[0][0] <= target:
                item = heapq.heappop(self._heap)[2]
                if item.cancelled:
                    continue
                if item.key is not None and item.key in self._holds:
                    self._held.setdefault(item.key, []).append(item)
                    continue
                if self.clock.mode == "manual" and item.due > self.clock.now():
                    self.clock.set(item.due)
                await self._run(item)
                ran += 1
            if self.clock.mode == "manual" and target > self.clock.now():
                self.clock.set(target)
        return ran

    async def run_due(self) -> int:
        return await self.run_until(self.clock.now())

    async def _run(self, item: _Item) -> None:
        try:
            result = item.job()
            if result is not None:
                await result
        except Exception:  # a broken job must not stop the timeline of every other message
            log.exception("scheduled job %s failed", item.label)
        for hook in self.after_job:
            hook()

    # --- background loop (real clock) -------------------------------------------------------------
    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="sandbox-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            self._sleeping_until = -math.inf
            await self.run_due()
            due = self.next_due()
            wait = None if due is None else self.clock.real_seconds_until(due)
            if self.clock.mode == "manual":  # only a job already due (or a clock move) needs the loop
                self._sleeping_until = math.nextafter(self.clock.now(), math.inf)
            else:
                self._sleeping_until = math.inf if due is None else due
            timer = None if wait is None else loop.call_later(max(wait, 0.0005), self._wake.set)
            await self._wake.wait()
            if timer is not None:
                timer.cancel()
