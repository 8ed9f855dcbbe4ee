"""``/_sandbox/workspaces``: create, list, get and delete workspaces (described in control/openapi.yaml)."""

from __future__ import annotations

from aiohttp import web

from sandbox.control.routes import PREFIX, _body, control
from sandbox.core.errors import ControlError, ScenarioError
from sandbox.keys import RUNTIME, WORKSPACES
from sandbox.workspaces.registry import Workspace


def _base(request: web.Request) -> str:
    """The server's URL as the client reaches it: the public URL when one is set, else its Host."""
    configured = request.app[RUNTIME].settings.public_url
    return configured.rstrip("/") if configured else f"{request.scheme}://{request.host}"


def _named(request: web.Request) -> Workspace:
    name = request.match_info["name"]
    workspace = request.app[WORKSPACES].get(name)
    if workspace is None:
        raise ControlError(f"no workspace '{name}': never created, deleted, or expired after its idle TTL", 404)
    return workspace


@control
async def create(request: web.Request) -> web.StreamResponse:
    """``{name?, scenario?, scenario_yaml?, clock?, seed?, webhooks?, ttl?}`` -> 201 with URLs and credentials."""
    registry = request.app[WORKSPACES]
    body = await _body(request)
    try:
        workspace = await registry.create(body, request.app[RUNTIME].scenarios_dir())
    except ScenarioError as exc:  # an inline scenario's error names its line, as scenario loads do
        raise ControlError(str(exc)) from exc
    return web.json_response(registry.describe(workspace, _base(request)), status=201)


@control
async def listing(request: web.Request) -> web.StreamResponse:
    registry = request.app[WORKSPACES]
    base = _base(request)
    return web.json_response({
        "workspaces": [registry.describe(w, base) for w in registry.live.values()],
        "count": len(registry.live),
        "max_workspaces": registry.settings.max_workspaces,
        "counters": registry.counters,
    })


@control
async def get(request: web.Request) -> web.StreamResponse:
    return web.json_response(request.app[WORKSPACES].describe(_named(request), _base(request)))


@control
async def delete(request: web.Request) -> web.StreamResponse:
    workspace = _named(request)
    await request.app[WORKSPACES].delete(workspace.name)
    return web.json_response({"deleted": workspace.name})


ROUTES: list[web.RouteDef] = [
    web.post(f"{PREFIX}/workspaces", create),
    web.get(f"{PREFIX}/workspaces", listing),
    web.get(f"{PREFIX}/workspaces/{{name}}", get),
    web.delete(f"{PREFIX}/workspaces/{{name}}", delete),
]
