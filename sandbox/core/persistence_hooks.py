"""The persistence seam: what the core tells storage, and the default storage that keeps nothing.

The core hands storage rows (``Row``: an id, the provider it belongs to, and ``to_record()``, the
JSON-ready record) and never its own types, so storage imports nothing of the core. Storage takes the
record when it writes (``SqlitePersistence.flush``, sandbox/core/persistence.py): a message that changes
five times between two flushes is serialised once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sandbox.core.spill import SpillQueue


class Row(Protocol):
    """A journal message, a media record: what storage keeps of it is ``to_record()``."""

    @property
    def id(self) -> str: ...

    @property
    def provider(self) -> str: ...

    def to_record(self) -> dict[str, Any]: ...


class DeliveryRow(Row, Protocol):
    """A webhook delivery: its record, and its body kept as bytes beside it."""

    @property
    def body(self) -> bytes: ...


class Persistence:
    """In memory: nothing is kept (the default)."""

    enabled = False
    spill_queue: Callable[[], SpillQueue] | None = None  # None: the dispatcher spills to a temporary file

    def message_changed(self, message: Row) -> None: ...

    def message_removed(self, message_id: str) -> None: ...

    def messages_reset(self, provider: str | None) -> None: ...

    def step_scheduled(self, message_id: str, provider: str, due: float, kind: str, data: dict[str, Any]) -> int | None:
        return None

    def step_done(self, token: int | None) -> None: ...

    def steps_cancelled(self, message_id: str, kind: str | None = None) -> None:
        """The message's pending steps (only those of ``kind``, "status" or "action", when given) are dropped."""

    def steps_reset(self, provider: str | None) -> None: ...

    def delivery_changed(self, delivery: DeliveryRow) -> None: ...

    def delivery_done(self, delivery_id: str) -> None: ...

    def deliveries_reset(self, provider: str | None) -> None: ...

    def media_changed(self, record: Row) -> None: ...

    def media_removed(self, media_id: str) -> None: ...

    def track(self, name: str, dump: Callable[[], Any], load: Callable[[Any], None],
              version: Callable[[], object] | None = None) -> None: ...

    def flush(self) -> None: ...

    def flush_soon(self) -> None: ...

    def close(self) -> None: ...

    def describe(self) -> dict[str, Any]:
        return {"enabled": False}
