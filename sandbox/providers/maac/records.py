"""SMS+ send records ("發送紀錄"): one per ``pnp_message_id``, with the state of each channel leg.

Data only (LocalStack habit). The legs themselves are journal Messages (provider ``maac``, channel
``whatsapp`` or ``sms``); a record points at them and keeps what the report and webhook show.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

LegName = str  # "whatsapp" | "sms"


@dataclass
class Leg:
    message_id: str  # the journal Message carrying this leg
    status: str = "preparing"  # preparing | accepted | delivered | failed | undeliverable | blocked | ...
    delivered_at: float | None = None
    error_category: str | None = None


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


class PnpRecords:
    def __init__(self) -> None:
        self._records: OrderedDict[int, PnpRecord] = OrderedDict()  # maps pnp_message_id -> record, oldest first
        self._next_id = 1  # pnp_message_id is a number (maac-openapi.md "id (number)")

    def next_id(self) -> int:
        value = self._next_id
        self._next_id += 1
        return value

    def add(self, record: PnpRecord) -> PnpRecord:
        self._records[record.pnp_message_id] = record
        return record

    def get(self, pnp_message_id: int) -> PnpRecord | None:
        return self._records.get(pnp_message_id)

    def for_setting(self, pnp_setting_id: int) -> list[PnpRecord]:
        return [r for r in self._records.values() if r.pnp_setting_id == pnp_setting_id]

    def __iter__(self) -> Iterator[PnpRecord]:
        return iter(list(self._records.values()))

    def reset(self) -> None:
        self._records.clear()
        self._next_id = 1
