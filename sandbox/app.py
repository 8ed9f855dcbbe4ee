"""``create_app(settings)``: builds the runtime, mounts every provider, the control API and the inbox."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from sandbox import methods
from sandbox.control.routes import ROUTES as CONTROL_ROUTES
from sandbox.core.clock import VirtualClock
from sandbox.core.ids import IdFactory
from sandbox.keys import ADMISSION, RUNTIME, WORKSPACE_ROUTING, WORKSPACES, runtime_of
from sandbox.limits import Admission, counts_against_cap, oversize_headers, parser_limit, refuse
from sandbox.origin import SameOrigin
from sandbox.runtime import Runtime, build_runtime
from sandbox.settings import Settings
from sandbox.ui import routes as ui_routes
from sandbox.workspaces import control as workspace_control
from sandbox.workspaces.names import PATH_PREFIX
from sandbox.workspaces.registry import Workspaces
from sandbox.workspaces.routing import Routing, WorkspaceResource

if TYPE_CHECKING:
    from sandbox.core.scenario_cache import ScenarioCache  # the pytest plugin's; a server never loads it
    from sandbox.route_table import RouteTable  # the pytest plugin's too

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    runtime = app[RUNTIME]
    await runtime.dispatcher.start()
    runtime.scheduler.start()
    yield
    await runtime.scheduler.stop()
    await runtime.dispatcher.stop()
    runtime.persistence.close()


def _gateway(settings: Settings, admission: Admission, routing: Routing) -> Callable[..., Awaitable[web.StreamResponse]]:
    """The one middleware every request passes (one, not four: each level costs a coroutine per request):
    the cross-site checks (sandbox/origin.py), the workspace that serves it (sandbox/workspaces: by
    /w/{name} prefix or credentials; the default one unless a workspace is named), the request limits
    (sandbox/limits.py), then the handler; unrouted paths and stray failures still answer in the shape of
    the provider the path belongs to; with --data-dir, what the request changed is on disk before its
    response is sent."""
    max_header_bytes = settings.max_header_bytes
    same_origin = SameOrigin.from_settings(settings)
    workspaces = routing.registry

    @web.middleware
    async def gateway(request: web.Request, handler: Handler) -> web.StreamResponse:
        refusal = same_origin.refusal(request)
        if refusal is not None:
            return _render_http_error(request, *refusal)
        if workspaces.by_credential or request.path.startswith(PATH_PREFIX):
            missing = routing.enter(request)
            if missing is not None:
                return missing
        oversize = oversize_headers(request, max_header_bytes)
        if oversize is not None:
            return _render_http_error(request, 431, oversize)
        if methods.never_served(request):  # TRACE, CONNECT...: 405 before any route (sandbox/methods.py)
            allowed = await methods.allowed_methods(request)
            reason = f"Method Not Allowed (this path serves {', '.join(allowed) or 'no method'})"
            return methods.with_allow(_render_http_error(request, 405, reason), allowed)
        counted = counts_against_cap(request)
        if counted:
            if admission.in_flight >= admission.limit:
                return refuse(admission, request, _render_http_error)
            admission.in_flight += 1
        try:
            return await handler(request)
        except web.HTTPException as exc:
            if exc.status < 400 or exc.content_type == "application/json":
                raise
            response = _render_http_error(request, exc.status, exc.reason)
            if isinstance(exc, web.HTTPMethodNotAllowed):
                methods.with_allow(response, exc.allowed_methods)
            return response
        except Exception:
            if request.transport is None:  # the client left mid-request, or its connection timed out: nobody to tell
                return web.Response(status=400)
            log.exception("unhandled error in %s %s", request.method, request.path)
            return _render_http_error(request, 500, "The sandbox hit an unexpected error; see its log.")
        finally:
            if counted:
                admission.in_flight -= 1
            runtime_of(request).persistence.flush()

    return gateway


def _render_http_error(request: web.Request, status: int, reason: str) -> web.StreamResponse:
    """In the shape of the provider owning the path (the longest of the providers' prefixes it starts
    with; Meta's "/" owns what no other provider does), else (/_sandbox) the control API's. A workspace's
    path (/w/{name}/...) is answered in the shape of the path below its prefix."""
    if request.path.startswith(PATH_PREFIX):
        request = request.app[WORKSPACE_ROUTING].unprefixed(request)
    runtime = runtime_of(request)
    if not request.path.startswith("/_sandbox"):
        owners = [(len(prefix), spec) for spec in runtime.providers for prefix in spec.path_prefixes
                  if request.path.startswith(prefix)]
        if owners:
            return max(owners, key=lambda owner: owner[0])[1].render_http_error(request, status, reason)
    if status == 413:
        reason = f"the body is larger than the {runtime.settings.max_body_bytes} bytes the sandbox accepts"
    message = f"{request.method} {request.path}: {reason}"
    return web.json_response({"error": {"message": message, "status": status}}, status=status)


def mount(router: web.UrlDispatcher, runtime: Runtime) -> None:
    """Every provider's routes, in the providers' order, then their catch-alls."""
    for spec in runtime.providers:
        router.add_routes(spec.routes())
    for spec in runtime.providers:
        router.add_routes(spec.fallback_routes())


def _add_routes(runtime: Runtime) -> Callable[[web.UrlDispatcher], None]:
    """The control API, the workspaces' control, the inbox, then every provider (this order: the first
    route that matches a path serves it)."""
    def build(router: web.UrlDispatcher) -> None:
        router.add_routes(CONTROL_ROUTES)
        router.add_routes(workspace_control.ROUTES)
        router.add_routes(ui_routes.ROUTES)  # the web inbox (not a provider)
        mount(router, runtime)

    return build


def create_app(
    settings: Settings | None = None, *, clock: VirtualClock | None = None, ids: IdFactory | None = None,
    scenarios: ScenarioCache | None = None, routes: RouteTable | None = None,
) -> web.Application:
    """``scenarios`` and ``routes``: what a process building many apps (the pytest plugin) parses and
    compiles once for all of them (core/scenario_cache.py, route_table.py)."""
    settings = settings or Settings.from_env()
    admission = Admission(settings.max_concurrent_requests)
    line_limit = parser_limit(settings.max_header_bytes)
    workspaces = Workspaces(settings)
    routing = Routing(workspaces)
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        handler_args={"max_line_size": line_limit, "max_field_size": line_limit,
                      "keepalive_timeout": settings.keepalive_timeout},
        middlewares=[_gateway(settings, admission, routing)],
    )
    runtime = app[RUNTIME] = build_runtime(settings, clock=clock, ids=ids, scenarios=scenarios)
    app[ADMISSION] = admission
    app[WORKSPACES] = workspaces
    workspaces.delivery = runtime.dispatcher.remote  # one delivery process for the server (None: posts in-process)
    app[WORKSPACE_ROUTING] = routing
    app.cleanup_ctx.append(_lifecycle)
    app.cleanup_ctx.append(workspaces.lifecycle)
    app.on_shutdown.append(ui_routes.end_streams)
    app.on_shutdown.append(workspaces.end_streams)
    if routes is None:
        _add_routes(runtime)(app.router)
    else:
        routes.install(app.router, runtime.providers, _add_routes(runtime))
    app.router.register_resource(WorkspaceResource(app.router))  # every route again under /w/{workspace}
    return app
