"""The journal on its own (no HTTP): ordering, the retention cap, windows, filters, what it tells storage."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from sandbox.core.persistence import SqlitePersistence
from sandbox.core.persistence_hooks import Persistence, Record
from sandbox.core.store import Journal, Message, MessageFilter, StatusEvent


def message(i: int, *, provider: str = "alpha", direction: str = "outbound", user: str = "15550200001",
            at: float = 0.0) -> Message:
    return Message(id=f"m{i}", provider=provider, channel="whatsapp", direction=direction,  # type: ignore[arg-type]
                   business="b1", user=user, type="text", payload={"n": i}, created_at=at)


class Recorder(Persistence):
    enabled = True
    def __init__(self) -> None:
        self.changed: list[str] = []
        self.records: list[Record] = []
        self.removed: list[str] = []
        self.resets: list[str | None] = []

    def message_changed(self, message_id: str, provider: str, record: Record) -> None:
        self.changed.append(message_id)
        self.records.append(record)

    def message_removed(self, message_id: str) -> None:
        self.removed.append(message_id)

    def messages_reset(self, provider: str | None) -> None:
        self.resets.append(provider)


def test_find_answers_newest_first_and_stops_at_the_limit():
    journal = Journal()
    for i in range(5):
        journal.add(message(i))
    assert [m.id for m in journal.find(MessageFilter())] == ["m4", "m3", "m2", "m1", "m0"]
    assert [m.id for m in journal.find(MessageFilter(), limit=2)] == ["m4", "m3"]


def test_past_the_cap_the_oldest_are_evicted_counted_and_removed_from_storage():
    storage = Recorder()
    journal = Journal(max_messages=3, persistence=storage)
    for i in range(5):
        journal.add(message(i))
    assert [m.id for m in journal] == ["m2", "m3", "m4"]
    assert journal.evicted == 2
    assert storage.removed == ["m0", "m1"]
    assert journal.get("m0") is None


def test_an_inbound_message_opens_its_users_window_and_a_provider_reset_closes_only_that_providers():
    journal = Journal()
    journal.add(message(1, direction="inbound", at=50.0))
    journal.add(message(2, provider="beta", direction="inbound", at=60.0))
    assert journal.last_inbound("alpha", "b1", "15550200001") == 50.0
    journal.reset("alpha")
    assert journal.last_inbound("alpha", "b1", "15550200001") is None
    assert journal.last_inbound("beta", "b1", "15550200001") == 60.0
    assert [m.id for m in journal] == ["m2"]


def test_windows_round_trip_as_json_rows():
    journal = Journal()
    journal.add(message(1, direction="inbound", at=7.5))
    restored = Journal()
    restored.load_windows(journal.windows())
    assert restored.last_inbound("alpha", "b1", "15550200001") == 7.5


def test_a_status_never_moves_backwards_and_failed_is_final():
    m = message(1)
    for status in ("delivered", "sent", "read"):
        m.record(StatusEvent(status, 1.0))
    assert m.status == "read"
    m.record(StatusEvent("failed", 2.0))
    m.record(StatusEvent("read", 3.0))
    assert m.status == "failed"
    assert [e.status for e in m.history] == ["delivered", "sent", "read", "failed", "read"]


def test_storage_hears_of_adds_and_touches_but_not_of_restores():
    storage = Recorder()
    journal = Journal(persistence=storage)
    journal.add(message(1))
    journal.touch(journal.get("m1"))  # type: ignore[arg-type]
    journal.restore(message(2))
    assert storage.changed == ["m1", "m1"]
    assert journal.get("m2") is not None


def test_storage_writes_a_message_as_it_was_at_its_hook_not_as_it_became(tmp_path):
    storage = SqlitePersistence(tmp_path)
    journal = Journal(persistence=storage)
    m = journal.add(message(1))
    m.meta["later"] = "not hooked"  # a change nobody told storage of (storage holds no live message)
    m.payload["n"] = 99
    storage.flush()
    storage.close()
    [saved] = SqlitePersistence(tmp_path).saved_messages()
    assert saved["meta"] == {} and saved["payload"] == {"n": 1}


def test_a_touch_after_the_change_is_what_storage_writes(tmp_path):
    storage = SqlitePersistence(tmp_path)
    journal = Journal(persistence=storage)
    m = journal.add(message(1))
    m.record(StatusEvent("delivered", 2.0))
    journal.touch(m)
    storage.close()
    [saved] = SqlitePersistence(tmp_path).saved_messages()
    assert saved["status"] == "delivered"


def test_in_memory_the_journal_builds_no_record(monkeypatch):
    def refuse(self: Message) -> dict[str, Any]:
        raise AssertionError("a record was built for storage that keeps nothing")

    monkeypatch.setattr(Message, "to_record", refuse)
    journal = Journal()
    m = journal.add(message(1))
    journal.touch(m)
    assert journal.get("m1") is m


def test_a_message_round_trips_through_its_record():
    m = message(1)
    m.record(StatusEvent("failed", 3.0, [{"code": 1}], {"note": "x"}))
    m.meta["k"] = "v"
    again = Message.from_record(m.to_record())
    assert again.to_json() == m.to_json()


def test_filters_match_each_field_and_a_plus_before_the_user():
    m = message(1, user="15550200001", at=10.0)
    assert MessageFilter(user="+15550200001", provider="alpha", since=10.0).matches(m)
    assert not MessageFilter(provider="beta").matches(m)
    assert not MessageFilter(since=10.5).matches(m)


def test_drop_evicted_trims_a_derived_map_to_the_messages_still_held():
    journal = Journal(max_messages=2)
    derived: OrderedDict[int, Any] = OrderedDict()
    for i in range(4):
        journal.add(message(i))
        derived[i] = f"m{i}"
    journal.drop_evicted(derived, lambda message_id: message_id)
    assert list(derived) == [2, 3]
