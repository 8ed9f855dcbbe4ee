"""Throughput, pair-rate and test-number limits of a business phone number, on the virtual clock.

From ../shared/reference/meta-cloud-api.md §7 and §6 (META-THROUGHPUT, META-PLATFORM):
- 80 messages per second per business number by default; beyond it 130429;
- pair rate: 1 message per 6 s to the same user, bursts up to 45 borrowing future quota; beyond it 131056;
- a test number may message at most 5 allow-listed recipients; others get 131030 (subcode 2655007 seen).

Scenario: ``meta.limits`` maps a phone_number_id (or ``"*"`` for every business) to
``{throughput, pair_every, pair_burst, allowed_recipients}``; a number with ``allowed_recipients`` is
in test-number mode. ``throughput: 0`` or ``pair_burst: 0`` turns that limit off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.core.clock import VirtualClock
from sandbox.core.numbers import InvalidNumber, normalize
from sandbox.core.ratelimit import TokenBuckets
from sandbox.providers.meta.errors import MetaError

DEFAULTS: dict[str, Any] = {"throughput": 80, "pair_every": 6.0, "pair_burst": 45}
MAX_ALLOWED_RECIPIENTS = 5


@dataclass
class NumberLimits:
    throughput: TokenBuckets | None  # one bucket: messages per second of this number
    pair: TokenBuckets | None  # one bucket per recipient
    allowed: set[str] | None  # wa_ids a test number may message; None = not a test number


@dataclass
class RateLimits:
    clock: VirtualClock
    config: dict[str, dict[str, Any]] = field(default_factory=dict)  # maps phone_number_id or "*" -> limits
    _numbers: dict[str, NumberLimits] = field(default_factory=dict)  # maps phone_number_id -> live buckets

    def load(self, raw: dict[str, Any]) -> None:
        self.config = {str(k): dict(v or {}) for k, v in (raw or {}).items()}
        self._numbers = {}

    def reset(self) -> None:
        self._numbers = {}

    def check(self, phone_number_id: str, country_code: int, user: str) -> None:
        """Raise 131030 / 130429 / 131056 when this send breaks a limit; otherwise count it."""
        limits = self._for(phone_number_id, country_code)
        if limits.allowed is not None and user not in limits.allowed:
            raise MetaError(131030, "Recipient phone number not in allowed list: add it to the test number's recipient list (at most 5).", subcode=2655007)
        if limits.throughput and not limits.throughput.take(phone_number_id):
            raise MetaError(130429, "Cloud API message throughput has been reached.", subcode=2494055)
        if limits.pair and not limits.pair.take(user):
            wait = limits.pair.retry_after(user)
            raise MetaError(
                131056,
                f"Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time. Retry in {wait:.0f} s.",
            )

    def _for(self, phone_number_id: str, country_code: int) -> NumberLimits:
        found = self._numbers.get(phone_number_id)
        if found is None:
            spec = {**DEFAULTS, **self.config.get("*", {}), **self.config.get(phone_number_id, {})}
            found = NumberLimits(
                throughput=_buckets(self.clock, float(spec["throughput"]), float(spec["throughput"])),
                pair=_buckets(self.clock, 1.0 / float(spec["pair_every"]) if spec["pair_every"] else 0.0, float(spec["pair_burst"])),
                allowed=_allowed(spec.get("allowed_recipients"), country_code),
            )
            self._numbers[phone_number_id] = found
        return found


def _buckets(clock: VirtualClock, rate: float, burst: float) -> TokenBuckets | None:
    return TokenBuckets(clock, rate, burst) if rate > 0 and burst > 0 else None


def _allowed(numbers: Any, country_code: int) -> set[str] | None:
    if numbers is None:
        return None
    out: set[str] = set()
    for number in list(numbers)[:MAX_ALLOWED_RECIPIENTS]:
        try:
            out.add(normalize(str(number), country_code).wa_id)
        except InvalidNumber:
            continue
    return out
