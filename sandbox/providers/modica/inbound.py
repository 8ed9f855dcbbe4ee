"""What a user sends the business, as Modica passes it on in the MO callback.

SMS: text ``content`` (or base64 with ``encoding: "base64"`` for binary data, seed 003 "MO Callback").
WhatsApp: ``content`` is an object; its members are the seed's "Whatsapp Message Notification" table
(text, image, audio, video, document, sticker, button, interactive, system, ... plus ``type``,
``context``, ``referral``, ``identity``, ``errors``). UNCONFIRMED beyond the table: the members are
shaped as in Meta's inbound message object, which Modica relays.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from sandbox.core.errors import ControlError

WAB_TYPES = (
    "text", "image", "audio", "video", "document", "sticker", "location", "contacts", "button",
    "interactive", "reaction", "system", "template",
)
MEDIA_TYPES = {"image": "image/jpeg", "audio": "audio/ogg", "video": "video/mp4",
               "document": "application/pdf", "sticker": "image/webp"}
EXTRAS = ("referral", "identity", "errors")  # table members passed through when the injection gives them


def sms_content(spec: dict[str, Any]) -> tuple[str, str | None]:
    """(content, encoding) of an SMS MO; binary content stays base64 and says so."""
    content = spec.get("content", spec.get("text"))
    if not isinstance(content, str):
        raise ControlError("an SMS MO needs 'content' (the text, or base64 with encoding: \"base64\")")
    encoding = spec.get("encoding")
    if encoding is None:
        return content, None
    if encoding != "base64":
        raise ControlError("'encoding' is \"base64\" (binary content) or absent (GSM 7-bit or Unicode text)")
    try:
        base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ControlError(f"content is not valid base64: {exc}") from exc
    return content, "base64"


def wab_content(spec: dict[str, Any], *, message_id: str, sender: str, timestamp: int) -> dict[str, Any]:
    kind = spec.get("type") or next((k for k in WAB_TYPES if k in spec), None)
    if kind not in WAB_TYPES:
        raise ControlError(f"say which WhatsApp message the user sends: 'type', one of {', '.join(WAB_TYPES)}")
    content: dict[str, Any] = {"from": sender, "id": message_id, "timestamp": str(timestamp), "type": kind}
    body = spec.get(kind)
    if kind == "text":
        text = body if isinstance(body, str) else (body or {}).get("body")
        if not isinstance(text, str) or not text:
            raise ControlError('a WhatsApp text needs text: "..." or text: {"body": "..."}')
        content["text"] = {"body": text}
    elif kind in MEDIA_TYPES:
        content[kind] = media_object(kind, body or {})
    elif isinstance(body, dict):
        content[kind] = body
    else:
        raise ControlError(f"a WhatsApp {kind} message needs a '{kind}' object")
    for key in EXTRAS:
        if key in spec:
            content[key] = spec[key]
    return content


def media_object(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """``data`` (base64 bytes) stays until the provider moves it into the media store."""
    out = dict(body)
    out.setdefault("mime_type", MEDIA_TYPES[kind])
    return out


def media_bytes(body: Any) -> bytes:
    """The bytes a user's media message carries: ``data`` (base64) when given, else a placeholder."""
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, str):
        try:
            return base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ControlError(f"media 'data' is not valid base64: {exc}") from exc
    return b"wa-sandbox placeholder media"


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()
