"""SMSGlobal's behaviour (no HTTP): sends through Messaging, balances, opt-outs and opt-ins, callbacks.

Outcomes come from the scenario rules (provider ``smsglobal``, channel ``sms`` or ``whatsapp``);
statuses map to SMSGlobal's words in ``statuses.py``. Delivery receipts (notifyUrl) and MO
(incomingUrl) go through the WebhookDispatcher, so they are logged and retried.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from sandbox.core import sms as sms_text
from sandbox.core.clock import VirtualClock
from sandbox.core.errors import ControlError
from sandbox.core.ids import IdFactory
from sandbox.core.link_policy import LinkPolicy
from sandbox.core.media_fetch import schedule_check
from sandbox.core.messaging import Messaging
from sandbox.core.scenario import NEUTRAL_REASONS, ErrorSpec, Outcome, SendFacts, Step, UserAction
from sandbox.core.status_order import StatusOrder
from sandbox.core.store import Message, MessageFilter, StatusEvent
from sandbox.core.webhooks import WebhookDispatcher
from sandbox.providers.smsglobal import otp, render, statuses
from sandbox.providers.smsglobal.auth import MacVerifier
from sandbox.providers.smsglobal.config import Account, OptIn, SmsglobalConfig
from sandbox.providers.smsglobal.errors import SmsglobalError
from sandbox.providers.smsglobal.sms import SmsOrder
from sandbox.providers.smsglobal.whatsapp import WhatsAppOrder, check_media

PROVIDER = "smsglobal"


@dataclass
class SmsglobalProvider:
    messaging: Messaging
    dispatcher: WebhookDispatcher
    ids: IdFactory
    clock: VirtualClock
    config: SmsglobalConfig = field(default_factory=lambda: SmsglobalConfig.parse({}))
    # SANDBOX_MEDIA_FETCH_LINKS, read at each send (the settings can change under a running sandbox)
    link_policy: Callable[[], LinkPolicy] = lambda: LinkPolicy(public=True)
    name: str = PROVIDER
    # scenario `error:` reasons: its own status words (statuses.py), opted_out, and the neutral ones, which
    # read "undelivered" and keep the reason in the error
    failure_reasons: ClassVar[frozenset[str]] = frozenset({*statuses.FAILURE_STATUS, "opted_out", *NEUTRAL_REASONS})
    status_orders: ClassVar[dict[str, StatusOrder]] = statuses.ORDERS
    # state beyond the journal, rebuilt by reset()
    verifier: MacVerifier = field(init=False)
    # maps outgoing_id -> SMS message id, oldest first. Derived from the journal (meta.outgoing_id): rebuilt
    # from it on a --data-dir start (restore_outgoing_ids), and it forgets what the journal evicted.
    outgoing_ids: OrderedDict[int, str] = field(default_factory=OrderedDict)
    # maps OTP requestId -> its SMS message id, oldest first (the OTP's state is that message's meta["otp"]);
    # a requestId missing here (after a --data-dir start) is looked up in the journal.
    otp_ids: OrderedDict[str, str] = field(default_factory=OrderedDict)
    opt_outs: dict[str, float] = field(default_factory=dict)  # maps number -> when it opted out
    opt_in: dict[str, OptIn] = field(default_factory=dict)  # maps number -> WhatsApp opt-in record
    lists_revision: int = 0  # bumped when opt_outs or opt_in change: --data-dir rewrites their snapshot

    def __post_init__(self) -> None:
        self.configure(self.config)

    def configure(self, config: SmsglobalConfig) -> None:
        """Load a scenario's ``smsglobal`` section: accounts, balances, lists, auth options."""
        self.config = config
        auth = config.auth
        # MAC timestamps are checked against wall time: clients sign with real time (auth.py).
        self.verifier = MacVerifier(
            self.config.secret_for,
            time.time,
            window_seconds=auth.window_seconds,
            check_nonce=auth.check_nonce,
            check_timestamp=auth.check_timestamp,
            strict=auth.strict,
        )
        self.opt_outs = {n: self.clock.now() for n in config.opt_outs}
        self.opt_in = {o.number: o for o in config.whatsapp.opt_in}
        self.lists_revision += 1

    def account(self, key: str) -> Account:
        return self.config.accounts[key]

    # --- SMS --------------------------------------------------------------------------------------
    def send_sms(self, account: Account, orders: list[SmsOrder]) -> list[Message]:
        """All or nothing: a rejection or a short balance refuses the whole request."""
        now = self.clock.now()
        plans = []
        for order in orders:
            parts = sms_text.segments(order.message)
            facts = SendFacts(PROVIDER, "sms", account.key, order.destination, "sms", text=order.message)
            outcome = self.messaging.engine.decide(facts)
            if outcome.reject:
                raise _rejection(outcome, "destination")
            plans.append((order, parts, outcome))
        cost = round(sum(parts for _, parts, _ in plans) * account.price_per_part, 6)
        if cost > account.balance + 1e-9:
            raise SmsglobalError(
                402,
                f"Insufficient credit balance: this request needs {cost:g} {account.currency} "
                f"({sum(p for _, p, _ in plans)} SMS parts), the balance is {account.balance:g} {account.currency}.",
            )
        account.balance = round(account.balance - cost, 6)
        return [self._accept_sms(account, order, parts, outcome, now) for order, parts, outcome in plans]

    def _accept_sms(self, account: Account, order: SmsOrder, parts: int, outcome: Outcome, now: float) -> Message:
        message_id = self.ids.digits(16)
        outgoing_id = int(self.ids.digits(10))
        self._remember_outgoing(outgoing_id, message_id)
        message = Message(
            id=message_id,
            provider=PROVIDER,
            channel="sms",
            direction="outbound",
            business=account.key,
            user=order.destination,
            type="sms",
            payload={"origin": order.origin, "destination": order.destination, "message": order.message},
            created_at=now,
            meta={
                "outgoing_id": outgoing_id,
                "origin": order.origin,
                "parts": parts,
                "encoding": sms_text.encoding_of(order.message),
                "scheduled_at": order.scheduled_at,
                "expires_at": order.expires_at,
                "campaign": order.campaign,
                "notify_url": order.notify_url,
                "incoming_url": order.incoming_url,
            },
        )
        return self.messaging.accept(message, outcome, timeline=self._sms_timeline(order, outcome, now))

    def _sms_timeline(self, order: SmsOrder, outcome: Outcome, now: float) -> list[Step]:
        """The rule's timeline, shifted to the scheduled time, without read/played, cut at expiry."""
        if order.destination in self.opt_outs:
            return [Step(0.0, "failed", ErrorSpec(reason="opted_out"))]
        delay = max(0.0, (order.scheduled_at or now) - now)
        steps = [Step(s.after + delay, s.status, s.error) for s in outcome.timeline if s.status in statuses.SMS_STATUSES]
        if order.expires_at is None:
            return steps
        expiry = max(0.0, order.expires_at - now)
        kept = [s for s in steps if s.after <= expiry]
        if any(s.status in statuses.FINAL_SMS for s in kept) or len(kept) == len(steps):
            return kept
        return [*kept, Step(expiry, "failed", ErrorSpec(reason="expired"))]

    def _remember_outgoing(self, outgoing_id: int, message_id: str) -> None:
        """Map a new SMS's outgoing_id, first forgetting those whose message the journal has evicted."""
        self.messaging.journal.drop_evicted(self.outgoing_ids, lambda sms_id: sms_id)
        self.outgoing_ids[outgoing_id] = message_id

    def restore_outgoing_ids(self) -> int:
        """--data-dir start: rebuild the outgoing_id map from the restored journal; answers its size."""
        self.outgoing_ids.clear()
        for message in self.messaging.journal:
            if message.provider == PROVIDER and "outgoing_id" in message.meta:
                self.outgoing_ids[int(message.meta["outgoing_id"])] = message.id
        return len(self.outgoing_ids)

    def outgoing_sms(self, account: Account, sms_id: str) -> Message:
        """By ``id`` or ``outgoing_id`` (Node SDK: "sms id or outgoing id")."""
        message = self.messaging.journal.get(sms_id) if sms_id.isdigit() else None
        if message is None and sms_id.isdigit():
            mapped = self.outgoing_ids.get(int(sms_id))
            message = self.messaging.journal.get(mapped) if mapped else None
        return self._owned(message, account, "sms", "outbound", f"No outgoing SMS with id {sms_id}")

    def incoming(self, account: Account, channel: str, message_id: str) -> Message:
        message = self.messaging.journal.get(message_id) if message_id.isdigit() else None
        return self._owned(message, account, channel, "inbound", f"No incoming message with id {message_id}")

    def outgoing_whatsapp(self, account: Account, message_id: str) -> Message:
        message = self.messaging.journal.get(message_id) if message_id.isdigit() else None
        return self._owned(message, account, "whatsapp", "outbound", f"No WhatsApp message with id {message_id}")

    def _owned(self, message: Message | None, account: Account, channel: str, direction: str, missing: str) -> Message:
        if (
            message is None
            or message.meta.get("deleted")
            or message.provider != PROVIDER
            or message.business != account.key
            or message.channel != channel
            or message.direction != direction
        ):
            raise SmsglobalError(404, missing)
        return message

    def messages(self, account: Account, channel: str, direction: str) -> list[Message]:
        """Newest first, without deleted ones."""
        flt = MessageFilter(provider=PROVIDER, business=account.key, channel=channel, direction=direction)
        return [m for m in self.messaging.journal.find(flt) if not m.meta.get("deleted")]

    def delete(self, message: Message) -> None:
        """Removes the record from lists and lookups (the scheduled timeline is not cancelled). A flag on
        the journal message rather than a set beside it: saved with the message, evicted with it."""
        message.meta["deleted"] = True
        self.messaging.journal.touch(message)

    # --- OTP (otp.py) ------------------------------------------------------------------------------
    def send_otp(self, account: Account, order: otp.OtpOrder) -> Message:
        """An SMS carrying a fresh code; it makes the destination's earlier OTPs invalid ("only one valid
        OTP (the latest one) at a time, per destination number per API key")."""
        code = "".join(str(self.ids.random.randrange(10)) for _ in range(order.length))
        sms_order = SmsOrder(
            origin=order.origin,
            destination=order.destination,
            message=order.text(code),
            scheduled_at=None,
            expires_at=order.message_expires_at,
            campaign=None,
            notify_url=account.notify_url,
            incoming_url=account.incoming_url,
        )
        earlier = self._otps_to(account, order.destination)
        [message] = self.send_sms(account, [sms_order])
        for older in earlier:
            older.meta["otp"]["superseded"] = True
            self.messaging.journal.touch(older)
        request_id = self.ids.digits(24)
        message.meta["otp"] = otp.new_state(order, request_id, code, message.created_at)
        self.messaging.journal.touch(message)
        self.messaging.journal.drop_evicted(self.otp_ids, lambda sms_id: sms_id)
        self.otp_ids[request_id] = message.id
        return message

    def otp_by_request(self, account: Account, request_id: str) -> Message:
        mapped = self.otp_ids.get(request_id)
        if mapped is None and request_id.isdigit():  # not indexed (a --data-dir start): ask the journal
            found = (m for m in self.messaging.journal if m.meta.get("otp", {}).get("request_id") == request_id)
            mapped = next((m.id for m in found), None)
        message = self.messaging.journal.get(mapped) if mapped else None
        if message is None or message.business != account.key or "otp" not in message.meta:
            raise SmsglobalError(404, f"No OTP request with requestId {request_id}")
        return message

    def otp_by_destination(self, account: Account, destination: str) -> Message:
        """The latest OTP sent to ``destination`` (the one that can still be valid)."""
        latest = self._otps_to(account, destination.lstrip("+"), limit=1)
        if not latest:
            raise SmsglobalError(404, f"No OTP request for destination {destination}")
        return latest[0]

    def _otps_to(self, account: Account, destination: str, limit: int | None = None) -> list[Message]:
        flt = MessageFilter(PROVIDER, account.key, destination, channel="sms", direction="outbound")
        found = [m for m in self.messaging.journal.find(flt) if "otp" in m.meta and not m.meta["otp"]["superseded"]]
        return found[:limit]

    def verify_otp(self, message: Message, code: str) -> None:
        state, now = message.meta["otp"], self.clock.now()
        if refused := otp.refusal(state, now, "validate"):
            raise refused
        if code != state["code"]:
            raise SmsglobalError(400, otp.MISMATCH, shape="error")
        state.update(status="Verified", last_event_at=now)
        self.messaging.journal.touch(message)

    def cancel_otp(self, message: Message) -> None:
        state, now = message.meta["otp"], self.clock.now()
        if refused := otp.refusal(state, now, "cancel"):
            raise refused
        state.update(status="Cancelled", last_event_at=now)
        self.messaging.journal.touch(message)

    # --- opt-outs ---------------------------------------------------------------------------------
    def opt_out(self, number: str) -> str:
        """``valid`` when newly opted out, ``exist`` when already (reference §A4 status values)."""
        if number in self.opt_outs:
            return "exist"
        self.opt_outs[number] = self.clock.now()
        self.lists_revision += 1
        return "valid"

    def opt_back_in(self, number: str) -> None:
        if self.opt_outs.pop(number, None) is None:
            raise SmsglobalError(404, f"Number {number} is not in the opt-out list")
        self.lists_revision += 1

    # --- WhatsApp ---------------------------------------------------------------------------------
    def capability(self, number: str) -> OptIn:
        found = self.opt_in.get(number)
        if found is not None:
            return found
        capable = self.config.whatsapp.capable_by_default
        return OptIn(number=number, name=self.messaging.engine.persona(number).name, capable=capable)

    def add_opt_in(self, number: str, name: str | None) -> OptIn:
        record = self.capability(number)
        record = OptIn(number=number, name=name or record.name, capable=record.capable, blacklist=record.blacklist)
        self.opt_in[number] = record
        self.lists_revision += 1
        return record

    def send_whatsapp(self, account: Account, order: WhatsAppOrder) -> list[Message]:
        self._check_reachable(order.recipients)
        plans = []
        for number in order.recipients:
            facts = SendFacts(
                PROVIDER,
                "whatsapp",
                account.key,
                number,
                order.type,
                template=order.message.get("template_name"),
                text=order.text,
            )
            outcome = self.messaging.engine.decide(facts)
            if outcome.reject:
                raise _rejection(outcome, "to")
            plans.append((number, outcome))
        messages = [self._accept_whatsapp(account, order, n, o) for n, o in plans]
        self._check_media(order, messages)
        return messages

    def _check_reachable(self, recipients: list[str]) -> None:
        """UNCONFIRMED: the seed's send answers 200/403/405; a recipient that cannot get WhatsApp is 403."""
        problems = []
        for number in recipients:
            record = self.opt_in.get(number)
            if record is None and self.config.whatsapp.require_opt_in:
                problems.append(f"{number} has not opted in")
            elif not self.capability(number).capable:
                problems.append(f"{number} is not WhatsApp capable")
            elif self.capability(number).blacklist:
                problems.append(f"{number} is blacklisted for notifications")
        if problems:
            raise SmsglobalError(403, "Cannot send a WhatsApp message: " + "; ".join(problems) + ".")

    def _check_media(self, order: WhatsAppOrder, messages: list[Message]) -> None:
        """The link is fetched once per send, after acceptance; each message fails before its first
        status when it is not usable (like Meta's link check: the send never waits on a media host)."""
        url = order.message.get("url")
        policy = self.link_policy()
        if not url or not self.config.whatsapp.fetch_media or not policy.fetch:
            return
        wa = self.config.whatsapp
        problem = asyncio.ensure_future(check_media(self.dispatcher.session, order.type, str(url), wa.media_timeout, policy))
        for message in messages:
            schedule_check(self.messaging.scheduler, message.id, message.created_at, self._media_verdict(message, problem))

    def _media_verdict(self, message: Message, problem: Awaitable[str | None]) -> Callable[[], Awaitable[None]]:
        async def verdict() -> None:
            if details := await problem:
                message.meta["media_error"] = details
                self.messaging.fail(message.id, ErrorSpec(reason="media_error", details=details))

        return verdict

    def _accept_whatsapp(self, account: Account, order: WhatsAppOrder, number: str, outcome: Outcome) -> Message:
        message = Message(
            id=self.ids.digits(16),
            provider=PROVIDER,
            channel="whatsapp",
            direction="outbound",
            business=account.key,
            user=number,
            type=order.type,
            payload={"message": order.message},
            created_at=self.clock.now(),
            meta={"origin": account.number},
        )
        timeline = None
        if order.type != "template" and not self.messaging.window_open(message, outcome):
            timeline = [Step(1.0, "failed", ErrorSpec(reason="window_closed"))]
        return self.messaging.accept(message, outcome, timeline=timeline)

    # --- ProviderHooks ----------------------------------------------------------------------------
    def error_object(self, spec: ErrorSpec, message: Message) -> dict[str, Any]:
        out: dict[str, Any] = {"status": statuses.failure_status(spec.reason)}
        if spec.reason:
            out["reason"] = spec.reason
        if spec.code is not None:
            out["code"] = spec.code
        if spec.details:
            out["details"] = spec.details
        return out

    def on_status(self, message: Message, event: StatusEvent) -> None:
        url = message.meta.get("notify_url")
        if message.channel != "sms" or event.status not in statuses.FINAL_SMS or not url:
            return
        word = str(event.errors[0]["status"]) if event.errors else event.status
        account = self.config.accounts.get(message.business) or self.config.default_account()
        self._callback(url, render.dlr(message, word, event.timestamp), account, message, f"dlr:{statuses.dlr_status(word)}")

    def on_inbound(self, message: Message) -> None:
        url = message.meta.get("incoming_url")
        account = self.config.accounts.get(message.business)
        if not url or account is None:
            return
        fields = render.mo_sms(message, account) if message.channel == "sms" else render.incoming_whatsapp(message, account)
        self._callback(url, fields, account, message, f"incoming:{message.channel}")

    def _callback(self, url: str, fields: dict[str, Any], account: Account, message: Message, event: str) -> None:
        """A DLR or MO callback in the account's format, delivered (and retried) by the dispatcher."""
        body, headers = render.callback_body(fields, account.callback_format)
        self.dispatcher.enqueue(
            provider=PROVIDER, url=url, body=body, headers=headers, key=message.id, event=event, message_id=message.id
        )

    def user_action(self, message: Message, action: UserAction, outcome: Outcome) -> Message | None:
        if action.kind != "reply":
            message.meta.setdefault("notes", []).append(f"user action '{action.kind}' does not apply to SMSGlobal")
            return None
        account = self.config.accounts.get(message.business) or self.config.default_account()
        to = message.meta.get("origin") or account.number
        # Messaging stores the returned message and calls on_inbound (core/messaging.py _action_job).
        inbound = self._inbound(account, message.channel, message.user, to, str(action.value), message.meta.get("incoming_url"))
        _answering(inbound, message)
        return inbound

    def inject(self, spec: dict[str, Any]) -> Message:
        """``{"from", "message"|"text", "channel": "sms"|"whatsapp", "account", "to", "incomingUrl"}``."""
        account = self._control_account(spec.get("account"))
        sender = str(spec.get("from") or "").strip()
        if not sender.lstrip("+").isdigit() or not 3 <= len(sender.lstrip("+")) <= 15:
            raise ControlError("'from' (the user's number, 3 to 15 digits) is required")
        text = spec.get("message", spec.get("text"))
        if not isinstance(text, str) or not text:
            raise ControlError("'message' (the text the user sends) is required")
        channel = spec.get("channel", "sms")
        if channel not in ("sms", "whatsapp"):
            raise ControlError("'channel' must be sms or whatsapp")
        user = sender.lstrip("+")
        to = str(spec.get("to") or account.number).lstrip("+")
        last = self._last_sent(account, channel, user)
        url = spec.get("incomingUrl") or (last and last.meta.get("incoming_url")) or account.incoming_url
        inbound = self._inbound(account, channel, user, to, text, url)
        if last is not None:
            _answering(inbound, last)
        return self.messaging.receive(inbound)

    def _last_sent(self, account: Account, channel: str, user: str) -> Message | None:
        """The message a user's MO answers: the last one sent to that user (its incomingUrl, its campaign)."""
        flt = MessageFilter(provider=PROVIDER, business=account.key, channel=channel, direction="outbound", user=user)
        return next(iter(self.messaging.journal.find(flt, limit=1)), None)

    def _inbound(self, account: Account, channel: str, user: str, to: str, text: str, url: str | None) -> Message:
        """The user's message, not yet received."""
        return Message(
            id=self.ids.digits(9 if channel == "sms" else 16),
            provider=PROVIDER,
            channel=channel,
            direction="inbound",
            business=account.key,
            user=user,
            type="sms" if channel == "sms" else "text",
            payload={"message": text},
            created_at=self.clock.now(),
            status="received",
            meta={
                "to": to,
                "incoming_url": url,
                "parts": sms_text.segments(text),
                "encoding": sms_text.encoding_of(text),
            },
        )

    def webhook_targets(self) -> list[dict[str, Any]]:
        return [
            {"account": a.key, "notifyUrl": a.notify_url, "incomingUrl": a.incoming_url, "format": a.callback_format}
            for a in self.config.accounts.values()
        ]

    async def configure_webhook(self, spec: dict[str, Any]) -> dict[str, Any]:
        """``{"account", "url" (both), "notifyUrl", "incomingUrl", "format"}``: the account's defaults."""
        account = self._control_account(spec.get("account"))
        for name in ("url", "notifyUrl", "incomingUrl"):
            value = spec.get(name)
            if value is not None and (not isinstance(value, str) or not value.startswith(("http://", "https://"))):
                raise ControlError(f"'{name}' must be an http(s) URL or null")
        if "url" in spec:
            account.notify_url = account.incoming_url = spec["url"]
        account.notify_url = spec.get("notifyUrl", account.notify_url)
        account.incoming_url = spec.get("incomingUrl", account.incoming_url)
        if spec.get("format") is not None:
            if spec["format"] not in ("form", "json", "xml"):
                raise ControlError("'format' must be form, json or xml")
            account.callback_format = spec["format"]
        return {"account": account.to_json()}

    def reset(self) -> None:
        """Balances, lists and nonces back to the scenario's values. The journal's SMSGlobal messages are
        gone (Runtime.reset), so are their outgoing_ids; loading a scenario keeps both (``configure``)."""
        self.outgoing_ids.clear()
        self.otp_ids.clear()
        self.configure(SmsglobalConfig.parse(self.messaging.engine.scenario.section(PROVIDER)))

    def _control_account(self, key: Any) -> Account:
        if key is None:
            return self.config.default_account()
        account = self.config.accounts.get(str(key))
        if account is None:
            raise ControlError(f"no SMSGlobal account with key '{key}'", 404)
        return account


def _rejection(outcome: Outcome, field_name: str) -> SmsglobalError:
    """A scenario ``reject``: ``code`` is the HTTP status (400 when not one), ``details`` the message."""
    assert outcome.reject is not None
    code = outcome.reject.get("code")
    status = code if isinstance(code, int) and 400 <= code <= 599 else 400
    details = outcome.reject.get("details") or f"Rejected by scenario rule '{outcome.rule}'."
    if status == 400:
        return SmsglobalError(400, fields={field_name: [details]})
    return SmsglobalError(status, details)


def _answering(inbound: Message, sent: Message) -> None:
    """An SMS MO that answers a send made with ``campaign`` belongs to that campaign: the incoming
    object's ``campaign: {"id"}`` (reference §A4; when SMSGlobal sets it is UNCONFIRMED)."""
    if inbound.channel == "sms" and sent.meta.get("campaign"):
        inbound.meta["campaign"] = sent.meta["campaign"]


def local_date(ts: float, account: Account) -> str:
    """Opt-out ``date``: ``Y-m-d`` in account time (.NET README sample)."""
    return datetime.fromtimestamp(ts, account.tz).strftime("%Y-%m-%d")
