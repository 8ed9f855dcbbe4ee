"""The import contract (docs/architecture.md), after aiohttp's tests/test_circular_imports.py: every module
imports on its own in a fresh interpreter, modules import one another in one direction only (no cycles),
the core imports no provider and nothing above it, providers import neither the runtime nor the app.

The graph counts every import: at module level, inside functions, and under ``TYPE_CHECKING``, since an
import hidden in a function or kept for the type checker is still a dependency (a cycle held apart by
function-local imports breaks as soon as someone moves one to the top)."""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sandbox"
# What the core may import besides itself: the settings (a leaf module of plain values).
CORE_MAY_IMPORT = ("sandbox.core", "sandbox.settings")
# What a provider may import besides providers: the core and the settings; never the runtime, the app or
# sandbox.keys (which names the runtime), nor the control API, the inbox or the persistence wiring.
PROVIDERS_MAY_IMPORT = ("sandbox.providers", "sandbox.core", "sandbox.settings")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@cache
def graph() -> dict[str, frozenset[str]]:
    """Maps each sandbox module -> the sandbox modules it imports, anywhere in its text."""
    known = modules()
    out: dict[str, frozenset[str]] = {}
    for name, path in known.items():
        found: set[str] = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: resolved against this module's package
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:  # `from pkg import module` imports the module
                    found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
        out[name] = frozenset(m for m in found if m in known and m != name)
    return out


def cycles(edges: dict[str, frozenset[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_graph_sees_imports_in_functions_and_for_the_type_checker():
    """The checks below would pass vacuously on a graph that missed these kinds of import."""
    edges = graph()
    assert "sandbox.runtime" in edges["sandbox.keys"]  # under TYPE_CHECKING
    assert "sandbox.providers.all" in edges["sandbox.runtime"]
    assert cycles({"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset({"a"})}) == [
        ["a", "b", "c"]]


def test_no_module_is_part_of_an_import_cycle():
    assert cycles(graph()) == []


def test_the_core_imports_no_provider_and_nothing_above_it():
    wrong = {m: sorted(d for d in deps if not _within(d, CORE_MAY_IMPORT))
             for m, deps in graph().items() if _within(m, ("sandbox.core",))}
    assert {m: deps for m, deps in wrong.items() if deps} == {}


def test_providers_import_neither_the_runtime_nor_the_app():
    wrong = {m: sorted(d for d in deps if not _within(d, PROVIDERS_MAY_IMPORT))
             for m, deps in graph().items() if _within(m, ("sandbox.providers",))}
    assert {m: deps for m, deps in wrong.items() if deps} == {}


# Storage and its seam: plain records in, so nothing of the core's model (store, webhooks, media_store...).
STORAGE = ("sandbox.core.persistence", "sandbox.core.persistence_hooks")
STORAGE_MAY_IMPORT = ("sandbox.core.persistence_hooks", "sandbox.core.datadir", "sandbox.core.spill",
                      "sandbox.core.errors")


def test_storage_imports_none_of_the_cores_types():
    """The hooks pass ids, provider names, JSON-ready records and bytes (core/persistence_hooks.py)."""
    edges = graph()
    reached = {m for start in STORAGE for m in _reachable(edges, start)}
    assert sorted(m for m in reached if not _within(m, STORAGE_MAY_IMPORT)) == []


def _reachable(edges: dict[str, frozenset[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for dep in edges[todo.pop()]:
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def _names_a_provider(area: tuple[str, ...]) -> list[str]:
    """Where the modules of ``area`` name a provider: a constant equal to its name, outside dict keys."""
    from sandbox.providers.all import PROVIDERS

    names = {spec.name for spec in PROVIDERS}
    offenders = []
    for module, path in modules().items():
        if not _within(module, area):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        keys = {id(k) for node in ast.walk(tree) if isinstance(node, ast.Dict) for k in node.keys}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in names and id(node) not in keys:
                offenders.append(f"{module}:{node.lineno}: {node.value!r}")
    return offenders


def test_the_core_names_no_provider_in_its_code():
    """Not even as data (a default provider, a section schema): provider names are the providers' own. A
    record's keys are field names (``Message.meta``), not providers."""
    assert _names_a_provider(("sandbox.core",)) == []


# Modules that loop over the providers' specs and must know none of them: the workspaces (credentials,
# routing, their 404s: each provider's ``WorkspaceHooks``), the start banner (``banner_urls``,
# ``banner_credentials``), the 405's Allow (``catch_all_methods``), the control API (``webhook_batching``,
# its description's provider enums and webhook target schemas) and the web inbox (``address_form``,
# ``media_key_prefix``).
PROVIDER_BLIND = ("sandbox.workspaces", "sandbox.cli", "sandbox.methods", "sandbox.control", "sandbox.ui")


def test_the_provider_blind_modules_import_no_provider():
    """They reach the providers through the tuple (``sandbox.providers.all``) and the core's contract only."""
    provider_modules = tuple(f"sandbox.providers.{p.name}" for p in (PACKAGE / "providers").iterdir() if p.is_dir()
                             and (p / "__init__.py").exists())
    wrong = {m: sorted(d for d in deps if _within(d, provider_modules))
             for m, deps in graph().items() if _within(m, PROVIDER_BLIND)}
    assert {m: deps for m, deps in wrong.items() if deps} == {}
    assert len(provider_modules) >= 4  # the check saw the provider packages


def test_the_provider_blind_modules_name_no_provider_in_their_code():
    assert _names_a_provider(PROVIDER_BLIND) == []


def test_the_name_check_finds_a_provider_named_as_data():
    """The two checks above would pass vacuously if the name check missed a plain constant."""
    assert any("'meta'" in offender for offender in _names_a_provider(("sandbox.providers.meta.service",)))


# Run in a fresh interpreter that has imported no sandbox module: it loads the third-party libraries the
# sandbox uses once (aiohttp alone takes half a second), then forks one child per module, which imports
# that module alone and exits; each child starts with no sandbox module loaded, as a fresh interpreter would.
FORK_EACH = """
import importlib, os, sys, traceback
for lib in sys.argv[2].split(","):
    try:
        importlib.import_module(lib)
    except Exception:
        pass
assert not [m for m in sys.modules if m == "sandbox" or m.startswith("sandbox.")]
failed, running = 0, 0
for module in sys.argv[1].split(","):
    if running == (os.cpu_count() or 2):  # as many children at once as there are cores
        failed += os.wait()[1] != 0
        running -= 1
    if os.fork() == 0:
        try:
            importlib.import_module(module)
        except BaseException:
            print(module, "->", traceback.format_exc().strip().splitlines()[-1], flush=True)
            os._exit(1)
        os._exit(0)
    running += 1
for _ in range(running):
    failed += os.wait()[1] != 0
sys.exit(1 if failed else 0)
"""


def third_party() -> set[str]:
    """The libraries the sandbox imports (their top-level names)."""
    found = set()
    for path in modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module)
    return {m for m in found if not _within(m, ("sandbox",))}


def test_every_module_imports_on_its_own_in_a_fresh_interpreter():
    names = sorted(modules())
    result = subprocess.run([sys.executable, "-c", FORK_EACH, ",".join(names), ",".join(sorted(third_party()))],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(names) > 100  # every module of the package was tried
