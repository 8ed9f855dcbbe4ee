"""The provider-neutral message lifecycle.

request -> provider handler -> ``Messaging.accept`` (decide outcome, store, schedule timeline and user
behaviour) ... clock reaches a step -> ``set_status`` -> provider hooks render and sign webhooks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sandbox.core.clock import VirtualClock
from sandbox.core.feed import ChangeFeed
from sandbox.core.scenario import ErrorSpec, Outcome, ScenarioEngine, Step, UserAction
from sandbox.core.scheduler import Scheduler
from sandbox.core.store import Journal, Message, StatusEvent

WINDOW_SECONDS = 24 * 3600  # the WhatsApp customer-service window


class ProviderHooks(Protocol):
    """What each provider supplies to the core (rendering stays in the provider)."""

    name: str

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
    ) -> None:
        self.journal = journal
        self.scheduler = scheduler
        self.clock = clock
        self.feed = feed
        self._engine = engine
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
        self.journal.add(message)
        message.record(StatusEvent("accepted", message.created_at))
        self.feed.publish({"kind": "message", "id": message.id, "status": message.status})
        for step in outcome.timeline if timeline is None else timeline:
            self.scheduler.at(
                message.created_at + step.after,
                self._status_job(message.id, step),
                label=f"{message.id} -> {step.status}",
                key=message.id,
            )
        failed = any(s.status == "failed" for s in (outcome.timeline if timeline is None else timeline))
        if not failed:
            for action in outcome.user:
                self.scheduler.at(
                    message.created_at + action.after,
                    self._action_job(message.id, action, outcome),
                    label=f"{message.id} user {action.kind}",
                    key=message.id,
                )
        return message

    def fail(self, message_id: str, error: ErrorSpec) -> StatusEvent | None:
        """Fail an accepted message now: its pending timeline and user actions are dropped."""
        self.scheduler.cancel(message_id)
        return self.set_status(message_id, "failed", error)

    def _status_job(self, message_id: str, step: Step) -> Callable[[], None]:
        def run() -> None:
            self.set_status(message_id, step.status, step.error)

        return run

    def _action_job(self, message_id: str, action: UserAction, outcome: Outcome) -> Callable[[], None]:
        def run() -> None:
            message = self.journal.get(message_id)
            hooks = self.providers.get(message.provider) if message else None
            if message is None or hooks is None:
                return
            inbound = hooks.user_action(message, action, outcome)
            if inbound is not None:
                self.receive(inbound)

        return run

    def set_status(
        self, message_id: str, status: str, error: ErrorSpec | None = None, extra: dict[str, Any] | None = None
    ) -> StatusEvent | None:
        message = self.journal.get(message_id)
        if message is None:
            return None
        hooks = self.providers.get(message.provider)
        errors = [hooks.error_object(error, message)] if (error and hooks) else []
        event = StatusEvent(status, self.clock.now(), errors, dict(extra or {}))
        message.record(event)
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
