"""SQLite storage on its own (no runtime): what it writes at a flush, what it reads back at a start. It takes
plain data (an id, a provider, a JSON-ready record; a delivery's body as bytes), never the core's types."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sandbox.core import persistence
from sandbox.core.persistence import SqlitePersistence


def record(row_id: str, provider: str = "alpha", **data: Any) -> dict[str, Any]:
    return {"id": row_id, "provider": provider, **data}


class CountingJson:
    """Stands in for the json module in persistence.py: counts what storage serialises."""

    def __init__(self) -> None:
        self.dumped: list[Any] = []

    def dumps(self, value: Any) -> str:
        self.dumped.append(value)
        return json.dumps(value)

    loads = staticmethod(json.loads)


def reopen(store: SqlitePersistence) -> SqlitePersistence:
    store.close()
    return SqlitePersistence(store.path.parent)


def test_a_row_changed_many_times_between_flushes_is_serialised_once_and_its_last_record_wins(
        tmp_path, monkeypatch: pytest.MonkeyPatch):
    counting = CountingJson()
    monkeypatch.setattr(persistence, "json", counting)
    store = SqlitePersistence(tmp_path)
    for n in range(5):
        store.message_changed("m1", "alpha", record("m1", n=n))
    assert counting.dumped == []  # nothing is serialised before the flush
    store.flush()
    assert counting.dumped == [record("m1", n=4)]
    assert list(reopen(store).saved_messages()) == [record("m1", n=4)]


def test_removed_and_reset_rows_are_gone_after_the_flush(tmp_path):
    store = SqlitePersistence(tmp_path)
    for row in (record("a1"), record("a2"), record("b1", "beta")):
        store.message_changed(row["id"], row["provider"], row)
    store.flush()
    store.message_removed("a1")
    store.messages_reset("beta")
    store.flush()
    assert [m["id"] for m in reopen(store).saved_messages()] == ["a2"]


def test_steps_come_back_by_due_time_and_a_step_done_before_the_flush_is_never_written(tmp_path):
    store = SqlitePersistence(tmp_path)
    late = store.step_scheduled("m1", "alpha", 20.0, "status", {"step": "read"})
    early = store.step_scheduled("m1", "alpha", 10.0, "status", {"step": "sent"})
    gone = store.step_scheduled("m2", "alpha", 5.0, "status", {})
    assert late is not None and early is not None and gone is not None and late < early < gone
    store.step_done(gone)
    store.flush()
    again = reopen(store)
    assert again.saved_steps() == [(early, "m1", 10.0, "status", {"step": "sent"}),
                                   (late, "m1", 20.0, "status", {"step": "read"})]
    assert again.step_scheduled("m3", "alpha", 1.0, "status", {}) == early + 1  # after every token on disk


def test_a_pending_delivery_keeps_its_body_as_bytes_and_a_done_one_is_dropped(tmp_path):
    store = SqlitePersistence(tmp_path)
    store.delivery_changed("d1", "alpha", record("d1"), b"\x00binary")
    store.delivery_changed("d2", "alpha", record("d2"), b"two")
    store.flush()
    store.delivery_done("d2")
    store.flush()
    assert list(reopen(store).saved_deliveries()) == [({"id": "d1", "provider": "alpha"}, b"\x00binary")]


def test_media_rows_round_trip(tmp_path):
    store = SqlitePersistence(tmp_path)
    store.media_changed("x1", record("x1", sha256="00ff"))
    store.media_changed("x2", record("x2"))
    store.flush()
    store.media_removed("x2")
    store.flush()
    assert list(reopen(store).saved_media()) == [{"id": "x1", "provider": "alpha", "sha256": "00ff"}]


def test_a_snapshot_is_written_when_its_version_changes_and_loaded_back_at_start(tmp_path):
    state = {"count": 1}
    dumps: list[int] = []

    def dump() -> dict[str, int]:
        dumps.append(state["count"])
        return dict(state)

    store = SqlitePersistence(tmp_path)
    store.track("counter", dump, lambda raw: None, version=lambda: state["count"])
    store.flush()
    store.flush()  # same version: not dumped again
    state["count"] = 2
    store.flush()
    assert dumps == [1, 2]
    again = reopen(store)
    loaded: list[Any] = []
    again.track("counter", dump, loaded.append, version=lambda: state["count"])
    assert again.restore_tracked() == ["counter"]
    assert loaded == [{"count": 2}]


def test_nothing_to_write_is_no_transaction(tmp_path):
    store = SqlitePersistence(tmp_path)
    store.flush()
    store.flush()
    assert store.flushes == 0
    store.message_changed("m1", "alpha", record("m1"))
    store.flush()
    assert store.flushes == 1


def test_a_provider_reset_drops_only_its_rows_still_waiting_for_a_flush(tmp_path):
    store = SqlitePersistence(tmp_path)
    store.message_changed("a1", "alpha", record("a1"))
    store.message_changed("b1", "beta", record("b1", "beta"))
    store.delivery_changed("d1", "alpha", record("d1"), b"a")
    store.delivery_changed("d2", "beta", record("d2", "beta"), b"b")
    store.messages_reset("alpha")
    store.deliveries_reset("beta")
    store.flush()
    again = reopen(store)
    assert [m["id"] for m in again.saved_messages()] == ["b1"]
    assert list(again.saved_deliveries()) == [(record("d1"), b"a")]
