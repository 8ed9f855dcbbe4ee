"""The provider-neutral message lifecycle.

request -> provider handler -> ``Messaging.accept`` (decide outcome, store, schedule timeline and user
behaviour) ... clock reaches a step -> ``set_status`` -> provider hooks render and sign webhooks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from functools import partial
from typing import Any, ClassVar, Protocol

from sandbox.core.clock import VirtualClock
from sandbox.core.errors import ControlError
from sandbox.core.feed import ChangeFeed
from sandbox.core.persistence_hooks import Persistence
from sandbox.core.scenario import ErrorSpec, Outcome, ScenarioEngine, Step, UserAction
from sandbox.core.scheduler import Scheduler
from sandbox.core.status_order import NEUTRAL, StatusOrder
from sandbox.core.store import Journal, Message, StatusEvent

WINDOW_SECONDS = 24 * 3600  # the WhatsApp customer-service window


class ProviderHooks(Protocol):
    """What each provider supplies to the core (rendering stays in the provider)."""

    name: str
    failure_reasons: ClassVar[frozenset[str]]  # the scenario `error:` reasons it maps (others are refused)
    status_orders: ClassVar[dict[str, StatusOrder]]  # maps channel -> how its messages' statuses move

    def error_object(self, spec: ErrorSpec, message: Message) -> dict[str, Any]: ...

    def on_status(self, message: Message, event: StatusEvent) -> None: ...

    def on_inbound(self, message: Message) -> None: ...

    def user_action(self, message: Message, action: UserAction, outcome: Outcome) -> Message | None: ...

    def inject(self, spec: dict[str, Any]) -> Message:
        """Control API / inbox: the user sends the business a message (raise ControlError on bad input)."""
        ...

    def webhook_targets(self) -> list[dict[str, Any]]:
        """Where this provider's webhooks/callbacks go now (for the control API)."""
        ...

    async def configure_webhook(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Control API: set a callback target (and secrets); may verify it first."""
        ...

    def reset(self) -> None:
        """Forget provider state beyond the journal (rate buckets, balances...) and reload its config."""
        ...


class Messaging:
    def __init__(
        self,
        *,
        journal: Journal,
        scheduler: Scheduler,
        clock: VirtualClock,
        feed: ChangeFeed,
        engine: Callable[[], ScenarioEngine],
        persistence: Persistence | None = None,
    ) -> None:
        self.journal = journal
        self.scheduler = scheduler
        self.clock = clock
        self.feed = feed
        self._engine = engine
        self.persistence = persistence or Persistence()
        self.providers: dict[str, ProviderHooks] = {}

    @property
    def engine(self) -> ScenarioEngine:
        return self._engine()

    def register(self, hooks: ProviderHooks) -> None:
        self.providers[hooks.name] = hooks

    # --- outbound -------------------------------------------------------------------------------
    def window_open(self, message: Message, outcome: Outcome) -> bool:
        if outcome.window != "tracked":
            return outcome.window == "open"
        last = self.journal.last_inbound(message.provider, message.business, message.user)
        return last is not None and self.clock.now() - last < WINDOW_SECONDS

    def accept(self, message: Message, outcome: Outcome, *, timeline: list[Step] | None = None) -> Message:
        """Store an accepted outbound message and schedule what happens to it."""
        message.meta.setdefault("rule", outcome.rule)
        message.record(StatusEvent("accepted", message.created_at))
        self.journal.add(message)  # after every change: storage keeps the record built here
        self.feed.publish({"kind": "message", "id": message.id, "status": message.status})
        for step in outcome.timeline if timeline is None else timeline:
            self.schedule_step(message.id, message.provider, message.created_at + step.after, step=step)
        failed = any(s.status == "failed" for s in (outcome.timeline if timeline is None else timeline))
        if not failed:
            for action in outcome.user:
                self.schedule_step(message.id, message.provider, message.created_at + action.after,
                                   action=action, outcome=outcome)
        return message

    def schedule_step(self, message_id: str, provider: str, due: float, *, step: Step | None = None,
                      action: UserAction | None = None, outcome: Outcome | None = None, token: int | None = None) -> None:
        """One timeline step or scripted user action; persistence keeps it as data until it has run."""
        if token is None and self.persistence.enabled:
            token = self.persistence.step_scheduled(message_id, provider, due, *_step_data(step, action, outcome))
        if step is not None:
            job, label = self._status_job(message_id, step, token), f"{message_id} -> {step.status}"
        else:
            assert action is not None and outcome is not None
            job, label = self._action_job(message_id, action, outcome, token), f"{message_id} user {action.kind}"
        self.scheduler.at(due, job, label=label, key=message_id, kind="status" if step is not None else "action")

    def restore_step(self, token: int, message_id: str, provider: str, due: float, kind: str, data: dict[str, Any]) -> None:
        """A step saved before a restart (``schedule_step``'s data): scheduled again under its token."""
        if kind == "status":
            self.schedule_step(message_id, provider, due, step=_step(data["step"]), token=token)
        else:
            self.schedule_step(message_id, provider, due, action=UserAction(**data["action"]),
                               outcome=_outcome(data["outcome"]), token=token)

    def fail(self, message_id: str, error: ErrorSpec) -> StatusEvent | None:
        """Fail an accepted message now: its pending timeline and user actions are dropped."""
        self.scheduler.cancel(message_id)
        self.persistence.steps_cancelled(message_id)
        return self.set_status(message_id, "failed", error)

    def _status_job(self, message_id: str, step: Step, token: int | None) -> Callable[[], None]:
        # A partial, not a closure: 2 objects for the collector to track instead of 6 (function, cell
        # tuple, cells), and a send schedules three of these.
        return partial(self._run_status_step, message_id, step, token)

    def _run_status_step(self, message_id: str, step: Step, token: int | None) -> None:
        self.persistence.step_done(token)
        self.set_status(message_id, step.status, step.error)

    def _action_job(self, message_id: str, action: UserAction, outcome: Outcome, token: int | None) -> Callable[[], None]:
        def run() -> None:
            self.persistence.step_done(token)
            message = self.journal.get(message_id)
            hooks = self.providers.get(message.provider) if message else None
            if message is None or hooks is None:
                return
            inbound = hooks.user_action(message, action, outcome)
            if inbound is not None:
                self.receive(inbound)

        return run

    def status_order(self, message: Message) -> StatusOrder:
        hooks = self.providers.get(message.provider)
        return hooks.status_orders.get(message.channel, NEUTRAL) if hooks is not None else NEUTRAL

    def set_status(
        self, message_id: str, status: str, error: ErrorSpec | None = None, extra: dict[str, Any] | None = None
    ) -> StatusEvent | None:
        """A scripted step (or a provider's own outcome): not reported when the provider's status order
        refuses it (core/status_order.py), e.g. ``delivered`` after ``failed``."""
        message = self.journal.get(message_id)
        if message is None or self.status_order(message).refusal(message.status, status) is not None:
            return None
        return self._record(message, status, error, extra)

    def force_status(self, message_id: str, status: str, error: ErrorSpec | None = None) -> StatusEvent:
        """Control API: ``status`` now, replacing the rest of the message's script. Its pending status
        steps are cancelled, and its scripted user actions too when ``status`` is a failure (a user does
        not answer a message that never arrived). Raises ControlError 404 / 409 (after a final status)."""
        message = self.journal.get(message_id)
        if message is None:
            raise ControlError(f"no message '{message_id}'", 404)
        refusal = self.status_order(message).refusal(message.status, status, forced=True)
        if refusal is not None:
            raise ControlError(f"message '{message_id}' cannot report '{status}': {refusal}", 409)
        kind = None if status == "failed" else "status"
        self.scheduler.cancel(message_id, None if kind is None else {kind})
        self.persistence.steps_cancelled(message_id, kind)
        return self._record(message, status, error, None)

    def _record(self, message: Message, status: str, error: ErrorSpec | None,
                extra: dict[str, Any] | None) -> StatusEvent:
        hooks = self.providers.get(message.provider)
        errors = [hooks.error_object(error, message)] if (error and hooks) else ()
        event = StatusEvent(status, self.clock.now(), errors, dict(extra) if extra else None)
        message.record(event)
        self.journal.touch(message)
        self.feed.publish({"kind": "status", "id": message.id, "status": status})
        if hooks is not None:
            hooks.on_status(message, event)
        return event

    # --- inbound --------------------------------------------------------------------------------
    def receive(self, message: Message) -> Message:
        """A user's message reaches the business: stored, window opened, webhook sent."""
        self.journal.add(message)
        self.feed.publish({"kind": "message", "id": message.id, "direction": "inbound"})
        hooks = self.providers.get(message.provider)
        if hooks is not None:
            hooks.on_inbound(message)
        return message


def _step_data(step: Step | None, action: UserAction | None, outcome: Outcome | None) -> tuple[str, dict[str, Any]]:
    if step is not None:
        return "status", {"step": asdict(step)}
    assert action is not None and outcome is not None
    return "action", {"action": asdict(action), "outcome": asdict(outcome)}


def _step(raw: dict[str, Any]) -> Step:
    error = raw.get("error")
    return Step(after=raw["after"], status=raw["status"], error=ErrorSpec(**error) if error else None)


def _outcome(raw: dict[str, Any]) -> Outcome:
    """An Outcome saved as data (a restored user action needs the scenario outcome it came from)."""
    return Outcome(
        rule=raw.get("rule", ""),
        reject=raw.get("reject"),
        timeline=[_step(s) for s in raw.get("timeline", [])],
        user=[UserAction(**a) for a in raw.get("user", [])],
        window=raw.get("window", "tracked"),
        capabilities=dict(raw.get("capabilities", {})),
    )
