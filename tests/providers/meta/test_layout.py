"""Meta's layout (docs/architecture.md): Graph handlers live in the feature packages (messages, templates,
media, accounts, flows); the top of meta/ keeps only what every feature shares. These checks keep a
catch-all module such as the old management.py from growing back."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

from aiohttp import web

import sandbox.providers.meta as meta_package
from sandbox.providers.meta import routes
from sandbox.providers.meta.node_registry import Node

META = Path(meta_package.__file__).parent
FEATURES = ("messages", "templates", "media", "accounts", "flows")
# The top of meta/: the provider contract's files and what every feature shares (docs/architecture.md says
# why each is Meta-wide). A new module goes into a feature package; one that truly serves every feature
# is added here and to that page.
META_WIDE = {
    "__init__", "spec", "keys", "routes", "node_registry", "http", "params", "paging", "errors", "render",
    "config", "config_schema", "service", "platform", "workspace",
}  # fmt: skip
# The handlers that stay Meta-wide: the /{id} dispatcher (it asks the features' nodes) and the answer
# to numeric paths nothing else serves.
META_WIDE_HANDLERS = {"sandbox.providers.meta.node_registry", "sandbox.providers.meta.routes"}


def feature_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[3] if len(parts) > 4 and parts[:3] == ["sandbox", "providers", "meta"] else None


def test_the_top_of_meta_holds_only_the_meta_wide_modules():
    top = {p.stem for p in META.glob("*.py")}
    assert top - META_WIDE == set(), "put it in a feature package (docs/architecture.md, Meta's layout)"
    assert {p.name for p in META.iterdir() if (p / "__init__.py").exists()} == set(FEATURES)


def test_every_route_in_metas_table_is_served_by_a_feature_package():
    """Except /{id} (the dispatcher, asking the features' nodes) and the numeric fallback."""
    table = [r for r in [*routes.routes(), *routes.fallback_routes()] if isinstance(r, web.RouteDef)]
    outside = sorted({f"{r.method} {r.path} -> {r.handler.__module__}.{r.handler.__name__}" for r in table
                      if feature_of(r.handler.__module__) not in FEATURES and r.handler.__module__ not in META_WIDE_HANDLERS})
    assert outside == []
    wide = {f"{r.handler.__module__}.{r.handler.__name__}" for r in table if r.handler.__module__ in META_WIDE_HANDLERS}
    assert wide == {"sandbox.providers.meta.node_registry.node", "sandbox.providers.meta.routes.unknown_edge"}
    assert len(table) > 80  # the check saw the whole table, versioned and unversioned


def test_no_module_at_the_top_of_meta_defines_a_graph_handler_besides_the_dispatcher_and_fallback():
    """A ``@graph_handler`` function outside the features is a handler in the wrong place."""
    found = set()
    for path in META.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.AsyncFunctionDef) and any(
                    isinstance(d, ast.Name) and d.id == "graph_handler" for d in node.decorator_list):
                found.add(f"{path.stem}.{node.name}")
    assert found == {"node_registry.node", "routes.unknown_edge"}


def test_every_node_a_feature_declares_is_registered():
    """A ``Node`` left out of routes.NODES would never be asked: its ids would answer 100/33."""
    declared = {}
    for info in pkgutil.walk_packages(meta_package.__path__, "sandbox.providers.meta."):
        module = importlib.import_module(info.name)
        declared.update({id(value): value for value in vars(module).values() if isinstance(value, Node)})
    assert set(declared) == {id(node) for node in routes.NODES} and len(declared) == 5
    assert {node.name: feature_of(node.find.__module__) for node in routes.NODES} == {
        "phone number": "accounts", "WhatsApp Business Account": "accounts", "media": "media",
        "message template": "templates", "WhatsApp Flow": "flows"}
