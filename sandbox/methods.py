"""405 with ``Allow`` for methods a path does not serve (RFC 9110 §15.5.6: a 405 MUST list the methods
the target supports). Two ways a request gets here, both answered in the path's provider's shape by
the gateway (app.py):

- a method the sandbox never serves anywhere (TRACE, CONNECT, WebDAV verbs...): refused before any
  route runs, so even a catch-all route (Meta's Graph nodes) never treats a TRACE as a read. TRACE is the
  classic cross-site tracing vector; nothing here echoes a request back.
- a usual method a fixed path does not serve (``PATCH /_sandbox/health``): aiohttp's router raises
  ``HTTPMethodNotAllowed`` with the allowed set, which used to be lost on the way to the provider's body.
"""

from __future__ import annotations

from aiohttp import web

from sandbox.core import boundary
from sandbox.core.boundary import SERVED_METHODS
from sandbox.keys import runtime_of

GRAPH_METHODS = ("GET", "POST", "DELETE")  # Graph's verbs, for a node only the catch-all routes serve


def never_served(request: web.Request) -> bool:
    return boundary.never_served(request.method)


async def allowed_methods(request: web.Request) -> list[str]:
    """The methods the routes of this path serve. Catch-alls (``*``: a provider's unknown-path answers,
    Graph's nodes) count only where no fixed route matches, and then as Graph's verbs: only Meta's
    catch-all serves real reads and writes."""
    fixed: set[str] = set()
    catch_all = False
    for resource in request.app.router.resources():
        _, methods = await resource.resolve(request)
        catch_all |= "*" in methods
        fixed |= methods - {"*"}
    allowed = (fixed or (set(GRAPH_METHODS) if catch_all and not _provider_prefix(request) else set())) & SERVED_METHODS
    return sorted(allowed | ({"HEAD"} if "GET" in allowed else set()))


def _provider_prefix(request: web.Request) -> bool:
    """A path owned by a provider with prefixes of its own (not Meta's "/", which owns what none of them
    does), or the control API: their catch-alls only refuse."""
    owned = tuple(p for spec in runtime_of(request).providers for p in spec.path_prefixes if p != "/")
    return request.path.startswith(("/_sandbox", *owned))


def with_allow(response: web.StreamResponse, allowed: list[str] | set[str]) -> web.StreamResponse:
    response.headers["Allow"] = ", ".join(sorted(allowed))
    return response
