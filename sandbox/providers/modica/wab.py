"""WhatsApp over Modica (WAB API v1): request validation for ``POST /rest/wab/v1/messages``.

Only the header of the provider's OpenAPI was read (reference C3): its example is
``{"to":"+64123456789","type":"text","source":"1234567890","text":{"body":"Hello"}}``.
UNCONFIRMED beyond it: the message objects are Meta's (Modica relays to the Cloud API), so the
sandbox checks what Meta would refuse outright: the recipient, a known type and its object, the
text body, media by an uploaded ``id`` or an http(s) ``link``, a template's name and language.
"""

from __future__ import annotations

from typing import Any

from sandbox.core.scenario import SendFacts
from sandbox.core.wa_message import text_of
from sandbox.providers.modica.config import ModicaApplication
from sandbox.providers.modica.errors import ModicaError, invalid, missing
from sandbox.providers.modica.media import ModicaMedia
from sandbox.providers.modica.send import destination
from sandbox.providers.modica.service import PROVIDER

MESSAGE_TYPES = ("text", "image", "audio", "video", "document", "sticker", "location", "contacts",
                 "interactive", "template", "reaction")
MEDIA = ("image", "audio", "video", "document", "sticker")
MAX_TEXT = 4096  # Meta's text.body limit


def validate(body: Any, app: ModicaApplication, media: ModicaMedia) -> SendFacts:
    if not isinstance(body, dict):
        raise ModicaError("invalid_json", "The request body must be a JSON object")
    if body.get("to") is None:
        raise missing("to")
    to = destination_of(body["to"])
    kind = body.get("type")
    if kind is None:
        raise missing("type")
    if kind not in MESSAGE_TYPES:
        raise invalid("type", f"'{kind}' is not one of {', '.join(MESSAGE_TYPES)}")
    obj = body.get(kind)
    if obj is None:
        raise missing(kind)
    if kind == "contacts" and not isinstance(obj, list):
        raise invalid(kind, "must be an array of contacts")
    if kind != "contacts" and not isinstance(obj, dict):
        raise invalid(kind, "must be an object")
    if body.get("source") is not None and not isinstance(body["source"], str):
        raise invalid("source", "must be a string")
    _check(kind, obj, app, media)
    return SendFacts(
        provider=PROVIDER, channel="whatsapp", business=app.name, user=to.lstrip("+"), type=kind,
        interactive_type=obj.get("type") if kind == "interactive" and isinstance(obj, dict) else None,
        template=obj.get("name") if kind == "template" and isinstance(obj, dict) else None,
        text=text_of(kind, obj),
    )


def destination_of(value: Any) -> str:
    try:
        return destination(value)
    except ModicaError as exc:
        raise invalid("to", exc.detail.split(": ", 1)[-1]) from exc


def _check(kind: str, obj: Any, app: ModicaApplication, media: ModicaMedia) -> None:
    if kind == "text":
        text = obj.get("body") if isinstance(obj, dict) else None
        if not isinstance(text, str) or not text:
            raise missing("text.body")
        if len(text) > MAX_TEXT:
            raise invalid("text.body", f"is {len(text)} characters long; the limit is {MAX_TEXT}")
    elif kind in MEDIA:
        _check_media(kind, obj, app, media)
    elif kind == "template":
        if not isinstance(obj.get("name"), str) or not obj["name"]:
            raise missing("template.name")
        if not obj.get("language"):
            raise missing("template.language")
    elif kind == "location":
        for key in ("latitude", "longitude"):
            if not isinstance(obj.get(key), (int, float)) or isinstance(obj.get(key), bool):
                raise missing(f"location.{key}")
    elif kind == "interactive" and not obj.get("type"):
        raise missing("interactive.type")
    elif kind == "reaction" and not obj.get("message_id"):
        raise missing("reaction.message_id")


def _check_media(kind: str, obj: dict[str, Any], app: ModicaApplication, media: ModicaMedia) -> None:
    media_id, link = obj.get("id"), obj.get("link")
    if media_id is None and link is None:
        raise missing(f"{kind}.id or {kind}.link")
    if media_id is not None and media.get(str(media_id), app.name) is None:
        raise invalid(f"{kind}.id", f"'{media_id}' is not media uploaded by this application (POST /rest/wab/v1/media)")
    if link is not None and (not isinstance(link, str) or not link.startswith(("http://", "https://"))):
        raise invalid(f"{kind}.link", "must be an http(s) URL")
