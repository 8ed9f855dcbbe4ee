"""The ``wa_workspace`` fixture: each test its own workspace on one sandbox shared by the whole run.

The sandbox is either external, named by ``WA_SANDBOX_URL`` (a container from docker compose or
Testcontainers; under pytest-xdist every worker shares it), or started once per test process in a
background thread (``wa_sandbox_server``). A test gets a ``TestWorkspace``: its base URLs, credentials,
a ``SandboxControl`` bound to it, and ``listen(receiver)`` to point its webhooks at a receiver. The
workspace runs on the manual clock unless the test's ``@pytest.mark.wa_workspace(clock="real")`` says
otherwise (any create field: scenario, scenario_yaml, seed, webhooks, ttl) and is deleted afterwards.

Its name is the test's (worker id first under xdist), so the inbox's workspace switcher and the server's
log say which test did what; a name already taken (the same test running elsewhere against the same
server) gets a counter.
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web

from sandbox.app import create_app
from sandbox.settings import Settings
from sandbox.testing.client import ControlAPIError, SandboxControl
from sandbox.testing.receiver import WebhookReceiver

URL_VARIABLE = "WA_SANDBOX_URL"
NAME_LIMIT = 63


class ThreadedSandbox:
    """The sandbox on its own event loop in a daemon thread: any test, on any event loop, reaches it
    over HTTP (a session-wide server on the tests' own loop would need a session-wide loop)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._runner: web.AppRunner | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="wa-sandbox", daemon=True)

    def start(self) -> str:
        self._thread.start()
        self._ready.wait(60)
        if self._error is not None or not self.url:
            raise RuntimeError(f"the sandbox did not start: {self._error!r}")
        return self.url

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported by start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()

    async def _serve(self) -> None:
        self._runner = web.AppRunner(create_app(self.settings), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        self.settings.public_url = self.url


@dataclass
class TestWorkspace:
    __test__ = False  # not a test class, whatever its name

    info: dict[str, Any]  # the create answer: name, base_urls, control_url, credentials...
    control: SandboxControl  # bound to the workspace; create_workspace & co. still reach the server

    @property
    def name(self) -> str:
        return str(self.info["name"])

    @property
    def base_urls(self) -> dict[str, str]:
        return dict(self.info["base_urls"])

    @property
    def credentials(self) -> dict[str, dict[str, Any]]:
        return dict(self.info["credentials"])

    async def listen(self, receiver: WebhookReceiver, *providers: str) -> None:
        """Send the workspace's webhooks (Meta's by default; also "smsglobal", "maac", "modica") to the
        receiver; Meta's handshake uses the workspace's verify token, which the receiver learns here."""
        receiver.verify_token = self.credentials["meta"]["verify_token"]
        for provider in providers or ("meta",):
            await self.control.set_webhook(receiver.url, provider=provider)


def _healthy(url: str) -> None:
    try:
        with urllib.request.urlopen(f"{url}/_sandbox/health", timeout=10) as resp:
            if resp.status == 200:
                return
    except OSError as exc:
        raise pytest.UsageError(f"{URL_VARIABLE}={url}: the sandbox does not answer /_sandbox/health ({exc})") from exc
    raise pytest.UsageError(f"{URL_VARIABLE}={url}: /_sandbox/health did not answer 200")


@pytest.fixture(scope="session")
def wa_sandbox_server() -> Iterator[str]:
    """The URL of the sandbox every ``wa_workspace`` of this test process lives on."""
    external = os.environ.get(URL_VARIABLE)
    if external:
        _healthy(external.rstrip("/"))
        yield external.rstrip("/")
        return
    server = ThreadedSandbox(Settings(clock="manual", seed="pytest"))
    yield server.start()
    server.stop()


def _name_for(request: pytest.FixtureRequest) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name).strip("-") or "test"
    name = f"{worker}-{base}" if worker else base
    return name[:NAME_LIMIT - 4]  # room for a counter


async def _workspace(request: pytest.FixtureRequest, wa_sandbox_server: str) -> AsyncIterator[TestWorkspace]:
    marker = request.node.get_closest_marker("wa_workspace")
    spec: dict[str, Any] = {"clock": "manual", **(marker.kwargs if marker else {})}
    server = SandboxControl(wa_sandbox_server)
    base = _name_for(request)
    try:
        for attempt in range(1, 100):
            try:
                info = await server.create_workspace(name=base if attempt == 1 else f"{base}-{attempt}", **spec)
                break
            except ControlAPIError as exc:
                if exc.status != 409:
                    raise
        else:
            raise RuntimeError(f"no free workspace name for {base}")
        workspace = TestWorkspace(info, server.for_workspace(info["name"]))
        yield workspace
        await server.delete_workspace(workspace.name)
    finally:
        await server.close()


def add_markers(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "wa_workspace(**fields): how this test's workspace is created (scenario, clock, seed, webhooks, ttl)"
    )
