"""Sends over REST v1, REST v2 and WhatsApp (WAB): validate, translate to a core message, decide.

One linear path per send: validate the body -> decide the outcome from the scenario -> store and
schedule the timeline -> the route renders Modica's response. Validation rules (reference C1/C2):
``destination`` and ``content`` required, international destination (``+64...``), ``source`` used
*instead of* ``class``, ``mask`` at most 20 characters, ``scheduled`` RFC 3339, not in the past
(422) and at most 60 days ahead.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from sandbox.core import sms
from sandbox.core.params import whole_number
from sandbox.core.scenario import ErrorSpec, Outcome, SendFacts, Step, UserAction
from sandbox.core.store import Message
from sandbox.providers.modica.config import ModicaApplication
from sandbox.providers.modica.errors import CATALOGUE, ModicaError, invalid, missing
from sandbox.providers.modica.service import PROVIDER, ModicaProvider

INTERNATIONAL = re.compile(r"^\+[1-9][0-9]{6,14}$")
MAX_SCHEDULE_AHEAD = 60 * 86400  # "Allows scheduling of messages with an upper limit of 60 days"
MAX_CONTENT = 5000  # REST v2 MessageDetails.content maxLength
MAX_MASK = 20
BROADCAST_LIMIT = 1000
OPTIONAL_STRINGS = ("source", "reference", "class", "mask")
FAIL_FAST = 0.2  # seconds after the send at which a rule-independent WhatsApp failure is reported


def destination(value: Any) -> str:
    """The recipient in international format, e.g. ``+64211234567`` (UNCONFIRMED: no leading-zero or
    bare-digit forms are accepted, as the docs ask for international format)."""
    if value is None or value == "":
        raise missing("destination")
    if not isinstance(value, str) or not INTERNATIONAL.match(value.strip()):
        raise invalid("destination", f"'{value}' is not a mobile number in international format, e.g. +64211234567")
    return value.strip()


def sms_fields(body: Any, now: float) -> dict[str, Any]:
    """The validated optional and content fields every SMS send shares (single, broadcast, v2)."""
    if not isinstance(body, dict):
        raise ModicaError("invalid_json", "The request body must be a JSON object")
    content = body.get("content")
    if content is None or content == "":
        raise missing("content")
    if not isinstance(content, str):
        raise invalid("content", "must be a string")
    if len(content) > MAX_CONTENT:
        raise invalid("content", f"is {len(content)} characters long; the limit is {MAX_CONTENT}")
    fields: dict[str, Any] = {"content": content}
    for key in OPTIONAL_STRINGS:
        if body.get(key) is not None:
            if not isinstance(body[key], str):
                raise invalid(key, "must be a string")
            fields[key] = body[key]
    if "source" in fields and "class" in fields:
        raise invalid("class", "use either source or class, not both (source is used instead of class)")
    if len(fields.get("mask", "")) > MAX_MASK:
        raise invalid("mask", f"is longer than {MAX_MASK} characters")
    if body.get("sms_class") is not None:
        value = body["sms_class"]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3:
            raise invalid("sms_class", "must be an integer from 0 to 3")
        fields["sms_class"] = value
    if body.get("scheduled") is not None:
        fields["scheduled"], fields["due"] = body["scheduled"], _scheduled(body["scheduled"], now)
    return fields


def _scheduled(value: Any, now: float) -> float:
    parsed = None
    if isinstance(value, str) and "T" in value.upper():
        try:
            parsed = datetime.fromisoformat(value.replace("z", "Z"))
        except ValueError:
            parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ModicaError("400", f"Invalid scheduled timestamp '{value}' (must be RFC3339, e.g. 2026-05-05T10:00:00+12:00)")
    due = parsed.timestamp()
    if due < now:
        raise ModicaError("422", f"Invalid scheduled timestamp '{value}' (must not be in the past)")
    if due - now > MAX_SCHEDULE_AHEAD:
        raise invalid("scheduled", "must be less than 60 days ahead")
    return due


def integration_id(body: dict[str, Any]) -> str | None:
    value = body.get("integration_id")
    if value is None:
        return None
    try:
        return str(uuid.UUID(str(value)))
    except ValueError as exc:
        raise invalid("integration_id", f"'{value}' is not a UUID") from exc


def submit_sms(provider: ModicaProvider, app: ModicaApplication, to: str, fields: dict[str, Any],
               *, api: str) -> Message:
    """Decide and accept one SMS; raises the scenario's synchronous rejection."""
    digits = to.lstrip("+")
    content = fields["content"]
    facts = SendFacts(provider=PROVIDER, channel="sms", business=app.name, user=digits, type="sms", text=content)
    outcome = provider.messaging.engine.decide(facts)
    if outcome.reject:
        raise reject_error(outcome.reject)
    id_format = "int64" if api == "v1" else "uuid"
    meta: dict[str, Any] = {"api": api, "id_format": id_format, "destination": to,
                            "source": fields.get("source") or app.short_code,
                            "encoding": sms.encoding_of(content), "segments": sms.segments(content)}
    meta.update({k: v for k, v in fields.items() if k not in ("content", "due", "source")})
    message = Message(id=provider.new_id(id_format), provider=PROVIDER, channel="sms", direction="outbound",
                      business=app.name, user=digits, type="sms", payload={"content": content},
                      created_at=provider.clock.now(), meta=meta)
    return _accept(provider, message, outcome, fields.get("due"))


def decide_whatsapp(provider: ModicaProvider, facts: SendFacts) -> Outcome:
    """The scenario's outcome for one WhatsApp recipient; raises its synchronous rejection."""
    outcome = provider.messaging.engine.decide(facts)
    if outcome.reject:
        raise reject_error(outcome.reject)
    return outcome


def submit_whatsapp(provider: ModicaProvider, app: ModicaApplication, body: dict[str, Any],
                    facts: SendFacts, outcome: Outcome | None = None) -> Message:
    """Accept one WhatsApp message (``outcome``: already decided, as a broadcast does for every
    destination before accepting any)."""
    outcome = outcome or decide_whatsapp(provider, facts)
    # the recipient as validated (``destination`` or ``to``: wab.py), in international format
    meta = {"api": "wab", "id_format": "uuid", "destination": "+" + facts.user,
            "source": body.get("source") or app.whatsapp_number}
    if body.get("reference"):
        meta["reference"] = body["reference"]
    message = Message(id=provider.new_id("uuid"), provider=PROVIDER, channel="whatsapp", direction="outbound",
                      business=app.name, user=facts.user, type=facts.type, payload=body,
                      created_at=provider.clock.now(), meta=meta)
    if facts.type != "template" and not provider.messaging.window_open(message, outcome):
        # Free-form WhatsApp needs the 24-hour window (Meta's rule, which Modica relays).
        window = [Step(FAIL_FAST, "failed", ErrorSpec(reason="window_closed"))]
        return provider.messaging.accept(message, replace(outcome, user=[]), timeline=window)
    return provider.messaging.accept(message, outcome)


def _accept(provider: ModicaProvider, message: Message, outcome: Outcome, due: float | None) -> Message:
    """Scheduled messages start their timeline (and scripted replies) at the scheduled time."""
    if due is None:
        return provider.messaging.accept(message, outcome)
    delay = due - message.created_at
    timeline = [replace(step, after=step.after + delay) for step in outcome.timeline]
    users = [UserAction(a.after + delay, a.kind, a.value) for a in outcome.user]
    return provider.messaging.accept(message, replace(outcome, user=users), timeline=timeline)


def reject_error(reject: dict[str, Any]) -> ModicaError:
    """A scenario's ``reject: {code, details}``: a catalogue code (``send_failed``) or an HTTP status."""
    code = str(reject["code"])
    if code in CATALOGUE:
        return ModicaError(code, reject.get("details"))
    number = whole_number(code)
    status = number if number is not None and 400 <= number < 600 else 400
    return ModicaError("send_failed", reject.get("details"), http_status=status)
