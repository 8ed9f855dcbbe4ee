"""Graph edges for WhatsApp Flows (OPENAPI "Flows"; pywa ``create_flow`` ... ``migrate_flows``):

- ``GET|POST /{waba_id}/flows``, ``POST /{waba_id}/migrate_flows``;
- ``GET|POST|DELETE /{flow_id}``, the Flow as a Graph node (``FLOW``, asked by node_registry.py);
- ``GET|POST /{flow_id}/assets`` (flow.json, multipart ``file`` + ``name`` + ``asset_type``),
  ``POST /{flow_id}/publish``, ``POST /{flow_id}/deprecate``;
- the assets' ``download_url``, served by the sandbox without a token like Meta's CDN links.

Parameters come from the query string, a JSON body (pywa) or a form (the OpenAPI's multipart), form
values kept as sent. Rules live in flows.py; Flow JSON checks in flow_json.py.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any

from aiohttp import web

from sandbox.core import jsonbody
from sandbox.core.params import whole_number
from sandbox.providers.meta.accounts.state import WabaAccount
from sandbox.providers.meta.config import MetaBusiness
from sandbox.providers.meta.errors import MetaError, unsupported_request
from sandbox.providers.meta.flows import model as flows
from sandbox.providers.meta.flows.flow_json import check
from sandbox.providers.meta.flows.model import CATEGORIES, Flow, flow_error
from sandbox.providers.meta.flows.views import fields_of, flow_view
from sandbox.providers.meta.http import (
    FORMS,
    authenticate,
    businesses_of_token,
    graph_handler,
    graph_response,
    json_body,
    public_base,
    read_form,
    waba_numbers,
)
from sandbox.providers.meta.keys import backend
from sandbox.providers.meta.node_registry import Lookup, Node
from sandbox.providers.meta.paging import page_of
from sandbox.providers.meta.params import NOT_PARAMS, require
from sandbox.providers.meta.params import fields_of as node_fields
from sandbox.providers.meta.service import MetaProvider

ASSET_FIELDS = {"name", "asset_type", "download_url"}
ASSET_PATH = "/whatsapp_business/flow_assets/"


@dataclass(frozen=True)
class Target:
    """The Flow a request names, the WABA keeping it and one of the WABA's numbers (for its views)."""

    meta: MetaProvider
    business: MetaBusiness
    waba: WabaAccount
    flow: Flow


def _locate(meta: MetaProvider, mine: list[MetaBusiness], flow_id: str) -> Target | None:
    for business in {b.waba_id: b for b in reversed(mine)}.values():
        waba = meta.accounts.waba(business.waba_id)
        flow = waba.flows.get(flow_id)
        if flow is not None:
            return Target(meta, business, waba, flow)
    return None


def _target(request: web.Request) -> Target:
    """``/{flow_id}/...``: a Flow of a WABA the token can use; anything else is Graph's 100/33."""
    token = authenticate(request)
    meta = backend(request)
    node = request.match_info["node"]
    found = _locate(meta, businesses_of_token(meta, token), node)
    if found is None:
        raise unsupported_request(request.method, node)
    return found


def _save(target: Target, flow: Flow) -> Flow:
    old = target.flow.status
    flows.save(target.waba, flow)
    if flow.status != old:
        _notify(target.meta, target.business.waba_id, flow, old)
    return flow


# --- parameters -----------------------------------------------------------------------------------


async def _params(request: web.Request) -> dict[str, Any]:
    """The query string, then the body: a form's values as sent (a file as its bytes), or a JSON object."""
    params: dict[str, Any] = {k: v for k, v in request.query.items() if k not in NOT_PARAMS}
    if request.content_type in FORMS:
        for key, value in (await read_form(request)).items():
            if isinstance(value, str):
                params[key] = value
            elif isinstance(value, (bytes, bytearray)):
                params[key] = bytes(value)
            else:  # a file part: aiohttp spools it to a temporary file, which is ours to close
                with value.file:
                    params[key] = value.file.read()
    elif request.can_read_body and (await request.read()).strip():
        params.update(await json_body(request))
    return params


def _text(params: dict[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MetaError(100, message=f"(#100) Param {name} must be a string")
    return value


def _list(raw: Any, name: str) -> list[Any]:
    """A JSON array, its JSON string (the OpenAPI's form), or a comma-separated string (pywa's migrate)."""
    value = jsonbody.loads_if_json(raw)
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list):
        raise MetaError(100, message=f"(#100) Param {name} must be an array")
    return value


def _categories(raw: Any) -> list[str]:
    value = _list(raw, "categories")
    if not value:
        raise MetaError(100, message="(#100) The parameter categories is required")
    for index, category in enumerate(value):
        if category not in CATEGORIES:
            raise MetaError(100, message=f"(#100) Param categories[{index}] must be one of {{{', '.join(CATEGORIES)}}} - got \"{category}\".")
    return [str(c) for c in value]


def _flow_json(raw: Any) -> bytes:
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, str):
        return raw.encode()
    raise MetaError(100, message="(#100) Param flow_json must be a string holding the Flow JSON")


def _flag(raw: Any) -> bool:
    return raw is True or (isinstance(raw, str) and raw.lower() in ("true", "1"))


# --- /{waba_id}/flows and /{waba_id}/migrate_flows ---------------------------------------------------------


@graph_handler
async def list_flows(request: web.Request) -> web.StreamResponse:
    token = authenticate(request)
    meta = backend(request)
    business = waba_numbers(request, token)[0]
    waba = meta.accounts.waba(business.waba_id)
    fields = fields_of(request)
    page, paging = page_of(request, list(waba.flows.values()))  # oldest first (UNCONFIRMED order)
    data = [flow_view(request, meta, business, f, fields) for f in page]
    return graph_response(request, {"data": data, "paging": paging})


@graph_handler
async def create_flow(request: web.Request) -> web.StreamResponse:
    """Name and categories required; ``clone_flow_id`` copies a Flow's JSON; ``flow_json`` uploads one
    (the answer then carries ``success`` and ``validation_errors``); ``publish`` needs valid ``flow_json``."""
    token = authenticate(request)
    meta = backend(request)
    business = waba_numbers(request, token)[0]
    waba = meta.accounts.waba(business.waba_id)
    params = await _params(request)
    name = _text(params, "name") or require(params, "name")
    categories = _categories(require(params, "categories"))
    flows.check_name_free(waba, name)
    now = meta.clock.now()
    flow = _cloned(meta, businesses_of_token(meta, token), params) or Flow(id="", name=name, categories=[])
    flow = replace(flow, id=meta.ids.graph_id(), name=name, categories=categories, status="DRAFT", updated_at=now)
    raw = params.get("flow_json")
    if raw is not None:
        upload = _flow_json(raw)
        flow = flow.with_json(upload, check(upload), now)
    endpoint = _text(params, "endpoint_uri")
    if endpoint is not None:
        flows.check_endpoint(flow, endpoint)
        flow = replace(flow, endpoint_uri=endpoint)
    if raw is not None and _flag(params.get("publish")) and not flow.validation_errors:
        flow = flows.publish(flow, now)  # UNCONFIRMED: a publish check failing fails the create
    flows.save(waba, flow)
    if flow.status == "PUBLISHED":
        _notify(meta, business.waba_id, flow, "DRAFT")
    answer: dict[str, Any] = {"id": flow.id}
    if raw is not None:
        answer.update(success=True, validation_errors=flow.validation_errors)
    return graph_response(request, answer)


def _cloned(meta: MetaProvider, mine: list[MetaBusiness], params: dict[str, Any]) -> Flow | None:
    source_id = params.get("clone_flow_id")
    if source_id in (None, ""):
        return None
    if params.get("clone_template") not in (None, ""):
        raise flow_error("two_clone_sources")
    found = _locate(meta, mine, str(source_id))
    if found is None:
        raise flow_error("no_such_flow")
    return found.flow


@graph_handler
async def migrate_flows(request: web.Request) -> web.StreamResponse:
    """Copies of ``source_waba_id``'s Flows (all, or ``source_flow_names``) into this WABA; both WABAs
    must belong to the token's business (pywa: "owned by the same Meta business")."""
    token = authenticate(request)
    meta = backend(request)
    dest = waba_numbers(request, token)[0]
    params = await _params(request)
    source_id = str(require(params, "source_waba_id"))
    source = next((b for b in businesses_of_token(meta, token) if b.waba_id == source_id), None)
    if source is None:
        raise MetaError(100, f"source_waba_id '{source_id}' is not a WhatsApp Business Account of this business.")
    names = [str(n) for n in _list(params.get("source_flow_names") or [], "source_flow_names")]
    accounts = meta.accounts
    result = flows.migrate(accounts.waba(source_id), accounts.waba(dest.waba_id), names, meta.ids.graph_id, meta.clock.now())
    return graph_response(request, result)


# --- /{flow_id}: the Flow as a Graph node (FLOW, asked by node_registry.py) ---------------------------------


def _find(lookup: Lookup) -> Target | None:
    """A Flow of a WABA the token can use."""
    return _locate(lookup.meta, lookup.mine, lookup.node)


async def _get(request: web.Request, target: Target) -> web.StreamResponse:
    return graph_response(request, flow_view(request, target.meta, target.business, target.flow, fields_of(request)))


async def _delete(request: web.Request, target: Target) -> web.StreamResponse:
    flows.delete(target.waba, target.flow)
    return graph_response(request, {"success": True})


async def _update_metadata(request: web.Request, target: Target) -> web.StreamResponse:
    params = await _params(request)
    flows.check_draft(target.flow)
    changes: dict[str, Any] = {}
    name = _text(params, "name")
    if name is not None:
        flows.check_name_free(target.waba, name, target.flow.id)
        changes["name"] = name
    if params.get("categories") not in (None, ""):
        changes["categories"] = _categories(params["categories"])
    endpoint = _text(params, "endpoint_uri")
    if endpoint is not None:
        flows.check_endpoint(target.flow, endpoint)
        changes["endpoint_uri"] = endpoint
    if params.get("application_id") not in (None, ""):
        app_id = whole_number(str(params["application_id"]))
        if app_id is None:
            raise MetaError(100, message="(#100) Param application_id must be a valid ID")
        changes["application_id"] = str(app_id)
    if not changes:  # UNCONFIRMED: pywa refuses this before sending; Meta's answer is not documented
        raise MetaError(100, "Nothing to update: give name, categories, endpoint_uri or application_id.")
    _save(target, replace(target.flow, **changes, updated_at=target.meta.clock.now()))
    return graph_response(request, {"success": True})


FLOW: Node[Target] = Node("WhatsApp Flow", _find, get=_get, post=_update_metadata, delete=_delete)


# --- /{flow_id}/assets, /publish, /deprecate ------------------------------------------------------------


@graph_handler
async def upload_asset(request: web.Request) -> web.StreamResponse:
    """The Flow JSON as multipart ``file``, with ``name`` flow.json and ``asset_type`` FLOW_JSON (OpenAPI
    "Update Flow JSON"); a DRAFT only (139001). The answer lists what the checks found."""
    target = _target(request)
    params = await _params(request)
    asset_type = require(params, "asset_type")
    if asset_type != "FLOW_JSON":
        raise MetaError(100, message=f"(#100) Param asset_type must be one of {{FLOW_JSON}} - got \"{asset_type}\".")
    if require(params, "name") != "flow.json":  # UNCONFIRMED wording; Meta's reference: "must be flow.json"
        raise MetaError(100, message="(#100) Param name must be flow.json")
    upload = _flow_json(require(params, "file"))
    flows.check_draft(target.flow)
    report = check(upload)
    _save(target, target.flow.with_json(upload, report, target.meta.clock.now()))
    return graph_response(request, {"success": True, "validation_errors": report.validation_errors})


@graph_handler
async def list_assets(request: web.Request) -> web.StreamResponse:
    target = _target(request)
    wanted = node_fields(request, ASSET_FIELDS, "WhatsAppFlowAsset") or ASSET_FIELDS
    items = []
    if target.flow.flow_json is not None:
        every = {"name": "flow.json", "asset_type": "FLOW_JSON", "download_url": _download_url(request, target.flow)}
        items.append({k: v for k, v in every.items() if k in wanted})
    page, paging = page_of(request, items)
    return graph_response(request, {"data": page, "paging": paging})


def _digest(flow: Flow) -> str:
    return hashlib.sha256((flow.flow_json or "").encode()).hexdigest()[:16]


def _download_url(request: web.Request, flow: Flow) -> str:
    """Like Meta's signed CDN links: no token needed, and a link to an older upload stops working."""
    return f"{public_base(request)}{ASSET_PATH}{flow.id}/{_digest(flow)}/flow.json"


@graph_handler
async def download_asset(request: web.Request) -> web.StreamResponse:
    meta = backend(request)
    found = _locate(meta, meta.businesses.all(), request.match_info["flow_id"])
    if found is None or found.flow.flow_json is None or _digest(found.flow) != request.match_info["digest"]:
        # UNCONFIRMED: Meta's CDN answers an expired link with its own error; here Graph's envelope, 404.
        raise MetaError(100, "Flow asset not found: the link is unknown or belongs to an older upload of the Flow JSON.",
                        http_status=404)
    return web.Response(text=found.flow.flow_json, content_type="application/json")


@graph_handler
async def publish_flow(request: web.Request) -> web.StreamResponse:
    target = _target(request)
    _save(target, flows.publish(target.flow, target.meta.clock.now()))
    return graph_response(request, {"success": True})


@graph_handler
async def deprecate_flow(request: web.Request) -> web.StreamResponse:
    target = _target(request)
    _save(target, flows.deprecate(target.flow, target.meta.clock.now()))
    return graph_response(request, {"success": True})


# --- the flows webhook ----------------------------------------------------------------------------------------


def _notify(meta: MetaProvider, waba_id: str, flow: Flow, old: str) -> None:
    """``flows`` field, event FLOW_STATUS_CHANGE (Meta's Flows webhooks page: flow_id, event, message,
    old_status, new_status), to the WABA's webhook, as template status updates go."""
    platform = meta
    target = platform.waba_target(meta.businesses, waba_id)
    if flow.status == old or target is None:
        return
    value = {"event": "FLOW_STATUS_CHANGE", "message": f"Flow {flow.name} changed status from {old} to {flow.status}",
             "flow_id": flow.id, "old_status": old, "new_status": flow.status}
    platform.post_field(*target, "flows", value, key=f"flow:{flow.id}", event=f"flow:{flow.status}")
