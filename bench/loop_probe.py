"""``python -m bench.loop_probe``: where the sandbox's event loop stalls during a fixed-rate run.

Send p99 is made of the moments the loop does not read sockets: one long callback (a burst of scheduler
jobs, a batch of webhook completions, a spill read) or a garbage-collector pass holds every send waiting.
This starts a receiver and the sandbox (optionally another commit's, ``--ref``, as ``bench.ab`` does) with
``loop_probe_site/sitecustomize.py`` loaded into the sandbox only, runs ``--rate`` msg/s for ``--seconds``,
and prints: the send latency and webhook lag, the sandbox's (and the receiver's) CPU per message over
the run (from /proc: less disturbed by a loaded machine than latencies, though still inflated by it), the distribution of callback durations, the callbacks of
``SLOW_MS`` or more grouped by what they ran (task coroutine or function), and each GC generation's passes
with their CPU and wall time (wall >> CPU: the process was descheduled, i.e. the machine was loaded).
Several ``--ref`` variants and ``--rounds`` interleave as ``bench.ab`` does; compare them round by round.
Loopback only; bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import procs
from bench.ab import start_pair, variant
from bench.run import fixed_rate, parse_args

SITE = Path(__file__).resolve().parent / "loop_probe_site"


def probe_run(spec: str, rate: float, seconds: float, work: Path) -> dict[str, Any]:
    env, extra, cpus = variant(spec, work)
    out = work / f"probe-{spec.replace(':', '-').replace('+', '-')}.json"
    env = {**env, "PYTHONPATH": os.pathsep.join(p for p in (str(SITE), env.get("PYTHONPATH", "")) if p),
           "WA_SANDBOX_LOOP_PROBE": str(out)}
    svc, receiver = start_pair(work, "probe", env, extra, cpus)
    try:
        opts = parse_args(["--quick"])
        fixed_rate(svc, receiver, rate, opts, seconds=2.0)  # warm-up: imports, first connections, caches
        before = cpu_seconds(svc.proc.pid), cpu_seconds(receiver.proc.pid)
        at = fixed_rate(svc, receiver, rate, opts, seconds=seconds)  # returns once every webhook arrived
        after = cpu_seconds(svc.proc.pid), cpu_seconds(receiver.proc.pid)
        time.sleep(1.5)  # the probe writes once a second
    finally:
        procs.stop(svc)
        procs.stop(receiver)
    sent = max(1, sum(int(n) for code, n in at["codes"].items() if code.startswith("2")))
    return {"send_ms": at["latency_ms"], "lag_ms": at["webhooks"]["lag_ms"], "missing": at["webhooks"].get("missing"),
            "sandbox_cpu_us_per_msg": round((after[0] - before[0]) / sent * 1e6, 1),
            "receiver_cpu_us_per_msg": round((after[1] - before[1]) / sent * 1e6, 1),
            "loop": json.loads(out.read_text()) if out.exists() else None}


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (/proc/<pid>/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.loop_probe", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rate", type=float, default=1000.0)
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--ref", action="append", help="name=spec, a bench.ab variant (head, ref:<git ref>, dp, "
                                                  "cpus:<list>); repeat to compare; default: head")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--brief", action="store_true", help="leave out the callback and GC detail")
    a = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="wa-sandbox-probe-"))
    pairs = [r.split("=", 1) if "=" in r else (r, r) for r in (a.ref or ["head"])]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in pairs}
    for _ in range(a.rounds):
        for name, spec in pairs:
            run = probe_run(spec, a.rate, a.seconds, work)
            if a.brief:
                run = {k: v for k, v in run.items() if k != "loop"}
                run["send_ms"] = {k: run["send_ms"].get(k) for k in ("p50", "p99")}
                run["lag_ms"] = {k: run["lag_ms"].get(k) for k in ("p50", "p99")}
            runs[name].append(run)
    print(json.dumps(runs, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
