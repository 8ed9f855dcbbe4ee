"""What the plugin shares between the tests of one process to keep a test cheap, and that nothing else is
shared: the compiled routes (sandbox/route_table.py), the frozen heap and aiohttp's middleware cache
(sandbox/testing/heap.py)."""

from __future__ import annotations

import gc
import inspect
import subprocess
import sys
import weakref
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from sandbox.app import create_app
from sandbox.core.scenario_cache import ScenarioCache
from sandbox.providers.all import PROVIDERS
from sandbox.route_table import RouteTable
from sandbox.settings import Settings
from sandbox.testing.heap import FrozenHeap, forget_apps
from sandbox.workspaces.routing import WorkspaceResource

AUTH = {"Authorization": "Bearer sandbox-token"}
TEXT = {"messaging_product": "whatsapp", "to": "15551234567", "type": "text", "text": {"body": "hi"}}


def _settings() -> Settings:
    return Settings(clock="manual", seed="pytest")


def _listing(app: web.Application) -> list[tuple[str, str, str]]:
    """Each route's method, path and handler (by name: SMSGlobal wraps its handlers anew per table)."""
    return [(route.method, route.resource.canonical if route.resource else "", inspect.unwrap(route.handler).__qualname__)
            for route in app.router.routes()]


def test_apps_from_one_route_table_share_its_resources_and_list_what_a_fresh_app_lists() -> None:
    table, scenarios = RouteTable(), ScenarioCache()
    first = create_app(_settings(), scenarios=scenarios, routes=table)
    second = create_app(_settings(), scenarios=scenarios, routes=table)
    fresh = create_app(_settings())
    shared = list(first.router.resources())[:-1]  # the last is each app's own WorkspaceResource
    assert list(second.router.resources())[:-1] == shared
    assert all(a is b for a, b in zip(second.router.resources(), shared, strict=False))
    assert isinstance(list(second.router.resources())[-1], WorkspaceResource)
    assert list(second.router.resources())[-1] is not list(first.router.resources())[-1]
    assert _listing(second) == _listing(first) == _listing(fresh)
    assert table.reused == 1


def test_a_route_table_compiles_again_for_other_providers() -> None:
    table, built = RouteTable(), []

    async def answer(request: web.Request) -> web.Response:
        return web.Response()

    def build(router: web.UrlDispatcher) -> None:
        built.append(router)
        router.add_get("/x", answer)

    for providers in (PROVIDERS, PROVIDERS, PROVIDERS[:1]):
        table.install(web.UrlDispatcher(), providers, build)
    assert len(built) == 2
    assert table.reused == 1


async def test_an_app_given_shared_routes_serves_as_a_fresh_one() -> None:
    # Two apps on the same compiled resources, each with its own runtime: a send in one is not in the other.
    table, scenarios = RouteTable(), ScenarioCache()
    apps = [create_app(_settings(), scenarios=scenarios, routes=table) for _ in range(2)]
    answers = []
    for app in apps:
        async with TestClient(TestServer(app)) as client:
            resp = await client.post("/v23.0/100000000000001/messages", json=TEXT, headers=AUTH)
            answers.append((resp.status, (await resp.json())["messages"][0]["id"]))
            missing = await client.get("/v23.0/100000000000001/no_such_edge", headers=AUTH)
            assert missing.status in (400, 404)
            assert "error" in await missing.json()
            journal = await client.get("/_sandbox/messages")
            assert len((await journal.json())["messages"]) == 1
    assert answers[0] == answers[1]  # same seed, same first wamid: nothing of the first app reached the second
    assert table.reused == 1


async def test_forget_apps_lets_a_closed_app_be_collected() -> None:
    app = create_app(_settings())
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/_sandbox/health")).status == 200
    gone = weakref.ref(app)
    del app, client
    forget_apps()
    gc.collect()
    assert gone() is None


def test_a_frozen_heap_is_released_and_can_be_off() -> None:
    heap = FrozenHeap(enabled=True)
    try:
        heap.freeze()
        assert heap.frozen > 0
        assert gc.get_freeze_count() == heap.frozen
    finally:
        heap.release()
    assert gc.get_freeze_count() == 0
    off = FrozenHeap(enabled=False)
    off.freeze()
    assert off.frozen == 0
    assert gc.get_freeze_count() == 0


# Run in order (-p no:randomly): the first test changes every kind of state a sandbox has (journal, clock,
# webhook targets and log, chaos, batching, scenario, a template, media); the next one sees all of it as the
# first one saw it fresh, and ids from the seed as in a fresh process; a marker's settings still take effect.
ISOLATION_PROJECT = '''
import gc
import io
import weakref

import pytest

AUTH = {"Authorization": "Bearer sandbox-token"}
TEXT = {"messaging_product": "whatsapp", "to": "15551234567", "type": "text", "text": {"body": "hi"}}
WABA = "/v23.0/200000000000001/message_templates"
TEMPLATE = {"name": "made_in_test_1", "language": "en_US", "category": "UTILITY",
            "components": [{"type": "BODY", "text": "Hello"}]}
SEEN = {}


async def _send(wa_sandbox):
    async with wa_sandbox.control.session.post(wa_sandbox.url + "/v23.0/100000000000001/messages", json=TEXT,
                                               headers=AUTH) as resp:
        assert resp.status == 200, await resp.text()
        return (await resp.json())["messages"][0]["id"]


async def _state(wa_sandbox):
    control = wa_sandbox.control
    async with control.session.get(wa_sandbox.url + WABA, headers=AUTH) as resp:
        templates = sorted(t["name"] for t in (await resp.json()).get("data", []))  # none: another scenario's WABA
    clock = await control.clock()
    # A manual clock starts at the wall clock's time when its sandbox is built: "now" within a minute of it.
    clock["now"] = round(clock["now"] / 60)
    return {
        "messages": await control.messages(), "webhooks": await control.webhooks(), "clock": clock,
        "targets": await control.request("GET", "/webhooks/targets"), "chaos": await control.request("GET", "/chaos"),
        "batching": await control.request("GET", "/webhooks/batching"),
        "scenario": (await control.request("GET", "/scenario"))["name"], "templates": templates,
        "media": len(wa_sandbox.runtime.media_store), "seed": wa_sandbox.runtime.settings.seed,
    }


async def test_1_changes_everything(wa_sandbox, webhook_receiver):
    SEEN["fresh"] = await _state(wa_sandbox)
    SEEN["first_wamid"] = await _send(wa_sandbox)
    SEEN["app"] = weakref.ref(wa_sandbox.app)
    async with wa_sandbox.control.session.post(wa_sandbox.url + WABA, json=TEMPLATE, headers=AUTH) as resp:
        assert resp.status == 200, await resp.text()
    form = {"messaging_product": "whatsapp", "type": "image/png"}
    async with wa_sandbox.control.session.post(wa_sandbox.url + "/v23.0/100000000000001/media", headers=AUTH,
                                               data={**form, "file": io.BytesIO(b"\\x89PNG\\r\\n\\x1a\\n" + bytes(64))}) as resp:
        assert resp.status == 200, await resp.text()
    await wa_sandbox.control.set_webhook(webhook_receiver.url)
    await wa_sandbox.control.advance(3600)
    await wa_sandbox.control.set_chaos(shuffle=True, duplicate_probability=0.2)
    await wa_sandbox.control.request("PUT", "/webhooks/batching", json={"max_size": 2, "window_ms": 10})
    changed = await _state(wa_sandbox)
    assert [k for k in changed if changed[k] == SEEN["fresh"][k]] == ["scenario", "seed"]
    await wa_sandbox.control.load_scenario(name="india-shop")
    assert (await _state(wa_sandbox))["scenario"] != SEEN["fresh"]["scenario"]


async def test_2_starts_fresh(wa_sandbox):
    assert await _state(wa_sandbox) == SEEN["fresh"]
    assert await _send(wa_sandbox) == SEEN["first_wamid"]  # ids from the seed, as in a fresh process
    gc.collect()
    assert SEEN["app"]() is None, "the first test's app is still alive"


@pytest.mark.wa_sandbox(seed="another")
async def test_3_a_markers_seed_takes_effect(wa_sandbox):
    assert wa_sandbox.runtime.settings.seed == "another"
    assert await _send(wa_sandbox) != SEEN["first_wamid"]


@pytest.mark.wa_sandbox(scenario="india-shop")
async def test_4_a_markers_scenario_takes_effect(wa_sandbox):
    assert (await _state(wa_sandbox))["scenario"] == "india-shop"


def test_5_the_heap_was_frozen():
    assert gc.get_freeze_count() > 0
'''


def _run_project(tmp_path: Path, source: str, *options: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pytest.ini").write_text("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    (tmp_path / "test_project.py").write_text(source)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *options],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)


def test_each_test_gets_a_fresh_sandbox_and_the_apps_before_it_are_let_go(tmp_path: Path) -> None:
    run = _run_project(tmp_path, ISOLATION_PROJECT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "5 passed" in run.stdout


def test_the_heap_freeze_can_be_turned_off(tmp_path: Path) -> None:
    run = _run_project(tmp_path, ISOLATION_PROJECT, "-o", "wa_sandbox_gc_freeze=false")
    assert "1 failed, 4 passed" in run.stdout, run.stdout + run.stderr
    assert "test_5_the_heap_was_frozen" in run.stdout
