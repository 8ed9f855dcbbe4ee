"""The provider-neutral lifecycle on its own (no HTTP, no real provider): a fake provider's hooks, a
manual clock and the scheduler. Accept -> timeline -> status hooks; user actions -> inbound; failing."""

from __future__ import annotations

import random
from typing import Any, ClassVar

import pytest

from sandbox.core.clock import VirtualClock
from sandbox.core.feed import ChangeFeed
from sandbox.core.messaging import Messaging
from sandbox.core.persistence_hooks import Persistence
from sandbox.core.scenario import ErrorSpec, Outcome, ScenarioEngine, Step, UserAction, parse_scenario
from sandbox.core.scheduler import Scheduler
from sandbox.core.status_order import StatusOrder
from sandbox.core.store import Journal, Message, StatusEvent

PROVIDER = "fake"


class FakeHooks:
    """A provider that records what the core tells it and answers every scripted action with a text."""

    name = PROVIDER
    failure_reasons: ClassVar[frozenset[str]] = frozenset({"undeliverable"})
    status_orders: ClassVar[dict[str, StatusOrder]] = {}  # every channel: the neutral order

    def __init__(self) -> None:
        self.statuses: list[tuple[str, str, list[dict[str, Any]] | tuple[()]]] = []
        self.inbound: list[str] = []

    def error_object(self, spec: ErrorSpec, message: Message) -> dict[str, Any]:
        return {"reason": spec.reason}

    def on_status(self, message: Message, event: StatusEvent) -> None:
        self.statuses.append((message.id, event.status, event.errors))

    def on_inbound(self, message: Message) -> None:
        self.inbound.append(message.id)

    def user_action(self, message: Message, action: UserAction, outcome: Outcome) -> Message | None:
        return Message(id=f"in-{message.id}", provider=PROVIDER, channel="whatsapp", direction="inbound",
                       business=message.business, user=message.user, type="text", payload={"text": action.value},
                       created_at=0.0)


class StepRecorder(Persistence):
    enabled = True

    def __init__(self) -> None:
        self.scheduled: list[tuple[str, float, str, dict[str, Any]]] = []
        self.done: list[int | None] = []

    def step_scheduled(self, message_id: str, provider: str, due: float, kind: str, data: dict[str, Any]) -> int | None:
        self.scheduled.append((message_id, due, kind, data))
        return len(self.scheduled)

    def step_done(self, token: int | None) -> None:
        self.done.append(token)


def build(persistence: Persistence | None = None) -> tuple[Messaging, FakeHooks, Scheduler, VirtualClock]:
    clock = VirtualClock(mode="manual", start=1000.0)
    scheduler = Scheduler(clock)
    engine = ScenarioEngine(parse_scenario("version: 1\n"), random.Random(0))
    messaging = Messaging(journal=Journal(), scheduler=scheduler, clock=clock, feed=ChangeFeed(), engine=lambda: engine,
                          persistence=persistence)
    hooks = FakeHooks()
    messaging.register(hooks)  # type: ignore[arg-type]  # FakeHooks has what the core calls
    return messaging, hooks, scheduler, clock


def outbound(clock: VirtualClock, n: int = 1) -> Message:
    return Message(id=f"m{n}", provider=PROVIDER, channel="whatsapp", direction="outbound", business="b1",
                   user="15550200001", type="text", payload={}, created_at=clock.now())


TIMELINE = [Step(1.0, "sent"), Step(2.0, "delivered"), Step(5.0, "read")]


async def test_accept_stores_the_message_and_runs_its_timeline_on_the_virtual_clock():
    messaging, hooks, scheduler, clock = build()
    message = messaging.accept(outbound(clock), Outcome(rule="r", timeline=TIMELINE))
    assert messaging.journal.get("m1") is message and message.status == "accepted"
    await scheduler.advance(2.5)
    assert [s[1] for s in hooks.statuses] == ["sent", "delivered"]
    await scheduler.advance(10)
    assert message.status == "read"
    assert [e.timestamp for e in message.history] == [1000.0, 1001.0, 1002.0, 1005.0]
    assert message.meta["rule"] == "r"


async def test_a_failed_step_carries_the_providers_error_object():
    messaging, hooks, scheduler, clock = build()
    messaging.accept(outbound(clock), Outcome(rule="r", timeline=[Step(1.0, "failed", ErrorSpec(reason="undeliverable"))]))
    await scheduler.advance(1)
    assert hooks.statuses == [("m1", "failed", [{"reason": "undeliverable"}])]


async def test_scripted_user_actions_arrive_as_inbound_messages_unless_the_timeline_fails():
    messaging, hooks, scheduler, clock = build()
    reply = UserAction(after=3.0, kind="reply", value="yes")
    messaging.accept(outbound(clock, 1), Outcome(rule="r", timeline=TIMELINE, user=[reply]))
    messaging.accept(outbound(clock, 2), Outcome(rule="r", timeline=[Step(1.0, "failed")], user=[reply]))
    await scheduler.advance(10)
    assert hooks.inbound == ["in-m1"]
    assert messaging.journal.get("in-m1") is not None
    assert messaging.journal.last_inbound(PROVIDER, "b1", "15550200001") is not None  # the window opened


async def test_fail_drops_the_pending_timeline():
    messaging, hooks, scheduler, clock = build()
    messaging.accept(outbound(clock), Outcome(rule="r", timeline=TIMELINE))
    await scheduler.advance(1)
    messaging.fail("m1", ErrorSpec(reason="undeliverable"))
    await scheduler.advance(10)
    assert [s[1] for s in hooks.statuses] == ["sent", "failed"]
    assert messaging.journal.get("m1").status == "failed"  # type: ignore[union-attr]


async def test_a_status_for_an_unknown_message_is_ignored():
    messaging, hooks, _, _ = build()
    assert messaging.set_status("nope", "delivered") is None
    assert hooks.statuses == []


@pytest.mark.parametrize(("window", "inbound_age", "expected"), [
    ("tracked", None, False), ("tracked", 3600.0, True), ("tracked", 24 * 3600.0, False),
    ("open", None, True), ("closed", 60.0, False),
])
def test_the_window_is_the_scenarios_or_tracked_from_the_last_inbound(window, inbound_age, expected):
    messaging, _, _, clock = build()
    if inbound_age is not None:
        messaging.receive(Message(id="in", provider=PROVIDER, channel="whatsapp", direction="inbound", business="b1",
                                  user="15550200001", type="text", payload={}, created_at=clock.now() - inbound_age))
    assert messaging.window_open(outbound(clock), Outcome(rule="r", window=window)) is expected


async def test_steps_are_kept_as_data_and_a_restored_step_runs_under_its_token():
    storage = StepRecorder()
    messaging, hooks, scheduler, clock = build(storage)
    messaging.accept(outbound(clock), Outcome(rule="r", timeline=[Step(1.0, "sent")]))
    assert storage.scheduled == [("m1", 1001.0, "status", {"step": {"after": 1.0, "status": "sent", "error": None}})]
    scheduler.clear()  # the process died: the job is gone, its data is not
    message_id, due, kind, data = storage.scheduled[0]
    messaging.restore_step(1, message_id, PROVIDER, due, kind, data)
    await scheduler.advance(1)
    assert [s[1] for s in hooks.statuses] == ["sent"]
    assert storage.done == [1]
    assert len(storage.scheduled) == 1  # restoring did not save the step again
