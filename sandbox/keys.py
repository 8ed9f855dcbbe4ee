"""Typed application keys: every shared object the handlers reach, in one place.

The runtime keys are the core's (``sandbox.core.provider``: providers reach their backend through
``served(request)`` without importing the runtime); ``runtime_of`` is the same lookup, typed as the
whole ``Runtime`` for the control API, the inbox and the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from aiohttp import web

from sandbox.core import provider

if TYPE_CHECKING:
    from sandbox.limits import Admission
    from sandbox.runtime import Runtime
    from sandbox.workspaces.registry import Workspaces
    from sandbox.workspaces.routing import Routing

# The core's keys themselves (the same objects), typed here as the whole Runtime.
RUNTIME = cast("web.AppKey[Runtime]", provider.DEFAULT_RUNTIME)  # the default runtime (today's sandbox)
SERVED_BY = cast("web.RequestKey[Runtime]", provider.SERVED_BY)  # the runtime one request is served by
ADMISSION: web.AppKey[Admission] = web.AppKey("admission")  # requests in flight against the cap
WORKSPACES: web.AppKey[Workspaces] = web.AppKey("workspaces")  # the live workspaces besides the default
WORKSPACE_ROUTING: web.AppKey[Routing] = web.AppKey("workspace_routing")  # picks a request's workspace


def runtime_of(request: web.Request) -> Runtime:
    """The runtime this request is served by. Handlers reach their state through the request, never the app
    object, so that one handler can serve many runtimes (workspaces); without a choice made for the request,
    the app's default runtime."""
    return cast("Runtime", provider.served(request))
