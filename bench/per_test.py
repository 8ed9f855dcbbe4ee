"""What every user pays per test: fixture set-up, one send, advance, wait for ``read``, teardown.

``python -m bench.per_test [--tests 200]`` prints JSON; ``bench.run`` runs it as its per-test phase.

Modes, each measured in the same run:
- ``plugin``: a real pytest run (a subprocess) of generated tests using the bundled plugin's
  ``wa_sandbox`` fixture, timed by pytest itself (setup + call + teardown of each test, from
  ``pytest_runtest_logreport``): what a user's suite pays per test in-process.
- ``plugin-floor``: the same pytest run of tests using pytest-aiohttp's ``aiohttp_server`` with a
  one-route app and one request: the floor any in-process aiohttp fixture costs (the reference).
- ``external``: ``wa-sandbox serve --clock manual`` as a subprocess, started once; each test resets it,
  sends, advances and waits over HTTP through one shared ``SandboxControl`` (a session fixture's shape).
- ``workspace``: a workspace per test on one external server. Workspaces are built on another branch
  (issue 15); ``workspace_per_test`` below is where that measurement goes once they are merged.

Everything on 127.0.0.1; every loop bounded by ``--tests`` and a timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import procs, targets
from bench.bodies import HEADERS, SEND_PATH, TEXT
from bench.stats import percentiles

HERE = Path(__file__).resolve().parent
TARGET_P50_MS, TARGET_P99_MS = 15.0, 50.0  # issue 20

# The generated test module: the user's view (plugin fixtures, one send, advance, wait for read).
PLUGIN_TESTS = '''
import pytest

SEND_PATH = {send_path!r}
HEADERS = {headers!r}
TEXT = {text!r}


@pytest.mark.parametrize("n", range({count}))
async def test_send_advance_wait(wa_sandbox, n):
    async with wa_sandbox.control.session.post(wa_sandbox.url + SEND_PATH, json=TEXT, headers=HEADERS) as resp:
        assert resp.status == 200
        wamid = (await resp.json())["messages"][0]["id"]
    await wa_sandbox.control.advance(3)
    await wa_sandbox.control.wait_for_status(wamid, "read")
'''
FLOOR_TESTS = '''
import pytest
from aiohttp import web


async def answer(request):
    return web.json_response({{"ok": True}})


@pytest.mark.parametrize("n", range({count}))
async def test_one_request(aiohttp_server, aiohttp_client, n):
    app = web.Application()
    app.router.add_post("/send", answer)
    server = await aiohttp_server(app)
    client = await aiohttp_client(server)
    resp = await client.post("/send", json={{}})
    assert resp.status == 200
'''
# Times each test's three phases as pytest reports them (fixture set-up, the test, teardown).
TIMING_CONFTEST = '''
import json, os

_TIMES = {}


def pytest_runtest_logreport(report):
    _TIMES[report.nodeid] = _TIMES.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session, exitstatus):
    with open(os.environ["PER_TEST_OUT"], "w") as f:
        json.dump(list(_TIMES.values()), f)
'''


def pytest_mode(source: str, count: int, work: Path, name: str) -> dict[str, Any]:
    folder = work / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "conftest.py").write_text(TIMING_CONFTEST)
    (folder / f"test_{name.replace('-', '_')}.py").write_text(source)
    out = folder / "times.json"
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", "-o", "asyncio_mode=auto",
           "-o", "asyncio_default_fixture_loop_scope=function", "--rootdir", str(folder), str(folder)]
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60 + count, cwd=folder,
                          env={**_env(), "PER_TEST_OUT": str(out)})
    if done.returncode != 0:
        raise RuntimeError(f"pytest ({name}) failed: {done.stdout[-1500:]}{done.stderr[-500:]}")
    times_ms = [t * 1000 for t in json.loads(out.read_text())]
    return {"tests": len(times_ms), "ms": percentiles(times_ms), "wall_s": round(time.perf_counter() - started, 2)}


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}


async def _external_loop(base_url: str, count: int) -> list[float]:
    from sandbox.testing.client import SandboxControl

    times = []
    async with SandboxControl(base_url) as control:
        for _ in range(count):
            started = time.perf_counter()
            await control.reset()
            async with control.session.post(base_url + SEND_PATH, json=TEXT, headers=HEADERS) as resp:
                wamid = (await resp.json())["messages"][0]["id"]
            await control.advance(3)
            await control.wait_for_status(wamid, "read")
            times.append((time.perf_counter() - started) * 1000)
    return times


def external_mode(count: int, work: Path) -> dict[str, Any]:
    svc = targets.start_sandbox(work, "per-test", clock=["--clock", "manual"])
    try:
        times_ms = asyncio.run(asyncio.wait_for(_external_loop(svc.base_url, count), 60 + count))
    finally:
        procs.stop(svc)
    return {"tests": len(times_ms), "ms": percentiles(times_ms), "start_to_healthy_s": round(svc.healthy_after or 0, 3)}


def workspace_per_test(count: int, work: Path) -> dict[str, Any]:
    """Hook for the lead after issue 15 merges: create a workspace, send/advance/wait in it, delete it,
    ``count`` times on one external server, returning the same shape as ``external_mode``."""
    return {"skipped": "workspaces are not on this branch (issue 15): fill bench/per_test.py workspace_per_test"}


def measure(count: int, work: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"targets_ms": {"p50": TARGET_P50_MS, "p99": TARGET_P99_MS}}
    out["plugin"] = pytest_mode(PLUGIN_TESTS.format(send_path=SEND_PATH, headers=HEADERS, text=TEXT, count=count),
                                count, work, "plugin")
    out["plugin-floor"] = pytest_mode(FLOOR_TESTS.format(count=count), count, work, "plugin-floor")
    out["external"] = external_mode(count, work)
    out["workspace"] = workspace_per_test(count, work)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.per_test", description=__doc__)
    parser.add_argument("--tests", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(measure(args.tests, Path(tempfile.mkdtemp(prefix="wa-sandbox-per-test-"))), indent=2))


if __name__ == "__main__":
    main()
