"""``python -m bench.run [--quick]``: the whole benchmark in one run; writes bench/RESULTS.md (docs/bench.md).

Phases: (1) start-up and memory: a sandbox with no webhook URL, time to healthy, idle RSS, RSS after
N stored messages; (2) per target (sandbox, bare aiohttp, WireMock, Prism): saturation cold and warm,
then open-loop fixed rates; for the sandbox the full webhook lifecycle reaches a local receiver.
Every loop is bounded in count and time; everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sandbox
from bench import per_test, procs, report, targets, wrk
from bench.bodies import SEND_PATH, STATUS_WEBHOOK
from bench.profile import record, summarise

HERE = Path(__file__).resolve().parent
LIFECYCLE = ("sent", "delivered", "read")
LAST_OFFSET = 3.0  # the bench scenario schedules read 3 s after the send
DRAIN_SECONDS = 30.0  # how long webhooks may trail the last send before they count as missing
# Targets measured at saturation only. sandbox-sends: the send path without a webhook URL (the rates need
# webhooks). receiver: the webhook receiver's own ceiling, saturated with status webhooks on /hook; with
# three webhooks per message, a third of it bounds any target's full-lifecycle throughput on this machine.
SATURATION_ONLY = ("sandbox-sends", "receiver")
RECEIVER_LOAD: dict[str, Any] = {"path": "/hook", "bodies": [json.dumps(STATUS_WEBHOOK, separators=(",", ":")).encode()]}


@dataclass
class Options:
    quick: bool
    targets: list[str]
    connections: int  # keep-alive connections for saturation
    rate_connections: int  # connection pool of the open-loop generator
    cold_seconds: float
    warmup_seconds: float
    saturation_seconds: float
    rates: list[float]
    rate_seconds: float
    sustain_rate: float
    sustain_seconds: float
    memory_counts: list[int]
    startup_samples: int
    per_test: int  # tests per per-test-cost mode (0 skips the phase)
    batched_rate: float  # sandbox-batched's one rate, held for sustain_seconds
    lifecycle_seconds: float  # saturation before the drain, for the sustainable full-lifecycle figure
    profile: bool
    tools_dir: Path
    out: Path
    json_out: Path
    render: Path | None


def parse_args(argv: list[str] | None) -> Options:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    p.add_argument("--quick", action="store_true", help="seconds, not minutes: a smoke run with small counts")
    p.add_argument("--targets",
                   default="sandbox,sandbox-sends,sandbox-delivery-process,sandbox-batched,receiver,bare,wiremock,prism",
                   help="comma list, run in this order (sandbox-sends: saturation only, no webhook URL; "
                        "sandbox-delivery-process: serve --delivery-process, with webhooks; sandbox-batched: Meta's "
                        "batched webhooks on; receiver: the webhook receiver's own ceiling, in webhooks/s)")
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--rate-connections", type=int, default=64)
    p.add_argument("--cold-seconds", type=float)
    p.add_argument("--warmup-seconds", type=float)
    p.add_argument("--saturation-seconds", type=float)
    p.add_argument("--rates", help="messages/s, comma list (default 100,1000,2000)")
    p.add_argument("--rate-seconds", type=float, help="duration of each fixed-rate run")
    p.add_argument("--sustain-rate", type=float, default=1000.0, help="the rate held for --sustain-seconds")
    p.add_argument("--sustain-seconds", type=float, help="issue 20 asks 60, issue 9 300 (full default 60; quick 3)")
    p.add_argument("--memory-counts", help="stored-message counts to measure RSS at (default 100000,1000000); "
                   "'none' skips the start-up and memory phase")
    p.add_argument("--startup-samples", type=int)
    p.add_argument("--batched-rate", type=float, default=2000.0,
                   help="sandbox-batched: the rate held for --sustain-seconds (issue 20: 2,000 msg/s)")
    p.add_argument("--per-test", type=int, help="tests per per-test-cost mode (default 200; quick 30; 0 skips)")
    p.add_argument("--lifecycle-seconds", type=float,
                   help="saturation before the drain for the sustainable full-lifecycle figure (default 8; quick 2)")
    p.add_argument("--no-profile", dest="profile", action="store_false", help="skip py-spy during saturation")
    p.add_argument("--tools-dir", default="/var/cache/wa-sandbox-bench", help="npm cache for WireMock and Prism")
    p.add_argument("--out", default=str(HERE / "RESULTS.md"))
    p.add_argument("--json-out", help="raw figures (default: beside --out, results.json)")
    p.add_argument("--render", metavar="RESULTS_JSON", help="only re-render --out from a results.json, no load")
    a = p.parse_args(argv)
    q = a.quick
    pick = lambda value, full, quick: value if value is not None else (quick if q else full)  # noqa: E731
    out = Path(a.out)
    return Options(
        quick=q,
        targets=[t for t in a.targets.split(",") if t],
        connections=a.connections,
        rate_connections=a.rate_connections,
        cold_seconds=pick(a.cold_seconds, 5.0, 1.0),
        warmup_seconds=pick(a.warmup_seconds, 5.0, 0.0),
        saturation_seconds=pick(a.saturation_seconds, 15.0, 2.0),
        rates=[float(r) for r in pick(a.rates, "100,1000,2000", "100,1000").split(",")],
        rate_seconds=pick(a.rate_seconds, 30.0, 2.0),
        sustain_rate=a.sustain_rate,
        sustain_seconds=pick(a.sustain_seconds, 60.0, 3.0),
        memory_counts=[int(n) for n in pick(a.memory_counts, "100000,1000000", "2000").split(",") if n != "none"],
        startup_samples=pick(a.startup_samples, 5, 1),
        per_test=pick(a.per_test, 200, 30),
        batched_rate=a.batched_rate,
        lifecycle_seconds=pick(a.lifecycle_seconds, 8.0, 2.0),
        profile=a.profile,
        tools_dir=Path(a.tools_dir),
        out=out,
        json_out=Path(a.json_out) if a.json_out else out.with_name("results.json"),
        render=Path(a.render) if a.render else None,
    )


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    if opts.render:
        rendered = json.loads(opts.render.read_text())
        rendered["comparison"] = report.compare(rendered, rendered["options"]["sustain_rate"])
        rendered["issue20"] = report.issue20(rendered, rendered["options"]["sustain_rate"])
        opts.out.write_text(report.markdown(rendered))
        return 0
    work = Path(tempfile.mkdtemp(prefix="wa-sandbox-bench-"))
    results: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "python -m bench.run " + shlex.join(argv if argv is not None else sys.argv[1:]),
        "machine": report.machine(),
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(opts).items()},
        "work_dir": str(work),
    }
    log(f"bench: work dir {work}")
    if opts.memory_counts:
        results["startup_memory"] = startup_and_memory(opts, work)
    if opts.per_test:
        log(f"bench: per-test cost, {opts.per_test} tests per mode")
        try:
            results["per_test"] = per_test.measure(opts.per_test, work / "per-test")
            for line in per_test.verdict_lines(results["per_test"]):
                log(f"bench: per-test {line}")
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            log(f"bench: per-test cost skipped: {exc}")
            results["per_test"] = {"skipped": str(exc)}
    results["targets"] = {}
    for name in opts.targets:
        try:
            results["targets"][name] = bench_target(name, opts, work)
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            log(f"bench: {name} skipped: {exc}")
            results["targets"][name] = {"skipped": str(exc)}
    results["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    results["comparison"] = report.compare(results, opts.sustain_rate)
    results["issue20"] = report.issue20(results, opts.sustain_rate)
    for row in results["issue20"]:  # each of issue 20's targets, on the terminal too
        log(f"bench: {row['target']}: {row['measured']} -> {report._met(row['met']).strip('*')}")
    opts.json_out.parent.mkdir(parents=True, exist_ok=True)
    opts.json_out.write_text(json.dumps(results, indent=2))
    opts.out.write_text(report.markdown(results))
    log(f"bench: wrote {opts.out} and {opts.json_out}")
    return 0


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- phase 1: start-up and memory -----------------------------------------------------------------


def startup_and_memory(opts: Options, work: Path) -> dict[str, Any]:
    """The clock runs 1000x so every timeline completes at once and each stored message carries its full
    history (accepted, sent, delivered, read) without piling up scheduler jobs; no webhook URL is set,
    so no webhook is generated. (Manual mode would leave 3 pending jobs per message: see RESULTS.md.)

    Start-up is timed with the package byte-compiled, as it is after ``pip install`` (the container image)
    or any earlier run: an environment with PYTHONDONTWRITEBYTECODE (CI images often set it) would
    otherwise compile ~100 modules on every start, ~80 ms that no user pays twice."""
    compileall.compile_dir(str(Path(sandbox.__file__).parent), quiet=1)
    times = []
    for i in range(opts.startup_samples - 1):
        svc = targets.start_sandbox(work, f"startup-{i}", clock=["--clock", "manual"])
        times.append(svc.healthy_after)
        procs.stop(svc)
    cap = max(opts.memory_counts) + 10_000
    svc = targets.start_sandbox(work, "memory", clock=["--clock", "real", "--clock-speed", "1000"], max_messages=cap)
    times.append(svc.healthy_after)
    try:
        time.sleep(0.5 if opts.quick else 2.0)  # let start-up garbage settle
        idle = svc.rss_mb()
        log(f"bench: start to healthy {times} s, idle RSS {idle} MB")
        points, stored = [], 0
        for count in opts.memory_counts:
            started = time.perf_counter()
            inject = loadgen("closed", svc.base_url, count=count - stored, seconds=count / 20 + 60, connections=32)
            stored += inject["ok"]
            time.sleep(0.2)  # let the last timelines (3 virtual s = 3 ms) finish
            rss = svc.rss_mb()
            points.append({"stored": stored, "rss_mb": rss, "inject_seconds": round(time.perf_counter() - started, 1),
                           "inject_per_second": inject["achieved_per_second"],
                           "kb_per_message": round((rss - idle) * 1024 / stored, 2) if stored else None,
                           "codes": inject["codes"]})
            log(f"bench: {stored} stored -> RSS {rss} MB")
    finally:
        procs.stop(svc)
    return {"start_to_healthy_s": [round(t or 0.0, 3) for t in times], "idle_rss_mb": idle, "memory": points}


# --- phase 2: load per target ---------------------------------------------------------------------


def bench_target(name: str, opts: Options, work: Path) -> dict[str, Any]:
    receiver = targets.start_receiver(work) if name in targets.WITH_WEBHOOKS else None
    try:
        svc = targets.start_target(name, work, opts.tools_dir, receiver)
    except BaseException:
        if receiver:
            procs.stop(receiver)
        raise
    out: dict[str, Any] = {"start_to_first_answer_s": round(svc.healthy_after or 0.0, 3)}
    try:
        log(f"bench: {name} up after {out['start_to_first_answer_s']} s; saturating")
        out["idle_rss_mb"] = svc.rss_mb()
        load = RECEIVER_LOAD if name == "receiver" else {}
        out["cold"] = wrk.saturate(svc.base_url, opts.cold_seconds, opts.connections, **load)
        if opts.warmup_seconds:
            wrk.saturate(svc.base_url, opts.warmup_seconds, opts.connections, **load)
        spy = None
        if opts.profile and name == "sandbox":
            spy = record(svc.proc.pid, opts.saturation_seconds - 1, work / "sandbox-profile.txt")
        out["warm"] = wrk.saturate(svc.base_url, opts.saturation_seconds, opts.connections, **load)
        if spy is not None:
            spy.wait(timeout=60)
            out["profile"] = summarise(work / "sandbox-profile.txt")
        log(f"bench: {name} cold {out['cold']['ok_per_second']}/s, warm {out['warm']['ok_per_second']}/s")
        if receiver:
            out["saturation_webhooks"] = drain(receiver, quiet=0.5 if opts.quick else 2.0)
            out["lifecycle"] = sustainable_lifecycle(svc, receiver, opts)
        if name not in SATURATION_ONLY:
            if name == "sandbox-batched":  # issue 20: batching on, twice the top tier, held as long as the sustain
                out["rates"] = [fixed_rate(svc, receiver, opts.batched_rate, opts, seconds=opts.sustain_seconds)]
            else:
                out["rates"] = [fixed_rate(svc, receiver, rate, opts, sustain=name != "sandbox-delivery-process")
                                for rate in opts.rates]
        out["rss_after_mb"] = svc.rss_mb()
    finally:
        procs.stop(svc)
        if receiver:
            procs.stop(receiver)
    return out


def fixed_rate(svc: procs.Service, receiver: procs.Service | None, rate: float, opts: Options, *,
               sustain: bool = True, seconds: float | None = None) -> dict[str, Any]:
    """``sustain``: the sustain rate runs ``sustain_seconds`` (not for --delivery-process); ``seconds``: this long."""
    if seconds is None:
        seconds = opts.sustain_seconds if sustain and rate == opts.sustain_rate else opts.rate_seconds
    if receiver:
        post(receiver.base_url + "/reset")
    result = loadgen("rate", svc.base_url, rate=rate, seconds=seconds, connections=opts.rate_connections,
                     stamp=receiver is not None)
    result["rate"] = rate
    result["planned_seconds"] = seconds
    log(f"bench: {svc.name} {rate:g}/s for {seconds:g} s: p50 {result['latency_ms'].get('p50')} ms, "
        f"p99 {result['latency_ms'].get('p99')} ms, {result['codes']}")
    if receiver:
        result["webhooks"] = lifecycle(receiver, result["ok"])
        post(svc.base_url + "/_sandbox/reset")  # keep the journal from growing across runs
    return result


def sustainable_lifecycle(svc: procs.Service, receiver: procs.Service, opts: Options) -> dict[str, Any]:
    """Issue 20's throughput: saturate for ``lifecycle_seconds``, then wait for every accepted send's three
    webhooks; messages per second from the first send until the last webhook arrived, so a backlog that
    is still draining counts against it. Also given without the timeline's own last offset (read is
    scheduled 3 s after its send, which no implementation can shorten)."""
    post(receiver.base_url + "/reset")
    post(svc.base_url + "/_sandbox/reset")
    started = time.time()
    sat = wrk.saturate(svc.base_url, opts.lifecycle_seconds, opts.connections)
    hooks = lifecycle(receiver, sat["ok"], drain_limit=max(DRAIN_SECONDS, 10 * opts.lifecycle_seconds))
    span = (hooks["last_arrival"] or started) - started
    out = {"saturation_seconds": sat["seconds"], "accepted": sat["ok"], "sends_per_second": sat["ok_per_second"],
           "missing": hooks["missing"], "span_s": round(span, 3),
           "msg_per_second": round(sat["ok"] / span, 1) if span > 0 else None,
           "msg_per_second_less_timeline": round(sat["ok"] / (span - LAST_OFFSET), 1) if span > LAST_OFFSET else None,
           "lag_ms": hooks.get("lag_ms")}
    log(f"bench: {svc.name} sustainable lifecycle {out['msg_per_second']} msg/s "
        f"({sat['ok']} sends in {sat['seconds']} s, last webhook after {out['span_s']} s, {hooks['missing']} missing)")
    post(svc.base_url + "/_sandbox/reset")
    return out


def lifecycle(receiver: procs.Service, accepted: int, drain_limit: float = DRAIN_SECONDS) -> dict[str, Any]:
    """Wait (bounded) until every accepted send's sent, delivered and read webhooks have arrived."""
    deadline = time.perf_counter() + 3.5 + drain_limit
    stats = get_json(receiver.base_url + "/stats")
    while time.perf_counter() < deadline:
        stats = get_json(receiver.base_url + "/stats")
        if all(stats["statuses"].get(s, 0) >= accepted for s in LIFECYCLE):
            break
        time.sleep(0.25)
    stats["expected_per_status"] = accepted
    stats["missing"] = sum(max(0, accepted - stats["statuses"].get(s, 0)) for s in LIFECYCLE)
    return stats


def drain(receiver: procs.Service, quiet: float = 2.0, limit: float = 60.0) -> dict[str, Any]:
    """After saturation: wait until webhooks stop arriving (quiet for ``quiet`` s, at most ``limit``)."""
    deadline = time.perf_counter() + limit
    last, since = -1, time.perf_counter()
    stats = get_json(receiver.base_url + "/stats")
    while time.perf_counter() < deadline:
        stats = get_json(receiver.base_url + "/stats")
        if stats["posts"] != last:
            last, since = stats["posts"], time.perf_counter()
        elif time.perf_counter() - since >= quiet:
            break
        time.sleep(0.25)
    return {"posts": stats["posts"], "statuses": stats["statuses"], "webhooks_per_second": stats["webhooks_per_second"]}


def loadgen(mode: str, base_url: str, *, rate: float = 0.0, seconds: float, connections: int,
            count: int | None = None, stamp: bool = False) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.loadgen", mode, "--url", base_url + SEND_PATH, "--seconds", str(seconds),
           "--connections", str(connections), "--rate", str(rate)]
    cmd += ["--count", str(count)] if count is not None else []
    cmd += ["--stamp"] if stamp else []
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=2 * seconds + 120, cwd=HERE.parent)
    if done.returncode != 0:
        raise RuntimeError(f"loadgen failed: {done.stderr[-2000:]}")
    return dict(json.loads(done.stdout))


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.load(resp)


def post(url: str) -> None:
    # urllib's default body type is a form, which the control API refuses (docs/security.md)
    request = urllib.request.Request(url, data=b"{}", method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=30).close()


if __name__ == "__main__":
    raise SystemExit(main())
