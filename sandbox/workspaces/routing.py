"""Which workspace serves a request: by the ``/w/{name}`` prefix, else by the credentials it carries.

The prefix is one router resource (``WorkspaceResource``, aiohttp's public ``AbstractResource``): for
``/w/{name}/<inner>`` it resolves ``<inner>`` against the app's own routes and answers the inner
route with its ``match_info`` (plus ``_workspace``), so the handler is the one an unprefixed request
gets, 404/405 are the inner path's, and ``request.path`` stays the path the client used (SMSGlobal's
MAC signature covers it). aiohttp's router indexes resources by their static prefix, so this one is
tried only for paths under ``/w/``: an unprefixed request never reaches it.

The gateway calls ``Routing.enter`` only when the path has the prefix or some workspace is live: with
no workspace, the default workspace pays one ``startswith`` and one dict truth test per request.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast

from aiohttp import web
from yarl import URL

from sandbox.core.provider import SERVED_BY, ProviderSpec
from sandbox.providers.all import PROVIDERS
from sandbox.workspaces.credentials import Credentials
from sandbox.workspaces.names import PATH_PREFIX, ROUTE_VARIABLE, split
from sandbox.workspaces.registry import Workspaces

NOT_FOUND_HEADER = "X-Sandbox-Workspace-Error"  # the why, also where a provider's 404 body has no room


class WorkspaceResource(web.AbstractResource):
    """``/w/{_workspace}/...``: every route of the router again, below a workspace's prefix."""

    def __init__(self, router: web.UrlDispatcher) -> None:
        super().__init__()
        self._router = router

    @property
    def canonical(self) -> str:
        return f"{PATH_PREFIX}{{{ROUTE_VARIABLE}}}"

    async def resolve(self, request: web.Request) -> tuple[web.UrlMappingMatchInfo | None, set[str]]:
        path = request.rel_url.path_safe
        if not path.startswith(PATH_PREFIX):
            return None, set()
        name, inner = split(path)
        query = request.rel_url.raw_query_string
        # A clone answers to the inner path (routing runs before anything reads the body, so it may)
        match = await self._router.resolve(request.clone(rel_url=inner + (f"?{query}" if query else "")))
        if match.http_exception is not None:  # the inner path's own 404 or 405
            return match, set()
        return web.UrlMappingMatchInfo({**match, ROUTE_VARIABLE: name}, match.route), set()

    def url_for(self, **kwargs: str) -> URL:
        raise NotImplementedError("workspace URLs are built from the create answer's base_urls")

    def add_prefix(self, prefix: str) -> None:
        raise NotImplementedError("the workspace prefix is not for sub-applications")

    def get_info(self) -> Any:
        return {"formatter": self.canonical}

    def raw_match(self, path: str) -> bool:
        return path == self.canonical

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator[web.AbstractRoute]:
        return iter(())


class Routing:
    def __init__(self, registry: Workspaces, providers: Sequence[ProviderSpec[Any]] = PROVIDERS) -> None:
        self.registry = registry
        self.credentials = Credentials(providers)
        # the providers with a 404 of their own, and the paths they own ("/": whatever no other one owns)
        self.owners = [(prefix, spec.workspace) for spec in providers if spec.workspace is not None
                       for prefix in spec.path_prefixes]

    def enter(self, request: web.Request) -> web.StreamResponse | None:
        """Set the runtime the request is served by; an answer when the named workspace does not exist."""
        registry = self.registry
        path = request.path
        if path.startswith(PATH_PREFIX):
            name, inner = split(path)
            workspace = registry.live.get(name)
            if workspace is None:
                return self.not_found(request, name, inner)
        else:
            key = self.credentials.of(request)
            workspace = registry.by_credential.get(key) if key else None
            if workspace is None:
                return None  # the default workspace (whose auth refuses a deleted workspace's credentials)
        request[SERVED_BY] = workspace.runtime
        workspace.last_used = registry.now()
        return None

    def unprefixed(self, request: web.Request) -> web.Request:
        """The request as its inner path (for error rendering, which picks the shape by path)."""
        if not request.path.startswith(PATH_PREFIX):
            return request
        return cast(web.Request, _AtInnerPath(request, split(request.path)[1]))

    def not_found(self, request: web.Request, name: str, inner: str) -> web.StreamResponse:
        """The provider's own 404 for the path below the prefix, saying which workspace is missing."""
        reason = (f"no workspace '{name}': never created, deleted, or expired after its idle TTL "
                  "(GET /_sandbox/workspaces lists the live ones)")
        response = self._render_not_found(request, inner, reason)
        response.headers[NOT_FOUND_HEADER] = reason
        return response

    def _render_not_found(self, request: web.Request, inner: str, why: str) -> web.StreamResponse:
        """In the shape of the provider owning the inner path (the longest prefix, as app.py's errors),
        else (/_sandbox) the control API's."""
        if not inner.startswith("/_sandbox"):
            path = inner or "/"  # /w/{name} alone: the root, Graph's in the default tuple
            owners = [(len(prefix), hooks) for prefix, hooks in self.owners if path.startswith(prefix)]
            if owners:
                return max(owners, key=lambda owner: owner[0])[1].not_found(request, inner, why)
        return web.json_response({"error": {"message": f"{request.method} {inner}: {why}", "status": 404}},
                                 status=404)


class _AtInnerPath:
    """A request seen at the path below its workspace prefix, for the error renderers, which read its
    path, method, headers, app and keys. Not ``request.clone``: that refuses once the body was read."""

    def __init__(self, request: web.Request, path: str) -> None:
        self._request = request
        self.path = path

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)

    def get(self, key: Any, default: Any = None) -> Any:
        return self._request.get(key, default)

    def __getitem__(self, key: Any) -> Any:
        return self._request[key]
