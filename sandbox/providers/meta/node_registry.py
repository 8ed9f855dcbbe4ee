"""``GET|POST|DELETE /{id}``: Graph addresses every object by a bare id, so what a request to ``/{id}`` does
depends on what the id names: a phone number, a WABA, a media, a template or a Flow.

Each feature declares a ``Node``: how it recognises its ids among the objects the request's token can use,
and its GET, POST and DELETE handlers (a method it leaves out, it does not support). ``dispatcher`` builds
the one handler routes.py mounts at ``/{id}``: it authenticates, then asks the nodes in the order it is
given (routes.NODES); the first that has a handler for the method and recognises the id answers. When none
does, the id is unknown, belongs to another business or does not support the method, and Graph answers
them all alike: 100/33 "Unsupported <method> request" (GraphMethodException).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aiohttp import web

from sandbox.providers.meta.config import MetaBusiness
from sandbox.providers.meta.errors import unsupported_request
from sandbox.providers.meta.http import Handler, authenticate, businesses_of_token, graph_handler
from sandbox.providers.meta.keys import backend
from sandbox.providers.meta.service import MetaProvider

T = TypeVar("T")
METHODS = ("GET", "POST", "DELETE")  # Graph's verbs on a node


@dataclass(frozen=True)
class Lookup:
    """What a node needs to recognise an id: the request, the backend and the businesses of its token."""

    request: web.Request
    meta: MetaProvider
    mine: list[MetaBusiness]  # the businesses whose access token the request carries
    node: str  # the id, from the path


NodeHandler = Callable[[web.Request, T], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Node(Generic[T]):
    """One kind of object a bare id can name. ``find`` answers the object (passed on to the method's
    handler) when the id names one the token can use, else None."""

    name: str  # the kind, for readers and tests: "phone number", "WABA", ...
    find: Callable[[Lookup], T | None]
    get: NodeHandler[T] | None = None
    post: NodeHandler[T] | None = None
    delete: NodeHandler[T] | None = None

    def handler(self, method: str) -> NodeHandler[T] | None:
        """The handler for ``method``; HEAD is GET's, as on every GET route aiohttp serves."""
        return {"GET": self.get, "HEAD": self.get, "POST": self.post, "DELETE": self.delete}.get(method)


def dispatcher(nodes: Sequence[Node[Any]]) -> Handler:
    """The ``/{id}`` handler, asking ``nodes`` in their order."""
    order = tuple(nodes)

    @graph_handler
    async def node(request: web.Request) -> web.StreamResponse:
        token = authenticate(request)  # an unknown token is refused before any id is looked at
        meta = backend(request)
        lookup = Lookup(request, meta, businesses_of_token(meta, token), request.match_info["node"])
        for kind in order:
            handle = kind.handler(request.method)
            if handle is None:
                continue  # a node without this method does not claim the id; the next may
            found = kind.find(lookup)
            if found is not None:
                return await handle(request, found)
        raise unsupported_request(request.method, lookup.node)

    return node
