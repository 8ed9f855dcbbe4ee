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

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.core.scenario import Scenario
from sandbox.providers.maac.config import MaacConfig
from sandbox.providers.meta.config import MetaBusinesses
from sandbox.providers.modica.config import ModicaConfig
from sandbox.providers.smsglobal.config import SmsglobalConfig

if TYPE_CHECKING:
    from sandbox.runtime import Runtime

Carried = dict[tuple[str, str, str], Any]  # maps (provider, object key, attribute) -> value set at run time


@dataclass(frozen=True)
class TargetFields:
    provider: str
    fields: dict[str, str]  # maps attribute -> the scenario field that sets it
    live: Callable[[Runtime], Iterable[Any]]  # the configured objects now
    fresh: Callable[[Runtime, Scenario], Iterable[Any]]  # the objects as a scenario configures them
    key: Callable[[Any], str]  # names an object: phone_number_id, account key, application name
    items: Callable[[Scenario], dict[str, dict[str, Any]]]  # maps key -> the scenario's raw item


def _items(scenario: Scenario, provider: str, listing: str, key: str) -> dict[str, dict[str, Any]]:
    return {str(item[key]): item for item in scenario.section(provider).get(listing) or []}


TARGETS = (
    TargetFields(
        "meta", {"webhook_url": "webhook_url", "app_secret": "app_secret", "verify_token": "verify_token"},
        lambda rt: rt.meta.businesses.all(),
        lambda rt, s: MetaBusinesses(s.section("meta").get("businesses", []), rt.settings.meta_webhook_url).all(),
        lambda b: str(b.phone_number_id), lambda s: _items(s, "meta", "businesses", "phone_number_id"),
    ),
    TargetFields(
        "smsglobal", {"notify_url": "notifyUrl", "incoming_url": "incomingUrl", "callback_format": "callback_format"},
        lambda rt: rt.smsglobal.config.accounts.values(),
        lambda rt, s: SmsglobalConfig.parse(s.section("smsglobal")).accounts.values(),
        lambda a: str(a.key), lambda s: _items(s, "smsglobal", "accounts", "key"),
    ),
    TargetFields(
        "maac", {"webhook_url": "url", "share_secret": "share_secret"},
        lambda rt: [rt.maac.config],
        lambda rt, s: [MaacConfig.from_section(s.section("maac"))],
        lambda c: "account", lambda s: {"account": s.section("maac").get("webhook") or {}},
    ),
    TargetFields(
        "modica", {"mo_url": "mo_url", "dlr_url": "dlr_url"},
        lambda rt: rt.modica.config.applications.values(),
        lambda rt, s: ModicaConfig.from_section(s.section("modica")).applications.values(),
        lambda a: str(a.name), lambda s: _items(s, "modica", "applications", "name"),
    ),
)


def set_at_run_time(rt: Runtime) -> Carried:
    """The target fields whose live value is not what the active scenario configures."""
    carried: Carried = {}
    for spec in TARGETS:
        configured = {spec.key(o): o for o in spec.fresh(rt, rt.scenario)}
        for o in spec.live(rt):
            key, original = spec.key(o), configured.get(spec.key(o))
            for attr in spec.fields:
                value = getattr(o, attr)
                if original is None or getattr(original, attr) != value:
                    carried[(spec.provider, key, attr)] = value
    return carried


def carry_over(rt: Runtime, carried: Carried) -> None:
    """Put the run-time targets back on the new scenario's objects with the same key, except the fields
    the new scenario names for that object itself."""
    for spec in TARGETS:
        named = spec.items(rt.scenario)
        for o in spec.live(rt):
            key = spec.key(o)
            for attr, field_name in spec.fields.items():
                if (spec.provider, key, attr) in carried and field_name not in named.get(key, {}):
                    setattr(o, attr, carried[(spec.provider, key, attr)])
