"""Webhook targets set at run time, carried across a scenario load that keeps state (``reset: false``).

A test typically points the providers at its receiver (``PUT /_sandbox/webhooks/targets/{provider}``,
or a provider's own API) and then switches scenario to change outcomes; it expects its receiver to keep
getting the webhooks. So ``Runtime.load(scenario, keep_targets=True)`` takes every target field whose
live value differs from what the outgoing scenario configures (so: set at run time) over to the new
scenario, except where the new scenario names that field for that business / account / application
itself: the file wins there. A full reset (``POST /_sandbox/reset``, or a load with ``reset: true``)
goes back to the scenario's targets. Meta's number/WABA overrides and subscriptions (accounts.py) are
not scenario fields: a load keeps them, a reset clears them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sandbox.core.provider import ProviderSpec
from sandbox.core.scenario import Scenario


class Runtime(Protocol):
    """What of a runtime (sandbox/runtime.py) holds webhook targets; named here so that the runtime
    imports this module and not the other way round."""

    scenario: Scenario
    providers: Sequence[ProviderSpec[Any]]
    backends: dict[str, Any]

Carried = dict[tuple[str, str, str], Any]  # maps (provider, object key, attribute) -> value set at run time


def set_at_run_time(rt: Runtime) -> Carried:
    """The target fields (each provider's ``ProviderSpec.targets``) whose live value is not what the
    active scenario configures."""
    carried: Carried = {}
    for spec in rt.providers:
        targets, backend = spec.targets, rt.backends[spec.name]
        if targets is None:
            continue
        configured = {targets.key(o): o for o in targets.fresh(backend, rt.scenario.section(spec.name))}
        for o in targets.live(backend):
            key, original = targets.key(o), configured.get(targets.key(o))
            for attr in targets.fields:
                value = getattr(o, attr)
                if original is None or getattr(original, attr) != value:
                    carried[(spec.name, key, attr)] = value
    return carried


def carry_over(rt: Runtime, carried: Carried) -> None:
    """Put the run-time targets back on the new scenario's objects with the same key, except the fields
    the new scenario names for that object itself."""
    for spec in rt.providers:
        targets, backend = spec.targets, rt.backends[spec.name]
        if targets is None:
            continue
        named = targets.items(rt.scenario.section(spec.name))
        for o in targets.live(backend):
            key = targets.key(o)
            for attr, field_name in targets.fields.items():
                if (spec.name, key, attr) in carried and field_name not in named.get(key, {}):
                    setattr(o, attr, carried[(spec.name, key, attr)])
