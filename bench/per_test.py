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
- ``workspace``: a workspace per test on one external server (issue 15): ``wa-sandbox serve --clock manual``
  started once; each test creates a workspace (manual clock), sends under its ``/w/{name}`` prefix with its
  own Meta token, advances its clock, waits for ``read`` and deletes it, through one shared ``SandboxControl``.
- ``workspace-plugin``: a real pytest run of generated tests using the plugin's ``wa_workspace`` fixture
  with nothing configured (its sandbox is started once per test process, in a thread): what a plugin user
  pays per test for a workspace of their own.
- ``workspace-plugin-external``: the same pytest run with ``WA_SANDBOX_URL`` naming the external server of
  ``workspace`` (a container in CI, every xdist worker sharing it).

The first test of each mode also pays what is set up once per run (imports warming, the ``wa_workspace``
server's start, a fresh server's first workspace); it is reported apart as ``first_ms`` and left out of
the percentiles.

Everything on 127.0.0.1; every loop bounded by ``--tests`` and a timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import procs, targets
from bench.bodies import HEADERS, PHONE_NUMBER_ID, SEND_PATH, TEXT
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
# The same test in a workspace of its own: its Meta base URL (/w/{{name}}/v23.0) and its own token.
WORKSPACE_TESTS = '''
import pytest

PATH = {path!r}  # below the workspace's Meta base URL
HEADERS = {headers!r}
TEXT = {text!r}


@pytest.mark.parametrize("n", range({count}))
async def test_send_advance_wait_in_a_workspace(wa_workspace, n):
    headers = {{**HEADERS, "Authorization": "Bearer " + wa_workspace.credentials["meta"]["access_token"]}}
    async with wa_workspace.control.session.post(wa_workspace.base_urls["meta"] + PATH, json=TEXT, headers=headers) as resp:
        assert resp.status == 200, await resp.text()
        wamid = (await resp.json())["messages"][0]["id"]
    await wa_workspace.control.advance(3)
    await wa_workspace.control.wait_for_status(wamid, "read")
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


def pytest_mode(source: str, count: int, work: Path, name: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    folder = work / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "conftest.py").write_text(TIMING_CONFTEST)
    (folder / f"test_{name.replace('-', '_')}.py").write_text(source)
    out = folder / "times.json"
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", "-o", "asyncio_mode=auto",
           "-o", "asyncio_default_fixture_loop_scope=function", "--rootdir", str(folder), str(folder)]
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60 + count, cwd=folder,
                          env={**_env(), **(env or {}), "PER_TEST_OUT": str(out)})
    if done.returncode != 0:
        raise RuntimeError(f"pytest ({name}) failed: {done.stdout[-1500:]}{done.stderr[-500:]}")
    times_ms = [t * 1000 for t in json.loads(out.read_text())]  # in run order (-p no:randomly)
    return {**_summary(times_ms), "wall_s": round(time.perf_counter() - started, 2)}


def _summary(times_ms: list[float]) -> dict[str, Any]:
    """The first test apart (it pays the session's one-off set-up), percentiles over the others."""
    return {"tests": len(times_ms), "first_ms": round(times_ms[0], 3) if times_ms else None,
            "ms": percentiles(times_ms[1:] or times_ms)}


def _env() -> dict[str, str]:
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
    return {**_summary(times_ms), "start_to_healthy_s": round(svc.healthy_after or 0, 3)}


async def _workspace_loop(base_url: str, count: int) -> tuple[list[float], int]:
    """Per test: create a workspace, send in it, advance its clock, wait for read, delete it. Returns the
    times and how many reads were seen (the smoke test holds it to ``count``)."""
    from sandbox.testing.client import SandboxControl

    times, reads = [], 0
    path = f"/{PHONE_NUMBER_ID}/messages"
    async with SandboxControl(base_url) as server:
        for n in range(count):
            started = time.perf_counter()
            info = await server.create_workspace(name=f"per-test-{n}", clock="manual")
            control = server.for_workspace(info["name"])
            headers = {**HEADERS, "Authorization": "Bearer " + info["credentials"]["meta"]["access_token"]}
            async with server.session.post(info["base_urls"]["meta"] + path, json=TEXT, headers=headers) as resp:
                if resp.status != 200:
                    raise RuntimeError(f"send in workspace {info['name']} answered {resp.status}: {await resp.text()}")
                wamid = (await resp.json())["messages"][0]["id"]
            await control.advance(3)
            message = await control.wait_for_status(wamid, "read")
            await server.delete_workspace(info["name"])
            times.append((time.perf_counter() - started) * 1000)
            reads += message.get("status") == "read"
        left = await server.workspaces()
    if left:
        raise RuntimeError(f"workspaces left after their tests were deleted: {[w.get('name') for w in left]}")
    return times, reads


def workspace_per_test(count: int, work: Path) -> dict[str, Any]:
    """A workspace per test on one external server, then the ``wa_workspace`` fixture against that server."""
    # The plugin's own name for it, imported here so bench.run does not import pytest.
    from sandbox.testing.workspaces import URL_VARIABLE

    svc = targets.start_sandbox(work, "per-test-workspace", clock=["--clock", "manual"])
    try:
        times_ms, reads = asyncio.run(asyncio.wait_for(_workspace_loop(svc.base_url, count), 60 + count))
        external = pytest_mode(_workspace_tests(count), count, work, "workspace-plugin-external",
                               env={URL_VARIABLE: svc.base_url})
    finally:
        procs.stop(svc)
    return {"workspace": {**_summary(times_ms), "reads": reads},
            "workspace-plugin-external": external}


def _workspace_tests(count: int) -> str:
    return WORKSPACE_TESTS.format(path=f"/{PHONE_NUMBER_ID}/messages", headers=HEADERS, text=TEXT, count=count)


def verdicts(out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each measured mode against issue 20's targets, and as a ratio to this run's ``plugin-floor``."""
    floor = out.get("plugin-floor", {}).get("ms", {})
    checked = {}
    for mode, x in out.items():
        if not isinstance(x, dict) or "ms" not in x or mode == "plugin-floor":
            continue
        p50, p99 = x["ms"].get("p50"), x["ms"].get("p99")
        checked[mode] = {
            "p50_ms": p50, "p50_met": p50 is not None and p50 <= TARGET_P50_MS,
            "p99_ms": p99, "p99_met": p99 is not None and p99 <= TARGET_P99_MS,
            "p50_vs_floor": _ratio(p50, floor.get("p50")), "p99_vs_floor": _ratio(p99, floor.get("p99")),
        }
    return checked


def _ratio(value: float | None, reference: float | None) -> float | None:
    return round(value / reference, 2) if value is not None and reference else None


def measure(count: int, work: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"targets_ms": {"p50": TARGET_P50_MS, "p99": TARGET_P99_MS}}
    out["plugin"] = pytest_mode(PLUGIN_TESTS.format(send_path=SEND_PATH, headers=HEADERS, text=TEXT, count=count),
                                count, work, "plugin")
    out["plugin-floor"] = pytest_mode(FLOOR_TESTS.format(count=count), count, work, "plugin-floor")
    out["external"] = external_mode(count, work)
    out.update(workspace_per_test(count, work))
    out["workspace-plugin"] = pytest_mode(_workspace_tests(count), count, work, "workspace-plugin")
    out["verdicts"] = verdicts(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.per_test", description=__doc__)
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--out", type=Path, help="replace RESULTS.md's per-test section with this run's")
    parser.add_argument("--json", type=Path, help="also write the figures there")
    args = parser.parse_args()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    load = os.getloadavg()
    out = measure(args.tests, Path(tempfile.mkdtemp(prefix="wa-sandbox-per-test-")))
    out["run"] = {"started": started, "finished": datetime.now(UTC).isoformat(timespec="seconds"), "nproc": os.cpu_count(),
                  "load_average_1m": {"start": round(load[0], 2), "end": round(os.getloadavg()[0], 2)}}
    print(json.dumps(out, indent=2))
    for line in verdict_lines(out):
        print(line, file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    if args.out:
        write_section(args.out, out, args.tests)


def write_section(path: Path, out: dict[str, Any], count: int) -> None:
    """Replace the per-test section of a RESULTS.md written by ``bench.run`` with this run's, saying so."""
    from bench import report

    run = out["run"]
    lines = report.per_test_section({"per_test": out})
    lines[3:3] = [f"Measured apart from the rest of this file by `python -m bench.per_test --tests {count}`, "
                  f"{run['started']} to {run['finished']}, on {run['nproc']} CPUs with a 1-minute load average of "
                  f"{run['load_average_1m']['start']} at the start and {run['load_average_1m']['end']} at the end.", ""]
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("\n## Per-test cost\n", 1)
    tail = rest[rest.index("\n## "):] if "\n## " in rest else ""
    # The issue 20 table's per-test rows too, marked as this run's.
    rows = [f"| {c['target']} | {c['measured']}; per-test run {run['started']} | {report._met(c['met'])} |"
            for c in report.issue20({"per_test": out}, 0)]
    kept: list[str] = []
    at: int | None = None
    for line in head.split("\n"):
        if line.startswith(("| per test ", "| ... and p99 <= 50 ms |")):
            at = len(kept) if at is None else at
            continue
        kept.append(line)
    if at is not None:
        kept[at:at] = rows
    path.write_text("\n".join(kept).rstrip("\n") + "\n" + "\n".join(lines) + "\n" + tail, encoding="utf-8")


def verdict_lines(out: dict[str, Any]) -> list[str]:
    """One line per mode: its p50/p99 against issue 20's targets, met or not, and the ratios to the floor."""
    lines = []
    for mode, v in out.get("verdicts", {}).items():
        lines.append(f"{mode}: p50 {v['p50_ms']} ms ({'met' if v['p50_met'] else 'not met'}, <= {TARGET_P50_MS:g}), "
                     f"p99 {v['p99_ms']} ms ({'met' if v['p99_met'] else 'not met'}, <= {TARGET_P99_MS:g}); "
                     f"{v['p50_vs_floor']}x / {v['p99_vs_floor']}x the aiohttp_server floor")
    return lines


if __name__ == "__main__":
    main()
