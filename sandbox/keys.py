"""Typed application keys: every shared object the handlers reach, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from sandbox.limits import Admission
    from sandbox.runtime import Runtime
    from sandbox.workspaces.registry import Workspaces
    from sandbox.workspaces.routing import Routing

RUNTIME: web.AppKey[Runtime] = web.AppKey("runtime")  # the default runtime (today's sandbox)
SERVED_BY: web.RequestKey[Runtime] = web.RequestKey("runtime")  # the runtime one request is served by
ADMISSION: web.AppKey[Admission] = web.AppKey("admission")  # requests in flight against the cap
# why a Graph request has no parameters: its JSON body came as a form (providers/meta/http.py)
JSON_READ_AS_FORM: web.RequestKey[str] = web.RequestKey("json_read_as_form")
WORKSPACES: web.AppKey[Workspaces] = web.AppKey("workspaces")  # the live workspaces besides the default
WORKSPACE_ROUTING: web.AppKey[Routing] = web.AppKey("workspace_routing")  # picks a request's workspace


def runtime_of(request: web.Request) -> Runtime:
    """The runtime this request is served by. Handlers reach their state through the request, never the app
    object, so that one handler can serve many runtimes (workspaces); without a choice made for the request,
    the app's default runtime."""
    runtime = request.get(SERVED_BY)
    return runtime if runtime is not None else request.app[RUNTIME]
