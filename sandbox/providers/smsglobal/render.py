"""Wire objects: SMS / WhatsApp resources as the API returns them, and callback bodies.

Dates (reference §A4): SMS ``dateTime`` is ``Y-m-d H:i:s O`` in the account's timezone
(``2020-07-30 14:29:50 +0000``). WhatsApp ``createdDate`` is a DateTime (seed); its format is
UNCONFIRMED, the sandbox uses ISO 8601 in account time (``2020-07-30T14:29:50+00:00``).
Ids are JSON numbers, as in the Node and Go fixtures (the .NET README shows strings).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from sandbox.core.store import Message
from sandbox.providers.smsglobal import statuses, wire
from sandbox.providers.smsglobal.config import Account


def sms_datetime(ts: float, account: Account) -> str:
    return datetime.fromtimestamp(ts, account.tz).strftime("%Y-%m-%d %H:%M:%S %z")


def iso_datetime(ts: float, account: Account) -> str:
    return datetime.fromtimestamp(ts, account.tz).isoformat(timespec="seconds")


def outgoing_sms(message: Message, account: Account, now: float) -> dict[str, Any]:
    return {
        "id": int(message.id),
        "outgoing_id": message.meta["outgoing_id"],
        "origin": message.meta["origin"],
        "destination": message.user,
        "message": message.payload["message"],
        "status": statuses.sms_status(message, now),
        "dateTime": sms_datetime(message.created_at, account),
    }


def incoming_sms(message: Message, account: Account) -> dict[str, Any]:
    return {
        "id": int(message.id),
        "origin": message.user,
        "destination": message.meta["to"],
        "message": message.payload["message"],
        "dateTime": sms_datetime(message.created_at, account),
        "isUnicode": message.meta["encoding"] == "UCS-2",
        "isMultipart": message.meta["parts"] > 1,
        "partNumber": 1,
        "totalParts": message.meta["parts"],
        **campaign(message),
    }


def campaign(message: Message) -> dict[str, Any]:
    """``{"campaign": {"id": 1340232}}`` for an MO that answers a send made with ``campaign``, else
    nothing (the Node fixture has no ``campaign``; the Go one has it, and Go decodes ``ID int``).
    UNCONFIRMED: the send takes a campaign *string*; a numeric one is the id, any other name gets a
    stable 7-digit id of its own."""
    name = message.meta.get("campaign")
    if not name:
        return {}
    if name.isascii() and name.isdigit() and len(name) <= 18:
        return {"campaign": {"id": int(name)}}
    digest = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    return {"campaign": {"id": 1_000_000 + digest % 9_000_000}}


def outgoing_whatsapp(message: Message, account: Account) -> dict[str, Any]:
    status, state = statuses.whatsapp_status(message)
    return {
        "id": int(message.id),
        "recipient": message.user,
        "status": status,
        "state": state,
        "message": json.dumps(message.payload["message"], ensure_ascii=False),
        "createdDate": iso_datetime(message.created_at, account),
    }


def incoming_whatsapp(message: Message, account: Account) -> dict[str, Any]:
    return {
        "id": int(message.id),
        "from": message.user,
        "to": message.meta["to"],
        "message": message.payload["message"],
        "createdDate": iso_datetime(message.created_at, account),
    }


# --- callbacks -----------------------------------------------------------------------------------


def dlr(message: Message, sms_word: str, at: float) -> dict[str, Any]:
    """notifyUrl fields (KB 5185736): ``id`` (part id), ``outgoing_id``, ``status``, ``update_time`` (UTC)."""
    return {
        "id": int(message.id),
        "outgoing_id": message.meta["outgoing_id"],
        "status": statuses.dlr_status(sms_word),
        "update_time": datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds"),
    }


def mo_sms(message: Message, account: Account) -> dict[str, Any]:
    """incomingUrl fields: UNCONFIRMED for REST; the HTTP API's MO post-back ``to, from, msg, date`` plus ``id``."""
    return {
        "id": int(message.id),
        "to": message.meta["to"],
        "from": message.user,
        "msg": message.payload["message"],
        "date": datetime.fromtimestamp(message.created_at, account.tz).strftime("%Y-%m-%d %H:%M:%S"),
        **campaign(message),
    }


def callback_body(fields: dict[str, Any], fmt: str) -> tuple[bytes, dict[str, str]]:
    """Encode a callback: form (default, the KB sample is form-encoded), JSON or XML."""
    if fmt == "json":
        return json.dumps(fields).encode(), {"Content-Type": "application/json"}
    if fmt == "xml":
        return wire.to_xml(fields), {"Content-Type": "application/xml"}
    return urlencode(_flat(fields)).encode(), {"Content-Type": "application/x-www-form-urlencoded"}


def _flat(fields: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects as PHP's http_build_query writes them (``campaign[id]=1340232``), which is
    what a PHP receiver's ``$_POST['campaign']['id']`` reads. UNCONFIRMED for SMSGlobal."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        name = f"{prefix}[{key}]" if prefix else key
        out.update(_flat(value, name) if isinstance(value, dict) else {name: value})
    return out
