"""SQLite storage on its own (no runtime): what it writes at a flush, what it reads back at a start. It takes
rows (an id, a provider, ``to_record()``), never the core's types: plain fakes stand in for them here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.core.persistence import SqlitePersistence


@dataclass
class FakeRow:
    id: str
    provider: str = "alpha"
    data: dict[str, Any] = field(default_factory=dict)
    body: bytes = b""
    dumped: int = 0  # how many times storage asked for the record

    def to_record(self) -> dict[str, Any]:
        self.dumped += 1
        return {"id": self.id, "provider": self.provider, **self.data}


def reopen(store: SqlitePersistence) -> SqlitePersistence:
    store.close()
    return SqlitePersistence(store.path.parent)


def test_a_row_changed_many_times_between_flushes_is_written_once_as_it_last_was(tmp_path):
    store = SqlitePersistence(tmp_path)
    row = FakeRow("m1")
    for n in range(5):
        row.data["n"] = n
        store.message_changed(row)
    assert row.dumped == 0  # nothing is serialised before the flush
    store.flush()
    assert row.dumped == 1
    assert list(reopen(store).saved_messages()) == [{"id": "m1", "provider": "alpha", "n": 4}]


def test_removed_and_reset_rows_are_gone_after_the_flush(tmp_path):
    store = SqlitePersistence(tmp_path)
    for row in (FakeRow("a1"), FakeRow("a2"), FakeRow("b1", provider="beta")):
        store.message_changed(row)
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
    store.delivery_changed(FakeRow("d1", body=b"\x00binary"))
    store.delivery_changed(FakeRow("d2", body=b"two"))
    store.flush()
    store.delivery_done("d2")
    store.flush()
    assert list(reopen(store).saved_deliveries()) == [({"id": "d1", "provider": "alpha"}, b"\x00binary")]


def test_media_rows_round_trip(tmp_path):
    store = SqlitePersistence(tmp_path)
    store.media_changed(FakeRow("x1", data={"sha256": "00ff"}))
    store.media_changed(FakeRow("x2"))
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
    store.message_changed(FakeRow("m1"))
    store.flush()
    assert store.flushes == 1
