"""WhatsApp over Modica (WAB API v1): request validation for ``POST /rest/wab/v1/messages``.

Two sources name the recipient differently: the WAB OpenAPI v1.3.1 example is
``{"to":"+64123456789","type":"text","source":"1234567890","text":{"body":"Hello"}}`` (reference C3),
Modica's code-samples page ("api-code-samples/whatsapp-api", reference C5) sends
``{"destination": "+64123456879", ...}``. Both are accepted (the same number twice is fine, two
different numbers are refused); answers follow the code-samples page. Broadcasts take ``destination``
(or ``to``) as an array. UNCONFIRMED beyond that: the message objects are Meta's (Modica relays to the
Cloud API), so the sandbox checks what Meta would refuse outright: a known type and its object, the
text body, media by an uploaded ``id`` or an http(s) ``link``, a template's name and language, and a
location's latitude in [-90, 90] and longitude in [-180, 180].
"""

from __future__ import annotations

import re
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
RECIPIENT_FIELDS = ("destination", "to")  # the code-samples page's name first, then the OpenAPI's
COORDINATES = (("latitude", 90), ("longitude", 180))


SOURCE = re.compile(r"^[1-9][0-9]*$")  # WAB OpenAPI v1.3.1 POST /media `source`: "^[1-9]{1}[0-9]*$", maxLength 30
MAX_SOURCE = 30


def media_source(value: str | None) -> str:
    """``?source=`` of a media upload: required, the business number's digits."""
    if not value:
        raise ModicaError("unprocessable", "source is required: the business number the media is for, "
                          "e.g. ?source=6421555000", field=("source", "required"))
    if len(value) > MAX_SOURCE or not SOURCE.match(value):
        raise ModicaError("unprocessable", f"source '{value[:40]}' must be digits not starting with 0, at most "
                          f"{MAX_SOURCE} (e.g. 6421555000)", field=("source", "invalid"))
    return value


def recipient_field(body: dict[str, Any]) -> str:
    """Which field names the recipient(s): ``destination`` or ``to``; both only when they agree."""
    given = [name for name in RECIPIENT_FIELDS if body.get(name) is not None]
    if not given:
        raise missing("destination")
    if len(given) == 2 and body["destination"] != body["to"]:
        raise invalid("destination", "give the recipient once, as destination (or to), not two different values")
    return given[0]


def validate(body: Any, app: ModicaApplication, media: ModicaMedia) -> SendFacts:
    if not isinstance(body, dict):
        raise ModicaError("invalid_json", "The request body must be a JSON object")
    field = recipient_field(body)
    if isinstance(body[field], list):
        raise invalid(field, "must be one number; send a list to /rest/wab/v1/messages/broadcast")
    return validate_message(body, app, media, destination_of(body[field], field))


def validate_message(body: dict[str, Any], app: ModicaApplication, media: ModicaMedia, to: str) -> SendFacts:
    """Everything but the recipient (a send and each destination of a broadcast share it)."""
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
    for name in ("source", "reference"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise invalid(name, "must be a string")
    _check(kind, obj, app, media)
    return SendFacts(
        provider=PROVIDER, channel="whatsapp", business=app.name, user=to.lstrip("+"), type=kind,
        interactive_type=obj.get("type") if kind == "interactive" and isinstance(obj, dict) else None,
        template=obj.get("name") if kind == "template" and isinstance(obj, dict) else None,
        text=text_of(kind, obj),
    )


def destination_of(value: Any, field: str = "to") -> str:
    try:
        return destination(value)
    except ModicaError as exc:
        raise invalid(field, exc.detail.split(": ", 1)[-1]) from exc


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
        for key, bound in COORDINATES:
            value = obj.get(key)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise missing(f"location.{key}")
            if not -bound <= value <= bound:
                raise invalid(f"location.{key}", f"{value} is outside [-{bound}, {bound}]")
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
