"""WhatsApp over SMSGlobal: send validation and the media-link check.

The public docs list the operations but not their paths or bodies (reference §A8); the sandbox's
mapping is in docs/smsglobal.md. The message object types and their constraints are the seed's
(001, "Message Object Types"): template (``template_name``, ``params`` string array), text
(``text``, ``preview_url``), image / video / document / audio (``url`` over HTTP(S), ``caption``,
``filename``), location (``lat`` in [-90, 90], ``lng`` in [-180, 180], ``name``, ``address``), and
sticker (``url`` only: the seed lists it in the content-type table, ``image/webp`` up to 100 KB, with no
field table of its own; Meta's sticker has no caption either).

``message`` is typed "string" in the seed's send table: the sandbox takes the message object, a JSON
string of it, or plain text (a text message).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

import aiohttp

from sandbox.core import jsonbody
from sandbox.core.link_policy import LinkPolicy
from sandbox.core.media_fetch import FetchFailure, Reason, fetch_media
from sandbox.providers.smsglobal.errors import FieldErrors
from sandbox.providers.smsglobal.wire import as_list

NUMBER = re.compile(r"^\+?[0-9]{3,15}$")
MB = 1024 * 1024

# Seed 001 "Supported content types" and "Post-processing size limit" per message type.
MEDIA_TYPES: dict[str, tuple[frozenset[str], int]] = {
    "image": (frozenset({"image/jpeg", "image/png"}), 5 * MB),
    "audio": (frozenset({"audio/aac", "audio/mp4", "audio/amr", "audio/mpeg", "audio/ogg", "audio/opus"}), 16 * MB),
    "video": (frozenset({"video/mp4", "video/3gpp"}), 16 * MB),
}
_DOCUMENT_ONLY = {
    "text/plain",
    "text/csv",
    "application/pdf",
    "application/msword",
    "application/x-tar",
    "application/rtf",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
}
# "Any content type listed for other message types" plus its own list (sticker's image/webp included).
MEDIA_TYPES["document"] = (
    frozenset(_DOCUMENT_ONLY | {"image/webp"} | {t for types, _ in MEDIA_TYPES.values() for t in types}),
    100 * MB,
)
MEDIA_TYPES["sticker"] = (frozenset({"image/webp"}), 100 * 1024)

MESSAGE_FIELDS: dict[str, frozenset[str]] = {
    "template": frozenset({"type", "template_name", "params"}),
    "text": frozenset({"type", "text", "preview_url"}),
    "image": frozenset({"type", "url", "caption"}),
    "video": frozenset({"type", "url", "caption"}),
    "document": frozenset({"type", "url", "caption", "filename"}),
    "audio": frozenset({"type", "url"}),
    "sticker": frozenset({"type", "url"}),
    "location": frozenset({"type", "lat", "lng", "name", "address"}),
}


@dataclass(frozen=True)
class WhatsAppOrder:
    recipients: list[str]  # digits
    message: dict[str, Any]  # the normalized message object

    @property
    def type(self) -> str:
        return str(self.message["type"])

    @property
    def text(self) -> str:
        m = self.message
        return str(m.get("text") or m.get("caption") or " ".join(m.get("params", [])) or m.get("name") or "")


def parse_send(body: dict[str, Any]) -> WhatsAppOrder:
    errors = FieldErrors()
    recipients = _recipients(body.get("to"), errors)
    message = _message(body.get("message"), errors)
    for extra in sorted(set(body) - {"to", "message", "origin"}):
        errors.add(extra, "This form should not contain extra fields.")
    errors.raise_if_any()
    return WhatsAppOrder(recipients, message)


def _recipients(value: Any, errors: FieldErrors) -> list[str]:
    items = [value] if isinstance(value, str) else as_list(value)
    if not items:
        errors.add("to", "to is required: a list of destination numbers.")
    out = []
    for item in items:
        text = str(item) if isinstance(item, (str, int)) and not isinstance(item, bool) else ""
        if not NUMBER.match(text):
            errors.add("to", f"Destination {item!r} is invalid: 3 to 15 digits, optionally after +.")
        else:
            out.append(text.lstrip("+"))
    return list(dict.fromkeys(out))


def _message(value: Any, errors: FieldErrors) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            decoded = jsonbody.loads(value)
        except json.JSONDecodeError:
            decoded = None
        value = decoded if isinstance(decoded, dict) else {"type": "text", "text": value}
    if not isinstance(value, dict):
        errors.add("message", "message is required: a message object such as {\"type\": \"text\", \"text\": \"Hi\"}.")
        return {}
    message = dict(value)
    if "Text" in message and "text" not in message:  # the seed's table spells the field "Text"
        message["text"] = message.pop("Text")
    kind = message.get("type")
    if not isinstance(kind, str) or kind not in MESSAGE_FIELDS:
        errors.add("message.type", f"type must be one of {', '.join(MESSAGE_FIELDS)}, got {kind!r}.")
        return message
    for extra in sorted(set(message) - MESSAGE_FIELDS[kind]):
        errors.add(f"message.{extra}", f"{extra} is not a field of a {kind} message.")
    _CHECKS[kind](message, errors)
    return message


def _check_template(m: dict[str, Any], errors: FieldErrors) -> None:
    if not isinstance(m.get("template_name"), str) or not m["template_name"]:
        errors.add("message.template_name", "template_name is required.")
    params = m.get("params")
    if params is not None:
        params = as_list(params)
        if not all(isinstance(p, str) for p in params):
            errors.add("message.params", "params must be an array of strings.")
        m["params"] = params


def _check_text(m: dict[str, Any], errors: FieldErrors) -> None:
    if not isinstance(m.get("text"), str) or not m["text"]:
        errors.add("message.text", "text is required: the message content.")
    preview = m.get("preview_url", False)
    if preview in ("true", "false"):  # XML bodies carry booleans as text
        preview = preview == "true"
    if not isinstance(preview, bool):
        errors.add("message.preview_url", "preview_url must be true or false.")
    m["preview_url"] = preview


def _check_media(m: dict[str, Any], errors: FieldErrors) -> None:
    url = m.get("url")
    if not isinstance(url, str) or not url:
        errors.add("message.url", f"url is required: the public HTTP or HTTPS link of the {m['type']}.")
    elif not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE):
        errors.add("message.url", f"url must be an HTTP or HTTPS link, got {url!r}.")
    for name in ("caption", "filename"):
        if name in m and not isinstance(m[name], str):
            errors.add(f"message.{name}", f"{name} must be a string.")


def _check_location(m: dict[str, Any], errors: FieldErrors) -> None:
    for name, bound in (("lat", 90), ("lng", 180)):
        value = m.get(name)
        if isinstance(value, str):  # XML bodies carry numbers as text
            try:
                value = float(value)
            except ValueError:
                value = None
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            errors.add(f"message.{name}", f"{name} is required: a number in [-{bound}, {bound}].")
        elif not -bound <= value <= bound:
            errors.add(f"message.{name}", f"{name} must be in [-{bound}, {bound}], got {value}.")
        else:
            m[name] = value
    for name in ("name", "address"):
        if name in m and not isinstance(m[name], str):
            errors.add(f"message.{name}", f"{name} must be a string.")


_CHECKS = {
    "template": _check_template,
    "text": _check_text,
    "image": _check_media,
    "video": _check_media,
    "document": _check_media,
    "audio": _check_media,
    "sticker": _check_media,
    "location": _check_location,
}


# --- media link check ----------------------------------------------------------------------------


# A link that cannot be used (sandbox/core/media_fetch.py) -> why, in ``meta.media_error`` and the
# failed status's details. The seed gives no wording: these are the sandbox's (UNCONFIRMED).
MEDIA_FAILURES: dict[Reason, str] = {
    "unreachable": "media link could not be fetched: {detail}",
    "http_status": "media link answered HTTP {status}",
    "unsupported_type": "media content type {mime} is not accepted for {kind} (accepted: {accepted})",
    "too_large": "media is larger than the {limit_kb} KB limit for {kind}",
    "refused": "media link could not be fetched: {detail}",  # SANDBOX_MEDIA_FETCH_LINKS (docs/security.md)
}


async def check_media(session: aiohttp.ClientSession, kind: str, url: str, timeout: float,
                      policy: LinkPolicy) -> str | None:
    """Fetch ``url`` like the provider would: None when usable, else why not (the message then fails)."""
    accepted, limit = MEDIA_TYPES[kind]
    result = await fetch_media(session, url, timeout=timeout, limits=dict.fromkeys(accepted, limit), policy=policy)
    if not isinstance(result, FetchFailure):
        return None
    words = {"kind": kind, "accepted": ", ".join(sorted(accepted)), "limit_kb": limit // 1024}
    return MEDIA_FAILURES[result.reason].format(**asdict(result), **words)
