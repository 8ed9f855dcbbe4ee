"""Change feed: the store and the webhook dispatcher publish here; long-polls and live views listen.

The control API's ``wait`` endpoint re-checks its predicate after every published change, so tests
wait on an awaitable instead of sleeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class ChangeFeed:
    def __init__(self, max_subscriber_backlog: int = 1000) -> None:
        self._waiters: set[asyncio.Future[None]] = set()
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._backlog = max_subscriber_backlog

    def publish(self, event: dict[str, Any]) -> None:
        for fut in self._waiters:
            if not fut.done():
                fut.set_result(None)
        self._waiters.clear()
        for queue in self._subscribers:
            if queue.qsize() < self._backlog:  # a slow viewer loses events, never the sandbox's memory
                queue.put_nowait(event)

    async def wait_for(self, probe: Callable[[], T | None], timeout: float) -> T | None:
        """Return the first non-None ``probe()`` result, re-checked on every change, or None on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = probe()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.add(fut)
            try:
                await asyncio.wait_for(asyncio.shield(fut), remaining)
            except TimeoutError:
                pass
            finally:
                self._waiters.discard(fut)

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._subscribers.discard(queue)
