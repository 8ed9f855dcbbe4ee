"""Webhook dispatcher: at-least-once delivery of rendered, signed payloads, every attempt logged.

- The provider renders and signs; this module only sends bytes and keeps the story.
- Per-key ordering: deliveries sharing a key (a message id) go out one after another, in the order
  they were enqueued, so a receiver sees sent -> delivered -> read. Chaos can shuffle or duplicate.
- Retries (non-2xx, timeout, connection error) wait on the *virtual* clock with exponential backoff
  and jitter, until ``max_attempts`` or the ``horizon`` is reached; then the delivery is ``failed``.
- Memory: at most ``backlog`` pending deliveries are held as objects (lanes, ready queue, log); past
  that, new ones spill to a SQLite FIFO (``spill.py``) and come back, oldest first, as others finish.
  Once anything is spilled every new delivery queues behind it, so per-key order survives the spill.
  The log keeps the newest ``max_log`` finished deliveries, by finishing time (evictions counted);
  pending ones stay.
- Durability: every pending delivery and each attempt is handed to ``persistence`` (a no-op in memory).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl

import aiohttp

from sandbox.core.clock import VirtualClock
from sandbox.core.delivery_process import DeliveryProcess
from sandbox.core.feed import ChangeFeed
from sandbox.core.ids import IdFactory
from sandbox.core.persistence_hooks import Persistence
from sandbox.core.scheduler import Scheduler
from sandbox.core.spill import SpillQueue
from sandbox.core.webhook_client import WebhookClient

log = logging.getLogger(__name__)

DeliveryState = Literal["pending", "delivered", "failed", "dropped"]  # dropped: by a reset, never shown


@dataclass
class RetryPolicy:
    max_attempts: int = 10  # first attempt included
    base_delay: float = 1.0  # virtual seconds before the 2nd attempt
    factor: float = 2.0
    max_delay: float = 3600.0
    horizon: float = 36 * 3600.0  # Meta drops unacknowledged webhooks after 36 hours
    jitter: float = 0.1  # +/- fraction of each delay
    timeout: float = 10.0  # real seconds per attempt
    retry_statuses: frozenset[int] | None = None  # HTTP statuses worth a retry; None: every non-2xx

    def retries(self, status: int | None) -> bool:
        """No response (timeout, disconnect) is always retried."""
        return status is None or self.retry_statuses is None or status in self.retry_statuses


@dataclass
class Chaos:
    shuffle: bool = False  # ignore per-message ordering and let deliveries race
    duplicate_probability: float = 0.0  # deliver some events twice, as Meta does

    def to_json(self) -> dict[str, Any]:
        return {"shuffle": self.shuffle, "duplicate_probability": self.duplicate_probability}


@dataclass
class Attempt:
    number: int
    at: float  # virtual time of the attempt
    status: int | None  # HTTP status, None when no response
    latency_ms: float
    response_excerpt: str = ""
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "at": self.at,
            "status": self.status,
            "latency_ms": round(self.latency_ms, 3),
            "response_excerpt": self.response_excerpt,
            "error": self.error,
        }


@dataclass
class Delivery:
    id: str
    provider: str
    url: str
    body: bytes
    headers: dict[str, str]
    key: str  # ordering key: the message id the event belongs to
    event: str  # e.g. "status:delivered", "message:text"
    message_id: str | None
    created_at: float
    state: DeliveryState = "pending"
    attempts: list[Attempt] = field(default_factory=list)
    next_attempt_at: float | None = None
    # A batched POST (core/batching.py): each update's {"message_id", "event"}, in payload order; empty
    # for a POST of one update (then ``message_id`` and ``event`` say it).
    updates: list[dict[str, str | None]] = field(default_factory=list)

    def concerns(self, message_id: str) -> bool:
        """Does this POST carry an update of ``message_id`` (alone or in a batch)?"""
        return self.message_id == message_id or any(u["message_id"] == message_id for u in self.updates)

    def has_event(self, prefix: str) -> bool:
        """Is this POST's event, or one of its batched updates' events, ``prefix...``?"""
        return self.event.startswith(prefix) or any(str(u["event"]).startswith(prefix) for u in self.updates)

    def to_json(self, *, with_body: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "provider": self.provider,
            "url": self.url,
            "event": self.event,
            "message_id": self.message_id,
            "created_at": self.created_at,
            "state": self.state,
            "headers": self.headers,
            "attempts": [a.to_json() for a in self.attempts],
            "next_attempt_at": self.next_attempt_at,
        }
        if self.updates:
            out["updates"] = [dict(u) for u in self.updates]
        if with_body:
            text = self.body.decode("utf-8", "replace")
            out["body"] = text  # the bytes sent, as text (kept: tests written before `payload` read it)
            out["payload"] = self.payload(text)
        return out

    def payload(self, text: str) -> Any:
        """The body as data: JSON parsed, a urlencoded form (SMSGlobal's callbacks) as an object of its
        fields; None for anything else."""
        ctype = next((v for k, v in self.headers.items() if k.lower() == "content-type"), "")
        if "x-www-form-urlencoded" in ctype:
            return dict(parse_qsl(text, keep_blank_values=True))
        try:
            return json.loads(text)
        except ValueError:
            return None

    def to_record(self) -> dict[str, Any]:
        """Everything but the body, as JSON-ready data (spill and persistence store the body as bytes).
        Spelled out rather than ``asdict`` (a deep copy): a spilling sandbox calls this per webhook."""
        return {
            "id": self.id,
            "provider": self.provider,
            "url": self.url,
            "headers": dict(self.headers),
            "key": self.key,
            "event": self.event,
            "message_id": self.message_id,
            "created_at": self.created_at,
            "state": self.state,
            "attempts": [vars(a).copy() for a in self.attempts],
            "next_attempt_at": self.next_attempt_at,
            "updates": [dict(u) for u in self.updates],
        }

    @classmethod
    def from_record(cls, record: dict[str, Any], body: bytes) -> Delivery:
        attempts = [Attempt(**a) for a in record.get("attempts", [])]
        return cls(**{**record, "body": body, "attempts": attempts})

    def to_row(self) -> tuple[Any, ...]:
        """Everything but the body as a flat tuple, for the spill only (``from_row`` reads it back in the
        same process): marshalled, a tuple costs ~40% of what the ``to_record`` dict does both ways, and a
        saturated sandbox spills and reads back most of its webhooks."""
        return (self.id, self.provider, self.url, self.headers, self.key, self.event, self.message_id,
                self.created_at, self.state, [tuple(vars(a).values()) for a in self.attempts],
                self.next_attempt_at, self.updates)

    @classmethod
    def from_row(cls, row: tuple[Any, ...], body: bytes) -> Delivery:
        (id_, provider, url, headers, key, event, message_id, created_at, state, attempts, next_attempt_at,
         updates) = row
        return cls(id_, provider, url, body, headers, key, event, message_id, created_at, state,
                   [Attempt(*a) for a in attempts], next_attempt_at, updates)


class WebhookDispatcher:
    def __init__(
        self,
        *,
        clock: VirtualClock,
        scheduler: Scheduler,
        ids: IdFactory,
        feed: ChangeFeed,
        policy: RetryPolicy | None = None,
        concurrency: int = 32,
        max_log: int = 10_000,
        backlog: int = 10_000,
        persistence: Persistence | None = None,
        delivery_process: bool = False,
    ) -> None:
        self.clock = clock
        self.scheduler = scheduler
        self.ids = ids
        self.feed = feed
        self.policy = policy or RetryPolicy()
        self.policies: dict[str, RetryPolicy] = {}  # maps provider -> its documented retry policy (else `policy`)
        self.chaos = Chaos()
        self._concurrency = concurrency
        self._max_log = max_log
        self.backlog = max(1, backlog)  # pending deliveries held in memory before new ones spill
        self.persistence = persistence or Persistence()
        self._spill: SpillQueue | None = None  # opened on the first spill
        self._spill_factory: Callable[[], SpillQueue] = self.persistence.spill_queue or SpillQueue.temporary
        self._held: set[str] = set()  # ids of the pending deliveries held in memory (counted against backlog)
        # enqueued (events, chaos duplicates, redeliveries, pending ones restored by --data-dir) always equals
        # delivered + failed + dropped_by_reset + pending_in_memory + pending_spilled (GET /_sandbox/stats)
        self.counters = {"enqueued": 0, "delivered": 0, "failed": 0, "dropped_by_reset": 0, "spilled": 0,
                         "log_evicted": 0}
        self._log: OrderedDict[str, Delivery] = OrderedDict()  # maps delivery id -> Delivery, oldest first
        self._finished: deque[str] = deque()  # ids of the finished deliveries in the log, in finishing order
        self._lanes: dict[str, deque[Delivery]] = {}  # maps ordering key -> deliveries waiting their turn
        self._ready: asyncio.Queue[Delivery] = asyncio.Queue()
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._session: aiohttp.ClientSession | None = None
        self._client: WebhookClient | None = None  # the POSTs (webhook_client.py); aiohttp's session for https
        self._owns_session = True
        self._workers: list[asyncio.Task[None]] = []
        # serve --delivery-process: the HTTP posts run in a child process (delivery_process.py)
        # (no cap of its own: the workers bound the posts in flight, as they do in-process)
        self.remote = DeliveryProcess(timeout=self.policy.timeout) if delivery_process else None
        self._owns_remote = True  # False for a child shared by many dispatchers (workspaces): never stopped here
        self.warming: asyncio.Task[None] | None = None  # the child's start, begun with the dispatcher's

    # --- lifecycle ------------------------------------------------------------------------------
    async def start(self, session: aiohttp.ClientSession | None = None, workers: int | None = None,
                    remote: DeliveryProcess | None = None) -> None:
        """``session``: one shared by many dispatchers (workspaces), which then never closes it; ``workers``:
        concurrent posts (default: ``concurrency``); ``remote``: a delivery process shared the same way."""
        if remote is not None:
            self.remote, self._owns_remote = remote, False
        self._owns_session = session is None
        if session is None:
            timeout = aiohttp.ClientTimeout(total=self.policy.timeout)
            session = aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=self._concurrency))
        self._session = session
        self._client = WebhookClient(self._session)
        self._workers = [asyncio.create_task(self._worker(), name=f"webhook-{i}") for i in range(workers or self._concurrency)]
        if self.remote is not None and self._owns_remote:
            # Started now, in the background, not by the first webhook: the child's boot (~0.25 s quiet, ~0.9 s
            # on a loaded machine) would otherwise delay that webhook. Health answers without waiting for it.
            self.warming = asyncio.create_task(self._warm_remote(), name="delivery-process-start")

    async def _warm_remote(self) -> None:
        assert self.remote is not None
        try:
            await self.remote.start()
        except OSError as exc:  # the first post tries again, and fails as an attempt without an answer
            log.warning("webhook delivery process not started: %s: %s", type(exc).__name__, exc)

    async def stop(self) -> None:
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers = []
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None
        if self.warming is not None:
            await self.warming  # a start cut short could leave its child behind; it ends in well under a second
            self.warming = None
        if self.remote is not None and self._owns_remote:
            await self.remote.stop()

    @property
    def session(self) -> aiohttp.ClientSession:
        """The one shared client session (also used for Meta's verification handshake)."""
        assert self._session is not None, "dispatcher not started"
        return self._session

    # --- API ----------------------------------------------------------------------------------
    def enqueue(
        self,
        *,
        provider: str,
        url: str,
        body: bytes,
        headers: dict[str, str],
        key: str,
        event: str,
        message_id: str | None = None,
        updates: list[dict[str, str | None]] | None = None,
    ) -> Delivery:
        """``updates``: a batched POST's updates (core/batching.py), each ``{"message_id", "event"}``."""
        delivery = Delivery(
            id=self.ids.uuid(),
            provider=provider,
            url=url,
            body=body,
            headers=headers,
            key=key,
            event=event,
            message_id=message_id,
            created_at=self.clock.now(),
            updates=list(updates or []),
        )
        copies = 2 if self.ids.random.random() < self.chaos.duplicate_probability else 1
        for n in range(copies):
            self._admit(delivery if n == 0 else self._copy(delivery, "duplicate"))
        self.feed.publish({"kind": "webhook", "id": delivery.id, "state": delivery.state})
        return delivery

    def redeliver(self, delivery_id: str) -> Delivery | None:
        original = self._log.get(delivery_id)
        if original is None:
            return None
        copy = self._copy(original, "redelivery")
        self.counters["enqueued"] += 1
        self._hold(copy, laned=False)  # an explicit request: never spilled, never waits in a lane
        self._persist(copy)
        return copy

    def get(self, delivery_id: str) -> Delivery | None:
        return self._log.get(delivery_id)

    def deliveries(self) -> list[Delivery]:
        return list(self._log.values())

    def pending(self) -> list[Delivery]:
        """Pending deliveries held in memory (``spilled`` more wait on disk)."""
        return [d for d in self._log.values() if d.state == "pending"]

    @property
    def spilled(self) -> int:
        return len(self._spill) if self._spill is not None else 0

    def stats(self) -> dict[str, Any]:
        return {
            **self.counters,
            "pending_in_memory": len(self._held),
            "pending_spilled": self.spilled,
            "backlog": self.backlog,
            "log": len(self._log),
            "max_log": self._max_log,
        }

    def restore(self, record: dict[str, Any], body: bytes) -> None:
        """A pending delivery saved before a restart: queued again in its saved order, tried at once."""
        self.counters["enqueued"] += 1
        self._admit(Delivery.from_record(record, body), persist=False)

    async def idle(self, timeout: float) -> bool:
        """Wait until nothing is ready or in flight (scheduled retries do not count)."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
            return True
        except TimeoutError:
            return False

    def reset(self, provider: str | None = None) -> None:
        for key in [k for k, d in self._log.items() if provider is None or d.provider == provider]:
            self._held.discard(key)
            dropped = self._log.pop(key)
            if dropped.state == "pending":  # its retry timer or in-flight attempt then does nothing
                dropped.state = "dropped"
                self.counters["dropped_by_reset"] += 1
        self._finished = deque(i for i in self._finished if i in self._log)
        if self._spill is not None:
            before = len(self._spill)
            self._spill.clear(provider)
            self.counters["dropped_by_reset"] += before - len(self._spill)
        self.persistence.deliveries_reset(provider)
        for lane_key in list(self._lanes):
            lane = deque(d for d in self._lanes[lane_key] if provider is not None and d.provider != provider)
            if lane:
                self._lanes[lane_key] = lane
            else:
                del self._lanes[lane_key]

    # --- internals ------------------------------------------------------------------------------
    def _copy(self, original: Delivery, why: str) -> Delivery:
        copy = Delivery(
            id=self.ids.uuid(),
            provider=original.provider,
            url=original.url,
            body=original.body,
            headers=dict(original.headers),
            key=f"{original.key}#{why}",
            event=f"{original.event} ({why})",
            message_id=original.message_id,
            created_at=self.clock.now(),
            updates=[dict(u) for u in original.updates],
        )
        return copy

    def _admit(self, delivery: Delivery, *, persist: bool = True) -> None:
        """Hold a new pending delivery in memory, or spill it when the backlog is full (or already spilling)."""
        self.counters["enqueued"] += persist
        if self.spilled or len(self._held) >= self.backlog:
            if self._spill is None:
                self._spill = self._spill_factory()
            self._spill.push(delivery.provider, delivery.to_row(), delivery.body)  # serialised at once
            if persist:
                self._persist(delivery)
            self.counters["spilled"] += 1
            return
        self._hold(delivery, laned=not self.chaos.shuffle)
        if persist:
            self._persist(delivery)  # after _hold: storage keeps the record as of now (next_attempt_at set)

    def _persist(self, delivery: Delivery) -> None:
        if self.persistence.enabled:  # the in-memory default builds no record
            self.persistence.delivery_changed(delivery.id, delivery.provider, delivery.to_record(), delivery.body)

    def _hold(self, delivery: Delivery, *, laned: bool) -> None:
        self._held.add(delivery.id)
        self._remember(delivery)
        if not laned:
            self._make_ready(delivery)
            return
        lane = self._lanes.setdefault(delivery.key, deque())
        lane.append(delivery)
        if len(lane) == 1:
            self._make_ready(delivery)

    def _refill(self) -> None:
        while self._spill is not None and len(self._spill) and len(self._held) < self.backlog:
            item = self._spill.pop()
            if item is None:
                return
            self._hold(Delivery.from_row(*item), laned=not self.chaos.shuffle)

    def _remember(self, delivery: Delivery) -> None:
        self._log[delivery.id] = delivery

    def _forget_finished(self, delivery: Delivery) -> None:
        """The log keeps the newest ``max_log`` finished deliveries (pending ones always stay). Evicted in
        finishing order, so one old delivery still retrying does not hold every later one in memory."""
        self._finished.append(delivery.id)
        while len(self._finished) > self._max_log:
            if self._log.pop(self._finished.popleft(), None) is not None:
                self.counters["log_evicted"] += 1

    def _make_ready(self, delivery: Delivery) -> None:
        self._idle.clear()
        delivery.next_attempt_at = self.clock.now()
        self._ready.put_nowait(delivery)

    async def _worker(self) -> None:
        while True:
            delivery = await self._ready.get()
            self._in_flight += 1
            try:
                await self._attempt(delivery)
            except Exception:  # pragma: no cover - defensive: a bug must not kill the worker
                log.exception("webhook worker error")
            finally:
                self._in_flight -= 1
                if self._in_flight == 0 and self._ready.empty():
                    self._idle.set()

    async def _attempt(self, delivery: Delivery) -> None:
        if delivery.state != "pending":
            return
        assert self._client is not None, "dispatcher not started"
        number = len(delivery.attempts) + 1
        started = time.perf_counter()
        at = self.clock.now()
        if self.remote is not None:
            status, excerpt, error = await self.remote.post(delivery.url, delivery.body, delivery.headers,
                                                            self.policy.timeout)
        else:
            status, excerpt, error = await self._client.post(delivery.url, delivery.body, delivery.headers,
                                                             self.policy.timeout)
        latency = (time.perf_counter() - started) * 1000
        if delivery.state == "dropped":  # a reset dropped it while this attempt was in flight
            return
        delivery.attempts.append(Attempt(number, at, status, latency, excerpt, error))
        if status is not None and 200 <= status < 300:
            self._finish(delivery, "delivered")
        else:
            self._retry_or_fail(delivery)
        if delivery.state == "pending":
            self._persist(delivery)  # the attempt story survives a restart
        self.persistence.flush_soon()
        self.feed.publish({"kind": "webhook", "id": delivery.id, "state": delivery.state})

    def _retry_or_fail(self, delivery: Delivery) -> None:
        p = self.policies.get(delivery.provider, self.policy)
        n = len(delivery.attempts)
        if not p.retries(delivery.attempts[-1].status):
            self._finish(delivery, "failed")
            return
        delay = min(p.base_delay * p.factor ** (n - 1), p.max_delay)
        delay *= 1 + p.jitter * (2 * self.ids.random.random() - 1)
        due = self.clock.now() + delay
        if n >= p.max_attempts or due - delivery.created_at > p.horizon:
            self._finish(delivery, "failed")
            return
        delivery.next_attempt_at = due
        self.scheduler.at(due, lambda: self._make_ready(delivery), label=f"retry webhook {delivery.id}")

    def _finish(self, delivery: Delivery, state: DeliveryState) -> None:
        delivery.state = state
        delivery.next_attempt_at = None
        self.counters[state] += 1
        self.persistence.delivery_done(delivery.id)
        self._held.discard(delivery.id)
        self._forget_finished(delivery)
        lane = self._lanes.get(delivery.key)
        if lane and lane[0] is delivery:
            lane.popleft()
            if lane:
                self._make_ready(lane[0])
            else:
                del self._lanes[delivery.key]
        self._refill()
