"""Meta's backend, its Graph half: the state the Graph surfaces keep (media, templates, accounts and Flows,
limits, uploads) and what several features do with it (the checks a send passes, template review, webhooks
of fields other than ``messages``).

``MetaPlatform`` is never built alone. ``MetaProvider`` (service.py) extends it with the hooks the core
calls, and that one object, built once per runtime (spec.build) and reloaded with the scenario, is Meta's
backend; every field is set when it is built. The class is split in two modules by job (docs/architecture.md,
"Meta's layout"): feature code that only needs the state (media/file_handles.py, accounts/display_name.py,
accounts/phone_numbers.py) types against this half and never sees the lifecycle. ``before_send`` is the
single call the send handler makes before the outcome is decided; ``after_accept`` schedules the media checks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Self

from sandbox.core.clock import VirtualClock
from sandbox.core.ids import IdFactory
from sandbox.core.media_fetch import schedule_check
from sandbox.core.media_store import MediaStore
from sandbox.core.messaging import Messaging
from sandbox.core.scheduler import Scheduler
from sandbox.core.store import Message
from sandbox.core.webhooks import WebhookDispatcher
from sandbox.providers.meta import render
from sandbox.providers.meta.accounts.state import Accounts
from sandbox.providers.meta.config import MetaBusiness, MetaBusinesses, graph_version
from sandbox.providers.meta.flows.model import FlowHealth, check_flow_send
from sandbox.providers.meta.media.library import MEDIA_KINDS, MediaLibrary, decode_data
from sandbox.providers.meta.media.links import LinkFetcher, check_message_media, media_refs
from sandbox.providers.meta.media.uploads import Uploads
from sandbox.providers.meta.messages.limits import RateLimits
from sandbox.providers.meta.templates.registry import Template, TemplateRegistry, review_problem
from sandbox.providers.meta.templates.send_check import check_template, template_facts
from sandbox.settings import Settings

PROVIDER = "meta"
DEFAULT_REVIEW: dict[str, Any] = {"delay": 5.0, "outcome": "APPROVED", "reason": "NONE"}
# The webhook payload version when the scenario names none: the reference's (meta-openapi-v23.yaml).
DEFAULT_WEBHOOK_VERSION = "v23.0"


@dataclass
class MetaPlatform:
    settings: Settings
    clock: VirtualClock
    ids: IdFactory
    scheduler: Scheduler
    messaging: Messaging
    dispatcher: WebhookDispatcher
    media: MediaLibrary
    links: LinkFetcher
    limits: RateLimits  # meta.limits: throughput, pair rate, test-number allow-lists
    templates: TemplateRegistry = field(default_factory=TemplateRegistry)
    accounts: Accounts = field(default_factory=Accounts)  # profile, registration, blocklist, subscriptions
    uploads: Uploads = field(default_factory=Uploads)  # Resumable Upload API sessions and handles
    flow_health: FlowHealth = field(default_factory=FlowHealth)  # meta.flow_health; throttled Flows' sends
    review: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_REVIEW))  # meta.template_review
    validate_templates: bool = True  # meta.validate_templates: false sends any template unchecked
    webhook_version: tuple[int, int] = (23, 0)  # meta.webhook_version: the payload shape of status webhooks
    section: dict[str, Any] = field(default_factory=dict)  # the scenario's meta section, for reset()

    @classmethod
    def create(cls, settings: Settings, clock: VirtualClock, ids: IdFactory, scheduler: Scheduler,
               messaging: Messaging, dispatcher: WebhookDispatcher, media_store: MediaStore | None = None) -> Self:
        media = MediaLibrary.create(settings, clock, ids, media_store)
        return cls(settings=settings, clock=clock, ids=ids, scheduler=scheduler, messaging=messaging,
                   dispatcher=dispatcher, media=media, links=LinkFetcher(media, lambda: dispatcher.session),
                   limits=RateLimits(clock))

    def load(self, section: dict[str, Any], businesses: MetaBusinesses) -> None:
        """The scenario's ``meta`` section: templates, template_review, limits."""
        self.section = section
        wabas = list(dict.fromkeys(b.waba_id for b in businesses.all()))
        self.validate_templates = bool(section.get("validate_templates", True))
        self.webhook_version = graph_version(section.get("webhook_version", DEFAULT_WEBHOOK_VERSION))
        self.templates.load(list(section.get("templates") or []), wabas)
        self.review = {**DEFAULT_REVIEW, **(section.get("template_review") or {})}
        self.flow_health.health = {str(k): str(v).upper() for k, v in (section.get("flow_health") or {}).items()}
        self.limits.load(section.get("limits") or {})

    def reset_state(self, businesses: MetaBusinesses) -> None:
        self.media.reset()
        self.links.reset()
        self.accounts.reset()
        self.uploads.reset()
        self.flow_health.reset()
        self.load(self.section, businesses)

    # --- the send path ----------------------------------------------------------------------------
    def before_send(self, business: MetaBusiness, body: dict[str, Any], user: str) -> dict[str, Any]:
        """Template and limit checks (raise MetaError); answers facts for ``message.meta``.
        ``user``: the recipient's digits (also for a send by a known BSUID), else the BSUID."""
        self.accounts.number(business.phone_number_id).check_can_send(user)  # registered, user not blocked
        extra: dict[str, Any] = {}
        if self.validate_templates and body.get("type") == "template" and isinstance(body.get("template"), dict):
            extra["rendered"] = check_template(self.templates, business.waba_id, body["template"])
            extra.update(template_facts(self.templates, business.waba_id, body["template"]))
        # Flows it names: status, draft mode, throttling (flows.py)
        check_flow_send(business.waba_id, self.accounts.waba(business.waba_id), self.flow_health, self.templates,
                        self.clock.now(), body)
        self.limits.check(business.phone_number_id, business.country_code, user)
        return extra

    def after_accept(self, message: Message) -> None:
        """Media ids and links are checked just after acceptance, before the first status."""
        if not media_refs(message.payload):
            return

        async def check() -> None:
            await check_message_media(self.links, message, self.messaging.fail)

        schedule_check(self.scheduler, message.id, message.created_at, check)

    def store_inbound(self, business_id: str, spec: dict[str, Any], payload: dict[str, Any]) -> None:
        kind = payload.get("type")
        if kind in MEDIA_KINDS and isinstance(payload.get(kind), dict):
            given = spec.get(str(kind))
            data = decode_data(given.get("data")) if isinstance(given, dict) else None
            self.media.store_inbound(business_id, str(kind), payload[kind], data)

    # --- template review ------------------------------------------------------------------------
    def schedule_review(self, template: Template, businesses: MetaBusinesses) -> None:
        rule = {**self.review, **(self.review.get("overrides") or {}).get(template.name, {})}
        outcome, reason = str(rule["outcome"]).upper(), str(rule.get("reason") or "NONE").upper()
        problem = review_problem(template)
        if problem and outcome == "APPROVED":
            outcome, reason = "REJECTED", problem
        version = template.edits

        def job() -> None:
            if self.templates.by_id(template.id) is not template or template.edits != version:
                return  # deleted or edited meanwhile: that edit scheduled its own review
            template.status = outcome
            template.rejected_reason = reason if outcome == "REJECTED" else None
            self.notify(template, outcome, reason, businesses)

        self.scheduler.after(float(rule.get("delay", 5.0)), job, label=f"template {template.name} -> {outcome}")

    def notify(self, template: Template, event: str, reason: str | None, businesses: MetaBusinesses) -> None:
        """``message_template_status_update`` to the WABA's webhook (META-TPL-STATUS-WH)."""
        target = self.waba_target(businesses, template.waba_id)
        if target is None:
            return  # no URL, or no app subscribed to the WABA (subscribed_apps.py)
        value: dict[str, Any] = {
            "event": event,
            "message_template_id": int(template.id),
            "message_template_name": template.name,
            "message_template_language": template.language,
            "reason": reason,
            "message_template_category": template.category,
        }
        self.post_field(*target, "message_template_status_update", value, key=f"template:{template.id}",
                        event=f"template:{event}")

    def waba_target(self, businesses: MetaBusinesses, waba_id: str) -> tuple[MetaBusiness, str] | None:
        """The first of the WABA's numbers whose webhooks go somewhere, and where (None: nowhere)."""
        targets = ((b, self.accounts.webhook_url(b)) for b in businesses.by_waba(waba_id))
        return next(((b, u) for b, u in targets if u), None)

    def post_field(self, business: MetaBusiness, url: str, field_name: str, value: dict[str, Any], *, key: str,
                   event: str) -> None:
        """A webhook of a field other than ``messages`` (template status, Flow status, display-name
        decision): Meta's envelope with entry[].time (pywa requires it there), signed with the app secret."""
        envelope = render.envelope(business, value, field=field_name)
        envelope["entry"][0]["time"] = int(self.clock.now() or time.time())
        body = render.encode(envelope)
        self.dispatcher.enqueue(provider=PROVIDER, url=url, body=body, headers=render.sign_headers(body, business.app_secret),
                                key=key, event=event, message_id=None)

