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


def never_served(request: web.Request) -> bool:
    return boundary.never_served(request.method)


async def allowed_methods(request: web.Request) -> list[str]:
    """The methods the routes of this path serve. Catch-alls (``*``: a provider's unknown-path answers,
    Graph's nodes) count only where no fixed route matches, and then as the ``catch_all_methods`` of the
    provider owning the path (Graph's verbs for Meta's nodes; none where a catch-all only refuses)."""
    fixed: set[str] = set()
    catch_all = False
    for resource in request.app.router.resources():
        _, methods = await resource.resolve(request)
        catch_all |= "*" in methods
        fixed |= methods - {"*"}
    allowed = (fixed or (_catch_all_methods(request) if catch_all else set())) & SERVED_METHODS
    return sorted(allowed | ({"HEAD"} if "GET" in allowed else set()))


def _catch_all_methods(request: web.Request) -> set[str]:
    """What the catch-alls of the provider owning the path serve (the longest of the providers' prefixes
    it starts with, as the gateway's errors; "/" owns what none of the others does); the control API's
    catch-alls only refuse."""
    path = request.path
    if path.startswith("/_sandbox"):
        return set()
    owners = [(len(p), spec) for spec in runtime_of(request).providers for p in spec.path_prefixes if path.startswith(p)]
    return set(max(owners, key=lambda owner: owner[0])[1].catch_all_methods) if owners else set()


def with_allow(response: web.StreamResponse, allowed: list[str] | set[str]) -> web.StreamResponse:
    response.headers["Allow"] = ", ".join(sorted(allowed))
    return response
