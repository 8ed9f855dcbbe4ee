"""``POST /v2/sms`` request validation: the body -> one ``SmsOrder`` per destination.

Fields from the Node SDK's ``#sms/send`` schema (``additionalProperties: false``, reference §A4):
``origin, destination, destinations, message, scheduledDateTime, expiryDateTime, campaign,
sharedPool, notifyUrl, incomingUrl, messages``. Numbers are strings of 3-15 characters; ``origin``
may be null or empty (the account's default origin is used). Dates are ``yyyy-MM-dd HH:mm:ss`` in
account time; ISO 8601 is accepted too, because the Node SDK lets callers pass a Luxon DateTime,
which JSON-encodes as ISO 8601.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.providers.smsglobal.config import Account
from sandbox.providers.smsglobal.errors import FieldErrors
from sandbox.providers.smsglobal.listing import DATE_FORMAT
from sandbox.providers.smsglobal.wire import as_list

FIELDS = frozenset(
    {
        "origin",
        "destination",
        "destinations",
        "message",
        "scheduledDateTime",
        "expiryDateTime",
        "campaign",
        "sharedPool",
        "notifyUrl",
        "incomingUrl",
        "messages",
    }
)
NUMBER = re.compile(r"^\+?[0-9]{3,15}$")
# An alphanumeric sender id: at most 11 characters (GSM 03.40 TP-OA), letters, digits, blanks.
SENDER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._&-]{0,10}$")
URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class SmsOrder:
    origin: str
    destination: str  # digits, no "+"
    message: str
    scheduled_at: float | None
    expires_at: float | None
    campaign: str | None
    notify_url: str | None
    incoming_url: str | None


def parse_send(body: dict[str, Any], account: Account) -> list[SmsOrder]:
    errors = FieldErrors()
    if "messages" in body:
        items = as_list(body["messages"])
        if not items:
            errors.add("messages", "messages must hold at least one message object")
        orders = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                errors.add(f"messages[{index}]", "each item of messages must be an object")
                continue
            orders += _parse_one(item, account, errors, prefix=f"messages[{index}].")
    else:
        orders = _parse_one(body, account, errors, prefix="")
    errors.raise_if_any()
    return orders


def _parse_one(item: dict[str, Any], account: Account, errors: FieldErrors, prefix: str) -> list[SmsOrder]:
    for extra in sorted(set(item) - FIELDS - ({"messages"} if prefix else set())):
        errors.add(prefix + extra, "This form should not contain extra fields.")
    if prefix and "messages" in item:
        errors.add(prefix + "messages", "messages cannot be nested")
    destinations = _destinations(item, errors, prefix)
    message = item.get("message")
    if not isinstance(message, str) or not message:
        errors.add(prefix + "message", "Message is required: a non-empty string.")
        message = ""
    origin = parse_origin(item.get("origin"), account, errors, prefix)
    scheduled = parse_date(item.get("scheduledDateTime"), "scheduledDateTime", account, errors, prefix)
    expires = parse_date(item.get("expiryDateTime"), "expiryDateTime", account, errors, prefix)
    urls = {name: _url(item.get(name), name, errors, prefix) for name in ("notifyUrl", "incomingUrl")}
    campaign = item.get("campaign")
    if campaign is not None and not isinstance(campaign, str):
        errors.add(prefix + "campaign", "campaign must be a string")
    return [
        SmsOrder(
            origin=origin,
            destination=d,
            message=message,
            scheduled_at=scheduled,
            expires_at=expires,
            campaign=campaign if isinstance(campaign, str) else None,
            notify_url=urls["notifyUrl"] or account.notify_url,
            incoming_url=urls["incomingUrl"] or account.incoming_url,
        )
        for d in destinations
    ]


def _destinations(item: dict[str, Any], errors: FieldErrors, prefix: str) -> list[str]:
    if "destination" in item and "destinations" in item:
        errors.add(prefix + "destination", "Use either destination or destinations, not both.")
        return []
    if "destinations" in item:
        raw, name = as_list(item["destinations"]), "destinations"
        if not raw:
            errors.add(prefix + name, "destinations must hold at least one number")
    elif item.get("destination") not in (None, ""):
        raw, name = [item["destination"]], "destination"
    else:
        errors.add(prefix + "destination", "Destination is required.")
        return []
    out = []
    for value in raw:
        text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
        if not NUMBER.match(text):
            errors.add(prefix + name, f"Destination {value!r} is invalid: 3 to 15 digits, optionally after +.")
            continue
        out.append(text.lstrip("+"))
    return out


def parse_origin(value: Any, account: Account, errors: FieldErrors, prefix: str) -> str:
    if value is None or value == "":
        return account.origin
    text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if NUMBER.match(text):
        return text.lstrip("+")
    if text and not text.isdigit() and SENDER_ID.match(text):
        return text
    errors.add(prefix + "origin", "Origin is invalid.")
    return account.origin


def parse_date(value: Any, name: str, account: Account, errors: FieldErrors, prefix: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return datetime.strptime(value, DATE_FORMAT).replace(tzinfo=account.tz).timestamp()
        except ValueError:
            pass
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=account.tz)).timestamp()
        except ValueError:
            pass
    errors.add(prefix + name, f"{name} must be a date in the format yyyy-MM-dd HH:mm:ss, got {value!r}")
    return None


def _url(value: Any, name: str, errors: FieldErrors, prefix: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not URL.match(value):
        errors.add(prefix + name, f"{name} must be an http or https URL, got {value!r}")
        return None
    return value
