"""Modica wire shapes: DLR and MO callback bodies, status names, message views for GET.

Neutral status -> Modica DLR status (reference C1 "DLR callback"; statuses from the seed's table):

| neutral (scenario)                           | DLR `status` | why                                          |
|----------------------------------------------|--------------|----------------------------------------------|
| sent                                         | sent         | "sent by the carrier transport"              |
| delivered                                    | received     | "Message has been received"                  |
| read, played                                 | (no DLR)     | Modica publishes no read status (UNCONFIRMED)|
| failed, reason expired / phone_off / timeout | expired      | "unable to deliver in a specified time"      |
| failed, any other reason or code             | rejected     | "The carrier rejected the message"           |
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.core.status_order import NEUTRAL, SMS, StatusOrder
from sandbox.core.store import Message, StatusEvent

DLR_STATUS = {"sent": "sent", "delivered": "received"}
# How statuses move (core/status_order.py): `received`, `rejected` and `expired` are final DLRs; a WhatsApp
# message may still be read (the journal keeps it; no DLR says so).
ORDERS: dict[str, StatusOrder] = {"sms": SMS, "whatsapp": NEUTRAL}
EXPIRED_REASONS = {"expired", "phone_off", "timeout"}
# Journal status -> REST v2 MessageDetails.status (provider OpenAPI enum).
V2_STATUS = {"accepted": "accepted", "scheduled": "queued", "sent": "sent", "delivered": "received",
             "read": "received", "played": "received"}


def failure(reason: str | None, code: int | None, details: str | None) -> dict[str, Any]:
    """The error object a failed event carries: the DLR status it becomes and its ``detail``."""
    status = "expired" if reason in EXPIRED_REASONS else "rejected"
    detail = details or (f"{reason}" if reason else f"error {code}" if code is not None else "rejected by the carrier")
    out: dict[str, Any] = {"status": status, "detail": detail}
    if reason:
        out["reason"] = reason
    if code is not None:
        out["code"] = code
    return out


def public_id(message: Message) -> int | str:
    """REST v1 ids are int64 on the wire; REST v2 and WhatsApp ids are UUID strings."""
    return int(message.id) if message.meta.get("id_format") == "int64" else message.id


def dlr_status(event: StatusEvent) -> str | None:
    if event.status == "failed":
        return str(event.errors[0]["status"]) if event.errors else "rejected"
    return DLR_STATUS.get(event.status)


def dlr_body(message: Message, status: str, event: StatusEvent) -> dict[str, Any]:
    """UNCONFIRMED id field: prose says ``message_id``, the v2 OpenAPI says ``id``; both are sent.
    ``detail`` is the destination (the v2 OpenAPI example is '+642712345678') or the failure reason.
    ``reference`` is always there, ``""`` when the send had none: seed 003's DLR callback lists it
    beside ``id`` and ``status``, as the WAB send answer's ``"reference": ""`` does."""
    mid = public_id(message)
    body: dict[str, Any] = {"message_id": mid, "id": mid, "status": status}
    body["detail"] = event.errors[0]["detail"] if event.errors else message.meta["destination"]
    body["reference"] = message.meta.get("reference") or ""
    return body


def mo_body(message: Message, destination_field: str) -> dict[str, Any]:
    meta = message.meta
    body: dict[str, Any] = {"id": public_id(message), "source": meta["source"]}
    if message.channel == "whatsapp":
        # The WAB doc prints "Destination" (seed 003 "MO Callback"); others print "destination".
        fields = ("Destination", "destination") if destination_field == "both" else (destination_field,)
        for name in fields:
            body[name] = meta["destination"]
        body["content"] = message.payload
        return body
    body["destination"] = meta["destination"]
    body["content"] = message.payload["content"]
    if meta.get("operator"):
        body["operator"] = meta["operator"]
    for key in ("reply_to", "reference", "encoding"):
        if meta.get(key) is not None:
            body[key] = meta[key]
    return body


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def v1_view(message: Message) -> dict[str, Any]:
    """GET /rest/gateway/messages/{id}: the Swagger ``Message`` plus ``reply_to``/``operator`` (go-modica)."""
    meta = message.meta
    out: dict[str, Any] = {"id": public_id(message), "destination": meta["destination"], "source": meta["source"]}
    out["content"] = message.payload.get("content") if message.channel == "sms" else message.payload
    for key in ("reference", "class", "mask", "sms_class", "scheduled", "operator", "reply_to"):
        if meta.get(key) is not None:
            out[key] = meta[key]
    return out


def v2_status(message: Message) -> str:
    if message.direction == "inbound":
        return "received"
    if message.status == "failed":
        failed = next((e for e in reversed(message.history) if e.status == "failed"), None)
        return str(failed.errors[0]["status"]) if failed and failed.errors else "rejected"
    return V2_STATUS.get(message.status, "accepted")


def v2_view(message: Message) -> dict[str, Any]:
    """GET /rest/sms/v2/messages?id=: the provider OpenAPI ``MessageDetails``. Its fields are strings,
    not nullable: a message without a ``reference`` has none (rather than null)."""
    meta = message.meta
    content = message.payload.get("content") if message.channel == "sms" else json.dumps(message.payload)
    out: dict[str, Any] = {
        "id": message.id,
        "source": meta["source"],
        "destination": meta["destination"],
        "direction": "MO" if message.direction == "inbound" else "MT",
    }
    if meta.get("reference") is not None:
        out["reference"] = meta["reference"]
    out.update(content=content, status=v2_status(message))
    return out


def wab_view(message: Message) -> dict[str, Any]:
    """GET /rest/wab/v1/messages?id=: the code-samples page's message, ``id``, ``source``, ``destination``,
    ``direction`` (MT | MO); then UNCONFIRMED: ``reference`` ("" without one, as the send answers it),
    ``type``, ``content`` (the WhatsApp message object, as an MO callback carries it) and ``status`` in
    the REST v2 words (``received`` once delivered or read: Modica publishes no read status)."""
    meta = message.meta
    out: dict[str, Any] = {
        "id": message.id,
        "source": meta["source"],
        "destination": meta["destination"],
        "direction": "MO" if message.direction == "inbound" else "MT",
    }
    if message.direction == "outbound":
        out["reference"] = meta.get("reference") or ""
    content = {k: v for k, v in message.payload.items() if k not in ("destination", "to", "source", "reference")}
    out.update(type=message.type, content=content, status=v2_status(message))
    return out
