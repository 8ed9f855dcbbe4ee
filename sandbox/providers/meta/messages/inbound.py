"""Inbound (user -> business) message objects, as they appear at ``value.messages[0]``.

Built from a control-API injection, the web inbox, or a scenario's scripted user behaviour.
Shapes from ../shared/reference/meta-cloud-api.md §3.6 and seed 002 ("Receive Notifications for
Address Submissions").
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import TYPE_CHECKING, Any

from sandbox.core.errors import ControlError

if TYPE_CHECKING:
    from faker import Faker

INBOUND_TYPES = (
    "text", "image", "audio", "video", "document", "sticker", "location", "contacts", "button",
    "interactive", "reaction", "order", "system", "unsupported",
)
MEDIA_TYPES = {"image": "image/jpeg", "audio": "audio/ogg; codecs=opus", "video": "video/mp4",
               "document": "application/pdf", "sticker": "image/webp"}

# Address fields per country (seed 002 "Address Messages" table).
ADDRESS_FIELDS = {
    "IN": ["name", "phone_number", "in_pin_code", "house_number", "floor_number", "tower_number",
           "building_name", "address", "landmark_area", "city", "state"],
    "SG": ["name", "phone_number", "sg_post_code", "address", "unit_number", "city"],
}


def build_message(
    spec: dict[str, Any], *, wamid: str, sender: str, timestamp: int, context: dict[str, str] | None
) -> dict[str, Any]:
    """Turn a loose injection spec into Meta's inbound message object."""
    kind = spec.get("type") or _guess_type(spec)
    if not isinstance(kind, str) or kind not in INBOUND_TYPES:
        raise ControlError(f"unknown inbound message type '{kind}'; one of: {', '.join(INBOUND_TYPES)}")
    msg: dict[str, Any] = {"from": sender, "id": wamid, "timestamp": str(timestamp), "type": kind}
    if context:
        msg["context"] = context
    body = spec.get(kind)
    allowed = (str, dict) if kind == "text" else (dict,)
    if kind in ("text", *MEDIA_TYPES) and body is not None and not isinstance(body, allowed):
        raise ControlError(f"an inbound {kind} takes a '{kind}' object, got {type(body).__name__}")
    if kind == "text":
        text = body if isinstance(body, str) else (body or {}).get("body")
        if not isinstance(text, str) or not text:
            raise ControlError("an inbound text needs text.body (or text: \"...\")")
        msg["text"] = {"body": text}
        if spec.get("referral"):
            msg["referral"] = spec["referral"]
    elif kind in MEDIA_TYPES:
        msg[kind] = _media(kind, body or {})
    elif kind == "unsupported":
        msg["unsupported"] = body or {"type": "edit"}
        msg["errors"] = [{"code": 131051, "title": "Message type unknown", "message": "Message type unknown",
                          "error_data": {"details": "Message type is currently not supported."}}]
    elif kind == "system":
        msg["system"] = body or {"body": "User changed number", "type": "user_changed_number", "wa_id": sender}
    else:
        if not isinstance(body, (dict, list)):
            raise ControlError(f"an inbound {kind} message needs a '{kind}' object")
        msg[kind] = body
    return msg


def _guess_type(spec: dict[str, Any]) -> str:
    for kind in INBOUND_TYPES:
        if kind in spec:
            return kind
    raise ControlError("say which message the user sends: type and its object, e.g. {\"type\":\"text\",\"text\":\"hi\"}")


def _media(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    mime = body.get("mime_type", MEDIA_TYPES[kind])
    media_id = str(body.get("id") or int(hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:15], 16))
    out: dict[str, Any] = {
        "mime_type": mime,
        "sha256": body.get("sha256") or base64.b64encode(hashlib.sha256(media_id.encode()).digest()).decode(),
        "id": media_id,
    }
    for key in ("caption", "filename", "url"):
        if key in body:
            out[key] = body[key]
    if kind == "audio":
        out["voice"] = bool(body.get("voice", True))
    if kind == "sticker":
        out["animated"] = bool(body.get("animated", False))
    return out


def address_reply(
    country: str, prefilled: dict[str, Any], given: dict[str, Any], fake: Faker, *, name: str, phone: str
) -> dict[str, Any]:
    """The ``nfm_reply`` a user produces by submitting the address form of ``country``: the scenario's
    values win, then the business's prefilled ones, then what the user would type (their own name and
    number, a fake local address)."""
    fields = ADDRESS_FIELDS.get(country, ADDRESS_FIELDS["IN"])
    typed = {**_fake_address(country, fake), "name": name, "phone_number": phone}
    values = {f: given.get(f, prefilled.get(f, typed.get(f, ""))) for f in fields}
    values = {k: v for k, v in values.items() if v != "" or k in given or k in prefilled}
    body = "\n ".join(str(values[f]) for f in fields if values.get(f))
    return {
        "type": "nfm_reply",
        "nfm_reply": {
            "response_json": json.dumps({"values": values}, ensure_ascii=False, separators=(",", ":")),
            "body": body,
            "name": "address_message",
        },
    }


def _fake_address(country: str, fake: Faker) -> dict[str, str]:
    if country == "SG":
        return {
            "name": fake.name(),
            "phone_number": "+65" + fake.numerify("8#######"),
            "sg_post_code": fake.numerify("######"),
            "address": one_line(fake.street_address()),
            "unit_number": fake.numerify("#-##"),
            "city": "Singapore",
        }
    return {
        "name": fake.name(),
        "phone_number": "+91" + fake.numerify("9#########"),
        "in_pin_code": fake.numerify("4#####"),
        "house_number": fake.building_number(),
        "floor_number": fake.numerify("#"),
        "building_name": fake.last_name() + " Residency",
        "address": one_line(fake.street_address()),
        "landmark_area": fake.city(),
        "city": fake.city(),
        "state": fake.state() if hasattr(fake, "state") else "Maharashtra",
    }


def fake_location(fake: Faker) -> dict[str, Any]:
    lat, lng = fake.latlng()
    return {"latitude": float(lat), "longitude": float(lng), "name": fake.company(), "address": one_line(fake.address())}


def one_line(text: str) -> str:
    """A Faker address on one line. Some locales break a street address over lines (en_IN:
    "61/226\nGuha Road"); a form field drops the line break and the words run together
    ("61/226Guha Road"), so the lines are joined with a comma and a space, as an address is written."""
    return ", ".join(part.strip() for part in text.splitlines() if part.strip())


def flow_token(sent: dict[str, Any]) -> str | None:
    """The ``flow_token`` of a sent Flow: an interactive flow message's (pywa sends null when unset, and
    Meta's default is "unused"), or a template's FLOW button parameter; None if ``sent`` opens no Flow."""
    interactive = sent.get("interactive") or {}
    if sent.get("type") == "interactive" and interactive.get("type") == "flow":
        return str(((interactive.get("action") or {}).get("parameters") or {}).get("flow_token") or "unused")
    if sent.get("type") != "template":
        return None
    for component in (sent.get("template") or {}).get("components") or []:
        if isinstance(component, dict) and str(component.get("sub_type", "")).lower() == "flow":
            action = ((component.get("parameters") or [{}])[0] or {}).get("action") or {}
            return str(action.get("flow_token") or "unused")
    return None


def flow_reply(token: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The user completes a Flow: Meta's "Flow response message" (meta-cloud-api.md §3.6, Meta's Flows
    webhooks page): an ``nfm_reply`` named "flow", body "Sent", ``response_json`` holding the flow_token
    and the fields the Flow's complete action sends (here: the scenario's)."""
    response = json.dumps({**fields, "flow_token": token})
    return {"type": "nfm_reply", "nfm_reply": {"name": "flow", "body": "Sent", "response_json": response}}
