"""Graph HTTP plumbing shared by every Meta route: auth, body parsing, the error envelope."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from sandbox.core import jsonbody
from sandbox.core.boundary import ErrorShape, error_boundary
from sandbox.core.provider import served
from sandbox.providers.meta.config import MetaBusiness, graph_version
from sandbox.providers.meta.errors import MetaError, render_error, unsupported_request
from sandbox.providers.meta.keys import JSON_READ_AS_FORM, backend
from sandbox.providers.meta.service import MetaProvider

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"


def public_base(request: web.Request) -> str:
    """Base of links handed to clients (paging.next, media URLs): the configured public URL, else the
    scheme and Host the client used, so a container behind a mapped port (Testcontainers) links right;
    then the runtime's mount (a workspace's ``/w/{name}``), however the request reached it."""
    runtime = served(request)
    configured = runtime.settings.public_url
    base = configured.rstrip("/") if configured else f"{request.scheme}://{request.host}"
    return base + runtime.mount


def served_path(request: web.Request) -> str:
    """The request's path below the runtime's mount (what ``public_base`` is followed by)."""
    mount = served(request).mount
    return request.path[len(mount):] if mount and request.path.startswith(mount + "/") else request.path


def graph_response(request: web.Request, body: dict[str, Any], status: int = 200) -> web.Response:
    """Graph's success answer: compact JSON (as Graph writes it) with a trace id header."""
    return web.Response(
        body=jsonbody.dumps_ascii(body),
        status=status,
        headers={"Content-Type": JSON_CONTENT_TYPE, "x-fb-trace-id": backend(request).ids.trace_header()},
    )


def error_response(meta: MetaProvider, error: MetaError) -> web.Response:
    """Graph's error envelope, compact JSON like its successes, the trace id in body and header."""
    trace = meta.ids.fbtrace_id()
    return web.Response(body=jsonbody.dumps_ascii(render_error(error, trace)), status=error.http_status,
                        headers={"Content-Type": JSON_CONTENT_TYPE, "x-fb-trace-id": trace})


# Set on a request whose form-encoded body is a JSON object (curl -d without -H 'Content-Type:
# application/json'): Graph reads a body by its Content-Type, so such a request has no parameters and
# answers e.g. "(#100) The parameter messaging_product is required" (community reports; whether Graph
# ever sniffs JSON is UNCONFIRMED). The sandbox answers the same error and says why in its details
# (meta/keys.JSON_READ_AS_FORM holds the reason).


def _explained(request: web.Request, exc: MetaError) -> MetaError:
    why = request.get(JSON_READ_AS_FORM)
    if why is None:
        return exc
    exc.details = f"{exc.details.rstrip('.')}: {why}" if exc.details else why
    return exc


GRAPH_ERRORS: ErrorShape[MetaError] = ErrorShape(
    domain=MetaError,
    render=lambda request, exc: error_response(backend(request), _explained(request, exc)),
    too_large=lambda limit: MetaError(100, f"Request body is larger than the {limit} bytes the sandbox accepts"),
    unparsable=lambda why: MetaError(100, f"The request body could not be parsed: {why}"),
    unexpected=lambda: MetaError(131000, "The sandbox hit an unexpected error; see its log."),
)
graph_handler = error_boundary(GRAPH_ERRORS)  # every Meta route: Graph's envelope, never a bare 500


def authenticate(request: web.Request) -> str:
    """Bearer token from the header (or Graph's ``access_token`` query parameter)."""
    meta = backend(request)
    header = request.headers.get("Authorization")
    token: str | None
    if header is None:
        token = request.query.get("access_token")
        if token is None:
            raise MetaError(104, message="An access token is required to request this resource.")
    else:
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("bearer", "oauth") or not token.strip():
            raise MetaError(190, message="Invalid OAuth access token - Cannot parse access token")
        token = token.strip()
    if not meta.businesses.token_known(token):
        raise MetaError(190, message="Invalid OAuth access token - Cannot parse access token")
    return token


MIN_VERSION = (13, 0)


def check_version(request: web.Request) -> None:
    """A versioned path below v13.0 is Graph's 2635, before anything else is looked at."""
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


def business_for(request: web.Request, node: str, token: str) -> MetaBusiness:
    """The phone number behind ``node``; an unknown id or one the token cannot see is Graph's 100/33."""
    business = backend(request).businesses.by_phone_number_id(node)
    if business is None or business.access_token != token:
        raise unsupported_request(request.method, node)
    return business


def businesses_of_token(meta: MetaProvider, token: str) -> list[MetaBusiness]:
    return [b for b in meta.businesses.all() if b.access_token == token]


def waba_numbers(request: web.Request, token: str) -> list[MetaBusiness]:
    node = request.match_info["node"]
    found = [b for b in backend(request).businesses.by_waba(node) if b.access_token == token]
    if not found:
        raise unsupported_request(request.method, node)
    return found


FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


async def read_form(request: web.Request) -> MultiDictProxy[str | bytes | bytearray | web.FileField]:
    """``request.post()``, a malformed form or multipart body answered like any unparsable body (aiohttp
    raises ValueError there, which the error boundary cannot tell from a bug)."""
    try:
        return await request.post()
    except ValueError as exc:
        raise GRAPH_ERRORS.unparsable(str(exc)) from exc


async def form_body(request: web.Request) -> dict[str, Any]:
    """A form's text fields, nested objects given as JSON strings decoded. Parsed from the stream, so
    nothing may read the body first (a multipart body read as bytes cannot be parsed again)."""
    form = await read_form(request)
    for v in form.values():  # a file part is not a parameter; aiohttp spooled it to a temporary file
        if isinstance(v, web.FileField):
            v.file.close()
    if request.content_type == FORMS[0] and len(form) == 1:
        await _note_json_read_as_form(request)
    return {k: jsonbody.loads_if_json(v) for k, v in form.items() if isinstance(v, str)}


async def _note_json_read_as_form(request: web.Request) -> None:
    """Mark (JSON_READ_AS_FORM) a form-encoded body that is really one JSON object. aiohttp keeps a
    url-encoded body's bytes after parsing it, so reading them again costs nothing."""
    raw = await request.read()
    if not raw.lstrip().startswith(b"{"):
        return
    try:
        parsed = jsonbody.loads(raw)
    except ValueError:
        return
    if isinstance(parsed, dict):
        request[JSON_READ_AS_FORM] = (
            f"the request body was read as a form because its Content-Type is {FORMS[0]} (what curl -d sends"
            " by default), so none of its JSON fields were seen: send it with Content-Type: application/json"
        )


async def json_body(request: web.Request) -> dict[str, Any]:
    """JSON (or Graph's form-encoded variant, where nested objects are JSON strings)."""
    ctype = request.content_type
    if ctype in FORMS:
        return await form_body(request)
    raw = await request.read()
    if ctype not in ("application/json", "application/octet-stream", "text/plain") and raw:
        raise MetaError(100, f"Unsupported Content-Type '{ctype}': send the request body as application/json")
    if not raw.strip():
        raise MetaError(100, "The request body is empty: send a JSON object")
    try:
        data = jsonbody.loads(raw)
    except json.JSONDecodeError as exc:
        raise MetaError(100, f"The request body is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MetaError(100, "The request body must be a JSON object")
    return data
