"""Modica Mobile Gateway route table: REST v1, REST v2 and WhatsApp (WAB) v1.

| method | path                                  | answer                                       |
|--------|---------------------------------------|----------------------------------------------|
| POST   | /rest/gateway/messages                | 201 ``[id]`` (int64)                         |
| POST   | /rest/gateway/messages/broadcast      | 201 ``[{id, destination, status, message}]`` |
| GET    | /rest/gateway/messages/{messageid}    | 200 Message                                  |
| POST   | /rest/sms/v2/messages                 | 202 ``{id, status: "accepted", detail}``     |
| GET    | /rest/sms/v2/messages?id=<uuid>       | 200 MessageDetails                           |
| GET    | /rest/sms/v2/openapi.yaml             | 200 the v2 description (no auth)             |
| POST   | /rest/wab/v1/messages                 | 202 ``[{id, status: "accepted", reference}]``|
| POST   | /rest/wab/v1/messages/broadcast       | 202 ``[{destination, id, status}]``          |
| GET    | /rest/wab/v1/messages?id=<uuid>       | 200 the message (MT or MO)                   |
| POST   | /rest/wab/v1/media?source=            | 200 ``[{id}]``                               |
| GET    | /rest/wab/v1/media?media_id=          | 200 the media bytes                          |

WAB answers follow Modica's code-samples page ("api-code-samples/whatsapp-api"), which shows real
answers; requests are accepted in its form and in the WAB OpenAPI v1.3.1's (wab.py, docs/modica.md).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from aiohttp import web

from sandbox.core.forms import read_form
from sandbox.core.media_store import MediaTooLarge
from sandbox.providers.modica import render, send, wab
from sandbox.providers.modica.errors import Api, ModicaError, invalid, missing
from sandbox.providers.modica.http import (
    admit,
    authenticate,
    error_response,
    json_body,
    modica_handler,
    provider_of,
)
from sandbox.providers.modica.media import media_id_of

V1, V2, WAB = "/rest/gateway", "/rest/sms/v2", "/rest/wab/v1"
PATH_PREFIXES = (V1, V2, WAB)


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ModicaError("invalid_json", "The request body must be a JSON object")
    return body


# --- REST v1 -------------------------------------------------------------------------------------


@modica_handler("v1")
async def v1_send(request: web.Request) -> web.StreamResponse:
    app = authenticate(request)
    admit(request, app)
    provider = provider_of(request)
    body = _object(await json_body(request))
    if isinstance(body.get("destination"), list):
        raise invalid("destination", "must be one number; send a list to /rest/gateway/messages/broadcast")
    to = send.destination(body.get("destination"))
    fields = send.sms_fields(body, provider.clock.now())
    message = send.submit_sms(provider, app, to, fields, api="v1")
    return web.json_response([render.public_id(message)], status=201)


@modica_handler("v1")
async def v1_broadcast(request: web.Request) -> web.StreamResponse:
    app = authenticate(request)
    admit(request, app)
    provider = provider_of(request)
    body = _object(await json_body(request))
    targets = body.get("destination")
    if targets is None or targets == []:
        raise missing("destination")
    if not isinstance(targets, list):
        raise invalid("destination", "must be an array of mobile numbers for a broadcast")
    if len(targets) > send.BROADCAST_LIMIT:
        raise ModicaError("broadcast_limit", f"Broadcast limit exceeded: {len(targets)} destinations, "
                          f"the limit is {send.BROADCAST_LIMIT} per request")
    fields = send.sms_fields(body, provider.clock.now())
    results = []
    for target in targets:
        # UNCONFIRMED per-destination status words: "success" or the error code of that destination.
        try:
            message = send.submit_sms(provider, app, send.destination(target), fields, api="v1")
        except ModicaError as exc:
            results.append({"destination": target, "status": exc.code, "message": exc.detail})
            continue
        results.append({"id": render.public_id(message), "destination": target, "status": "success",
                        "message": "Message queued"})
    return web.json_response(results, status=201)


@modica_handler("v1")
async def v1_get(request: web.Request) -> web.StreamResponse:
    app = authenticate(request)
    admit(request, app)
    raw = request.match_info["messageid"]
    message = provider_of(request).messaging.journal.get(raw) if raw.isdigit() else None
    if message is None or message.provider != "modica" or message.business != app.name \
            or message.meta.get("id_format") != "int64":
        raise ModicaError("404", f"Not Found: no message with id {raw} for application '{app.name}'")
    return web.json_response(render.v1_view(message))


# --- REST v2 -------------------------------------------------------------------------------------


@modica_handler("v2")
async def v2_send(request: web.Request) -> web.StreamResponse:
    app = authenticate(request)
    admit(request, app)
    provider = provider_of(request)
    body = _object(await json_body(request))
    to = send.destination(body.get("destination"))
    fields = send.sms_fields(body, provider.clock.now())
    integration = send.integration_id(body)
    if integration:
        fields["integration_id"] = integration
    message = send.submit_sms(provider, app, to, fields, api="v2")
    # The 202 is the OpenAPI's StatusCallback: {id, status, detail}, detail being the destination
    # (its example is '+642712345678'), as in the status callback.
    return web.json_response({"id": message.id, "status": "accepted", "detail": to}, status=202)


@modica_handler("v2")
async def v2_get(request: web.Request) -> web.StreamResponse:
    app = authenticate(request)
    admit(request, app)
    raw = request.query.get("id")
    if not raw:
        raise missing("id")
    try:
        key = str(uuid.UUID(raw))
    except ValueError as exc:
        raise invalid("id", f"'{raw}' is not a UUID") from exc
    message = provider_of(request).messaging.journal.get(key)
    if message is None or message.provider != "modica" or message.business != app.name \
            or message.channel != "sms" or message.meta.get("id_format") != "uuid":
        raise ModicaError("404", f"No message matched the supplied id {key}")
    return web.json_response(render.v2_view(message))


async def v2_openapi(request: web.Request) -> web.StreamResponse:
    """The provider serves its OpenAPI document here without auth; the sandbox serves what it emulates."""
    spec = (Path(__file__).parent / "openapi-v2.yaml").read_text(encoding="utf-8")
    return web.Response(text=spec, content_type="application/yaml")


# --- WhatsApp (WAB) v1 ---------------------------------------------------------------------------


@modica_handler("wab")
async def wab_send(request: web.Request) -> web.StreamResponse:
    app = authenticate(request)
    admit(request, app)
    provider = provider_of(request)
    body = await json_body(request)
    facts = wab.validate(body, app, provider.media)
    message = send.submit_whatsapp(provider, app, body, facts)
    # The code-samples page's 202: an array of one, with the send's reference ("" without one).
    return web.json_response([{"id": message.id, "status": "accepted", "reference": body.get("reference") or ""}],
                             status=202)


@modica_handler("wab")
async def wab_broadcast(request: web.Request) -> web.StreamResponse:
    """One message to many: every destination is validated and decided before any is accepted, so a bad
    number or a scenario rejection refuses the whole request (nothing half-sent)."""
    app = authenticate(request)
    admit(request, app)
    provider = provider_of(request)
    body = _object(await json_body(request))
    field = wab.recipient_field(body)
    targets = body[field]
    if not isinstance(targets, list) or not targets:
        raise invalid(field, "must be an array of mobile numbers in international format for a broadcast")
    if len(targets) > send.BROADCAST_LIMIT:
        raise ModicaError("broadcast_limit", f"Broadcast limit exceeded: {len(targets)} destinations, "
                          f"the limit is {send.BROADCAST_LIMIT} per request")
    plans = []
    for target in dict.fromkeys(wab.destination_of(t, field) for t in targets):
        one = {**{k: v for k, v in body.items() if k not in wab.RECIPIENT_FIELDS}, "destination": target}
        facts = wab.validate_message(one, app, provider.media, target)
        plans.append((target, one, facts, send.decide_whatsapp(provider, facts)))
    results = [{"destination": target, "id": send.submit_whatsapp(provider, app, one, facts, outcome).id,
                "status": "accepted"} for target, one, facts, outcome in plans]
    return web.json_response(results, status=202)


@modica_handler("wab")
async def wab_get(request: web.Request) -> web.StreamResponse:
    """GET /rest/wab/v1/messages?id=<uuid>, as the code-samples page shows it."""
    app = authenticate(request)
    admit(request, app)
    raw = request.query.get("id")
    if not raw:
        raise missing("id")
    try:
        key = str(uuid.UUID(raw))
    except ValueError as exc:
        raise invalid("id", f"'{raw}' is not a UUID") from exc
    message = provider_of(request).messaging.journal.get(key)
    if message is None or message.provider != "modica" or message.business != app.name \
            or message.channel != "whatsapp":
        raise ModicaError("404", f"No message matched the supplied id {key}")
    return web.json_response(render.wab_view(message))


@modica_handler("wab_media")
async def wab_media_upload(request: web.Request) -> web.StreamResponse:
    """Multipart (the first file part) or the raw body with its Content-Type, and ``?source=`` (required
    by the WAB OpenAPI v1.3.1 and the code-samples page). The answer is the page's ``[{"id"}]``; ids
    match the OpenAPI's media_id pattern ``^[a-zA-Z0-9]+$``."""
    app = authenticate(request)
    admit(request, app)
    provider = provider_of(request)
    wab.media_source(request.query.get("source"))
    data, content_type, filename = await _upload(request)
    if not data:
        raise missing("file")
    try:
        record = provider.media.put(provider.ids.hex(32), app.name, content_type, data, filename)
    except MediaTooLarge as exc:
        raise ModicaError("413", f"The media is {exc} bytes; the sandbox's whole media storage holds "
                                 f"{provider.media.store.max_bytes} bytes (SANDBOX_MEDIA_MAX_BYTES)") from exc
    return web.json_response([{"id": media_id_of(record)}])


async def _upload(request: web.Request) -> tuple[bytes, str, str | None]:
    if request.content_type.startswith("multipart/"):
        form = await read_form(request)  # a malformed one is invalid_attrib (the error boundary)
        for value in form.values():
            if isinstance(value, web.FileField):  # aiohttp spooled it to a temporary file, ours to close
                with value.file:
                    return value.file.read(), value.content_type or "application/octet-stream", value.filename
        raise missing("file")
    return await request.read(), request.content_type or "application/octet-stream", None


@modica_handler("wab")
async def wab_media_download(request: web.Request) -> web.StreamResponse:
    app = authenticate(request)
    admit(request, app)
    media_id = request.query.get("media_id")
    if not media_id:
        raise missing("media_id")
    media = provider_of(request).media
    record = media.get(media_id, app.name)
    if record is None:  # never stored, another application's, evicted past the size cap, or reset
        raise ModicaError("404", f"No media with media_id {media_id} for application '{app.name}'")
    headers = {"Content-Disposition": f'attachment; filename="{record.filename}"'} if record.filename else None
    return web.Response(body=media.read(record), content_type=record.mime_type.split(";")[0], headers=headers)


# --- table ---------------------------------------------------------------------------------------


def routes() -> list[web.AbstractRouteDef]:
    return [
        web.post(f"{V1}/messages", v1_send),
        web.post(f"{V1}/messages/broadcast", v1_broadcast),
        web.get(f"{V1}/messages/{{messageid}}", v1_get),
        web.post(f"{V2}/messages", v2_send),
        web.get(f"{V2}/messages", v2_get),
        web.get(f"{V2}/openapi.yaml", v2_openapi),
        web.post(f"{WAB}/messages", wab_send),
        web.post(f"{WAB}/messages/broadcast", wab_broadcast),
        web.get(f"{WAB}/messages", wab_get),
        web.post(f"{WAB}/media", wab_media_upload),
        web.get(f"{WAB}/media", wab_media_download),
    ]


def _api_of(path: str) -> Api:
    return "v2" if path.startswith(V2) else "wab" if path.startswith(WAB) else "v1"


def render_http_error(request: web.Request, status: int, reason: str) -> web.StreamResponse:
    """Unrouted paths and methods under Modica's prefixes, in the API family's error shape."""
    where = f"{request.method} {request.path}"
    if status == 404:
        error = ModicaError("404", f"Not Found. The requested URL was not found on this server: {where} "
                            f"(e.g. post to {V1}/messages, not {V1})")
    elif status == 405:
        error = ModicaError("405", f"Method not allowed: {where}; the API uses only GET and POST")
    elif status == 413:
        error = ModicaError("413", f"Request body too large: {where}")
    else:
        error = ModicaError(str(status) if str(status) in ("400", "401", "403", "422", "429", "431", "503") else "500", reason)
    return error_response(_api_of(request.path), error)
