"""Graph edges for message templates (META-TPL-MGMT; pywa ``get_templates`` ... ``delete_template``):

- ``GET|POST|DELETE /{waba_id}/message_templates``: list (filters, paging, summary), create (reviewed as
  the scenario's ``template_review`` says), delete by name or by name and ``hsm_id``;
- ``GET|POST /{template_id}``, the template as a Graph node (``TEMPLATE``, asked by node_registry.py):
  read it back, edit it (it goes back to review).

Paths are in meta/routes.py; the registry and its rules in registry.py, the send-time checks in send_check.py.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.http import (
    authenticate,
    graph_handler,
    graph_response,
    json_body,
    public_base,
    waba_numbers,
)
from sandbox.providers.meta.keys import backend
from sandbox.providers.meta.media.file_handles import check_header_handles, with_sample_urls
from sandbox.providers.meta.node_registry import Lookup, Node
from sandbox.providers.meta.paging import page_of
from sandbox.providers.meta.params import requested_fields
from sandbox.providers.meta.templates.registry import Template, build, check_new

# --- /{waba_id}/message_templates ------------------------------------------------------------------


@graph_handler
async def list_templates(request: web.Request) -> web.StreamResponse:
    token = authenticate(request)
    meta = backend(request)
    waba = waba_numbers(request, token)[0]
    items = [t for t in meta.templates.of(waba.waba_id) if _matches(t, request.query)]
    page, paging = page_of(request, items)
    fields = requested_fields(request)
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


# --- /{template_id} -------------------------------------------------------------------------------


def _find(lookup: Lookup) -> Template | None:
    """A template of a WABA the token can use."""
    template = lookup.meta.templates.by_id(lookup.node)
    return template if template is not None and any(b.waba_id == template.waba_id for b in lookup.mine) else None


async def _get(request: web.Request, template: Template) -> web.StreamResponse:
    return graph_response(request, _template_json(request, template, requested_fields(request)))


async def _post(request: web.Request, template: Template) -> web.StreamResponse:
    """Edit a template; it goes back to review (META-TPL-MGMT)."""
    meta = backend(request)
    body = await json_body(request)
    if "components" in body:
        check_header_handles(meta, body["components"])
    _edit(template, body)
    meta.schedule_review(template, meta.businesses)
    return graph_response(request, {"success": True, "id": template.id, "name": template.name, "category": template.category})


TEMPLATE: Node[Template] = Node("message template", _find, get=_get, post=_post)


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
