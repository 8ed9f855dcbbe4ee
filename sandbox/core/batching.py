"""Webhook batching: updates bound for the same group are coalesced into one POST.

Provider-neutral: a group is any hashable key the provider chooses (Meta: target URL + phone number),
an update any JSON-ready object. The provider renders and signs the batch in its ``flush`` callback.

- A batch is sent when it holds ``max_size`` updates, or ``window`` virtual seconds after its first
  update arrived, whichever comes first. Updates keep their arrival order within a batch.
- ``max_size`` 1 means "no batching": the provider posts each update on its own, as before.
- The window runs on the virtual clock (a manual clock flushes on ``advance``), so a test is exact.
- ``open_batches`` / ``restore`` let ``--data-dir`` keep updates that wait in an open window.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sandbox.core.scheduler import Scheduler

T = TypeVar("T")

MAX_BATCH = 1000  # Meta: "up to 1000 updates" per POST (meta-cloud-api.md §3.4, META-WH-CREATE)


class BatchPolicyError(ValueError):
    """A batch setting that cannot be used; the message says which field and why."""


@dataclass(frozen=True)
class BatchPolicy:
    max_size: int = 1  # updates per POST; 1 = batching off
    window: float = 0.0  # virtual seconds a batch waits for more updates after its first

    @property
    def on(self) -> bool:
        return self.max_size > 1

    @classmethod
    def parse(cls, raw: Any, where: str) -> BatchPolicy:
        """``{"max_size": 50, "window_ms": 100}``; ``None`` or ``{}`` is off."""
        if raw is None:
            return cls()
        if not isinstance(raw, dict):
            raise BatchPolicyError(f"{where} must be an object like {{\"max_size\": 50, \"window_ms\": 100}}")
        unknown = sorted(set(raw) - {"max_size", "window_ms"})
        if unknown:
            raise BatchPolicyError(f"{where}: unknown field(s) {', '.join(unknown)}; use max_size and window_ms")
        size, window_ms = raw.get("max_size", 1), raw.get("window_ms", 0)
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_BATCH:
            raise BatchPolicyError(f"{where}.max_size must be a whole number from 1 (off) to {MAX_BATCH}, not {size!r}")
        if isinstance(window_ms, bool) or not isinstance(window_ms, int | float) or not 0 <= window_ms <= 60_000:
            raise BatchPolicyError(f"{where}.window_ms must be a number of milliseconds from 0 to 60000, not {window_ms!r}")
        return cls(size, float(window_ms) / 1000.0)

    def to_json(self) -> dict[str, Any]:
        return {"max_size": self.max_size, "window_ms": round(self.window * 1000.0, 3)}


@dataclass
class _Open(Generic[T]):
    policy: BatchPolicy
    due: float  # virtual time the window closes
    updates: list[T] = field(default_factory=list)


class Batcher(Generic[T]):
    """Open batches by group; ``flush(group, updates)`` is called once per closed batch."""

    def __init__(self, scheduler: Scheduler, flush: Callable[[Hashable, list[T]], None]) -> None:
        self.scheduler = scheduler
        self._flush = flush
        self._open: dict[Hashable, _Open[T]] = {}  # maps group -> its open batch
        self.counters = {"batches": 0, "updates": 0}

    def add(self, group: Hashable, update: T, policy: BatchPolicy) -> None:
        batch = self._open.get(group)
        if batch is None:
            batch = self._start(group, policy, self.scheduler.clock.now() + policy.window)
        batch.updates.append(update)
        if len(batch.updates) >= batch.policy.max_size:
            self._close(group, batch)

    def _start(self, group: Hashable, policy: BatchPolicy, due: float) -> _Open[T]:
        batch: _Open[T] = _Open(policy, due)
        self._open[group] = batch
        # A window of 0 still waits for the jobs due at this same instant (they were scheduled first,
        # so they run first): updates stamped with the same virtual time share a POST.
        self.scheduler.at(due, lambda: self._close(group, batch), label=f"webhook batch {group!r}")
        return batch

    def _close(self, group: Hashable, batch: _Open[T]) -> None:
        if self._open.get(group) is not batch:
            return  # already sent when it filled up (the window job of a full batch is a no-op)
        del self._open[group]
        self.counters["batches"] += 1
        self.counters["updates"] += len(batch.updates)
        self._flush(group, batch.updates)

    def flush_all(self) -> None:
        """Send every open batch now (shutdown: what waits in a window is handed to the dispatcher)."""
        for group, batch in list(self._open.items()):
            self._close(group, batch)

    def reset(self, keep: Callable[[Hashable], bool] = lambda group: False) -> None:
        """Forget the open batches (of the groups ``keep`` refuses)."""
        self._open = {g: b for g, b in self._open.items() if keep(g)}

    def open_batches(self) -> list[tuple[Hashable, BatchPolicy, float, list[T]]]:
        """Each open batch: its group, policy, window end and updates (for ``--data-dir``)."""
        return [(g, b.policy, b.due, list(b.updates)) for g, b in self._open.items()]

    def restore(self, group: Hashable, policy: BatchPolicy, due: float, updates: list[T]) -> None:
        """An open batch saved before a restart: its window closes when it would have (or at once)."""
        batch = self._start(group, policy, max(due, self.scheduler.clock.now()))
        batch.updates.extend(updates)

    def __len__(self) -> int:
        """Updates waiting in open batches."""
        return sum(len(b.updates) for b in self._open.values())
