"""HTTP plumbing shared by every Modica route: Basic auth, rate limit, JSON body, the error shapes."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from sandbox.core import jsonbody
from sandbox.core.boundary import ErrorShape, error_boundary
from sandbox.providers.modica.config import ModicaApplication
from sandbox.providers.modica.errors import Api, ModicaError, render_error
from sandbox.providers.modica.keys import backend
from sandbox.providers.modica.service import ModicaProvider

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
REALM = 'Basic realm="Modica Mobile Gateway"'


def provider_of(request: web.Request) -> ModicaProvider:
    return backend(request)


def error_response(api: Api, error: ModicaError) -> web.Response:
    headers: dict[str, str] = {}
    if error.http_status == 401:
        headers["WWW-Authenticate"] = REALM
    if error.retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(error.retry_after)))
    return web.json_response(render_error(api, error), status=error.http_status, headers=headers)


def modica_handler(api: Api) -> Callable[[Handler], Handler]:
    """Every Modica route: its errors (and anything unexpected) in the API family's shape, never a bare 500."""
    return error_boundary(
        ErrorShape(
            domain=ModicaError,
            render=lambda request, exc: error_response(api, exc),
            too_large=lambda limit: ModicaError("413", f"Request body is larger than the {limit} bytes the sandbox accepts"),
            unparsable=lambda why: ModicaError("invalid_attrib", f"The request body could not be parsed: {why}"),
            unexpected=lambda: ModicaError("500", "The sandbox hit an unexpected error; see its log."),
        )
    )


def authenticate(request: web.Request) -> ModicaApplication:
    """HTTP Basic with the application name and password; missing or wrong credentials are 401."""
    header = request.headers.get("Authorization")
    if header is None:
        raise ModicaError("401", "Missing credentials: send HTTP Basic authentication with your application name and password")
    scheme, _, encoded = header.partition(" ")
    try:
        name, sep, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, ValueError):
        sep = ""
    if scheme.lower() != "basic" or not sep:
        raise ModicaError("401", "Invalid Authorization header: use HTTP Basic with application name and password")
    app = provider_of(request).config.authenticate(name, password)
    if app is None:
        raise ModicaError("401", "Incorrect application name or password")
    return app


def admit(request: web.Request, app: ModicaApplication) -> None:
    """The per-application request rate (UNCONFIRMED number; 429 is in the WAB OpenAPI)."""
    provider = provider_of(request)
    if not provider.buckets.take(app.name):
        wait = provider.buckets.retry_after(app.name)
        raise ModicaError("429", f"Too many requests: application '{app.name}' is limited to "
                          f"{provider.config.per_second:g} requests per second", retry_after=wait)


async def json_body(request: web.Request) -> Any:
    raw = await request.read()
    if not raw.strip():
        raise ModicaError("invalid_json", "The request body is empty: send a JSON object")
    try:
        return jsonbody.loads(raw)
    except json.JSONDecodeError as exc:
        raise ModicaError("invalid_json", f"Invalid JSON data in the request body: {exc}") from exc
