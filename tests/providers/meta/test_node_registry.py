"""The ``/{id}`` dispatcher (meta/node_registry.py) with made-up nodes: the order it asks them in, which of
them a method reaches, and Graph's 100/33 when none claims the id. What the real nodes answer over HTTP is
in test_graph_nodes.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from sandbox.app import create_app
from sandbox.providers.meta.node_registry import Lookup, Node, dispatcher
from sandbox.providers.meta.routes import NODES
from sandbox.settings import Settings
from tests.conftest import AUTH, PHONE_ID


@pytest.fixture
def app() -> web.Application:
    return create_app(Settings(clock="manual", seed="nodes"))


def request(app: web.Application, method: str, node: str = "42", headers: dict[str, str] = AUTH) -> web.Request:
    return make_mocked_request(method, f"/{node}", headers=headers, match_info={"node": node}, app=app)


def node(name: str, claims: set[str], asked: list[str], methods: tuple[str, ...] = ("get", "post", "delete")) -> Node[str]:
    """A node that claims the ids in ``claims`` and answers its name; ``asked`` records each find."""

    def find(lookup: Lookup) -> str | None:
        asked.append(name)
        return lookup.node if lookup.node in claims else None

    async def answer(request: web.Request, found: str) -> web.StreamResponse:
        return web.json_response({"node": name, "id": found, "method": request.method})

    return Node(name, find, **{m: answer for m in methods})


def body(response: web.StreamResponse) -> Any:
    assert isinstance(response, web.Response) and response.body is not None
    return json.loads(bytes(response.body))


async def test_the_first_node_that_claims_the_id_answers_and_later_ones_are_not_asked(app):
    asked: list[str] = []
    handler = dispatcher([node("a", {"1"}, asked), node("b", {"42"}, asked), node("c", {"42"}, asked)])
    response = await handler(request(app, "GET"))
    assert body(response) == {"node": "b", "id": "42", "method": "GET"} and asked == ["a", "b"]


async def test_a_node_without_the_method_is_not_asked_and_the_next_one_may_claim_the_id(app):
    asked: list[str] = []
    handler = dispatcher([node("get-only", {"42"}, asked, ("get",)), node("both", {"42"}, asked, ("get", "post"))])
    assert body(await handler(request(app, "POST")))["node"] == "both" and asked == ["both"]
    assert body(await handler(request(app, "GET")))["node"] == "get-only"


async def test_head_is_answered_by_the_get_handler(app):
    asked: list[str] = []
    handler = dispatcher([node("post-only", {"42"}, asked, ("post",)), node("get-only", {"42"}, asked, ("get",))])
    assert body(await handler(request(app, "HEAD")))["node"] == "get-only" and asked == ["get-only"]


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_an_id_no_node_claims_is_graphs_unsupported_request(app, method):
    asked: list[str] = []
    response = await dispatcher([node("a", {"1"}, asked), node("b", {"2"}, asked)])(request(app, method))
    error = body(response)["error"]
    assert response.status == 400 and (error["code"], error["error_subcode"]) == (100, 33) and asked == ["a", "b"]
    assert error["message"].startswith(f"Unsupported {method.lower()} request. Object with ID '42' does not exist")


async def test_the_token_is_checked_before_any_node_is_asked(app):
    asked: list[str] = []
    response = await dispatcher([node("a", {"42"}, asked)])(request(app, "GET", headers={"Authorization": "Bearer x"}))
    assert response.status == 401 and body(response)["error"]["code"] == 190 and asked == []


async def test_nodes_are_given_the_id_and_the_businesses_of_the_token(app):
    seen: list[tuple[str, list[str]]] = []

    def find(lookup: Lookup) -> str | None:
        seen.append((lookup.node, [b.phone_number_id for b in lookup.mine]))
        return None

    await dispatcher([Node("spy", find, get=_never)])(request(app, "GET"))
    assert seen == [("42", [PHONE_ID])]


async def _never(request: web.Request, found: Any) -> web.StreamResponse:
    raise AssertionError("not reached")


def test_metas_nodes_are_asked_in_the_documented_order():
    """docs/architecture.md and routes.NODES: phone number, WABA, media, template, Flow."""
    assert [n.name for n in NODES] == ["phone number", "WhatsApp Business Account", "media", "message template",
                                       "WhatsApp Flow"]


def test_which_methods_each_meta_node_serves():
    served = {n.name: [m for m in ("GET", "POST", "DELETE") if n.handler(m)] for n in NODES}
    assert served == {"phone number": ["GET", "POST"], "WhatsApp Business Account": ["GET"], "media": ["GET", "DELETE"],
                      "message template": ["GET", "POST"], "WhatsApp Flow": ["GET", "POST", "DELETE"]}
