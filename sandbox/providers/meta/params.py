"""Graph request parameters beyond http.py's JSON body: a POST may carry them in the query string, a
form or a JSON body, and many Graph POSTs have no body at all (``/deregister``; pywa sends
``/request_code`` and ``/verify_code`` parameters in the query string)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.providers.meta.errors import MetaError
from sandbox.providers.meta.http import FORMS, form_body, json_body

NOT_PARAMS = {"access_token", "appsecret_proof"}  # Graph reads these itself


async def graph_params(request: web.Request) -> dict[str, Any]:
    """Query-string parameters, overlaid by the body's when there is one."""
    params: dict[str, Any] = {k: v for k, v in request.query.items() if k not in NOT_PARAMS}
    if request.content_type in FORMS:  # parsed from the stream: reading the bytes first would spoil multipart
        params.update(await form_body(request))
    elif request.can_read_body and (await request.read()).strip():
        params.update(await json_body(request))
    return params


def require(params: dict[str, Any], name: str) -> Any:
    """Graph's wording for a missing required parameter."""
    value = params.get(name)
    if value is None or value == "":
        raise MetaError(100, message=f"(#100) The parameter {name} is required")
    return value


def requested_fields(request: web.Request) -> set[str] | None:
    """``?fields=`` as asked (None: the node's default set), for nodes that leave out names they lack."""
    raw = request.query.get("fields")
    return {f.strip() for f in raw.split(",") if f.strip()} if raw else None


def fields_of(request: web.Request, known: set[str], node_type: str) -> set[str] | None:
    """``?fields=``; a name the node does not have is Graph's "Tried accessing nonexisting field" error."""
    raw = request.query.get("fields")
    if not raw:
        return None
    wanted = {f.strip() for f in raw.split(",") if f.strip()}
    for name in sorted(wanted - known):
        raise MetaError(100, message=f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})")
    return wanted
