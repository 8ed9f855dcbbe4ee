"""``--data-dir``: what of the runtime is kept in SQLite, and how it is taken back at start-up.

Rows (written by the core through ``Persistence`` hooks): journal messages, media records, remaining
timeline steps, pending webhook deliveries. Snapshots (``track`` below, written when they change): the
core's, then each provider's (``ProviderSpec.snapshots``, in its ``spec.py``); today:

| name            | what                                                                  |
| --------------- | --------------------------------------------------------------------- |
| scenario        | the active scenario (name, source, parsed content)                    |
| clock           | mode, virtual now, offset from the wall clock                         |
| ids             | the seeded generator's state, so new ids never repeat restored ones   |
| windows         | 24-hour customer-service windows (last inbound per business and user) |
| journal         | eviction counter                                                      |
| meta.templates  | Meta's template registry (created, edited, reviewed templates)        |
| meta.webhooks   | Meta webhook targets and secrets set through the control API          |
| meta.accounts   | Meta number and WABA settings: business profile, registration and PIN, |
|                 | blocked users, conversational automation, subscribed apps, overrides, |
|                 | QR codes, WhatsApp Flows                                              |
| meta.uploads    | Resumable Upload API sessions and their file handles (bytes: media)   |
| meta.batching   | webhook updates waiting in an open batch window; the run-time setting |
| smsglobal.lists | SMSGlobal opt-outs and WhatsApp opt-ins (scenario's and run time's)   |
| smsglobal.accounts | each SMSGlobal account's balance and callback targets (notifyUrl...) |
| maac            | the next ``pnp_message_id``, the webhook URL and ShareSecret          |
| modica.webhooks | each Modica application's MO and DLR callback URLs                    |

Rebuilt from the restored journal rather than stored twice (``ProviderSpec.restored``): SMSGlobal's ``outgoing_id`` map (each SMS
keeps its ``outgoing_id`` in ``meta``) and MAAC's PNP records (each leg message carries its record's
facts and status history), with their pending SMS fallbacks (``meta.fallback_at``). The counts
``attach`` answers (``/_sandbox/stats`` ``persistence.restored``) include both rebuilds.

Everything else a provider holds (rate buckets, SMSGlobal's used MAC nonces, the media link cache...)
starts over from the scenario: see docs/reliability-persistence.md.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Protocol

from sandbox.core.clock import VirtualClock
from sandbox.core.ids import IdFactory
from sandbox.core.media_store import MediaRecord, MediaStore
from sandbox.core.messaging import Messaging
from sandbox.core.persistence import SqlitePersistence
from sandbox.core.provider import ProviderSpec
from sandbox.core.scenario import Scenario
from sandbox.core.store import Journal, Message
from sandbox.core.webhooks import WebhookDispatcher


class Runtime(Protocol):
    """What of a runtime (sandbox/runtime.py) is kept and restored; named here so that the runtime
    imports this module and not the other way round."""

    clock: VirtualClock
    ids: IdFactory
    journal: Journal
    media_store: MediaStore
    messaging: Messaging
    dispatcher: WebhookDispatcher
    scenario: Scenario
    providers: Sequence[ProviderSpec[Any]]
    backends: dict[str, Any]

    def load(self, scenario: Scenario, *, keep_targets: bool = False) -> None: ...


def attach(runtime: Runtime, persistence: SqlitePersistence) -> dict[str, int]:
    """Track the runtime's snapshots, restore everything saved, and answer what was restored."""
    _track(runtime, persistence)
    persistence.restore_tracked()
    counts = {"messages": 0, "media": 0, "steps": 0, "webhooks": 0}
    for record in persistence.saved_messages():
        runtime.journal.restore(Message.from_record(record))
        counts["messages"] += 1
    unlabelled = next((spec.name for spec in runtime.providers if spec.owns_unlabelled_media), "")
    for raw in persistence.saved_media():
        raw.setdefault("provider", unlabelled)
        runtime.media_store.restore(MediaRecord.from_record(raw))
        counts["media"] += 1
    for token, message_id, due, kind, data in persistence.saved_steps():
        message = runtime.journal.get(message_id)
        if message is None:
            persistence.step_done(token)
            continue
        runtime.messaging.restore_step(token, message_id, message.provider, due, kind, data)
        counts["steps"] += 1
    for record, body in persistence.saved_deliveries():
        runtime.dispatcher.restore(record, body)
        counts["webhooks"] += 1
    # after the steps, so a job a provider resumes (a MAAC fallback) due with a step runs after it, as it did
    for spec in runtime.providers:
        counts.update(spec.restored(runtime.backends[spec.name]))
    persistence.flush()
    return counts


def _track(rt: Runtime, p: SqlitePersistence) -> None:
    clock_changes = [0]
    rt.clock.subscribe(lambda: clock_changes.__setitem__(0, clock_changes[0] + 1))
    p.track("scenario", lambda: _scenario_dump(rt.scenario), lambda raw: rt.load(Scenario(**raw)),
            version=lambda: id(rt.scenario))
    p.track("clock", lambda: _clock_dump(rt), lambda raw: _clock_load(rt, raw), version=lambda: clock_changes[0])
    p.track("ids", lambda: rt.ids.random.getstate(), lambda raw: rt.ids.random.setstate(_rng_state(raw)))
    p.track("windows", rt.journal.windows, rt.journal.load_windows)
    p.track("journal", lambda: {"evicted": rt.journal.evicted},
            lambda raw: setattr(rt.journal, "evicted", int(raw["evicted"])), version=lambda: rt.journal.evicted)
    for spec in rt.providers:
        for snapshot in spec.snapshots(rt.backends[spec.name]):
            p.track(snapshot.name, snapshot.dump, snapshot.load, version=snapshot.version)


def _scenario_dump(scenario: Scenario) -> dict[str, Any]:
    return {"name": scenario.name, "description": scenario.description, "raw": scenario.raw, "source": scenario.source}


def _clock_dump(rt: Runtime) -> dict[str, Any]:
    now = rt.clock.now()
    return {"mode": rt.clock.mode, "now": now, "offset": now - time.time()}


def _clock_load(rt: Runtime, raw: dict[str, Any]) -> None:
    """A manual clock resumes where it stood; a real one keeps its offset from the wall clock."""
    rt.clock.set(float(raw["now"]) if raw["mode"] == "manual" else time.time() + float(raw["offset"]))


def _rng_state(raw: list[Any]) -> tuple[Any, ...]:
    version, internal, gauss = raw
    return version, tuple(internal), gauss
