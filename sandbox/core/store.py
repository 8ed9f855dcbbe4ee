"""The message journal: every message the sandbox accepted or delivered, with its status history.

Data only, plus the indexes the control API needs (LocalStack habit: each field says what it maps).
Bounded: past ``max_messages`` the oldest entries are evicted and counted.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, TypeVar

from sandbox.core.persistence_hooks import Persistence

K = TypeVar("K")
V = TypeVar("V")

Direction = Literal["outbound", "inbound"]

# Status order for "lifecycle" comparisons; a status never moves backwards in the journal.
STATUS_RANK = {"accepted": 0, "scheduled": 0, "sent": 1, "delivered": 2, "read": 3, "played": 4, "failed": 5}


# Every stored message keeps its objects for its whole life, and the garbage collector's full passes
# (pauses of 100+ ms at 100k messages) grow with the number of tracked objects: journal classes use
# __slots__ (no per-instance __dict__) and share immutable empty defaults (7 tracked objects per
# delivered message instead of 24).
@dataclass(slots=True)
class StatusEvent:
    status: str
    timestamp: float
    errors: list[dict[str, Any]] | tuple[()] = ()  # provider-rendered error objects, when failed
    extra: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "timestamp": self.timestamp}
        if self.errors:
            out["errors"] = self.errors
        if self.extra:
            out.update(self.extra)
        return out


@dataclass(slots=True)
class Message:
    id: str  # provider message id (wamid for Meta)
    provider: str  # the name of the provider that serves it (ProviderSpec.name)
    channel: str  # whatsapp | sms
    direction: Direction
    business: str  # phone_number_id (Meta) or account/sender id
    user: str  # the end user's number (digits): recipient of outbound, sender of inbound
    type: str  # provider's message type (text, image, template, interactive, sms...)
    payload: dict[str, Any]  # the normalized request (outbound) or webhook message object (inbound)
    created_at: float
    status: str = "accepted"
    history: list[StatusEvent] = field(default_factory=list)
    # provider-specific facts: input, user_id, biz_opaque_callback_data, context, rendered text, ...
    meta: dict[str, Any] = field(default_factory=dict)

    def record(self, event: StatusEvent) -> None:
        self.history.append(event)
        if self.status != "failed" and STATUS_RANK.get(event.status, 0) >= STATUS_RANK.get(self.status, 0):
            self.status = event.status

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "provider": self.provider,
            "channel": self.channel,
            "direction": self.direction,
            "business": self.business,
            "user": self.user,
            "type": self.type,
            "status": self.status,
            "created_at": self.created_at,
            "payload": self.payload,
            "history": [e.to_json() for e in self.history],
            "meta": self.meta,
        }

    def to_record(self) -> dict[str, Any]:
        """Every field as JSON-ready data (persistence); ``from_record`` reverses it."""
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Message:
        history = [StatusEvent(**e) for e in record.get("history", [])]
        return cls(**{**record, "history": history})


@dataclass
class MessageFilter:
    provider: str | None = None
    business: str | None = None
    user: str | None = None
    type: str | None = None
    status: str | None = None
    direction: str | None = None
    channel: str | None = None
    since: float | None = None
    id: str | None = None

    def matches(self, m: Message) -> bool:
        return (
            (self.provider is None or m.provider == self.provider)
            and (self.business is None or m.business == self.business)
            and (self.user is None or m.user == self.user.lstrip("+"))
            and (self.type is None or m.type == self.type)
            and (self.status is None or m.status == self.status)
            and (self.direction is None or m.direction == self.direction)
            and (self.channel is None or m.channel == self.channel)
            and (self.since is None or m.created_at >= self.since)
            and (self.id is None or m.id == self.id)
        )


class Journal:
    def __init__(self, max_messages: int = 100_000, persistence: Persistence | None = None) -> None:
        self.max_messages = max_messages
        self.persistence = persistence or Persistence()
        self._messages: OrderedDict[str, Message] = OrderedDict()  # maps message id -> Message, oldest first
        self._last_inbound: dict[tuple[str, str, str], float] = {}  # maps (provider, business, user) -> time
        self.evicted = 0  # how many messages the retention cap has dropped

    def add(self, message: Message) -> Message:
        self._messages[message.id] = message
        self.touch(message)
        if message.direction == "inbound":
            self._last_inbound[(message.provider, message.business, message.user)] = message.created_at
        while len(self._messages) > self.max_messages:
            evicted_id, _ = self._messages.popitem(last=False)
            self.persistence.message_removed(evicted_id)
            self.evicted += 1
        return message

    def touch(self, message: Message) -> None:
        """The message changed (a status, provider facts): persistence writes it again. Call it after
        the change: storage keeps the record built here, not the live message."""
        if self.persistence.enabled:  # the in-memory default builds no record
            self.persistence.message_changed(message.id, message.provider, message.to_record())

    def restore(self, message: Message) -> None:
        """Take back a message saved before a restart (not written again, no eviction counted)."""
        self._messages[message.id] = message

    def windows(self) -> list[list[Any]]:
        """The 24-hour window data as JSON-ready rows (persistence)."""
        return [[*key, at] for key, at in self._last_inbound.items()]

    def load_windows(self, rows: list[list[Any]]) -> None:
        self._last_inbound = {(p, b, u): float(at) for p, b, u, at in rows}

    def get(self, message_id: str) -> Message | None:
        return self._messages.get(message_id)

    def drop_evicted(self, derived: OrderedDict[K, V], message_of: Callable[[V], str | None]) -> None:
        """Trim a provider's map derived from journal messages (oldest first) so it lives as long as
        they do: the journal evicts oldest first, so entries whose message is gone are at the front."""
        while derived:
            message_id = message_of(next(iter(derived.values())))
            if message_id is not None and message_id in self._messages:
                return
            derived.popitem(last=False)

    def find(self, flt: MessageFilter, limit: int | None = None) -> list[Message]:
        """Newest first."""
        out: list[Message] = []
        for m in reversed(self._messages.values()):
            if flt.matches(m):
                out.append(m)
                if limit is not None and len(out) >= limit:
                    break
        return out

    def last_inbound(self, provider: str, business: str, user: str) -> float | None:
        return self._last_inbound.get((provider, business, user))

    def __iter__(self) -> Iterator[Message]:
        return iter(list(self._messages.values()))

    def __len__(self) -> int:
        return len(self._messages)

    def reset(self, provider: str | None = None) -> None:
        self.persistence.messages_reset(provider)
        if provider is None:
            self._messages.clear()
            self._last_inbound.clear()
            return
        for key in [k for k, m in self._messages.items() if m.provider == provider]:
            del self._messages[key]
        for window in [k for k in self._last_inbound if k[0] == provider]:
            del self._last_inbound[window]
