"""SMS+ send records ("發送紀錄"): one per ``pnp_message_id``, with the state of each channel leg.

Data only (LocalStack habit). The legs themselves are journal Messages (provider ``maac``, channel
``whatsapp`` or ``sms``); a record points at them and keeps what the report and webhook show.

A record is a view of its legs: each leg message carries the record's facts in ``meta`` and its status
history, so ``record_from_legs`` rebuilds the record exactly (a ``--data-dir`` start) instead of the
sandbox storing it twice; and a record lives as long as its first leg is in the journal.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sandbox.core.status_order import NEUTRAL, SMS, StatusOrder
from sandbox.core.store import Journal, Message, StatusEvent

LegName = str  # "whatsapp" | "sms"
# How a leg's journal statuses move (core/status_order.py): `sms_delivered` and every failure are final
# (maac-openapi.md lists no way back from them); the WhatsApp leg is the Cloud API's message.
ORDERS: dict[LegName, StatusOrder] = {"sms": SMS, "whatsapp": NEUTRAL}
# Journal status -> leg status (read/played add nothing MAAC reports).
LEG_STATUS = {"sent": "accepted", "delivered": "delivered", "read": "delivered", "played": "delivered"}
LEG_RANK = {"preparing": 0, "accepted": 1, "delivered": 2}  # every failure status ranks after these (3)


@dataclass
class Leg:
    message_id: str  # the journal Message carrying this leg
    status: str = "preparing"  # preparing | accepted | delivered | failed | undeliverable | blocked | ...
    delivered_at: float | None = None
    error_category: str | None = None

    def apply(self, event: StatusEvent) -> bool:
        """A status of the leg's journal message; False when MAAC sees no change (read after delivered)."""
        error = event.errors[0] if event.errors else None
        new = error["leg_status"] if error else LEG_STATUS.get(event.status, "failed")
        if new == self.status or LEG_RANK.get(new, 3) < LEG_RANK.get(self.status, 3):
            return False  # a forced late duplicate (delivered, then sent again) never moves the leg back
        self.status = new
        if new == "delivered":
            self.delivered_at = event.timestamp
        if error:
            self.error_category = error["error_category"]
        return True


@dataclass
class PnpRecord:
    pnp_message_id: int
    pnp_setting_id: int
    pnp_setting_name: str
    phone_number: str  # as the request gave it: E.164 or SHA-256 hex
    event_id: int | None
    customized_id: str | None
    created_at: float
    updated_at: float
    legs: dict[LegName, Leg] = field(default_factory=dict)  # maps leg name -> its state, in creation order
    last_leg: LegName | None = None  # the leg whose change set the record's `status` last
    sms_variables: dict[str, Any] = field(default_factory=dict)  # data.sms, filled into the fallback SMS

    def leg(self, name: LegName) -> Leg | None:
        return self.legs.get(name)

    def first_message_id(self) -> str | None:
        """The journal message of the record's first leg (the record lives as long as it does)."""
        first = next(iter(self.legs.values()), None)
        return first.message_id if first else None


def record_from_legs(legs: list[Message]) -> PnpRecord:
    """The record of these leg messages (first leg first), as the live record was when they were last
    saved: facts from the first leg's meta; legs, ``updated_at`` and ``last_leg`` by replaying each
    leg's status history through ``Leg.apply`` (its first event, ``accepted``, is the leg's opening)."""
    first, facts = legs[0], legs[0].meta
    record = PnpRecord(
        pnp_message_id=int(facts["pnp_message_id"]),
        pnp_setting_id=int(first.business),
        pnp_setting_name=str(facts.get("pnp_setting_name", "")),
        phone_number=str(facts["phone_number"]),
        event_id=facts.get("event_id"),
        customized_id=facts.get("customized_id"),
        created_at=first.created_at,
        updated_at=first.created_at,
        sms_variables=dict(facts.get("sms_variables") or {}),
    )
    changes: list[tuple[float, int, LegName]] = []  # (when, leg order, leg): the latest is the record's last
    for order, message in enumerate(legs):
        leg = record.legs[message.channel] = Leg(message.id)
        changes.append((message.created_at, order, message.channel))
        changes.extend((e.timestamp, order, message.channel) for e in message.history[1:] if leg.apply(e))
    record.updated_at, _, record.last_leg = max(changes)
    return record


class PnpRecords:
    def __init__(self) -> None:
        self._records: OrderedDict[int, PnpRecord] = OrderedDict()  # maps pnp_message_id -> record, oldest first
        self._next_id = 1  # pnp_message_id is a number (maac-openapi.md "id (number)")

    def next_id(self) -> int:
        value = self._next_id
        self._next_id += 1
        return value

    def peek_id(self) -> int:
        """The id the next record gets (persistence saves it)."""
        return self._next_id

    def skip_to(self, pnp_message_id: int) -> None:
        """Number on from ``pnp_message_id`` at least (after a restart: never reuse a restored id)."""
        self._next_id = max(self._next_id, pnp_message_id)

    def add(self, record: PnpRecord) -> PnpRecord:
        self._records[record.pnp_message_id] = record
        return record

    def forget_evicted(self, journal: Journal) -> None:
        """Drop the records whose first leg the journal has evicted (first legs are journaled in record
        order, so a record lives as long as its first leg)."""
        journal.drop_evicted(self._records, PnpRecord.first_message_id)

    def get(self, pnp_message_id: int) -> PnpRecord | None:
        return self._records.get(pnp_message_id)

    def for_setting(self, pnp_setting_id: int) -> list[PnpRecord]:
        return [r for r in self._records.values() if r.pnp_setting_id == pnp_setting_id]

    def __iter__(self) -> Iterator[PnpRecord]:
        return iter(list(self._records.values()))

    def reset(self) -> None:
        self._records.clear()
        self._next_id = 1
