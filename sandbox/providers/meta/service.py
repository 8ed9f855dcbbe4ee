"""Meta's backend: the Cloud API's state (``MetaPlatform``: media, templates, accounts, Flows, limits)
and its side of the core lifecycle (the ``ProviderHooks``: error objects, webhook rendering, scripted
user behaviour), one object per runtime."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sandbox.core.errors import ControlError
from sandbox.core.numbers import InvalidNumber, normalize, region_of
from sandbox.core.scenario import ErrorSpec, Outcome, UserAction, pick_target
from sandbox.core.status_order import NEUTRAL, StatusOrder
from sandbox.core.store import Message, StatusEvent
from sandbox.providers.meta import render
from sandbox.providers.meta.config import MetaBusiness, MetaBusinesses
from sandbox.providers.meta.errors import REASON_CODES, REASON_DETAILS, webhook_error
from sandbox.providers.meta.messages import inbound
from sandbox.providers.meta.messages.batching import MetaBatching, Update
from sandbox.providers.meta.messages.validation import SendValidator
from sandbox.providers.meta.messages.wamid import wamid
from sandbox.providers.meta.platform import MetaPlatform

log = logging.getLogger(__name__)

PROVIDER = "meta"
CONVERSATION_DROPPED = (24, 0)  # meta-cloud-api.md §3.5: statuses omit `conversation` from webhook v24.0


# What the user "types" looks local: Indian names and places for +91 users (faker has no en_SG; the
# Singapore address fields are generated in inbound._fake_address).
FAKER_LOCALES = {"IN": "en_IN"}


@dataclass
class MetaProvider(MetaPlatform):
    """Meta's one backend: what the Graph surfaces keep (MetaPlatform) and the hooks the core calls."""

    businesses: MetaBusinesses = field(default_factory=lambda: MetaBusinesses([], None))  # meta.businesses
    validator: SendValidator = field(default_factory=SendValidator)  # the /messages request schemas
    name: str = PROVIDER
    failure_reasons: ClassVar[frozenset[str]] = frozenset(REASON_CODES)  # scenario `error:` reasons it maps
    # sent -> delivered -> read (-> played, voice); failed is final (core/status_order.py)
    status_orders: ClassVar[dict[str, StatusOrder]] = {"whatsapp": NEUTRAL}
    batching: MetaBatching = field(init=False)  # batched webhooks (messages/batching.py); off unless configured

    def __post_init__(self) -> None:
        self.batching = MetaBatching(self.messaging.scheduler, self._post_batch)

    def configure(self, section: dict[str, Any]) -> None:
        """The scenario's ``meta`` section: businesses (webhook targets and secrets as the file sets them),
        templates, reviews, limits; what the Graph API created at run time is kept."""
        self.businesses = MetaBusinesses(section.get("businesses", []), self.settings.meta_webhook_url)
        self.load(section, self.businesses)

    # --- ProviderHooks --------------------------------------------------------------------------
    def error_object(self, spec: ErrorSpec, message: Message) -> dict[str, Any]:
        code = spec.code or REASON_CODES.get(spec.reason or "", 131026)
        details = spec.details or REASON_DETAILS.get(spec.reason or "")
        return webhook_error(code, details)

    def on_status(self, message: Message, event: StatusEvent) -> None:
        business = self.businesses.by_phone_number_id(message.business)
        url = self._webhook_url(business) if business is not None else None
        if business is None or not url:
            return
        status: dict[str, Any] = {
            "id": message.id,
            "status": event.status,
            "timestamp": str(int(event.timestamp)),
        }
        if message.meta.get("wa_id"):
            status["recipient_id"] = message.meta["wa_id"]
        status["recipient_user_id"] = message.meta["user_id"]
        if "biz_opaque_callback_data" in message.meta:
            status["biz_opaque_callback_data"] = message.meta["biz_opaque_callback_data"]
        if _billed(message, event):
            status.update(self._billing(message, event))
        if event.errors:
            status["errors"] = event.errors
        self._deliver(business, url, Update("statuses", status, self._contact(message), message.id,
                                            f"status:{event.status}"), rule=message.meta.get("rule"))

    def on_inbound(self, message: Message) -> None:
        business = self.businesses.by_phone_number_id(message.business)
        url = self._webhook_url(business) if business is not None else None
        if business is None or not url:
            return
        if self.accounts.number(business.phone_number_id).blocks(message.user):
            return  # Meta's block-users page: a blocked user "cannot contact your business"
        self._deliver(business, url, Update("messages", message.payload, self._contact(message), message.id,
                                            f"message:{message.type}"), rule=None)

    def user_action(self, message: Message, action: UserAction, outcome: Outcome) -> Message | None:
        fake = self.messaging.engine.faker_for(message.user, FAKER_LOCALES.get(region_of(message.user) or ""))
        spec = _action_spec(message, action, fake, self._template_buttons(message), self.address_form)
        if spec is None:
            message.meta.setdefault("notes", []).append(f"user action '{action.kind}' does not apply to {message.type}")
            return None
        # Messaging receives what we return: build it only (receiving here too would send two webhooks).
        return self.build_inbound(message.business, message.user, spec, reply_to=message.id if spec.pop("_context", False) else None)

    def address_form(self, message: Message, given: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        """The country of an address message and the ``nfm_reply`` its user submits: the ``given``
        values, then the business's prefilled ones, then what this user would type (seeded per user)."""
        params = (message.payload.get("interactive") or {}).get("action", {}).get("parameters", {})
        country = str(params.get("country") or region_of(message.user) or "IN")
        fake = self.messaging.engine.faker_for(message.user, FAKER_LOCALES.get(region_of(message.user) or ""))
        name = self.messaging.engine.persona(message.user).name
        reply = inbound.address_reply(
            country, params.get("values") or {}, given or {}, fake, name=name, phone="+" + message.user
        )
        return country, reply

    def _template_buttons(self, message: Message) -> list[dict[str, Any]]:
        """The registered template's buttons, so a scripted tap carries the label the user saw."""
        template = message.payload.get("template") if message.type == "template" else None
        business = self.businesses.by_phone_number_id(message.business)
        if not template or business is None:
            return []
        language = (template.get("language") or {}).get("code", "")
        found = self.templates.get(business.waba_id, str(template.get("name")), str(language))
        return found.buttons() if found else []

    def webhook_targets(self) -> list[dict[str, Any]]:
        return [b.to_json() for b in self.businesses.all()]

    async def configure_webhook(self, spec: dict[str, Any]) -> dict[str, Any]:
        """``{"url", "business", "app_secret", "verify_token", "verify"}``; verifies with Meta's handshake."""
        url = spec.get("url")
        if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://"))):
            raise ControlError("'url' must be an http(s) URL or null")
        business = self._business(spec.get("business"))
        for key in ("app_secret", "verify_token"):
            if isinstance(spec.get(key), str):
                setattr(business, key, spec[key])
        challenge = None
        if url and spec.get("verify", True):
            challenge = await verify_webhook(self, business, url)
        business.webhook_url = url
        return {"business": business.to_json(), "verified": challenge is not None}

    def reset(self) -> None:
        """Media, link cache and rate buckets are forgotten; businesses (webhook targets and secrets) and
        templates reload from the scenario; open webhook batches and the run-time batching setting are
        dropped."""
        self.batching.reset()
        self.businesses = MetaBusinesses(self.section.get("businesses", []), self.settings.meta_webhook_url)
        self.reset_state(self.businesses)

    # --- inbound ----------------------------------------------------------------------------------
    def inject(self, spec: dict[str, Any]) -> Message:
        """Control API / inbox: a user sends the business a message."""
        business = self._business(spec.get("business"))
        sender = spec.get("from")
        if not isinstance(sender, str) or not sender:
            raise ControlError("'from' (the user's phone number) is required")
        try:
            wa_id = normalize(sender, business.country_code).wa_id
        except InvalidNumber as exc:
            raise ControlError(str(exc)) from exc
        reply_to = (spec.get("context") or {}).get("message_id") or spec.get("reply_to")
        if reply_to and self.messaging.journal.get(reply_to) is None:
            raise ControlError(f"context.message_id '{reply_to}' is not a message in the journal", 404)
        body = {k: v for k, v in spec.items() if k not in ("provider", "business", "from", "context", "reply_to")}
        return self.messaging.receive(self.build_inbound(business.phone_number_id, wa_id, body, reply_to=reply_to))

    def build_inbound(self, business_id: str, wa_id: str, spec: dict[str, Any], reply_to: str | None = None) -> Message:
        """The user's message as Meta would deliver it (media stored, context set); not yet received."""
        business = self._business(business_id)
        now = self.clock.now()
        context = None
        if reply_to:
            context = {"from": business.display_digits, "id": reply_to}
        payload = inbound.build_message(
            spec, wamid=wamid(self.ids, wa_id, inbound=True), sender=wa_id, timestamp=int(now), context=context
        )
        self.store_inbound(business.phone_number_id, spec, payload)
        persona = self.messaging.engine.persona(wa_id)
        payload["from_user_id"] = persona.user_id  # META-BSUID (meta-cloud-api.md §3.6): the sender's BSUID
        message = Message(
            id=payload["id"],
            provider=PROVIDER,
            channel="whatsapp",
            direction="inbound",
            business=business.phone_number_id,
            user=wa_id,
            type=payload["type"],
            payload=payload,
            created_at=now,
            status="received",
            meta={"wa_id": wa_id, "user_id": persona.user_id, "name": persona.name},
        )
        return message

    # --- helpers ----------------------------------------------------------------------------------
    def _business(self, phone_number_id: str | None) -> MetaBusiness:
        if not phone_number_id:
            return self.businesses.default()
        business = self.businesses.by_phone_number_id(str(phone_number_id))
        if business is None:
            raise ControlError(f"no Meta business with phone_number_id '{phone_number_id}'", 404)
        return business

    def _contact(self, message: Message) -> dict[str, Any]:
        persona = self.messaging.engine.persona(message.user)
        return render.contact(message.meta.get("wa_id"), message.meta.get("user_id") or persona.user_id, persona.name)

    def _billing(self, message: Message, event: StatusEvent) -> dict[str, Any]:
        category = message.meta.get("category", "service")
        free = category == "service"
        day = int(message.created_at // 86400)
        conv_id = hashlib.md5(f"{message.business}:{message.user}:{category}:{day}".encode()).hexdigest()
        conversation: dict[str, Any] = {"id": conv_id, "origin": {"type": category}}
        if event.status == "sent":
            conversation["expiration_timestamp"] = str(int(message.created_at) + 86400)
        pricing = {
            "billable": not free,
            "pricing_model": "PMP",
            "type": "free_customer_service" if free else "regular",
            "category": category,
        }
        # From v24.0 Meta leaves `conversation` out unless it is a free entry point, which the sandbox
        # never prices (meta-cloud-api.md §3.5); the version is the scenario's `meta.webhook_version`.
        if self.webhook_version >= CONVERSATION_DROPPED:
            return {"pricing": pricing}
        return {"conversation": conversation, "pricing": pricing}

    def _webhook_url(self, business: MetaBusiness) -> str | None:
        """None while no app is subscribed to the WABA; else the number's override, the WABA's, or the
        business's webhook_url (accounts.Accounts.webhook_url; Meta's webhook-override page)."""
        return self.accounts.webhook_url(business)

    def _deliver(self, business: MetaBusiness, url: str, update: Update, *, rule: str | None) -> None:
        """One update: posted now on its own, or into its number's open batch (messages/batching.py)."""
        policy = self.batching.policy_for(rule, self.messaging.engine.scenario)
        if policy.on:
            self.batching.add(business.phone_number_id, url, update, policy)
            return
        value = render.update_value(business, update.kind, [update.item], [update.contact])
        self._post(business, url, render.envelope(business, value), key=update.message_id, event=update.event,
                   message_id=update.message_id)

    def _post_batch(self, phone_number_id: str, url: str, updates: list[Update]) -> None:
        """A closed batch. Its POSTs share one ordering lane per target, so batches arrive in order and a
        failing one holds the later ones, as one message's statuses do unbatched. A batch of one is the
        unbatched payload, byte for byte."""
        business = self.businesses.by_phone_number_id(phone_number_id)
        if business is None:  # a scenario load removed the number while its batch was open
            log.warning("dropped a webhook batch of %d update(s): phone_number_id %s is gone", len(updates),
                        phone_number_id)
            return
        lane = f"batch:{phone_number_id}>{url}"
        if len(updates) == 1:
            (update,) = updates
            value = render.update_value(business, update.kind, [update.item], [update.contact])
            self._post(business, url, render.envelope(business, value), key=lane, event=update.event,
                       message_id=update.message_id)
            return
        payload = render.batch_envelope(business, [(u.kind, u.item, u.contact) for u in updates])
        parts: list[dict[str, str | None]] = [{"message_id": u.message_id, "event": u.event} for u in updates]
        self._post(business, url, payload, key=lane, event=f"batch:{len(updates)}", message_id=None, updates=parts)

    def _post(self, business: MetaBusiness, url: str, payload: dict[str, Any], *, key: str, event: str,
              message_id: str | None, updates: list[dict[str, str | None]] | None = None) -> None:
        body = render.encode(payload)
        self.dispatcher.enqueue(
            provider=PROVIDER,
            url=url,
            body=body,
            headers=render.sign_headers(body, business.app_secret),
            key=key,
            event=event,
            message_id=message_id,
            updates=updates,
        )


BILLED_TOGETHER = {"sent": ("sent",), "delivered": ("delivered", "read"), "read": ("delivered", "read")}


def _billed(message: Message, event: StatusEvent) -> bool:
    """Pricing and conversation ride on the first ``sent`` and on the first of delivered/read
    (meta-cloud-api.md §3.5, META-WH-STATUS): a read after a delivered carries neither, nor does a
    status forced again through the control API."""
    group = BILLED_TOGETHER.get(event.status)
    if group is None:
        return False
    earlier = message.history[:-1] if message.history and message.history[-1] is event else message.history
    return not any(e.status in group for e in earlier)


def _action_spec(
    message: Message,
    action: UserAction,
    fake: Any,
    template_buttons: list[dict[str, Any]],
    address_form: Callable[[Message, dict[str, Any]], tuple[str, dict[str, Any]]],
) -> dict[str, Any] | None:
    """What the user sends back for a scripted action on ``message`` (None: not applicable)."""
    payload = message.payload
    interactive = payload.get("interactive") or {}
    itype = interactive.get("type")
    kind, value = action.kind, action.value
    if kind == "reply":
        return {"type": "text", "text": {"body": str(value)}}
    if kind == "react":
        return {"type": "reaction", "reaction": {"message_id": message.id, "emoji": str(value)}}
    if kind == "location":
        loc = value if isinstance(value, dict) and value else inbound.fake_location(fake)
        return {"type": "location", "location": loc}
    if kind == "media":
        media = dict(value or {})
        mtype = media.pop("type", "image")
        return {"type": mtype, mtype: media}
    if kind == "tap" and itype == "button":
        buttons = [b.get("reply", {}) for b in interactive.get("action", {}).get("buttons", [])]
        chosen = pick_target(buttons, value, "id")
        if chosen:
            reply = {"id": chosen.get("id"), "title": chosen.get("title")}
            return {"type": "interactive", "interactive": {"type": "button_reply", "button_reply": reply}, "_context": True}
    if kind == "tap" and payload.get("type") == "template":
        quick = [c for c in payload["template"].get("components", []) if c.get("sub_type") == "quick_reply"]
        chosen = pick_target(quick, value, "index")
        if chosen:
            payload = (chosen.get("parameters") or [{}])[0].get("payload", "")
            index = int(chosen.get("index", 0))
            label = template_buttons[index].get("text") if index < len(template_buttons) else None
            return {"type": "button", "button": {"payload": payload, "text": label or payload}, "_context": True}
    if kind == "pick" and itype == "list":
        rows = [r for s in interactive.get("action", {}).get("sections", []) for r in s.get("rows", [])]
        chosen = pick_target(rows, value, "id")
        if chosen:
            reply = {k: chosen[k] for k in ("id", "title", "description") if k in chosen}
            return {"type": "interactive", "interactive": {"type": "list_reply", "list_reply": reply}, "_context": True}
    if kind == "submit_address" and itype == "address_message":
        _, reply = address_form(message, value if isinstance(value, dict) else {})
        return {"type": "interactive", "interactive": reply, "_context": True}
    if kind == "submit_flow":
        token = inbound.flow_token(payload)
        if token is not None:
            reply = inbound.flow_reply(token, value if isinstance(value, dict) else {})
            return {"type": "interactive", "interactive": reply, "_context": True}
    return None


async def verify_webhook(provider: MetaProvider, business: MetaBusiness, url: str) -> str:
    """Meta's GET handshake: the receiver must echo ``hub.challenge`` (200) when the token matches."""
    import aiohttp

    challenge = provider.ids.digits(10)
    params = {"hub.mode": "subscribe", "hub.verify_token": business.verify_token, "hub.challenge": challenge}
    session = provider.dispatcher.session
    try:
        async with session.get(url, params=params, timeout=aiohttp.ClientTimeout(total=10)) as resp:
            text = (await resp.text(errors="replace"))[:200]
            status = resp.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise ControlError(f"webhook verification failed: could not reach {url}: {type(exc).__name__}: {exc}", 422) from exc
    if status != 200 or text.strip() != challenge:
        raise ControlError(
            f"webhook verification failed: GET {url}?hub.mode=subscribe&hub.verify_token=...&hub.challenge={challenge} "
            f"answered {status} {text!r}; it must answer 200 with the challenge as the body "
            f"(verify token '{business.verify_token}')",
            422,
        )
    return challenge
