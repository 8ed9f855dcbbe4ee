"""Request limits enforced in front of every route, answered in the shape of the provider a path belongs to.

- Header size (``Settings.max_header_bytes``): the names and values of all request headers together.
  aiohttp's own parser refuses a single header line longer than ``parser_limit`` (twice the setting)
  with a bare 400 before any handler runs; everything below that reaches ``oversize_headers`` (checked by the app's one middleware), which
  answers 431 in the provider's shape.
- Concurrency (``Settings.max_concurrent_requests``): requests in flight on provider routes. Past it the
  request is refused at once with 503 and ``Retry-After: 1`` in the provider's shape, rather than queued
  without bound. The control API and the inbox (/_sandbox) are never refused, so a test can still
  drive and inspect a saturated sandbox.
Body size (``Settings.max_body_bytes``) is aiohttp's ``client_max_size``: each provider answers 413.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from sandbox.workspaces.names import PATH_PREFIX, split

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


def oversize_headers(request: web.Request, max_header_bytes: int) -> str | None:
    """Why the request's headers are refused (431), or ``None``."""
    size = sum(len(name) + len(value) for name, value in request.raw_headers)
    if size > max_header_bytes:
        return f"Request headers are {size} bytes, more than the {max_header_bytes} the sandbox accepts"
    return None


def counts_against_cap(request: web.Request) -> bool:
    """Provider routes count against the concurrency cap; the control API and the inbox never do (nor a
    workspace's: ``/w/{name}/_sandbox/...``)."""
    path = request.path
    if path.startswith(PATH_PREFIX):
        path = split(path)[1]
    return not path.startswith(EXEMPT)


def refuse(admission: Admission, request: web.Request, render: Renderer) -> web.StreamResponse:
    """503 with ``Retry-After: 1`` in the provider's shape (the cap is reached)."""
    admission.refused += 1
    response = render(request, 503, f"More than {admission.limit} requests in flight: retry shortly")
    response.headers["Retry-After"] = "1"
    return response
