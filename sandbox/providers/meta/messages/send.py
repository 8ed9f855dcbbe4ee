"""POST /{version}/{phone_number_id}/messages: translate a Cloud API send into a core message.

One linear handler (STYLE: stripe-mock): ``send_message`` authenticates and reads the body, then
``handle_send`` parses -> validates -> resolves the recipient -> decides the outcome -> stores and
schedules -> renders Meta's response. The path is in meta/routes.py.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.core import jsonbody
from sandbox.core.numbers import InvalidNumber, Recipient, normalize
from sandbox.core.scenario import ErrorSpec, Outcome, SendFacts, Step
from sandbox.core.store import Message
from sandbox.core.wa_message import text_of
from sandbox.providers.meta.config import MetaBusiness
from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.http import (
    authenticate,
    business_for,
    check_version,
    graph_handler,
    graph_response,
    json_body,
)
from sandbox.providers.meta.keys import backend
from sandbox.providers.meta.messages.validation import SendValidator
from sandbox.providers.meta.messages.wamid import wamid
from sandbox.providers.meta.service import PROVIDER, MetaProvider

FREE_FORM_EXEMPT = {"template"}  # only templates may be sent outside the 24-hour window
FAIL_FAST = 0.2  # seconds after the send at which a rule-independent failure is reported


@graph_handler
async def send_message(request: web.Request) -> web.StreamResponse:
    check_version(request)
    token = authenticate(request)
    meta = backend(request)
    business = business_for(request, request.match_info["node"], token)
    body = await json_body(request)
    response = handle_send(meta, meta.validator, business, body)
    return graph_response(request, response)


def handle_send(
    provider: MetaProvider, validator: SendValidator, business: MetaBusiness, body: dict[str, Any]
) -> dict[str, Any]:
    if validator.is_status_update(body):
        validator.validate(body)
        return mark_read(provider, business, body)
    body.setdefault("type", "text")  # UNCONFIRMED: Meta's own example omits type for text
    _decode_json_parameters(body)
    recipient = _recipient(provider, business, body)
    validator.validate(body, recipient_region=recipient.region if recipient else None)
    wa_id = recipient.wa_id if recipient else None
    user_id = _user_id(provider, body, wa_id)
    # A send by BSUID alone still reaches a person: their number keys the journal, the scenario's
    # rules and the 24-hour window; the wire keeps Meta's BSUID-only form (no wa_id, no recipient_id).
    user_key = wa_id or provider.messaging.engine.number_of(user_id) or user_id
    facts = _facts(business, user_key, body)
    extra = provider.before_send(business, body, user_key)  # templates, limits
    outcome = provider.messaging.engine.decide(facts)
    if outcome.reject:
        raise MetaError(int(outcome.reject["code"]), outcome.reject.get("details"))
    message = Message(
        id=wamid(provider.ids, wa_id or user_id),
        provider=PROVIDER,
        channel="whatsapp",
        direction="outbound",
        business=business.phone_number_id,
        user=user_key,
        type=body["type"],
        payload=body,
        created_at=provider.clock.now(),
        meta={**_meta(body, recipient, user_id), **extra},
    )
    provider.messaging.accept(message, outcome, timeline=_timeline(provider, message, outcome))
    provider.after_accept(message)  # media ids and links, checked before the first status
    contact: dict[str, Any] = {"input": body.get("to") or body.get("recipient")}
    if wa_id:
        contact["wa_id"] = wa_id
    contact["user_id"] = user_id
    sent: dict[str, Any] = {"id": message.id}
    if "message_status" in message.meta:  # only templates under pacing (meta-cloud-api.md §1.1)
        sent["message_status"] = message.meta["message_status"]
    return {"messaging_product": "whatsapp", "contacts": [contact], "messages": [sent]}


def _decode_json_parameters(body: dict[str, Any]) -> None:
    """Graph takes an object or array parameter as a JSON string too, in a JSON body as in a form: the
    message object and ``context`` are decoded before validation (whatsapp-api-js sends ``contacts`` so;
    pywa sends the profile's ``commands`` so)."""
    for key in (body["type"], "context"):
        if isinstance(key, str) and key in body:  # what does not parse stays for validation to word
            body[key] = jsonbody.loads_if_json(body[key])


def mark_read(provider: MetaProvider, business: MetaBusiness, body: dict[str, Any]) -> dict[str, Any]:
    target = provider.messaging.journal.get(str(body["message_id"]))
    if target is None or target.business != business.phone_number_id:
        raise MetaError(100, f"Invalid parameter: message_id '{body['message_id']}' is not a message of this phone number")
    target.meta["read_by_business"] = provider.clock.now()
    if body.get("typing_indicator"):
        target.meta["typing_indicator"] = provider.clock.now()
    provider.messaging.feed.publish({"kind": "read", "id": target.id})
    return {"success": True}


def _recipient(provider: MetaProvider, business: MetaBusiness, body: dict[str, Any]) -> Recipient | None:
    to = body.get("to")
    if to is None or body.get("recipient_type") == "group":
        return None
    if not isinstance(to, (str, int)):
        raise MetaError(100, "Invalid parameter: 'to' must be a phone number string")
    try:
        return normalize(str(to), business.country_code)
    except InvalidNumber as exc:
        raise MetaError(100, f"Invalid parameter: {exc}") from exc


def _user_id(provider: MetaProvider, body: dict[str, Any], wa_id: str | None) -> str:
    bsuid = body.get("recipient")
    if wa_id:
        return provider.messaging.engine.persona(wa_id).user_id
    if isinstance(bsuid, str):
        return bsuid
    raise MetaError(131008, "Parameter 'to' or 'recipient' is required")


def _facts(business: MetaBusiness, user_key: str, body: dict[str, Any]) -> SendFacts:
    kind = body["type"]
    obj = body.get(kind) or {}
    return SendFacts(
        provider=PROVIDER,
        channel="whatsapp",
        business=business.phone_number_id,
        user=user_key,
        type=kind,
        interactive_type=obj.get("type") if kind == "interactive" and isinstance(obj, dict) else None,
        template=obj.get("name") if kind == "template" and isinstance(obj, dict) else None,
        text=text_of(kind, obj),
    )



def _meta(body: dict[str, Any], recipient: Recipient | None, user_id: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"input": body.get("to") or body.get("recipient"), "user_id": user_id}
    if recipient:
        meta["wa_id"] = recipient.wa_id
    if "biz_opaque_callback_data" in body:
        meta["biz_opaque_callback_data"] = body["biz_opaque_callback_data"]
    if body.get("context", {}).get("message_id"):
        meta["context"] = body["context"]["message_id"]
    meta["category"] = "utility" if body["type"] == "template" else "service"
    return meta


def _timeline(provider: MetaProvider, message: Message, outcome: Outcome) -> list[Step]:
    """The scenario's timeline, unless a platform rule fails the message first."""
    body = message.payload
    if body["type"] not in FREE_FORM_EXEMPT and not provider.messaging.window_open(message, outcome):
        return [Step(FAIL_FAST, "failed", ErrorSpec(code=131047))]
    interactive = body.get("interactive") or {}
    if interactive.get("type") == "address_message" and not outcome.supports("address_message"):
        return [Step(FAIL_FAST, "failed", ErrorSpec(code=1026))]
    if body["type"] == "reaction":
        target = provider.messaging.journal.get(body["reaction"].get("message_id", ""))
        if target is None or target.user != message.user or target.type == "reaction":
            return [Step(FAIL_FAST, "failed", ErrorSpec(code=131009, details="Reaction target message not found in this conversation."))]
    return outcome.timeline
