"""The spill FIFO keeps arrival order whatever mix of pushes and pops, across its batches."""

from __future__ import annotations

import dataclasses
import random

from sandbox.core.spill import BATCH, SpillQueue
from sandbox.core.webhooks import Attempt, Delivery


def test_interleaved_pushes_and_pops_come_back_in_arrival_order():
    queue, rng = SpillQueue.temporary(), random.Random(3)
    pushed = popped = 0
    for _ in range(20):
        for _ in range(rng.randrange(3 * BATCH)):
            queue.push("meta", {"n": pushed}, str(pushed).encode())
            pushed += 1
        for _ in range(rng.randrange(3 * BATCH)):
            item = queue.pop()
            if item is None:
                assert popped == pushed and len(queue) == 0
                break
            assert item == ({"n": popped}, str(popped).encode())
            popped += 1
        assert len(queue) == pushed - popped
    while (item := queue.pop()) is not None:
        assert item[0] == {"n": popped}
        popped += 1
    assert popped == pushed


def test_clear_one_provider_keeps_the_others_in_order():
    queue = SpillQueue.temporary()
    for n in range(3 * BATCH):
        queue.push("meta" if n % 2 else "maac", {"n": n}, b"")
    queue.pop()  # part of the head is now in the read buffer
    queue.clear("maac")
    left = [item[0]["n"] for item in iter(queue.pop, None)]
    assert left == list(range(1, 3 * BATCH, 2))


def test_a_delivery_record_holds_every_field_but_the_body():
    delivery = Delivery("d1", "meta", "http://x", b"{}", {"A": "1"}, "k", "status:sent", "m", 1.0)
    delivery.attempts.append(Attempt(1, 2.0, 500, 3.0, "oops", None))
    record = delivery.to_record()
    assert set(record) == {f.name for f in dataclasses.fields(Delivery)} - {"body"}
    assert Delivery.from_record(record, b"{}") == delivery


def test_a_spilled_delivery_comes_back_equal_through_its_row():
    delivery = Delivery("d1", "meta", "http://x", b"{}", {"A": "1"}, "k", "batch:2", None, 1.0,
                        next_attempt_at=4.5, updates=[{"message_id": "m1", "event": "status:sent"},
                                                      {"message_id": "m2", "event": "status:read"}])
    delivery.attempts.append(Attempt(1, 2.0, 500, 3.0, "oops", None))
    delivery.attempts.append(Attempt(2, 3.0, None, 10.0, "", "timeout after 10 s"))
    assert len(delivery.to_row()) == len(dataclasses.fields(Delivery)) - 1  # every field but the body
    queue = SpillQueue.temporary()
    for _ in range(BATCH + 1):  # through the table, not only the write buffer
        queue.push("meta", delivery.to_row(), delivery.body)
    item = queue.pop()
    assert item is not None
    assert Delivery.from_row(*item) == delivery


def test_a_temporary_queue_commits_each_batch_it_writes():
    queue = SpillQueue.temporary()
    for n in range(BATCH):
        queue.push("meta", {"n": n}, b"")
    assert not queue._conn.in_transaction
    assert queue._conn.execute("SELECT COUNT(*) FROM webhook_spill").fetchone()[0] == BATCH
