"""The error boundary every provider route sits behind: bad input and bugs alike answer in the
provider's own error shape, never aiohttp's bare 500 or a traceback. Providers supply the shape."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Generic, TypeVar

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from sandbox.core.provider import served

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
E = TypeVar("E", bound=Exception)

# The methods any route of the sandbox serves; the gateway refuses the rest (TRACE, CONNECT...) with a 405
# before routing (sandbox/methods.py), and a provider's renderer may tell that 405 from its own verbs'.
SERVED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def never_served(method: str) -> bool:
    return method not in SERVED_METHODS


@dataclass(frozen=True)
class ErrorShape(Generic[E]):
    domain: type[E]  # the provider's error class, raised by its handlers
    render: Callable[[web.Request, E], web.StreamResponse]
    too_large: Callable[[int], E]  # the body is over Settings.max_body_bytes (given)
    unparsable: Callable[[str], E]  # a malformed multipart part found while reading the body
    unexpected: Callable[[], E]  # a sandbox bug: logged, answered as the provider's server error


def error_boundary(shape: ErrorShape[E]) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapper(request: web.Request) -> web.StreamResponse:
            try:
                return await handler(request)
            except shape.domain as exc:
                return shape.render(request, exc)
            except web.HTTPRequestEntityTooLarge:
                return shape.render(request, shape.too_large(served(request).settings.max_body_bytes))
            except HttpProcessingError as exc:
                return shape.render(request, shape.unparsable(str(exc.message)))
            except web.HTTPException:
                raise
            except Exception:
                log.exception("unexpected error in %s %s", request.method, request.path)
                return shape.render(request, shape.unexpected())

        return wrapper

    return decorate
