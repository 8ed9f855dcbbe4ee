"""Meta's batched webhooks: several updates of one phone number in one signed POST.

Meta "may batch" webhook POSTs, up to 1,000 updates each, with no guarantee either way
(meta-cloud-api.md §3.4, META-WH-CREATE); a handler that reads only ``entry[0].changes[0].value
.statuses[0]`` loses the rest (pywa 4.x does, david-lev/pywa#229). Off by default; where it comes from,
first match wins:
1. the run-time setting (``PUT /_sandbox/webhooks/batching``), until ``{}`` clears it;
2. the scenario rule that matched the send (rule field ``webhook_batch``), for its statuses;
3. the scenario's ``meta.webhook_batch``.

A batch never mixes targets or businesses: its group is (phone_number_id, URL, policy), so every
update in it has the same ``metadata`` and WABA, goes to one URL and is signed with one app secret.
The wire shape (render.batch_envelope): one ``entry`` (the WABA); updates of the same kind in a row share
one change's ``value`` (``statuses`` or ``messages`` with several items, their ``contacts`` listed once
each); a switch of kind starts a new ``changes`` item. Each status or message object is byte for byte
what it would be alone. A batch that ends up with one update is posted exactly as an unbatched webhook.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sandbox.core.batching import Batcher, BatchPolicy, BatchPolicyError
from sandbox.core.errors import ControlError
from sandbox.core.scheduler import Scheduler

if TYPE_CHECKING:
    from sandbox.core.scenario import Scenario

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Update:
    """One webhook update waiting in a batch, already rendered as it would be alone."""

    kind: str  # "statuses" | "messages": the value's array it goes in
    item: dict[str, Any]  # the status or message object
    contact: dict[str, Any]  # its value.contacts entry
    message_id: str
    event: str  # "status:sent", "message:text"...


Group = tuple[str, str, BatchPolicy]  # (phone_number_id, webhook URL, policy)


class MetaBatching:
    def __init__(self, scheduler: Scheduler, post: Callable[[str, str, list[Update]], None]) -> None:
        self._post = post
        self.batcher: Batcher[Update] = Batcher(scheduler, self._flush)
        self.override: BatchPolicy | None = None  # set through the control API; None: the scenario's
        # (the scenario they were parsed from, its meta.webhook_batch, maps rule name -> its webhook_batch)
        self._parsed: tuple[Scenario | None, BatchPolicy, dict[str, BatchPolicy]] = (None, BatchPolicy(), {})
        self.revision = 0  # bumps on every change --data-dir must save (open batches, the override)

    def policy_for(self, rule: str | None, scenario: Scenario) -> BatchPolicy:
        if self.override is not None:
            return self.override
        scenario_policy, rules = self._policies(scenario)
        found = rules.get(rule) if rule is not None else None
        return found if found is not None else scenario_policy

    def _policies(self, scenario: Scenario) -> tuple[BatchPolicy, dict[str, BatchPolicy]]:
        """``meta.webhook_batch`` and each rule's ``webhook_batch``, parsed once per loaded scenario (a load
        swaps the Scenario object; the schema checked both at load)."""
        if self._parsed[0] is not scenario:
            policy = BatchPolicy.parse(scenario.section("meta").get("webhook_batch"), "meta.webhook_batch")
            rules = {r["name"]: BatchPolicy.parse(r["webhook_batch"], f"rule '{r['name']}' webhook_batch")
                     for r in scenario.rules if "webhook_batch" in r}
            self._parsed = (scenario, policy, rules)
        return self._parsed[1], self._parsed[2]

    def add(self, phone_number_id: str, url: str, update: Update, policy: BatchPolicy) -> None:
        self.revision += 1
        group: Group = (phone_number_id, url, policy)
        self.batcher.add(group, update, policy)

    def _flush(self, group: Hashable, updates: list[Update]) -> None:
        self.revision += 1
        phone_number_id, url = group[0], group[1]  # type: ignore[index]  # a Group (see add)
        self._post(str(phone_number_id), str(url), updates)

    # --- control API --------------------------------------------------------------------------------
    def configure(self, body: dict[str, Any], scenario: Scenario) -> dict[str, Any]:
        """``{}``: back to the scenario's; ``{"max_size": 1}``: off whatever the scenario (and its rules) say."""
        try:
            self.override = BatchPolicy.parse(body, "webhook_batch") if body else None
        except BatchPolicyError as exc:
            raise ControlError(str(exc)) from exc
        self.revision += 1
        return self.to_json(scenario)

    def to_json(self, scenario: Scenario) -> dict[str, Any]:
        scenario_policy, rules = self._policies(scenario)
        return {
            "provider": "meta",
            "active": (self.override or scenario_policy).to_json(),
            "set_at_run_time": self.override.to_json() if self.override is not None else None,
            "scenario": scenario_policy.to_json(),
            "rules": {name: policy.to_json() for name, policy in rules.items()},
            "pending_updates": len(self.batcher),
            **self.batcher.counters,
        }

    def reset(self) -> None:
        """A reset drops the run-time setting and what waits in open windows (the journal goes too)."""
        self.override = None
        self.batcher.reset()
        self.revision += 1

    # --- --data-dir ---------------------------------------------------------------------------------
    def dump(self) -> dict[str, Any]:
        return {
            "override": self.override.to_json() if self.override is not None else None,
            "open": [{"phone_number_id": g[0], "url": g[1], "policy": p.to_json(), "due": due,  # type: ignore[index]
                      "updates": [asdict(u) for u in updates]}
                     for g, p, due, updates in self.batcher.open_batches()],
        }

    def restore(self, raw: dict[str, Any]) -> None:
        self.override = BatchPolicy.parse(raw["override"], "webhook_batch") if raw.get("override") else None
        for batch in raw.get("open", []):
            policy = BatchPolicy.parse(batch["policy"], "webhook_batch")
            group: Group = (batch["phone_number_id"], batch["url"], policy)
            self.batcher.restore(group, policy, float(batch["due"]), [Update(**u) for u in batch["updates"]])
