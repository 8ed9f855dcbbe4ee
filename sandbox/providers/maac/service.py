"""MAAC SMS+ on the core lifecycle: WhatsApp leg first, SMS leg after ``fallback_period``.

A push creates a send record (``pnp_message_id``) and a WhatsApp leg: a journal Message
(provider ``maac``, channel ``whatsapp``) whose outcome the scenario decides exactly as for the
Cloud API, after the template check. MAAC's rule (maac-openapi.md "單則 (Push)"): "若在
``fallback_period`` 時間內無法傳送成功的話，系統會將訊息自動使用簡訊傳送" - if the message is not
delivered within ``fallback_period`` minutes, it goes by SMS. So at push time + ``fallback_period``
(virtual clock) a WhatsApp leg that is not delivered gets an SMS leg (channel ``sms``), which has its
own scenario outcome (rules with ``channel: sms``). Each change of a leg's status updates the
record and posts a signed ``pnp.status_updated`` webhook.

With ``--data-dir``, records are rebuilt from their legs in the journal (records.py) and a pending
fallback is scheduled again from its leg's ``meta.fallback_at`` (``restore_records``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sandbox.core import sms as sms_text
from sandbox.core.clock import VirtualClock
from sandbox.core.errors import ControlError
from sandbox.core.ids import IdFactory
from sandbox.core.messaging import Messaging
from sandbox.core.ratelimit import TokenBuckets
from sandbox.core.scenario import NEUTRAL_REASONS, ErrorSpec, Outcome, SendFacts, Step, UserAction
from sandbox.core.status_order import StatusOrder
from sandbox.core.store import Message, StatusEvent
from sandbox.core.webhooks import RetryPolicy, WebhookDispatcher
from sandbox.providers.maac import render
from sandbox.providers.maac.config import MaacConfig, PnpSetting
from sandbox.providers.maac.errors import reject_error
from sandbox.providers.maac.push import Contact, PushCommand
from sandbox.providers.maac.records import ORDERS, Leg, PnpRecord, PnpRecords, record_from_legs
from sandbox.providers.maac.templates import check_template
from sandbox.providers.meta.templates.registry import TemplateRegistry

PROVIDER = "maac"
FAIL_FAST = 0.2  # seconds after the send at which a template error fails the WhatsApp leg

# maac-openapi.md "重試機制": retry on 408, 429, 5xx, timeouts and disconnects, after 1 s, 2 s, 4 s.
RETRY_POLICY = RetryPolicy(
    max_attempts=4,
    base_delay=1.0,
    factor=2.0,
    jitter=0.0,
    horizon=3600.0,
    retry_statuses=frozenset({408, 429, *range(500, 600)}),
)

# Scenario failure reason (or Meta code) -> WhatsApp leg (status, whatsapp_error_category). UNCONFIRMED names.
WHATSAPP_FAILURES: dict[str | int, tuple[str, str]] = {
    "not_whatsapp_user": ("undeliverable", "not_whatsapp_user"),
    "blocked": ("undeliverable", "blocked"),
    "undeliverable": ("undeliverable", "others"),
    131026: ("undeliverable", "others"),
    132000: ("failed", "template_error"),
    132001: ("failed", "template_error"),
    132012: ("failed", "template_error"),
    132015: ("failed", "template_error"),
    132016: ("failed", "template_error"),
}
WHATSAPP_CODES = {"not_whatsapp_user": 131026, "blocked": 131026, "undeliverable": 131026}
# Scenario failure reason -> SMS leg (status, sms_error_category); categories are MAAC's enum.
SMS_FAILURES: dict[str, tuple[str, str | None]] = {
    "undeliverable": ("undeliverable", "target_reception_issue"),
    "target_reception_issue": ("undeliverable", "target_reception_issue"),
    "invalid_phone_number": ("failed", "invalid_phone_number"),
    "sensitive_words": ("failed", "sensitive_words"),
    "blocked": ("blocked", None),
    "callback_timeout": ("callback_timeout", None),
    "temporary_error": ("temporary_error", None),
}


@dataclass
class MaacProvider:
    messaging: Messaging
    dispatcher: WebhookDispatcher
    ids: IdFactory
    clock: VirtualClock
    section: dict[str, Any] = field(default_factory=dict)  # the scenario's `maac:` section
    cloud_api: Any = None  # the MetaProvider: its shared template registry and businesses (templates.py)
    name: str = PROVIDER
    # scenario `error:` reasons either leg maps (tables above); "others" is MAAC's catch-all category,
    # which the other neutral reasons get (the WhatsApp leg is the Cloud API's: every reason is possible)
    failure_reasons: ClassVar[frozenset[str]] = frozenset(
        {*(k for k in WHATSAPP_FAILURES if isinstance(k, str)), *WHATSAPP_CODES, *SMS_FAILURES, "others", *NEUTRAL_REASONS})
    status_orders: ClassVar[dict[str, StatusOrder]] = ORDERS

    def __post_init__(self) -> None:
        self.records = PnpRecords()
        self.dispatcher.policies[PROVIDER] = RETRY_POLICY
        self.configure(self.section)

    def configure(self, section: dict[str, Any]) -> None:
        """(Re)load the scenario's ``maac:`` section; records are kept."""
        self.section = section
        self.config = MaacConfig.from_section(section)
        self.push_limit = TokenBuckets(self.clock, self.config.push_rate, self.config.push_rate)
        self.multicast_limit = TokenBuckets(self.clock, self.config.multicast_rate, self.config.multicast_rate)

    # --- sending ----------------------------------------------------------------------------------
    def push(self, command: PushCommand) -> list[int]:
        """Decide every contact first (a scenario ``reject`` refuses the whole request), then accept."""
        decided = [(contact, self._decide_first(command.setting, contact)) for contact in command.contacts]
        return [self._accept(command, contact, outcome).pnp_message_id for contact, outcome in decided]

    def _decide_first(self, setting: PnpSetting, contact: Contact) -> Outcome:
        channel = "whatsapp" if contact.whatsapp else "sms"
        facts = self._facts(setting, contact.phone_number, channel, contact.whatsapp, "")
        outcome = self.messaging.engine.decide(facts)
        if outcome.reject:
            raise reject_error(outcome.reject)
        return outcome

    def _accept(self, command: PushCommand, contact: Contact, outcome: Outcome) -> PnpRecord:
        now = self.clock.now()
        setting = command.setting
        self.records.forget_evicted(self.messaging.journal)
        record = self.records.add(
            PnpRecord(
                pnp_message_id=self.records.next_id(),
                pnp_setting_id=setting.id,
                pnp_setting_name=setting.name,
                phone_number=contact.phone_number,
                event_id=command.event_id,
                customized_id=contact.customized_id,
                created_at=now,
                updated_at=now,
                sms_variables=dict(contact.sms),
            )
        )
        if contact.whatsapp is None:
            self._start_sms(record, setting, outcome, now)
            return record
        fallback_at = now + setting.fallback_period * 60 if setting.fallback_enabled else None
        self._start_whatsapp(record, setting, contact.whatsapp, outcome, fallback_at)
        if fallback_at is not None:
            self._schedule_fallback(record, setting, fallback_at)
        return record

    def _start_whatsapp(self, record: PnpRecord, setting: PnpSetting, whatsapp: dict[str, Any], outcome: Outcome,
                        fallback_at: float | None) -> None:
        message = self._leg_message(record, "whatsapp", "template", dict(whatsapp), record.created_at)
        message.meta["template"] = whatsapp["template_name"]
        if fallback_at is not None:  # saved with the leg: a restart schedules the fallback again from it
            message.meta["fallback_at"] = fallback_at
        problem = check_template(self.config.templates, whatsapp, *self._shared_templates())
        timeline = [Step(FAIL_FAST, "failed", problem)] if problem else outcome.timeline
        self._open_leg(record, message)
        self.messaging.accept(message, outcome, timeline=timeline)

    def _shared_templates(self) -> tuple[TemplateRegistry | None, str | None]:
        """The Cloud API template registry and the WABA of this account's WhatsApp channel."""
        if self.cloud_api is None:
            return None, None
        waba_id = self.config.waba_id or self.cloud_api.businesses.default().waba_id
        return self.cloud_api.templates, waba_id

    def _schedule_fallback(self, record: PnpRecord, setting: PnpSetting, due: float) -> None:
        self.messaging.scheduler.at(due, self._fallback_job(record, setting), label=f"maac {record.pnp_message_id} fallback")

    def _fallback_job(self, record: PnpRecord, setting: PnpSetting) -> Callable[[], None]:
        def run() -> None:
            whatsapp = record.leg("whatsapp")
            if self.records.get(record.pnp_message_id) is not record or "sms" in record.legs:
                return  # reset since, or already on SMS
            if whatsapp is not None and whatsapp.status == "delivered":
                return
            facts = self._facts(setting, record.phone_number, "sms", None, self._sms_body(record, setting))
            self._start_sms(record, setting, self.messaging.engine.decide(facts), self.clock.now())

        return run

    def _start_sms(self, record: PnpRecord, setting: PnpSetting, outcome: Outcome, at: float) -> None:
        text = self._sms_body(record, setting)
        payload = {"text": text, "encoding": sms_text.encoding_of(text), "segments": sms_text.segments(text)}
        message = self._leg_message(record, "sms", "sms", payload, at)
        if record.legs:  # a fallback: this leg alone does not make a record (records.py)
            message.meta["fallback"] = True
        if outcome.reject:  # a rule that rejects sends: the SMS provider refuses this one
            timeline = [Step(0.0, "failed", ErrorSpec(reason="others"))]
        else:  # an SMS is sent and delivered, never read
            timeline = [s for s in outcome.timeline if s.status in ("sent", "delivered", "failed")]
        self._open_leg(record, message)
        self.messaging.accept(message, outcome, timeline=timeline)

    def _leg_message(self, record: PnpRecord, channel: str, kind: str, payload: dict[str, Any], at: float) -> Message:
        """A leg's journal message; its meta carries the record's facts (``record_from_legs`` reads them)."""
        return Message(
            id=f"maac-{record.pnp_message_id}-{channel}",
            provider=PROVIDER,
            channel=channel,
            direction="outbound",
            business=str(record.pnp_setting_id),
            user=record.phone_number.lstrip("+"),
            type=kind,
            payload=payload,
            created_at=at,
            meta={
                "pnp_message_id": record.pnp_message_id,
                "pnp_setting_name": record.pnp_setting_name,
                "phone_number": record.phone_number,
                "customized_id": record.customized_id,
                "event_id": record.event_id,
                "sms_variables": dict(record.sms_variables),
            },
        )

    def _open_leg(self, record: PnpRecord, message: Message) -> None:
        record.legs[message.channel] = Leg(message.id)
        self._changed(record, message.channel, message.created_at)

    def _facts(
        self, setting: PnpSetting, phone: str, channel: str, whatsapp: dict[str, Any] | None, text: str
    ) -> SendFacts:
        body = ((whatsapp or {}).get("template_data") or {}).get("body") or {}
        return SendFacts(
            provider=PROVIDER,
            channel=channel,
            business=str(setting.id),
            user=phone.lstrip("+"),
            type="template" if whatsapp else "sms",
            template=whatsapp["template_name"] if whatsapp else None,
            text=" ".join(map(str, body.get("parameters") or [])) if whatsapp else text,
        )

    @staticmethod
    def _sms_body(record: PnpRecord, setting: PnpSetting) -> str:
        """The setting's SMS text with ``{name}`` variables from ``data.sms``."""
        return re.sub(r"\{(\w+)\}", lambda m: str(record.sms_variables.get(m[1], m[0])), setting.sms_text)

    # --- ProviderHooks ----------------------------------------------------------------------------
    def error_object(self, spec: ErrorSpec, message: Message) -> dict[str, Any]:
        """The leg's MAAC status and error category for a scenario failure."""
        if message.channel == "sms":
            status, category = SMS_FAILURES.get(spec.reason or "", ("failed", "others"))
            return {"leg_status": status, "error_category": category, "reason": spec.reason or "others"}
        key: str | int = spec.reason or spec.code or 131026
        status, wa_category = WHATSAPP_FAILURES.get(key, WHATSAPP_FAILURES.get(spec.code or 0, ("failed", "others")))
        code = spec.code or WHATSAPP_CODES.get(spec.reason or "", 131026)
        out = {"leg_status": status, "error_category": wa_category, "code": code}
        if spec.details:
            out["details"] = spec.details
        return out

    def on_status(self, message: Message, event: StatusEvent) -> None:
        record = self.records.get(int(message.meta.get("pnp_message_id", 0)))
        leg = record.leg(message.channel) if record else None
        if record is None or leg is None or leg.message_id != message.id:
            return
        if leg.apply(event):  # e.g. read after delivered: nothing MAAC reports
            self._changed(record, message.channel, event.timestamp)

    def on_inbound(self, message: Message) -> None:
        """SMS+ is one-way: MAAC delivers no replies."""

    def user_action(self, message: Message, action: UserAction, outcome: Outcome) -> Message | None:
        message.meta.setdefault("notes", []).append(f"user action '{action.kind}' ignored: SMS+ is one-way")
        return None

    def inject(self, spec: dict[str, Any]) -> Message:
        raise ControlError("MAAC SMS+ is one-way (WhatsApp templates and SMS): there are no inbound messages to inject")

    def webhook_targets(self) -> list[dict[str, Any]]:
        return [self.config.webhook_json()]

    async def configure_webhook(self, spec: dict[str, Any]) -> dict[str, Any]:
        """``{"url", "share_secret"}``: MAAC's Webhooks back office has no verification handshake."""
        url = spec.get("url")
        if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://"))):
            raise ControlError("'url' must be an http(s) URL or null")
        secret = spec.get("share_secret")
        if secret is not None and (not isinstance(secret, str) or not secret):
            raise ControlError("'share_secret' must be a non-empty string")
        self.config.webhook_url = url
        if secret:
            self.config.share_secret = secret
        return {"webhook": self.config.webhook_json(), "verified": False}

    def reset(self) -> None:
        """Forget records, counters and rate buckets; reload the scenario's configuration."""
        self.records.reset()
        self.configure(self.section)

    def restore_records(self) -> int:
        """--data-dir start: rebuild the records from their legs in the restored journal, number on after
        them, and schedule each pending SMS fallback again at its virtual time (at once if it fell due
        while the sandbox was down). Answers how many records came back."""
        restored = 0
        for pnp_message_id, legs in self._journaled_legs().items():
            self.records.skip_to(pnp_message_id + 1)
            if legs[0].meta.get("fallback"):
                continue  # its WhatsApp leg was evicted, and the record with it
            record = self.records.add(record_from_legs(legs))
            restored += 1
            fallback_at = legs[0].meta.get("fallback_at")
            if fallback_at is not None and "sms" not in record.legs:
                # The setting as the restored scenario has it (the live job kept the push-time one).
                setting = self.config.settings.get(record.pnp_setting_id)
                setting = setting or PnpSetting(record.pnp_setting_id, record.pnp_setting_name)
                self._schedule_fallback(record, setting, float(fallback_at))
        return restored

    def _journaled_legs(self) -> dict[int, list[Message]]:
        """Maps pnp_message_id -> its leg messages in the journal, first leg first, oldest record first."""
        legs: dict[int, list[Message]] = {}
        for message in self.messaging.journal:
            if message.provider == PROVIDER and "pnp_message_id" in message.meta:
                legs.setdefault(int(message.meta["pnp_message_id"]), []).append(message)
        return legs

    # --- records -> webhook -------------------------------------------------------------------------
    def _changed(self, record: PnpRecord, leg: str, at: float) -> None:
        """``at``: the leg's opening or status time (its journal message's), so a restart rebuilds it."""
        record.updated_at = at
        record.last_leg = leg
        url = self.config.webhook_url
        if not url:
            return
        style = self.config.report_whatsapp_as
        body = render.webhook_body(record, style, record.updated_at)
        self.dispatcher.enqueue(
            provider=PROVIDER,
            url=url,
            body=body,
            headers=render.sign_headers(body, self.config.share_secret, self.ids.hex(32)),
            key=f"maac-{record.pnp_message_id}",
            event=f"status:{render.record_status(record, style)}",
            message_id=record.legs[leg].message_id,
        )

    def metric(self, setting_id: int) -> dict[str, int]:
        """``metric`` of GET /openapi/v1/pnp/setting/{id}/; WhatsApp legs count under ``pnp`` (UNCONFIRMED)."""
        records = self.records.for_setting(setting_id)
        failed = ("failed", "undeliverable", "blocked", "callback_timeout")
        return {
            "all": len(records),
            "fail": sum(1 for r in records if r.last_leg and r.legs[r.last_leg].status in failed),
            "pnp": sum(1 for r in records if "whatsapp" in r.legs),
            "sms": sum(1 for r in records if "sms" in r.legs),
        }
