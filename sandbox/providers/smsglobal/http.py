"""HTTP plumbing shared by every SMSGlobal route: negotiation, MAC auth, body parsing, error rendering."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from aiohttp import web

from sandbox.core.boundary import ErrorShape, error_boundary
from sandbox.providers.smsglobal import wire
from sandbox.providers.smsglobal.auth import MacAuthError
from sandbox.providers.smsglobal.config import Account
from sandbox.providers.smsglobal.errors import SmsglobalError
from sandbox.providers.smsglobal.keys import backend
from sandbox.providers.smsglobal.service import SmsglobalProvider

log = logging.getLogger(__name__)


@dataclass
class Call:
    """One authenticated API call: who makes it and the format to answer in."""

    request: web.Request
    provider: SmsglobalProvider
    account: Account
    fmt: wire.Format

    async def body(self) -> dict[str, Any]:
        return wire.parse_body(self.request.content_type, await self.request.read())

    def respond(self, data: Any, status: int = 200) -> web.Response:
        return wire.render(data, self.fmt, status)

    @staticmethod
    def no_content() -> web.Response:
        return web.Response(status=204)


Endpoint = Callable[[Call], Awaitable[web.StreamResponse]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _render(request: web.Request, error: SmsglobalError) -> web.StreamResponse:
    """In the format the client accepts (JSON when it accepts neither: that is the 406 itself)."""
    return wire.render_error(error, wire.response_format(request.headers.get("Accept")) or "json")


SMSGLOBAL_ERRORS: ErrorShape[SmsglobalError] = ErrorShape(
    domain=SmsglobalError,
    render=_render,
    too_large=lambda limit: SmsglobalError(413, f"The request body is larger than {limit} bytes"),
    unparsable=lambda why: SmsglobalError(400, f"The request body could not be parsed: {why}"),
    unexpected=lambda: SmsglobalError(500),
)


def endpoint(handler: Endpoint) -> Handler:
    """406 before anything else, then MAC auth (401), then the handler; errors in SMSGlobal's shape."""

    @error_boundary(SMSGLOBAL_ERRORS)
    @wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        fmt = wire.response_format(request.headers.get("Accept"))
        if fmt is None:
            accept = request.headers.get("Accept")
            raise SmsglobalError(406, f"Cannot serve Accept: {accept}; ask for application/json or application/xml")
        provider = backend(request)
        account = authenticate(request, provider)
        return await handler(Call(request, provider, account, fmt))

    return wrapper


def authenticate(request: web.Request, provider: SmsglobalProvider) -> Account:
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    server_port = sockname[1] if isinstance(sockname, tuple) and len(sockname) > 1 else request.url.port or 80
    try:
        key = provider.verifier.verify(
            request.method,
            request.raw_path,
            request.headers.get("Host"),
            int(server_port),
            request.scheme,
            request.headers.get("Authorization"),
        )
    except MacAuthError as exc:
        status = provider.config.auth.failure_status
        raise SmsglobalError(status, f"Authentication failed: {exc.reason}") from exc
    return provider.account(key)


def method_not_allowed(allowed: tuple[str, ...]) -> Handler:
    """The 405 of a known resource, with ``Allow`` (negotiated like every answer; no auth needed)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        fmt = wire.response_format(request.headers.get("Accept")) or "json"
        message = f"Method {request.method} is not allowed for {request.path}; allowed: {', '.join(allowed)}"
        error = SmsglobalError(405, message, headers={"Allow": ", ".join(allowed)})
        return wire.render_error(error, fmt)

    return handler


def render_http_error(request: web.Request, status: int, reason: str) -> web.StreamResponse:
    """Unrouted paths under /v2 (called by the app's middleware)."""
    fmt = wire.response_format(request.headers.get("Accept")) or "json"
    if status == 404:
        reason = f"No route found for \"{request.method} {request.path}\""
    return wire.render_error(SmsglobalError(status, reason), fmt)
