"""``python -m bench.workspaces [--quick]``: the workspaces benchmark (issue 15); appends its section to
bench/RESULTS.md (replacing an earlier one) and writes bench/workspaces.json. docs/bench.md explains it.

1. Create and delete: p50/p99 of ``POST`` and ``DELETE /_sandbox/workspaces`` (default scenario), as the
   client sees them, beside a ``GET /_sandbox/health`` round trip measured the same way (the reference).
2. Memory: RSS per empty live workspace with N live (1,000 by default), against the idle RSS.
3. Parallel load: W workspaces (16), each sent R msg/s (50) open loop for S seconds (60) with its own
   receiver path; every status webhook must reach its own workspace's receiver, and no message or
   webhook may show up in another workspace. Send p99 from each request's due time.
4. The default workspace at saturation (sends, no webhooks, wrk): today's code (the commit this branch
   starts from, run from a ``git archive`` copy) and this branch with no workspace and with 100 live,
   alternated in rounds so that the machine's load hits each alike. Ratios to today's.

Everything listens on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bench import procs, targets, wrk
from bench.bodies import PHONE_NUMBER_ID, body_bytes
from bench.stats import percentiles

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SECTION = "## Workspaces (issue 15)"
BASE_COMMIT = "130400f"  # main when workspaces were added: "today's" default workspace


# --- processes ------------------------------------------------------------------------------------


def start_sandbox(work: Path, label: str, *, clock: str = "manual", max_workspaces: int = 2000,
                  code: Path | None = None) -> procs.Service:
    """This branch's sandbox, or with ``code`` the sandbox package in that folder (today's)."""
    port = procs.free_port()
    scenario = targets.bench_scenario(work, None if code is None else code / "scenarios" / "default.yaml")
    args = ["serve", "--port", str(port), "--clock", clock, "--scenario", str(scenario), "--log-level", "warning"]
    if code is None:
        cmd = [*targets.sandbox_command(), *args]
    else:  # the editable install's import hook would win over sys.path: drop it first
        boot = (f"import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f)]; "
                f"sys.path.insert(0, {str(code)!r}); from sandbox.cli import main; sys.argv[0] = 'wa-sandbox'; sys.exit(main())")
        cmd = [sys.executable, "-c", boot, *args]
    env = {"SANDBOX_MAX_WORKSPACES": str(max_workspaces), "SANDBOX_MAX_MESSAGES": "2000000"}
    return procs.start("sandbox", cmd, port, "/_sandbox/health", env=env, log=work / f"sandbox-{label}.log")


def todays_code(work: Path) -> Path:
    folder = work / f"sandbox-{BASE_COMMIT}"
    if not folder.exists():
        folder.mkdir()
        archive = subprocess.run(["git", "archive", "--format=tar", BASE_COMMIT, "sandbox", "scenarios"],
                                 cwd=ROOT, capture_output=True, check=True).stdout
        tar = work / "today.tar"
        tar.write_bytes(archive)
        with tarfile.open(tar) as t:
            t.extractall(folder, filter="data")
    return folder


# --- 1 and 2: create/delete latency, memory ------------------------------------------------------


async def _timed(session: aiohttp.ClientSession, method: str, url: str, **kw: Any) -> tuple[float, int, Any]:
    start = time.perf_counter()
    async with session.request(method, url, **kw) as resp:
        body = await resp.json(content_type=None)
        return (time.perf_counter() - start) * 1000, resp.status, body


async def create_delete(base: str, count: int) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session:
        for i in range(5):  # warm: the first create parses the scenario file once for all
            await _timed(session, "POST", f"{base}/_sandbox/workspaces", json={"name": f"warm-{i}"})
            await _timed(session, "DELETE", f"{base}/_sandbox/workspaces/warm-{i}")
        health = [(await _timed(session, "GET", f"{base}/_sandbox/health"))[0] for _ in range(count)]
        created, deleted = [], []
        for i in range(count):
            ms, status, body = await _timed(session, "POST", f"{base}/_sandbox/workspaces", json={"name": f"cd-{i}"})
            assert status == 201, body
            created.append(ms)
        for i in range(count):
            ms, status, body = await _timed(session, "DELETE", f"{base}/_sandbox/workspaces/cd-{i}")
            assert status == 200, body
            deleted.append(ms)
    return {"count": count, "health_ms": percentiles(health), "create_ms": percentiles(created),
            "delete_ms": percentiles(deleted)}


async def memory(service: procs.Service, count: int) -> dict[str, Any]:
    base = service.base_url
    async with aiohttp.ClientSession() as session:
        for i in range(20):  # warm: first-use allocations (parsed scenario, shared session) are not per workspace
            await _timed(session, "POST", f"{base}/_sandbox/workspaces", json={"name": f"warm-m-{i}"})
            await _timed(session, "DELETE", f"{base}/_sandbox/workspaces/warm-m-{i}")
        before = service.rss_mb()
        for i in range(count):
            _, status, body = await _timed(session, "POST", f"{base}/_sandbox/workspaces", json={"name": f"m-{i}"})
            assert status == 201, body
        after = service.rss_mb()
    return {"live": count, "rss_before_mb": before, "rss_after_mb": after,
            "per_workspace_mb": round((after - before) / count, 3)}


# --- 3: parallel load -----------------------------------------------------------------------------


class Receiver:
    """Every workspace's webhooks on one server, one path each: /hook/{workspace}."""

    def __init__(self) -> None:
        self.seen: dict[str, list[tuple[str, str]]] = defaultdict(list)  # maps path's workspace -> (wamid, status)
        self.bad = 0

    async def hook(self, request: web.Request) -> web.Response:
        try:
            payload = json.loads(await request.read())
            for entry in payload["entry"]:
                for change in entry["changes"]:
                    for status in change["value"].get("statuses", []):
                        self.seen[request.match_info["ws"]].append((status["id"], status["status"]))
        except (ValueError, KeyError, TypeError):
            self.bad += 1
        return web.Response()

    async def handshake(self, request: web.Request) -> web.Response:
        return web.Response(text=request.query.get("hub.challenge", ""))

    async def stats(self, request: web.Request) -> web.Response:
        return web.json_response({"seen": self.seen, "bad": self.bad})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/hook/{ws}", self.hook)
        app.router.add_get("/hook/{ws}", self.handshake)
        app.router.add_get("/stats", self.stats)
        return app


def start_receiver(work: Path) -> procs.Service:
    """The receiver in its own process: the load generator's process must not be its bottleneck."""
    port = procs.free_port()
    cmd = [sys.executable, "-m", "bench.workspaces", "receiver", "--port", str(port)]
    return procs.start("receiver", cmd, port, "/stats", log=work / "receiver.log")


async def _send(session: aiohttp.ClientSession, url: str, token: str, i: int, due: float,
                latencies: list[float], sent: list[str], codes: dict[int, int]) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with session.post(url, data=body_bytes(i), headers=headers) as resp:
        body = await resp.read()
        latencies.append((time.perf_counter() - due) * 1000)
        codes[resp.status] = codes.get(resp.status, 0) + 1
        if resp.status == 200:
            sent.append(json.loads(body)["messages"][0]["id"])


async def _default_as_space(session: aiohttp.ClientSession, base: str, hook: str) -> dict[str, Any]:
    """The reference: the default workspace, shaped like a create answer."""
    _, status, body = await _timed(session, "PUT", f"{base}/_sandbox/webhooks/targets/meta",
                                   json={"url": f"{hook}/default", "verify": False})
    assert status == 200, body
    return {"name": "default", "base_urls": {"meta": f"{base}/v23.0"}, "control_url": f"{base}/_sandbox",
            "credentials": {"meta": {"access_token": "sandbox-token"}}}


async def parallel(base: str, receiver: str, workspaces: int, rate: float, seconds: float,
                   drain: float, *, reference: bool = False) -> dict[str, Any]:
    """``reference``: the same total rate into the default workspace alone (what this machine does
    without workspaces, measured the same way)."""
    hook = f"{receiver}/hook"
    latencies: list[float] = []
    sent: dict[str, list[str]] = defaultdict(list)
    codes: dict[int, int] = {}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256)) as session:
        spaces = []
        if reference:
            spaces.append(await _default_as_space(session, base, hook))
            rate, workspaces = rate * workspaces, 1
        for w in range(0 if reference else workspaces):
            _, status, body = await _timed(session, "POST", f"{base}/_sandbox/workspaces", json={
                "name": f"load-{w}", "clock": "real", "webhooks": {"meta": f"{hook}/load-{w}"}})
            assert status == 201, body
            spaces.append(body)
        tasks: set[asyncio.Task[None]] = set()
        total = int(rate * seconds)
        start = time.perf_counter()
        for i in range(total):  # the workspaces take turns: rate msg/s each, W x rate together
            for w, ws in enumerate(spaces):
                due = start + (i + w / workspaces) / rate
                delay = due - time.perf_counter()
                if delay > 0.001:
                    await asyncio.sleep(delay)
                url = f"{ws['base_urls']['meta']}/{PHONE_NUMBER_ID}/messages"
                task = asyncio.create_task(_send(session, url, ws["credentials"]["meta"]["access_token"], i, due,
                                                 latencies, sent[ws["name"]], codes))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        if tasks:  # every answer, however late: the webhooks of a late send are not misrouted
            await asyncio.wait(tasks, timeout=seconds + 300)
        elapsed = time.perf_counter() - start
        expected = {name: {(wamid, s) for wamid in ids for s in ("sent", "delivered", "read")} for name, ids in sent.items()}
        owner = {wamid: name for name, ids in sent.items() for wamid in ids}
        deadline = time.perf_counter() + drain
        while True:
            _, _, got = await _timed(session, "GET", f"{receiver}/stats")
            seen = {name: {tuple(item) for item in items} for name, items in got["seen"].items()}
            if time.perf_counter() > deadline or all(len(seen.get(n, ())) >= len(e) for n, e in expected.items()):
                break
            await asyncio.sleep(1)
        # misrouted: a webhook of a message another workspace sent; unknown: of a message nobody sent
        misrouted = sum(1 for name, items in seen.items() for wamid, _ in items if owner.get(wamid, name) != name)
        unknown = sum(1 for items in seen.values() for wamid, _ in items if wamid not in owner)
        missing = sum(len(e - seen.get(n, set())) for n, e in expected.items())
        wrong_journal = 0
        for ws in spaces:  # each workspace's journal holds exactly its own sends
            _, _, listing = await _timed(session, "GET", f"{ws['control_url']}/messages?limit=1000000")
            wrong_journal += len({m["id"] for m in listing["messages"]} ^ set(sent[ws["name"]]))
        _, _, default = await _timed(session, "GET", f"{base}/_sandbox/messages?limit=10")
        if reference:
            default["count"] = 0  # the default's journal is the one under test here
    return {"workspaces": workspaces, "rate_each": rate, "seconds": seconds, "elapsed": round(elapsed, 3),
            "sends": sum(codes.values()), "codes": {str(k): v for k, v in codes.items()},
            "send_ms": percentiles(latencies), "webhooks_expected": sum(len(e) for e in expected.values()),
            "webhooks_missing": missing, "webhooks_misrouted": misrouted, "webhooks_unknown": unknown,
            "receiver_bad": got["bad"], "unanswered_sends": len(tasks),
            "journal_mismatches": wrong_journal, "default_journal": default["count"]}


# --- 4: default workspace at saturation -----------------------------------------------------------


def default_throughput(work: Path, seconds: float, rounds: int, connections: int, live: int) -> dict[str, Any]:
    today = todays_code(work)
    runs: dict[str, list[float]] = {"today": [], "branch": [], "branch+live": []}
    for r in range(rounds):
        for label in runs:
            service = start_sandbox(work, f"sat-{label}-{r}", clock="real", code=today if label == "today" else None)
            try:
                if label == "branch+live":
                    asyncio.run(_create_many(service.base_url, live))
                wrk.saturate(service.base_url, 1, connections)  # warm-up
                runs[label].append(wrk.saturate(service.base_url, seconds, connections)["ok_per_second"])
            finally:
                procs.stop(service)
    medians = {label: statistics.median(values) for label, values in runs.items()}
    return {"seconds": seconds, "rounds": rounds, "connections": connections, "live_workspaces": live,
            "ok_per_second": runs, "median": medians,
            "ratio_branch": round(medians["branch"] / medians["today"], 4),
            "ratio_branch_live": round(medians["branch+live"] / medians["today"], 4)}


async def _create_many(base: str, count: int) -> None:
    async with aiohttp.ClientSession() as session:
        for i in range(count):
            _, status, body = await _timed(session, "POST", f"{base}/_sandbox/workspaces", json={"name": f"idle-{i}"})
            assert status == 201, body


# --- report ---------------------------------------------------------------------------------------


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def render(r: dict[str, Any]) -> str:
    cd, mem, par, sat = r["create_delete"], r["memory"], r["parallel"], r["default"]
    alone = r.get("parallel_reference")
    ref = cd["health_ms"]["p50"]
    lines = [
        SECTION, "",
        f"`python -m bench.workspaces{' --quick' if r['quick'] else ''}`, {r['started']} to {r['finished']} (the last phases run); "
        "every figure from one run on this machine, shared with the load generator and receivers (docs/bench.md).", "",
        "| target | measured | reference in the same run | |",
        "| --- | --- | --- | --- |",
        f"| create p50 <= 5 ms | {cd['create_ms']['p50']:.2f} ms | {cd['create_ms']['p50'] / ref:.1f}x a health round trip ({ref:.2f} ms) | {_met(cd['create_ms']['p50'] <= 5)} |",
        f"| create p99 <= 20 ms | {cd['create_ms']['p99']:.2f} ms | {cd['create_ms']['p99'] / ref:.1f}x | {_met(cd['create_ms']['p99'] <= 20)} |",
        f"| delete p50 <= 5 ms | {cd['delete_ms']['p50']:.2f} ms | {cd['delete_ms']['p50'] / ref:.1f}x | {_met(cd['delete_ms']['p50'] <= 5)} |",
        f"| delete p99 <= 20 ms | {cd['delete_ms']['p99']:.2f} ms | {cd['delete_ms']['p99'] / ref:.1f}x | {_met(cd['delete_ms']['p99'] <= 20)} |",
        f"| RSS per empty workspace <= 1 MB, {mem['live']} live | {mem['per_workspace_mb']:.3f} MB | idle RSS {mem['rss_before_mb']} MB -> {mem['rss_after_mb']} MB | {_met(mem['per_workspace_mb'] <= 1)} |",
        f"| {par['workspaces']} workspaces x {par['rate_each']:g} msg/s for {par['seconds']:g} s: every webhook to its own receiver | "
        f"{par['webhooks_missing']} missing, {par['webhooks_misrouted']} misrouted, {par['webhooks_unknown']} unknown of "
        f"{par['webhooks_expected']} | {par['sends']} sends {par['codes']} | "
        f"{_met(par['webhooks_missing'] == 0 and par['webhooks_misrouted'] == 0 and par['webhooks_unknown'] == 0)} |",
        f"| ... send p99 < 25 ms (from due time) | {par['send_ms']['p99']:.2f} ms | p50 {par['send_ms']['p50']:.2f} ms | {_met(par['send_ms']['p99'] < 25)} |",
        *([f"| (reference: the same {alone['rate_each']:g} msg/s into the default workspace alone) | send p99 {alone['send_ms']['p99']:.2f} ms, "
           f"{alone['webhooks_missing']} webhooks missing of {alone['webhooks_expected']} | p50 {alone['send_ms']['p50']:.2f} ms | "
           f"{_met(alone['send_ms']['p99'] < 25 and alone['webhooks_missing'] == 0)} |"] if alone else []),
        f"| ... nothing in the wrong workspace | {par['journal_mismatches']} journal mismatches, {par['default_journal']} in the default | | "
        f"{_met(par['journal_mismatches'] == 0 and par['default_journal'] == 0)} |",
        f"| default workspace send throughput within 5% of today's | {100 * sat['ratio_branch']:.1f}% of today's "
        f"({sat['median']['branch']:.0f} vs {sat['median']['today']:.0f} msg/s) | median of {sat['rounds']} alternated rounds of {sat['seconds']:g} s, wrk -c{sat['connections']}, commit {BASE_COMMIT} | {_met(sat['ratio_branch'] >= 0.95)} |",
        f"| ... with {sat['live_workspaces']} workspaces live (credential lookup on every request) | {100 * sat['ratio_branch_live']:.1f}% of today's "
        f"({sat['median']['branch+live']:.0f} msg/s) | | {_met(sat['ratio_branch_live'] >= 0.95)} |",
        "",
        "Saturation rounds (msg/s): " + "; ".join(f"{k}: {', '.join(f'{v:.0f}' for v in vs)}" for k, vs in sat["ok_per_second"].items()),
        "",
    ]
    return "\n".join(lines)


def write_section(out: Path, text: str) -> None:
    """Replace this section in RESULTS.md (it is the last one), or append it."""
    current = out.read_text(encoding="utf-8") if out.exists() else ""
    kept = current.split(SECTION, 1)[0].rstrip("\n")
    out.write_text((kept + "\n\n" if kept else "") + text, encoding="utf-8")


def serve_receiver(port: int) -> None:
    web.run_app(Receiver().app(), host="127.0.0.1", port=port, access_log=None, print=None)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["receiver"]:
        serve_receiver(int(argv[argv.index("--port") + 1]))
        return
    p = argparse.ArgumentParser(prog="python -m bench.workspaces", description=__doc__)
    p.add_argument("--quick", action="store_true", help="seconds, not minutes: small counts")
    p.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    p.add_argument("--json", type=Path, default=HERE / "workspaces.json")
    p.add_argument("--phases", default="create,memory,parallel,default",
                   help="comma list; a subset re-measures those and keeps the others from --json")
    args = p.parse_args(argv)
    q, phases = args.quick, set(args.phases.split(","))
    partial = phases != {"create", "memory", "parallel", "default"} and args.json.exists()  # the other phases' last figures
    results: dict[str, Any] = json.loads(args.json.read_text()) if partial else {}
    ran = phases & {"create", "memory", "parallel", "default"}  # none: only render the saved results again
    if ran:
        results.update(quick=q, started=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    with tempfile.TemporaryDirectory(prefix="wa-bench-ws-") as tmp:
        work = Path(tmp)
        if phases & {"create", "memory"}:
            service = start_sandbox(work, "main", max_workspaces=2000)
            try:
                if "create" in phases:
                    results["create_delete"] = asyncio.run(create_delete(service.base_url, 20 if q else 300))
                if "memory" in phases:
                    results["memory"] = asyncio.run(memory(service, 50 if q else 1000))
            finally:
                procs.stop(service)
        if "parallel" in phases:
            service, receiver = start_sandbox(work, "parallel", clock="real"), start_receiver(work)
            try:
                results["parallel"] = asyncio.run(parallel(service.base_url, receiver.base_url, 4 if q else 16,
                                                            10 if q else 50, 2 if q else 60, 15 if q else 60))
            finally:
                procs.stop(service)
                procs.stop(receiver)
            service, receiver = start_sandbox(work, "reference", clock="real"), start_receiver(work)
            try:  # the same load into the default workspace alone: the machine's own limit, same run
                results["parallel_reference"] = asyncio.run(parallel(
                    service.base_url, receiver.base_url, 4 if q else 16, 10 if q else 50, 2 if q else 60,
                    15 if q else 60, reference=True))
            finally:
                procs.stop(service)
                procs.stop(receiver)
        if "default" in phases:
            results["default"] = default_throughput(work, 1 if q else 10, 1 if q else 3, 16 if q else 64, 10 if q else 100)
    if ran:
        results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    text = render(results)
    write_section(args.out, text)
    print(text)


if __name__ == "__main__":
    main()
