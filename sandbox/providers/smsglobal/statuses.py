"""Neutral statuses (scenario timelines) -> SMSGlobal's vocabulary. One table per surface.

Reference §A4 "SMS status values seen": ``Processing`` on send, ``sent`` / ``delivered`` in lists,
``Delivered`` in the notifyUrl sample; the full enum and its casing are UNCONFIRMED. The sandbox's
choice, following the reference's suggestion ``Processing -> sent -> delivered / undelivered /
expired / failed``:

| neutral                                  | SMS resource (`status`) | DLR to notifyUrl (`status`) |
|------------------------------------------|-------------------------|-----------------------------|
| accepted, send time in the future        | Scheduled               | (none)                      |
| accepted                                 | Processing              | (none)                      |
| sent                                     | sent                    | (none: only final receipts) |
| delivered (read / played are ignored)    | delivered               | Delivered                   |
| failed, reason expired                   | expired                 | Expired                     |
| failed, reason rejected                  | rejected                | Rejected                    |
| failed, reason internal                  | failed                  | Failed                      |
| failed, any other reason or a code       | undelivered             | Undelivered                 |

WhatsApp over SMSGlobal has ``status`` and ``state`` (seed: strings, values UNCONFIRMED):

| neutral   | status     | state     |
|-----------|------------|-----------|
| accepted  | Processing | pending   |
| sent      | Sent       | pending   |
| delivered | Delivered  | completed |
| read      | Read       | completed |
| failed    | Failed     | failed    |
"""

from __future__ import annotations

from sandbox.core.status_order import NEUTRAL, SMS, StatusOrder
from sandbox.core.store import Message

# neutral failure reason -> SMS status word (lower case, as in list responses)
FAILURE_STATUS: dict[str, str] = {
    "expired": "expired",
    "rejected": "rejected",
    "internal": "failed",
}
DEFAULT_FAILURE_STATUS = "undelivered"

SMS_STATUSES = ("sent", "delivered", "failed")  # neutral statuses an SMS can have; read/played ignored
FINAL_SMS = ("delivered", "failed")  # neutral statuses that produce a delivery receipt

# How statuses move (core/status_order.py): an SMS's receipt (delivered or a failure) is final and it is
# never read; WhatsApp goes on to Read. A failed message never reports delivered afterwards.
ORDERS: dict[str, StatusOrder] = {"sms": SMS, "whatsapp": NEUTRAL}

WHATSAPP: dict[str, tuple[str, str]] = {  # neutral -> (status, state)
    "accepted": ("Processing", "pending"),
    "sent": ("Sent", "pending"),
    "delivered": ("Delivered", "completed"),
    "read": ("Read", "completed"),
    "played": ("Read", "completed"),
    "failed": ("Failed", "failed"),
}


def failure_status(reason: str | None) -> str:
    return FAILURE_STATUS.get(reason or "", DEFAULT_FAILURE_STATUS)


def sms_status(message: Message, now: float) -> str:
    """The ``status`` of an outgoing SMS resource at virtual time ``now``."""
    for event in reversed(message.history):
        if event.status == "failed":
            return str(event.errors[0]["status"]) if event.errors else DEFAULT_FAILURE_STATUS
        if event.status in ("sent", "delivered"):
            return event.status
    scheduled = message.meta.get("scheduled_at")
    return "Scheduled" if scheduled is not None and scheduled > now else "Processing"


def dlr_status(sms_word: str) -> str:
    """``delivered`` -> ``Delivered``: the KB sample's casing for notifyUrl."""
    return sms_word[:1].upper() + sms_word[1:]


def whatsapp_status(message: Message) -> tuple[str, str]:
    """(status, state) of an outgoing WhatsApp message."""
    for event in reversed(message.history):
        if event.status == "failed":
            return WHATSAPP["failed"]
    return WHATSAPP.get(message.status, WHATSAPP["accepted"])
