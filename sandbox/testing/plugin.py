"""pytest plugin (entry point ``pytest11``): the sandbox in-process on a free port, per test.

Fixtures:
- ``wa_sandbox_settings``: the sandbox's Settings (manual clock, seed "pytest"). Per test, the marker
  ``@pytest.mark.wa_sandbox(scenario="scenarios/x.yaml", seed=7, ...)`` overrides any Settings field;
  or override the fixture itself for a whole module.
- ``wa_sandbox``: a running sandbox: ``.url``, ``.base_urls``, ``.control`` (SandboxControl), ``.runtime``.
- ``wa_sandbox_scenarios`` (session): scenario files parsed once per session, each sandbox gets a copy.
- ``wa_sandbox_routes`` (session): the app's routes compiled once per session, registered into each
  sandbox's own router (sandbox/route_table.py).
- ``webhook_receiver``: a running WebhookReceiver with ``.url``; Meta webhooks are not wired to it
  unless the test calls ``await wa_sandbox.control.set_webhook(webhook_receiver.url)``.
- ``wa_workspace``: the test's own workspace on one sandbox shared by the run (``WA_SANDBOX_URL``, else
  one in-process server per test process, ``wa_sandbox_server``); for parallel suites (pytest-xdist).
  See sandbox/testing/workspaces.py.
Requires pytest-aiohttp (its ``aiohttp_server`` fixture; ``pip install 'wa-sandbox[pytest]'``). Works in
pytest-asyncio's strict mode (mark tests ``@pytest.mark.asyncio``) and in ``asyncio_mode = "auto"``.
Without pytest-aiohttp the plugin still loads (pytest must keep working in a project that installs
wa-sandbox only to run it as a server); only a test that asks for these fixtures fails, saying what to install.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web

from sandbox.app import create_app
from sandbox.core.scenario_cache import ScenarioCache
from sandbox.keys import RUNTIME
from sandbox.providers.meta.keys import KEY as META
from sandbox.route_table import RouteTable
from sandbox.runtime import Runtime
from sandbox.settings import Settings
from sandbox.testing.client import SandboxControl
from sandbox.testing.heap import FrozenHeap, forget_apps
from sandbox.testing.receiver import WebhookReceiver
from sandbox.testing.workspaces import _workspace, add_markers, wa_sandbox_server


@dataclass
class RunningSandbox:
    url: str
    runtime: Runtime
    control: SandboxControl
    app: web.Application | None = None  # in-process only

    @property
    def base_urls(self) -> dict[str, str]:
        return {
            "meta": f"{self.url}/v23.0",
            "control": f"{self.url}/_sandbox",
            "smsglobal": f"{self.url}/v2",
            "maac": self.url,
            "modica_v1": f"{self.url}/rest/gateway",
            "modica_v2": f"{self.url}/rest/sms/v2",
            "modica_wab": f"{self.url}/rest/wab/v1",
        }

    @property
    def meta_business(self) -> dict[str, str]:
        # through the AppKey Meta owns, typed (runtime.meta is the untyped by-name alias)
        return self.runtime[META].businesses.default().to_json()


@pytest.fixture
def wa_sandbox_settings(request: pytest.FixtureRequest) -> Settings:
    marker = request.node.get_closest_marker("wa_sandbox")
    overrides = dict(marker.kwargs) if marker else {}
    return Settings(**{"clock": "manual", "seed": "pytest", "verify_webhooks": True, **overrides})


# pytest-asyncio (>= 0.24) warns at start-up when this option is unset, so the README's example printed a
# deprecation warning in a project with no configuration at all.
LOOP_SCOPE_OPTION = "asyncio_default_fixture_loop_scope"


@pytest.hookimpl(tryfirst=True)  # before pytest-asyncio's own pytest_configure, which warns
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "wa_sandbox(**settings): Settings fields for this test's sandbox, e.g. scenario=..., seed=..."
    )
    if config.pluginmanager.hasplugin("asyncio") and config.getini(LOOP_SCOPE_OPTION) is None:
        # The warning is about the default for async fixtures wider than a test; this plugin's fixtures are
        # per test, the same under either default. Only that message is silenced, only when the option is
        # unset; a project with wider async fixtures of its own sets the option (README "pytest").
        warnings.filterwarnings(
            "ignore", message=f'The configuration option "{LOOP_SCOPE_OPTION}" is unset', category=pytest.PytestDeprecationWarning,
        )
    add_markers(config)


GC_FREEZE_OPTION = "wa_sandbox_gc_freeze"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(GC_FREEZE_OPTION, type="bool", default=True,
                  help="wa-sandbox: before the first wa_sandbox is built, freeze what is alive out of the garbage "
                       "collector's full scans (gc.freeze), which otherwise dominated the per-test p99 (default true)")


@pytest.fixture(scope="session")
def wa_sandbox_scenarios() -> ScenarioCache:
    """Scenario files parsed once per test session (each test's sandbox gets its own copy)."""
    return ScenarioCache()


@pytest.fixture(scope="session")
def wa_sandbox_routes() -> RouteTable:
    """The app's routes compiled once per test session (each test's sandbox gets its own router)."""
    return RouteTable()


@pytest.fixture(scope="session")
def _wa_sandbox_heap(pytestconfig: pytest.Config) -> Iterator[FrozenHeap]:
    """Set up by the session's first ``wa_sandbox``: the heap alive until then frozen for the run (heap.py)."""
    heap = FrozenHeap(enabled=bool(pytestconfig.getini(GC_FREEZE_OPTION)))
    heap.freeze()
    yield heap
    heap.release()


async def _running_sandbox(aiohttp_server: Any, wa_sandbox_settings: Settings, wa_sandbox_scenarios: ScenarioCache,
                           wa_sandbox_routes: RouteTable, _wa_sandbox_heap: FrozenHeap) -> AsyncIterator[RunningSandbox]:
    app = create_app(wa_sandbox_settings, scenarios=wa_sandbox_scenarios, routes=wa_sandbox_routes)
    server = await aiohttp_server(app)
    url = str(server.make_url("")).rstrip("/")
    wa_sandbox_settings.public_url = url
    async with SandboxControl(url, server_loop=asyncio.get_running_loop()) as control:
        yield RunningSandbox(url=url, runtime=app[RUNTIME], control=control, app=app)
    forget_apps()  # aiohttp's middleware cache would keep this app alive for ~250 more tests (heap.py)


async def _webhook_receiver(aiohttp_server: Any) -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    server = await aiohttp_server(receiver.app())
    receiver.url = str(server.make_url("/webhook"))
    yield receiver
    forget_apps()


MISSING_EXTRAS = (
    "the wa_sandbox and webhook_receiver fixtures need pytest-aiohttp (which brings pytest-asyncio): "
    "pip install 'wa-sandbox[pytest]' (or pip install pytest-aiohttp)"
)


def _missing_extras() -> None:
    pytest.fail(MISSING_EXTRAS, pytrace=False)


try:
    import pytest_aiohttp  # noqa: F401  (its aiohttp_server fixture)
    import pytest_asyncio
except ImportError:
    wa_sandbox: Any = pytest.fixture(name="wa_sandbox")(_missing_extras)
    webhook_receiver: Any = pytest.fixture(name="webhook_receiver")(_missing_extras)
    wa_workspace: Any = pytest.fixture(name="wa_workspace")(_missing_extras)
else:
    # pytest_asyncio.fixture, not pytest.fixture: a project in pytest-asyncio's default strict mode (no
    # asyncio_mode = auto) must get these async fixtures too, in its @pytest.mark.asyncio tests.
    wa_sandbox = pytest_asyncio.fixture(name="wa_sandbox")(_running_sandbox)
    webhook_receiver = pytest_asyncio.fixture(name="webhook_receiver")(_webhook_receiver)
    wa_workspace = pytest_asyncio.fixture(name="wa_workspace")(_workspace)

__all__ = ["RunningSandbox", "wa_sandbox", "wa_sandbox_routes", "wa_sandbox_server", "wa_sandbox_settings", "wa_workspace",
           "webhook_receiver"]
