"""Graph routes besides /messages: media, message templates, phone numbers, and ``GET|POST|DELETE /{id}``.

Their paths are in routes.py (Meta's one route table). Graph addresses every object
by a bare id, so ``/{id}`` dispatches on what the id names: a phone number, a WABA, a media or a template.
"""

from __future__ import annotations

from typing import Any, NoReturn

from aiohttp import web

from sandbox.providers.meta.accounts.nodes import update_phone_number
from sandbox.providers.meta.accounts.phone_numbers import phone_number_json, waba_json
from sandbox.providers.meta.config import MetaBusiness
from sandbox.providers.meta.errors import MetaError, unsupported_request
from sandbox.providers.meta.flows.routes import flow_node
from sandbox.providers.meta.http import (
    authenticate,
    businesses_of_token,
    graph_handler,
    graph_response,
    json_body,
    public_base,
    waba_numbers,
)
from sandbox.providers.meta.keys import backend
from sandbox.providers.meta.media.file_handles import check_header_handles, with_sample_urls
from sandbox.providers.meta.media.library import download_response, media_json, read_upload
from sandbox.providers.meta.paging import encode_cursor, page_of
from sandbox.providers.meta.templates.registry import Template, build, check_new


def _fields(request: web.Request) -> set[str] | None:
    raw = request.query.get("fields")
    return {f.strip() for f in raw.split(",") if f.strip()} if raw else None


# --- media --------------------------------------------------------------------------------------


@graph_handler
async def upload_media(request: web.Request) -> web.StreamResponse:
    token = authenticate(request)
    meta = backend(request)
    node = request.match_info["node"]
    business = meta.businesses.by_phone_number_id(node)
    if business is None:  # UNCONFIRMED: MAAC's guide uploads to /{WABA_ID}/media; accepted for its numbers
        business = next(iter(meta.businesses.by_waba(node)), None)
    if business is None or business.access_token != token:
        raise unsupported_request(request.method, node)
    record = await read_upload(request, meta.media, business.phone_number_id)
    return graph_response(request, {"id": record.id})


@graph_handler
async def download_media(request: web.Request) -> web.StreamResponse:
    """The media URL: Bearer token required; unknown, expired or unauthorised all answer 404 (META-MEDIA)."""
    meta = backend(request)
    record = meta.media.resolve_url(dict(request.query))
    header = request.headers.get("Authorization", "")
    token = header.partition(" ")[2].strip() or request.query.get("access_token", "")
    owners = {b.phone_number_id for b in businesses_of_token(meta, token)} if token else set()
    if record is None or not (record.owner in owners or (record.owner == "link" and owners)):
        raise MetaError(100, "Media not found: the URL is unknown or expired, or the request has no valid Bearer token.", http_status=404)
    return download_response(meta.media, record)


# --- GET / POST / DELETE /{id} --------------------------------------------------------------------


@graph_handler
async def get_node(request: web.Request) -> web.StreamResponse:
    token = authenticate(request)
    meta = backend(request)
    node = request.match_info["node"]
    mine = businesses_of_token(meta, token)
    business = next((b for b in mine if b.phone_number_id == node), None)
    if business is not None:
        return graph_response(request, phone_number_json(business, meta, _fields(request)))
    waba = [b for b in mine if b.waba_id == node]
    if waba:
        return graph_response(request, waba_json(waba[0], _fields(request)))
    record = meta.media.lookup(node)
    if record is not None and _owns_media(request, mine, record.owner):
        return graph_response(request, media_json(meta.media, record, public_base(request)))
    template = meta.templates.by_id(node)
    if template is not None and any(b.waba_id == template.waba_id for b in mine):
        return graph_response(request, _template_json(request, template, _fields(request)))
    return await _flow_node(request, mine) or _unsupported(request)


def _owns_media(request: web.Request, mine: list[MetaBusiness], owner: str) -> bool:
    """``phone_number_id`` in the query, when given, must be the number that uploaded the media."""
    wanted = request.query.get("phone_number_id")
    return any(b.phone_number_id == owner for b in mine) and (wanted is None or wanted == owner)


@graph_handler
async def delete_node(request: web.Request) -> web.StreamResponse:
    token = authenticate(request)
    meta = backend(request)
    node = request.match_info["node"]
    record = meta.media.lookup(node)
    if record is None or not _owns_media(request, businesses_of_token(meta, token), record.owner):
        return await _flow_node(request, businesses_of_token(meta, token)) or _unsupported(request)
    meta.media.store.delete(node)
    return graph_response(request, {"success": True})


@graph_handler
async def post_node(request: web.Request) -> web.StreamResponse:
    """``POST /{template_id}``: edit a template; it goes back to review (META-TPL-MGMT).
    ``POST /{phone_number_id}``: the number's webhook override (phone_node.py)."""
    token = authenticate(request)
    meta = backend(request)
    node = request.match_info["node"]
    number = next((b for b in businesses_of_token(meta, token) if b.phone_number_id == node), None)
    if number is not None:
        return await update_phone_number(request, number)
    template = meta.templates.by_id(node)
    if template is None or not any(b.waba_id == template.waba_id for b in businesses_of_token(meta, token)):
        return await _flow_node(request, businesses_of_token(meta, token)) or _unsupported(request)
    body = await json_body(request)
    if "components" in body:
        check_header_handles(meta, body["components"])
    _edit(template, body)
    meta.schedule_review(template, meta.businesses)
    return graph_response(request, {"success": True, "id": template.id, "name": template.name, "category": template.category})


async def _flow_node(request: web.Request, mine: list[MetaBusiness]) -> web.StreamResponse | None:
    """``/{flow_id}``: a WhatsApp Flow (flow_routes.py)."""
    return await flow_node(request, mine)


def _unsupported(request: web.Request) -> NoReturn:
    raise unsupported_request(request.method, request.match_info["node"])


def _edit(template: Template, body: dict[str, Any]) -> None:
    if template.status not in ("APPROVED", "REJECTED", "PAUSED"):
        raise MetaError(100, f"Only APPROVED, REJECTED or PAUSED templates can be edited; this one is {template.status}.")
    category = str(body.get("category") or template.category).upper()
    if template.status == "APPROVED" and category != template.category:
        raise MetaError(100, "The category of an approved template cannot be changed.")
    merged = {
        "name": template.name, "language": template.language, "category": category,
        "parameter_format": body.get("parameter_format") or template.parameter_format,
        "components": body.get("components") or template.components,
        "message_send_ttl_seconds": body.get("message_send_ttl_seconds", template.message_send_ttl_seconds),
    }
    edited = build(template.waba_id, merged, template.id)
    template.category, template.parameter_format = edited.category, edited.parameter_format
    template.components, template.message_send_ttl_seconds = edited.components, edited.message_send_ttl_seconds
    template.status, template.rejected_reason = "PENDING", None
    template.edits += 1


# --- /{waba_id}/message_templates ------------------------------------------------------------------


@graph_handler
async def list_templates(request: web.Request) -> web.StreamResponse:
    token = authenticate(request)
    meta = backend(request)
    waba = waba_numbers(request, token)[0]
    items = [t for t in meta.templates.of(waba.waba_id) if _matches(t, request.query)]
    page, paging = page_of(request, items)
    fields = _fields(request)
    body: dict[str, Any] = {"data": [_template_json(request, t, fields) for t in page], "paging": paging}
    summary = _summary(request, meta.templates.of(waba.waba_id), len(items))
    if summary:
        body["summary"] = summary
    return graph_response(request, body)


def _template_json(request: web.Request, template: Template, fields: set[str] | None) -> dict[str, Any]:
    """A template as Graph reads it back: media-header samples as scontent-style URLs (file_handles.py)."""
    data = template.to_json(fields)
    if "components" in data:
        data["components"] = with_sample_urls(data["components"], public_base(request))
    return data


def _matches(template: Template, query: Any) -> bool:
    def listed(key: str, value: str) -> bool:
        raw = query.get(key)
        return raw is None or value.upper() in {v.strip().upper() for v in raw.split(",")}

    name, content = query.get("name"), query.get("content")
    text = " ".join(str(c.get("text", "")) for c in template.components)
    either = query.get("name_or_content")
    return (
        listed("status", template.status) and listed("category", template.category) and listed("language", template.language)
        and (name is None or name.lower() in template.name.lower())
        and (content is None or content.lower() in text.lower())
        and (either is None or either.lower() in (template.name + " " + text).lower())
    )


def _summary(request: web.Request, every: list[Template], matched: int) -> dict[str, Any]:
    asked = {s.strip() for s in request.query.get("summary", "").split(",") if s.strip()}
    values = {
        "total_count": matched,
        "message_template_count": len(every),
        "message_template_limit": 250,
        "are_translations_complete": True,
    }
    return {k: v for k, v in values.items() if k in asked}


@graph_handler
async def create_template(request: web.Request) -> web.StreamResponse:
    token = authenticate(request)
    meta = backend(request)
    waba = waba_numbers(request, token)[0]
    body = await json_body(request)
    template = build(waba.waba_id, body, meta.ids.graph_id())
    check_header_handles(meta, template.components)
    check_new(meta.templates, template)
    meta.templates.add(template)
    meta.schedule_review(template, meta.businesses)
    return graph_response(request, {"id": template.id, "status": template.status, "category": template.category})


@graph_handler
async def delete_templates(request: web.Request) -> web.StreamResponse:
    """By name (every language), or by name and ``hsm_id`` (only that one)."""
    token = authenticate(request)
    meta = backend(request)
    waba = waba_numbers(request, token)[0]
    name, hsm_id = request.query.get("name"), request.query.get("hsm_id")
    if not name:
        raise MetaError(100, message="(#100) The parameter name is required.")
    doomed = [t for t in meta.templates.of(waba.waba_id) if t.name == name and (hsm_id is None or t.id == hsm_id)]
    if not doomed:
        raise MetaError(100, f"Message template \"{name}\" can't be deleted as it doesn't exist.")
    for template in doomed:
        meta.templates.remove(template)
    return graph_response(request, {"success": True})


# --- /{waba_id}/phone_numbers ----------------------------------------------------------------------


@graph_handler
async def list_phone_numbers(request: web.Request) -> web.StreamResponse:
    token = authenticate(request)
    meta = backend(request)
    numbers = waba_numbers(request, token)
    fields = _fields(request)
    data = [phone_number_json(b, meta, fields) for b in numbers]
    return graph_response(request, {"data": data, "paging": {"cursors": {"before": encode_cursor(0), "after": encode_cursor(len(data))}}})
