"""Modica's side of the core lifecycle: DLR and MO callbacks, injection, scripted replies, config."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sandbox.core.clock import VirtualClock
from sandbox.core.errors import ControlError
from sandbox.core.ids import IdFactory
from sandbox.core.media_store import MediaTooLarge
from sandbox.core.messaging import Messaging
from sandbox.core.numbers import InvalidNumber, normalize
from sandbox.core.ratelimit import TokenBuckets
from sandbox.core.scenario import NEUTRAL_REASONS, ErrorSpec, Outcome, UserAction, pick_target
from sandbox.core.status_order import StatusOrder
from sandbox.core.store import Message, StatusEvent
from sandbox.core.webhooks import WebhookDispatcher
from sandbox.providers.modica import inbound, render
from sandbox.providers.modica.config import ModicaApplication, ModicaConfig
from sandbox.providers.modica.media import ModicaMedia

PROVIDER = "modica"
# MO `operator` (REST v1/v2 MO callback): the carrier, picked stably per number. UNCONFIRMED names.
OPERATORS = {"64": ("Spark", "One NZ", "2degrees"), "61": ("Telstra", "Optus", "Vodafone")}
CALLBACK_HEADERS = {"Content-Type": "application/json"}


@dataclass
class ModicaProvider:
    messaging: Messaging
    dispatcher: WebhookDispatcher
    ids: IdFactory
    clock: VirtualClock
    section: dict[str, Any]  # the scenario's `modica:` section, reloaded by reset()
    media: ModicaMedia  # WAB uploads and users' media, in the runtime's one media store
    name: str = PROVIDER
    # scenario `error:` reasons: those that read `expired` (render.py), `rejected`, and the neutral ones,
    # which read `rejected` with the reason as the DLR's detail
    failure_reasons: ClassVar[frozenset[str]] = frozenset({*render.EXPIRED_REASONS, "rejected", *NEUTRAL_REASONS})
    status_orders: ClassVar[dict[str, StatusOrder]] = render.ORDERS
    config: ModicaConfig = field(init=False)
    buckets: TokenBuckets = field(init=False)  # request rate per application

    def __post_init__(self) -> None:
        self.configure(self.section)

    def configure(self, section: dict[str, Any]) -> None:
        self.section = section
        self.config = ModicaConfig.from_section(section)
        self.buckets = TokenBuckets(self.clock, self.config.per_second, self.config.burst)

    # --- ProviderHooks --------------------------------------------------------------------------
    def error_object(self, spec: ErrorSpec, message: Message) -> dict[str, Any]:
        return render.failure(spec.reason, spec.code, spec.details)

    def on_status(self, message: Message, event: StatusEvent) -> None:
        app = self.config.applications.get(message.business)
        status = render.dlr_status(event)
        if app is None or not app.dlr_url or status is None or message.direction != "outbound":
            return
        body = render.encode(render.dlr_body(message, status, event))
        self._post(app.dlr_url, body, key=message.id, event=f"dlr:{status}", message_id=message.id)

    def on_inbound(self, message: Message) -> None:
        app = self.config.applications.get(message.business)
        if app is None or not app.mo_url:
            return
        body = render.encode(render.mo_body(message, app.wab_destination_field))
        self._post(app.mo_url, body, key=message.id, event=f"mo:{message.channel}", message_id=message.id)

    def user_action(self, message: Message, action: UserAction, outcome: Outcome) -> Message | None:
        spec = _action_spec(message, action)
        if spec is None:
            message.meta.setdefault("notes", []).append(f"user action '{action.kind}' does not apply to {message.type}")
            return None
        app = self.application(message.business)
        # Messaging receives what we return: build it only (receiving here too would send two MOs).
        return self.build_inbound(app, message.channel, message.user, spec, reply_to=message)

    def inject(self, spec: dict[str, Any]) -> Message:
        """``{"from", "content" | "text", "encoding"?, "channel"?: sms|whatsapp, "type"?, "to"?,
        "application"?, "operator"?, "reply_to"?}``."""
        app = self.application(spec.get("application"))
        sender = spec.get("from")
        if not isinstance(sender, str) or not sender:
            raise ControlError("'from' (the user's phone number, international format) is required")
        try:
            digits = normalize(sender, 64).wa_id
        except InvalidNumber as exc:
            raise ControlError(str(exc)) from exc
        channel = spec.get("channel", "whatsapp" if "type" in spec else "sms")
        if channel not in ("sms", "whatsapp"):
            raise ControlError("'channel' is 'sms' or 'whatsapp'")
        reply_to = None
        if spec.get("reply_to") is not None:
            reply_to = self.messaging.journal.get(str(spec["reply_to"]))
            if reply_to is None or reply_to.provider != PROVIDER:
                raise ControlError(f"reply_to '{spec['reply_to']}' is not a Modica message in the journal", 404)
        return self.messaging.receive(self.build_inbound(app, channel, digits, spec, reply_to=reply_to))

    def webhook_targets(self) -> list[dict[str, Any]]:
        return [app.to_json() for app in self.config.applications.values()]

    async def configure_webhook(self, spec: dict[str, Any]) -> dict[str, Any]:
        """``{"application"?, "url"? (both callbacks), "mo_url"?, "dlr_url"?}``; null clears one.
        Modica's portal does no verification handshake, so ``verify`` is ignored."""
        app = self.application(spec.get("application"))
        given = {key: spec[key] for key in ("url", "mo_url", "dlr_url") if key in spec}
        if not given:
            raise ControlError("give 'url' (both callbacks), 'mo_url' or 'dlr_url'")
        for key, url in given.items():
            if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://"))):
                raise ControlError(f"'{key}' must be an http(s) URL or null")
        if "url" in given:
            app.mo_url = app.dlr_url = given["url"]
        app.mo_url = given.get("mo_url", app.mo_url)
        app.dlr_url = given.get("dlr_url", app.dlr_url)
        return {"application": app.to_json()}

    def reset(self) -> None:
        self.media.reset()
        self.configure(self.section)

    # --- messages -------------------------------------------------------------------------------
    def application(self, name: Any) -> ModicaApplication:
        if name is None:
            return self.config.default()
        app = self.config.applications.get(str(name))
        if app is None:
            raise ControlError(f"no Modica application named '{name}'", 404)
        return app

    def new_id(self, id_format: str) -> str:
        """REST v1 ids are int64 (go-modica decodes ``[]int``); REST v2 and WhatsApp ids are UUIDs."""
        while True:
            candidate = self.ids.digits(10) if id_format == "int64" else self.ids.uuid()
            if self.messaging.journal.get(candidate) is None:
                return candidate

    def build_inbound(self, app: ModicaApplication, channel: str, digits: str, spec: dict[str, Any],
                      reply_to: Message | None = None) -> Message:
        """A user's SMS or WhatsApp message to the application (media stored); not yet received."""
        id_format = reply_to.meta.get("id_format", "uuid") if reply_to else "uuid"
        message_id = self.new_id(id_format)
        now = self.clock.now()
        meta: dict[str, Any] = {"id_format": id_format, "source": "+" + digits}
        if channel == "sms":
            content, encoding = inbound.sms_content(spec)
            payload: dict[str, Any] = {"content": content}
            meta.update(destination=spec.get("to") or app.short_code, encoding=encoding,
                        operator=spec.get("operator") or _operator(digits))
            if reply_to is not None:  # reference C1: only when the MO answers an MT
                meta.update(reply_to=render.public_id(reply_to), reference=reply_to.meta.get("reference"))
            kind = "sms"
        else:
            payload = inbound.wab_content(spec, message_id=message_id, sender=digits, timestamp=int(now))
            kind = payload["type"]
            self._keep_media(app, payload)
            if reply_to is not None:
                payload["context"] = {"from": app.whatsapp_number.lstrip("+"), "id": reply_to.id}
            meta["destination"] = spec.get("to") or app.whatsapp_number
        return Message(id=message_id, provider=PROVIDER, channel=channel, direction="inbound", business=app.name,
                       user=digits, type=kind, payload=payload, created_at=now, status="received", meta=meta)

    def _keep_media(self, app: ModicaApplication, payload: dict[str, Any]) -> None:
        """A user's media goes into the media store, downloadable at GET /rest/wab/v1/media?media_id=."""
        kind = payload["type"]
        if kind not in inbound.MEDIA_TYPES:
            return
        obj = payload[kind]
        data = inbound.media_bytes(obj)
        obj.pop("data", None)
        obj.setdefault("id", self.ids.hex(32))  # the WAB OpenAPI's media_id pattern ^[a-zA-Z0-9]+$
        obj.setdefault("sha256", inbound.sha256_b64(data))
        try:
            self.media.put(str(obj["id"]), app.name, str(obj["mime_type"]), data, obj.get("filename"), origin="inbound")
        except MediaTooLarge as exc:
            raise ControlError(f"media 'data' is {exc} bytes, more than the sandbox's whole media storage "
                               f"({self.media.store.max_bytes} bytes, SANDBOX_MEDIA_MAX_BYTES)", 413) from exc

    def _post(self, url: str, body: bytes, *, key: str, event: str, message_id: str) -> None:
        self.dispatcher.enqueue(provider=PROVIDER, url=url, body=body, headers=dict(CALLBACK_HEADERS),
                                key=key, event=event, message_id=message_id)


def _operator(digits: str) -> str | None:
    for prefix, names in OPERATORS.items():
        if digits.startswith(prefix):
            return names[int(hashlib.sha256(digits.encode()).hexdigest(), 16) % len(names)]
    return None


def _action_spec(message: Message, action: UserAction) -> dict[str, Any] | None:
    """What the user sends back for a scripted action on ``message`` (None: not applicable)."""
    kind, value = action.kind, action.value
    if kind == "reply":
        return {"content": str(value)} if message.channel == "sms" else {"type": "text", "text": str(value)}
    if message.channel != "whatsapp":
        return None
    if kind == "react":
        return {"type": "reaction", "reaction": {"message_id": message.id, "emoji": str(value)}}
    if kind == "location":
        loc = value if isinstance(value, dict) and value else {"latitude": -36.8485, "longitude": 174.7633}
        return {"type": "location", "location": loc}
    if kind == "media":
        media = dict(value or {})
        mtype = media.pop("type", "image")
        return {"type": mtype, mtype: media}
    if kind == "tap":
        return _tap(message.payload, value)
    return None


def _tap(payload: dict[str, Any], which: Any) -> dict[str, Any] | None:
    interactive = payload.get("interactive") or {}
    buttons = [b.get("reply", {}) for b in interactive.get("action", {}).get("buttons", [])]
    chosen = pick_target(buttons, which, "id")
    if chosen:
        reply = {"id": chosen.get("id"), "title": chosen.get("title")}
        return {"type": "interactive", "interactive": {"type": "button_reply", "button_reply": reply}}
    return None
