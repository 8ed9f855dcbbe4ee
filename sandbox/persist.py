"""``--data-dir``: what of the runtime is kept in SQLite, and how it is taken back at start-up.

Rows (written by the core through ``Persistence`` hooks): journal messages, media records, remaining
timeline steps, pending webhook deliveries. Snapshots (``track`` below, written when they change):

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

Rebuilt from the restored journal rather than stored twice: SMSGlobal's ``outgoing_id`` map (each SMS
keeps its ``outgoing_id`` in ``meta``) and MAAC's PNP records (each leg message carries its record's
facts and status history), with their pending SMS fallbacks (``meta.fallback_at``). The counts
``attach`` answers (``/_sandbox/stats`` ``persistence.restored``) include both rebuilds.

Everything else a provider holds (rate buckets, SMSGlobal's used MAC nonces, the media link cache...)
starts over from the scenario: see docs/reliability-persistence.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from sandbox.core.media_store import MediaRecord
from sandbox.core.persistence import SqlitePersistence
from sandbox.core.scenario import Scenario
from sandbox.core.store import Message
from sandbox.providers.meta.display_name import resume_reviews as resume_name_reviews
from sandbox.providers.meta.templates import Template
from sandbox.providers.smsglobal.config import OptIn

if TYPE_CHECKING:
    from sandbox.runtime import Runtime


def attach(runtime: Runtime, persistence: SqlitePersistence) -> dict[str, int]:
    """Track the runtime's snapshots, restore everything saved, and answer what was restored."""
    _track(runtime, persistence)
    persistence.restore_tracked()
    counts = {"messages": 0, "media": 0, "steps": 0, "webhooks": 0}
    for record in persistence.saved_messages():
        runtime.journal.restore(Message.from_record(record))
        counts["messages"] += 1
    store = runtime.meta_platform.media.store
    for raw in persistence.saved_media():
        store.restore(MediaRecord(**{**raw, "sha256": bytes.fromhex(raw["sha256"])}))
        counts["media"] += 1
    counts["smsglobal.outgoing_ids"] = runtime.smsglobal.restore_outgoing_ids()
    for token, message_id, due, kind, data in persistence.saved_steps():
        message = runtime.journal.get(message_id)
        if message is None:
            persistence.step_done(token)
            continue
        runtime.messaging.restore_step(token, message_id, message.provider, due, kind, data)
        counts["steps"] += 1
    # after the steps, so a fallback due with a step runs after it, as it did
    counts["maac.records"] = runtime.maac.restore_records()
    for record, body in persistence.saved_deliveries():
        runtime.dispatcher.restore(record, body)
        counts["webhooks"] += 1
    platform = runtime.meta_platform
    for template in _templates(runtime):
        if template.status == "PENDING":  # its review job was lost with the process: start it again
            platform.schedule_review(template, runtime.meta.businesses)
    resume_name_reviews(platform, runtime.meta.businesses)  # likewise a pending display-name review
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
    p.track("meta.templates", lambda: [asdict(t) for t in _templates(rt)], lambda raw: _templates_load(rt, raw),
            version=lambda: tuple((t.id, t.status, t.edits, t.rejected_reason) for t in _templates(rt)))
    _track_fields(p, "meta.webhooks", lambda: rt.meta.businesses.all(), "phone_number_id",
                  ("webhook_url", "app_secret", "verify_token"))
    p.track("meta.accounts", lambda: rt.meta_platform.accounts.to_json(),
            lambda raw: rt.meta_platform.accounts.load_json(raw), version=lambda: rt.meta_platform.accounts.revision())
    p.track("meta.uploads", lambda: rt.meta_platform.uploads.to_json(),
            lambda raw: rt.meta_platform.uploads.load_json(raw), version=lambda: rt.meta_platform.uploads.revision())
    p.track("meta.batching", rt.meta.batching.dump, rt.meta.batching.restore, version=lambda: rt.meta.batching.revision)
    p.track("smsglobal.lists", lambda: _smsglobal_lists(rt), lambda raw: _smsglobal_lists_load(rt, raw),
            version=lambda: rt.smsglobal.lists_revision)
    # what of an account changes at run time
    _track_fields(p, "smsglobal.accounts", lambda: rt.smsglobal.config.accounts.values(), "key",
                  ("balance", "notify_url", "incoming_url", "callback_format"))
    p.track("maac", lambda: _maac(rt), lambda raw: _maac_load(rt, raw),
            version=lambda: (rt.maac.records.peek_id(), rt.maac.config.webhook_url, rt.maac.config.share_secret))
    _track_fields(p, "modica.webhooks", lambda: rt.modica.config.applications.values(), "name", ("mo_url", "dlr_url"))


def _track_fields(p: SqlitePersistence, name: str, objects: Callable[[], Iterable[Any]], key: str,
                  fields: tuple[str, ...]) -> None:
    """A snapshot of some fields of each object (targets, secrets, balances set at run time), keyed by
    its ``key`` attribute; on load, each object still configured takes its saved values back."""

    def values() -> list[tuple[Any, ...]]:
        return [(getattr(o, key), *(getattr(o, f) for f in fields)) for o in objects()]

    def dump() -> dict[str, dict[str, Any]]:
        return {row[0]: dict(zip(fields, row[1:], strict=True)) for row in values()}

    def load(raw: dict[str, dict[str, Any]]) -> None:
        for o in objects():
            for field_name, value in raw.get(getattr(o, key), {}).items():
                setattr(o, field_name, value)

    p.track(name, dump, load, version=lambda: tuple(values()))


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


def _templates(rt: Runtime) -> list[Template]:
    return rt.meta_platform.templates.all()


def _templates_load(rt: Runtime, raw: list[dict[str, Any]]) -> None:
    rt.meta_platform.templates.replace_all([Template(**item) for item in raw])


def _smsglobal_lists(rt: Runtime) -> dict[str, Any]:
    return {"opt_outs": rt.smsglobal.opt_outs, "opt_in": [asdict(o) for o in rt.smsglobal.opt_in.values()]}


def _smsglobal_lists_load(rt: Runtime, raw: dict[str, Any]) -> None:
    rt.smsglobal.opt_outs = {str(n): float(at) for n, at in raw["opt_outs"].items()}
    rt.smsglobal.opt_in = {o["number"]: OptIn(**o) for o in raw["opt_in"]}


def _maac(rt: Runtime) -> dict[str, Any]:
    config = rt.maac.config
    return {"next_pnp_message_id": rt.maac.records.peek_id(), "webhook_url": config.webhook_url,
            "share_secret": config.share_secret}


def _maac_load(rt: Runtime, raw: dict[str, Any]) -> None:
    rt.maac.records.skip_to(int(raw["next_pnp_message_id"]))
    rt.maac.config.webhook_url = raw["webhook_url"]
    rt.maac.config.share_secret = raw["share_secret"]
