"""Meta Cloud API route table, versioned (/v23.0/...) and unversioned (/...) alike."""

from __future__ import annotations

import functools

from aiohttp import web

from sandbox.providers.meta.admin_routes import admin_routes
from sandbox.providers.meta.config import graph_version
from sandbox.providers.meta.errors import MetaError, http_error, unsupported_request
from sandbox.providers.meta.http import (
    authenticate,
    business_for,
    error_response,
    graph_handler,
    graph_response,
    json_body,
)
from sandbox.providers.meta.keys import backend
from sandbox.providers.meta.management import management_routes
from sandbox.providers.meta.messages.send import handle_send

VERSION = r"{version:v\d+\.\d+}"
NODE = r"{node:\d+}"
MIN_VERSION = (13, 0)
PATH_PREFIXES = ("/",)  # whatever no other provider owns: Graph's numeric nodes sit at the root


def _check_version(request: web.Request) -> None:
    version = request.match_info.get("version")
    if version is not None and _deprecated(version):
        raise MetaError(
            2635,
            message=f"(#2635) You are calling a deprecated version of the Graph API ({version}). Please update to v13.0 or higher.",
            http_status=400,
        )


@functools.lru_cache(maxsize=64)  # a handful of versions in practice; bounded for any input
def _deprecated(version: str) -> bool:
    return graph_version(version) < MIN_VERSION


@graph_handler
async def send_message(request: web.Request) -> web.StreamResponse:
    _check_version(request)
    token = authenticate(request)
    meta = backend(request)
    business = business_for(request, request.match_info["node"], token)
    body = await json_body(request)
    response = handle_send(meta, meta.validator, business, body)
    return graph_response(request, response)


@graph_handler
async def unknown_edge(request: web.Request) -> web.StreamResponse:
    """Any other numeric node/edge: authenticated like Graph, then 100/33."""
    _check_version(request)
    authenticate(request)
    raise unsupported_request(request.method, request.match_info.get("node", ""))


def routes() -> list[web.AbstractRouteDef]:
    table: list[web.AbstractRouteDef] = []
    for prefix in (f"/{VERSION}", ""):
        table += [
            web.post(f"{prefix}/{NODE}/messages", send_message),
        ]
        table += management_routes(prefix, NODE)  # media, templates, phone numbers, /{id}
        table += admin_routes(prefix, NODE)  # number and WABA settings, Flows, uploads (admin_routes.py)
    return table


def fallback_routes() -> list[web.AbstractRouteDef]:
    """Registered last, after every provider's fixed paths."""
    table: list[web.AbstractRouteDef] = []
    for prefix in (f"/{VERSION}", ""):
        table += [
            web.route("*", f"{prefix}/{NODE}", unknown_edge),
            web.route("*", f"{prefix}/{NODE}/{{edge}}", unknown_edge),
        ]
    return table


def render_http_error(request: web.Request, status: int, reason: str) -> web.StreamResponse:
    """Unrouted paths and stray failures outside the other providers' prefixes, in Graph's envelope."""
    meta = backend(request)
    error = http_error(status, request.method, request.path, reason, meta.settings.max_body_bytes)
    return error_response(meta, error)
