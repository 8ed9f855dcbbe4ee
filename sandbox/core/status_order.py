"""The order a message moves through the neutral statuses, and the rule the core enforces with it.

Every provider declares one ``StatusOrder`` per channel (``status_orders``, data beside its status
tables); the core applies the same rule to all of them (core/messaging.py):

- a status never moves a message backwards: one ranked below the message's status is not reported
  (a scripted step is dropped; a forced status is reported again without changing the journal, as a
  late duplicate webhook would be);
- nothing follows a final status: a failed message never later reports delivered or read, and an SMS
  receipt that said delivered is never followed by another one. A forced status is refused (409);
- a status the channel does not have (an SMS is never read) is not reported at all.

Scenario timelines are checked against ``NEUTRAL`` when they are loaded (core/scenario.py), so a rule
that scripts ``delivered`` before ``sent`` is refused with its file and line instead of being dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StatusOrder:
    rank: Mapping[str, int]  # maps neutral status -> its place; a message never moves to a lower one
    final: frozenset[str] = field(default_factory=lambda: frozenset({"failed"}))  # nothing follows these

    def refusal(self, current: str, new: str, *, forced: bool = False) -> str | None:
        """Why ``new`` cannot follow ``current`` (None: it can). ``forced``: a status forced over the
        control API may repeat a lower one (a late duplicate), but never follows a final one."""
        if current in self.final:
            return f"'{current}' is final: nothing follows it"
        if new not in self.rank:
            return f"this channel has no '{new}' status (it has {', '.join(self.rank)})"
        if not forced and self.rank[new] < self.rank.get(current, 0):
            return f"'{new}' would move it back from '{current}'"
        return None


# The neutral order every provider shares (scenario timelines are checked against it at load).
NEUTRAL = StatusOrder({"accepted": 0, "scheduled": 0, "sent": 1, "delivered": 2, "read": 3, "played": 4, "failed": 5})
# An SMS has no read receipt, and its delivery receipt is final.
SMS = StatusOrder({"accepted": 0, "scheduled": 0, "sent": 1, "delivered": 2, "failed": 3},
                  final=frozenset({"delivered", "failed"}))
