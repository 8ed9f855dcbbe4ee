"""SMSGlobal OTP (``/v2/otp``): request validation, the OTP object, and its life (Sent -> Verified | Cancelled).

Sources (reference §A4/§A5, and https://www.smsglobal.com/otp-api/):
- Send ``POST /v2/otp`` ``{destination, message, origin?, messageExpiryDateTime?, length?, codeExpiry?}``
  (Node SDK ``#otp/send`` schema; the PHP SDK sends ``""`` for every optional field it was not given).
  ``message`` must hold the ``{*code*}`` placeholder, replaced by a numeric code. Code length 4 to 10
  digits; code expiry 60 to 600 seconds; "only one valid OTP (the latest one) at a time, per
  destination number per API key".
- Validate ``POST /v2/otp/requestid/{requestId}/validate`` or ``/v2/otp/{destination}/validate`` with
  ``{"code": "…"}``; cancel ``POST …/cancel`` ("if it's not expired and verified yet"). A wrong code
  answers 400 ``{"error": "The input code does not match with the code sent to the user."}``; an
  unknown request 404 (Node and PHP SDK tests).
- The object: ``{requestId, destination, validUnitlTimestamp (sic), createdTimestamp,
  lastEventTimestamp, status: Sent | Verified | Cancelled}``, times ``Y-m-d H:i:s``.

UNCONFIRMED (the sandbox's choices): default length 6 and code expiry 600 s (the README's and .NET
example's 10 minutes); times in account time; a superseded, expired, verified or cancelled request
answers 400 ``{"error": …}`` to validate and cancel; the request keeps status ``Sent`` when it expires.

The OTP is an ordinary SMS (journal, scenario rules, balance, DLR); its state lives in that message's
``meta["otp"]``, so it is saved and evicted with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.core.params import whole_number
from sandbox.providers.smsglobal import sms
from sandbox.providers.smsglobal.config import Account
from sandbox.providers.smsglobal.errors import FieldErrors, SmsglobalError

PLACEHOLDER = "{*code*}"
LENGTH = (4, 10, 6)  # min, max, default (digits)
CODE_EXPIRY = (60, 600, 600)  # min, max, default (seconds)
FIELDS = frozenset({"destination", "message", "origin", "messageExpiryDateTime", "length", "codeExpiry"})
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

MISMATCH = "The input code does not match with the code sent to the user."


@dataclass(frozen=True)
class OtpOrder:
    destination: str  # digits, no "+"
    template: str  # the message, with the placeholder
    origin: str
    message_expires_at: float | None
    length: int
    code_expiry: int

    def text(self, code: str) -> str:
        return self.template.replace(PLACEHOLDER, code)


def parse_send(body: dict[str, Any], account: Account) -> OtpOrder:
    errors = FieldErrors()
    for extra in sorted(set(body) - FIELDS):
        errors.add(extra, "This form should not contain extra fields.")
    destination = body.get("destination")
    text = str(destination) if isinstance(destination, (str, int)) and not isinstance(destination, bool) else ""
    if not text:
        errors.add("destination", "Destination is required.")
    elif not sms.NUMBER.match(text):
        errors.add("destination", f"Destination number '{destination}' is invalid.")
    message = body.get("message")
    if not isinstance(message, str) or not message:
        errors.add("message", "Message is required: a non-empty string.")
    elif PLACEHOLDER not in message:
        errors.add("message", f"Message template should contain a placeholder for code i.e. {PLACEHOLDER}.")
    origin = sms.parse_origin(body.get("origin"), account, errors, "")
    expires = sms.parse_date(body.get("messageExpiryDateTime"), "messageExpiryDateTime", account, errors, "")
    length = _bounded(body.get("length"), "length", LENGTH, errors, "digits")
    code_expiry = _bounded(body.get("codeExpiry"), "codeExpiry", CODE_EXPIRY, errors, "seconds")
    errors.raise_if_any()
    return OtpOrder(text.lstrip("+"), str(message), origin, expires, length, code_expiry)


def _bounded(value: Any, name: str, bounds: tuple[int, int, int], errors: FieldErrors, unit: str) -> int:
    low, high, default = bounds
    if value is None or value == "":  # the PHP SDK sends "" for a field it was not given
        return default
    number = value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, str):
        number = whole_number(value.strip())
    if number is None or not low <= number <= high:
        errors.add(name, f"{name} must be a whole number of {unit} from {low} to {high}, got {value!r}")
        return default
    return number


def code_of(body: dict[str, Any]) -> str:
    """The ``code`` of a validate request (a string in the SDKs; a number is read as its digits)."""
    code = body.get("code")
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    if not isinstance(code, str) or not code:
        errors = FieldErrors()
        errors.add("code", "code is required: the code the user entered.")
        errors.raise_if_any()
    return str(code)


def new_state(order: OtpOrder, request_id: str, code: str, now: float) -> dict[str, Any]:
    """What ``meta["otp"]`` of the OTP's SMS holds."""
    return {
        "request_id": request_id,
        "code": code,
        "status": "Sent",
        "created_at": now,
        "valid_until": now + order.code_expiry,
        "last_event_at": now,
        "superseded": False,
    }


def refusal(state: dict[str, Any], now: float, action: str) -> SmsglobalError | None:
    """Why this request can no longer be validated or cancelled, or None."""
    if state["status"] == "Verified":
        why = "has already been verified"
    elif state["status"] == "Cancelled":
        why = "has been cancelled"
    elif state["superseded"]:
        why = "is no longer valid: a newer OTP was sent to this destination"
    elif now > state["valid_until"]:
        why = "has expired"
    else:
        return None
    return SmsglobalError(400, f"Cannot {action}: the OTP request {state['request_id']} {why}.", shape="error")


def render(state: dict[str, Any], destination: str, account: Account) -> dict[str, Any]:
    return {
        "requestId": state["request_id"],
        "destination": destination,
        "validUnitlTimestamp": _time(state["valid_until"], account),  # sic: the API's spelling
        "createdTimestamp": _time(state["created_at"], account),
        "lastEventTimestamp": _time(state["last_event_at"], account),
        "status": state["status"],
    }


def _time(ts: float, account: Account) -> str:
    return datetime.fromtimestamp(ts, account.tz).strftime(TIME_FORMAT)
