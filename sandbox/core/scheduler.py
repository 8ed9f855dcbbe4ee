"""Runs callbacks at virtual times.

Real clock: a background task sleeps until the next due item (scaled by the clock's speed).
Manual clock: nothing runs until ``advance()``, which steps the clock through each due item in order,
so every event is stamped with exactly its scheduled time.

The background loop (real clock) hands the event loop back after every ``SLICE_SECONDS`` of jobs: once
it falls behind (a GC pass, a burst of sends), hundreds of jobs are due at once, and running them in one
go held every send waiting for 50-80 ms at 1,000 msg/s, which was the send p99. ``advance()`` never
yields mid-way, so a manual-clock test sees the same order of work (and of seeded draws) as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any

from sandbox.core.clock import VirtualClock

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None] | None]

SLICE_SECONDS = 0.002  # real clock: at most this much of jobs before pending I/O (sends) gets a turn


@dataclass(slots=True)
class _Item:
    due: float
    seq: int
    job: Job
    label: str = ""
    cancelled: bool = False
    key: str | None = None  # groups jobs that can be cancelled together
    kind: str | None = None  # what the job is within its key (e.g. a status step or a user action)


class _DueQueue:
    """Pending items in (due, seq) order.

    Nearly every job is due a fixed delay after "now" (a timeline step 1 s after a send, a webhook
    retry 2 s after a failure), so the jobs of one delay arrive already in due order. Each delay gets
    a lane, a deque appended at the tail and taken from the head: O(1), and sequential in memory where
    one binary heap of ~50k items at saturation cost a few µs per push and pop in cache misses. An
    item that would break its lane's order (the clock moved back, a held job released late) and the
    items of a delay beyond the first MAX_LANES go to a heap instead, so the order is always exact.
    """

    MAX_LANES = 16

    def __init__(self) -> None:
        self._lanes: dict[float, deque[_Item]] = {}  # maps delay (10 ms buckets) -> its items in order
        self._heap: list[tuple[float, int, _Item]] = []  # everything else

    def push(self, item: _Item, delay: float) -> None:
        key = round(delay, 2)
        lane = self._lanes.get(key)
        if lane is None and len(self._lanes) < self.MAX_LANES:
            lane = self._lanes[key] = deque()
        if lane is not None and (not lane or lane[-1].due <= item.due):
            lane.append(item)
        else:
            heapq.heappush(self._heap, (item.due, item.seq, item))

    def _first(self) -> tuple[_Item | None, float | None]:
        """The earliest item and the lane holding it (``None``: the heap)."""
        best: _Item | None = self._heap[0][2] if self._heap else None
        best_key: float | None = None
        for key, lane in self._lanes.items():
            head = lane[0]
            if best is None or head.due < best.due or (head.due == best.due and head.seq < best.seq):
                best, best_key = head, key
        return best, best_key

    def _drop_first(self, key: float | None) -> None:
        """Remove the earliest item, found by ``_first`` in lane ``key`` (``None``: the heap)."""
        if key is None:
            heapq.heappop(self._heap)
            return
        lane = self._lanes[key]
        lane.popleft()
        if not lane:
            del self._lanes[key]

    def pop_due(self, target: float) -> _Item | None:
        """Remove and return the earliest item if it is due by ``target``."""
        item, key = self._first()
        if item is None or item.due > target:
            return None
        self._drop_first(key)
        return item

    def next_due(self) -> float | None:
        """The due time of the earliest live item (cancelled ones at the front are dropped)."""
        item, key = self._first()
        while item is not None and item.cancelled:
            self._drop_first(key)
            item, key = self._first()
        return None if item is None else item.due

    def items(self) -> Iterator[_Item]:
        yield from (entry[2] for entry in self._heap)
        for lane in self._lanes.values():
            yield from lane

    def clear(self) -> None:
        self._lanes.clear()
        self._heap.clear()


class Scheduler:
    def __init__(self, clock: VirtualClock, *, timer: Callable[[], float] = time.perf_counter,
                 slice_seconds: float = SLICE_SECONDS) -> None:
        """``timer``: measures how long the background loop has run jobs without a break."""
        self.clock = clock
        self._timer = timer
        self._slice = slice_seconds
        self._queue = _DueQueue()
        self._sleeping_until = -math.inf  # the due time the loop waits for; -inf while it is running
        self._holds: dict[str, asyncio.Future[Any]] = {}  # maps key -> what its jobs wait for
        self._held: dict[str, list[_Item]] = {}  # maps key -> its due jobs, in order, waiting for the hold
        self._seq = itertools.count()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self.after_job: list[Callable[[], None]] = []  # run after every job (persistence writes its changes)
        clock.subscribe(self._wake.set)

    def at(self, due: float, job: Job, label: str = "", key: str | None = None, kind: str | None = None) -> _Item:
        item = _Item(due, next(self._seq), job, label, key=key, kind=kind)
        self._queue.push(item, due - self.clock.now())
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
            self._queue.push(item, item.due - self.clock.now())
        self._wake.set()

    def cancel(self, key: str, kinds: Collection[str] | None = None) -> int:
        """Cancel every pending job scheduled with ``key`` (e.g. the rest of a message's timeline), or only
        those of ``kinds`` (e.g. its status steps but not its scripted user replies)."""
        return self.cancel_keys({key}, kinds)

    def cancel_keys(self, keys: set[str], kinds: Collection[str] | None = None) -> int:
        """Cancel every pending job whose key is in ``keys`` (and kind in ``kinds``), in one pass over the heap."""
        cancelled = 0
        held = (item for key in keys for item in self._held.get(key, []))
        for item in itertools.chain(self._queue.items(), held):
            if item.key in keys and not item.cancelled and (kinds is None or item.kind in kinds):
                item.cancelled = True
                cancelled += 1
        return cancelled

    def pending(self) -> list[dict[str, object]]:
        live = sorted((i.due, i.seq, i.label) for i in self._queue.items() if not i.cancelled)
        return [{"due": due, "label": label} for due, _, label in live]

    def pending_count(self) -> int:
        """How many jobs ``pending()`` lists, without sorting them (for stats under load)."""
        return sum(1 for item in self._queue.items() if not item.cancelled)

    def next_due(self) -> float | None:
        return self._queue.next_due()  # cancelled jobs are dropped lazily

    def clear(self) -> None:
        for item in self._queue.items():
            item.cancelled = True
        self._queue.clear()
        for future in self._holds.values():
            future.cancel()
        self._held.clear()

    async def advance(self, seconds: float) -> int:
        """Manual mode: move time forward, running due jobs in order at their own times."""
        target = self.clock.now() + seconds
        return await self.run_until(target)

    async def run_until(self, target: float, *, yield_after: float | None = None) -> int:
        """``yield_after``: give the event loop a turn after this many seconds of jobs (the real-clock
        loop); the jobs still run one at a time, in due order, under the lock."""
        ran = 0
        async with self._lock:
            since = self._timer() if yield_after is not None else 0.0
            while True:
                if yield_after is not None and self._timer() - since >= yield_after:
                    await asyncio.sleep(0)  # before the pop: a reset meanwhile cancels what is still queued
                    since = self._timer()
                if (item := self._queue.pop_due(target)) is None:
                    break
                if item.cancelled:
                    continue
                if item.key is not None and item.key in self._holds:
                    self._held.setdefault(item.key, []).append(item)
                    continue
                if self.clock.mode == "manual" and item.due > self.clock.now():
                    self.clock.set(item.due)
                # Inline rather than a coroutine per job: most jobs are plain functions (~3 per send).
                try:
                    result = item.job()
                    if result is not None:
                        await result
                except Exception:  # a broken job must not stop the timeline of every other message
                    log.exception("scheduled job %s failed", item.label)
                for hook in self.after_job:
                    hook()
                ran += 1
            if self.clock.mode == "manual" and target > self.clock.now():
                self.clock.set(target)
        return ran

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
            await self.run_until(self.clock.now(), yield_after=self._slice)
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
