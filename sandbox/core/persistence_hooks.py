"""The persistence seam: what the core tells storage, and the default storage that keeps nothing.

The core hands storage plain data, never its own objects: an id, the provider a row belongs to (messages and
deliveries, which a provider's reset drops), and a JSON-ready record (a dict the caller built for this call and never touches again; a delivery's body as
bytes beside it). Storage therefore imports no type of the core, and what it writes is the row as it was
when the hook was called, not whatever the live object has become by the time storage writes.

Callers build a record only when ``enabled`` is true (``if persistence.enabled: ...``): the in-memory
default pays one attribute read per change, never a record. A row hooked several times between two
writes is kept once, its last record wins (``SqlitePersistence.flush``, sandbox/core/persistence.py,
serialises it then): a message that changes five times between two flushes is serialised once. A caller
that changes a row calls its hook again after the change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.core.spill import SpillQueue

Record = dict[str, Any]  # a row as JSON-ready data (str keys; str, number, bool, None, lists and dicts of them)


class Persistence:
    """In memory: nothing is kept (the default)."""

    enabled = False  # False: callers build no records and may skip every ``*_changed`` call
    spill_queue: Callable[[], SpillQueue] | None = None  # None: the dispatcher spills to a temporary file

    def message_changed(self, message_id: str, provider: str, record: Record) -> None: ...

    def message_removed(self, message_id: str) -> None: ...

    def messages_reset(self, provider: str | None) -> None: ...

    def step_scheduled(self, message_id: str, provider: str, due: float, kind: str, data: dict[str, Any]) -> int | None:
        return None

    def step_done(self, token: int | None) -> None: ...

    def steps_cancelled(self, message_id: str, kind: str | None = None) -> None:
        """The message's pending steps (only those of ``kind``, "status" or "action", when given) are dropped."""

    def steps_reset(self, provider: str | None) -> None: ...

    def delivery_changed(self, delivery_id: str, provider: str, record: Record, body: bytes) -> None: ...

    def delivery_done(self, delivery_id: str) -> None: ...

    def deliveries_reset(self, provider: str | None) -> None: ...

    def media_changed(self, media_id: str, record: Record) -> None: ...  # the record names its provider

    def media_removed(self, media_id: str) -> None: ...

    def track(self, name: str, dump: Callable[[], Any], load: Callable[[Any], None],
              version: Callable[[], object] | None = None) -> None: ...

    def flush(self) -> None: ...

    def flush_soon(self) -> None: ...

    def close(self) -> None: ...

    def describe(self) -> dict[str, Any]:
        return {"enabled": False}
