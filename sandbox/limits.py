"""Request limits enforced in front of every route, answered in the shape of the provider a path belongs to.

- Header size (``Settings.max_header_bytes``): the names and values of all request headers together.
  aiohttp's own parser refuses a single header line longer than ``parser_limit`` (twice the setting)
  with a bare 400 before any handler runs; everything below that reaches ``headers_middleware``, which
  answers 431 in the provider's shape.
- Concurrency (``Settings.max_concurrent_requests``): requests in flight on provider routes. Past it the
  request is refused at once with 503 and ``Retry-After: 1`` in the provider's shape, rather than queued
  without bound. The control API and the inbox (/_sandbox) are never refused, so a test can still
  drive and inspect a saturated sandbox.
Body size (``Settings.max_body_bytes``) is aiohttp's ``client_max_size``: each provider answers 413.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Renderer = Callable[[web.Request, int, str], web.StreamResponse]
EXEMPT = "/_sandbox"


@dataclass
class Admission:
    """Requests in flight on provider routes, against the cap."""

    limit: int
    in_flight: int = 0  # provider requests being handled now
    refused: int = 0  # requests answered 503 because the cap was reached


def parser_limit(max_header_bytes: int) -> int:
    """aiohttp's per-line limit (``max_line_size``/``max_field_size``): above the setting, so that an
    oversize header still reaches the middleware and gets the provider's 431."""
    return max(8190, 2 * max_header_bytes)


def headers_middleware(max_header_bytes: int, render: Renderer) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def check_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
        size = sum(len(name) + len(value) for name, value in request.raw_headers)
        if size > max_header_bytes:
            reason = f"Request headers are {size} bytes, more than the {max_header_bytes} the sandbox accepts"
            return render(request, 431, reason)
        return await handler(request)

    return check_headers


def admission_middleware(admission: Admission, render: Renderer) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def admit(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(EXEMPT):
            return await handler(request)
        if admission.in_flight >= admission.limit:
            admission.refused += 1
            reason = f"More than {admission.limit} requests in flight: retry shortly"
            response = render(request, 503, reason)
            response.headers["Retry-After"] = "1"
            return response
        admission.in_flight += 1
        try:
            return await handler(request)
        finally:
            admission.in_flight -= 1

    return admit
