"""``python -m bench.soak``: a long run at a fixed rate with every webhook, to show memory stays bounded.

Users leave the sandbox running in CI for hours. This holds ``--rate`` sends/s (open loop, text and
template alternating, each with sent/delivered/read webhooks to a local receiver) for ``--minutes``, with
the journal capped at ``--max-messages`` so eviction runs all along (a message evicted before its
timeline ends takes its remaining statuses with it: keep the cap above rate x 3 s). Optionally the receiver is stopped
for ``--outage`` seconds halfway through and started again on the same port: the backlog must drain and
nothing may be missing. Every ``--sample-seconds`` it reads the sandbox's RSS and ``/_sandbox/stats``.
Writes a Markdown report (default bench/SOAK.md) and the raw samples beside it (soak.json).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import procs, report, targets
from bench.bodies import SEND_PATH
from bench.run import LIFECYCLE, get_json, log

HERE = Path(__file__).resolve().parent


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    p.add_argument("--minutes", type=float, default=20.0)
    p.add_argument("--rate", type=float, default=1000.0, help="sends per second (open loop)")
    p.add_argument("--max-messages", type=int, default=100_000, help="journal cap (SANDBOX_MAX_MESSAGES)")
    p.add_argument("--outage", type=float, default=0.0, help="seconds the receiver is down, halfway through")
    p.add_argument("--sample-seconds", type=float, default=30.0)
    p.add_argument("--drain-seconds", type=float, default=300.0,
                   help="how long webhooks may trail the last send (the outage backlog drains here too)")
    p.add_argument("--delivery-process", action="store_true", help="serve --delivery-process")
    p.add_argument("--out", default=str(HERE / "SOAK.md"))
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    # The sandbox and receivers run in their own sessions: a SIGTERM (timeout, Ctrl-C in CI) must still reach
    # the finally below that stops them, or they outlive the run.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="wa-sandbox-soak-"))
    port = procs.free_port()
    receiver = targets.start_receiver(work, port, "receiver-1")
    extra = ("--delivery-process",) if a.delivery_process else ()
    svc = targets.start_sandbox(work, "soak", clock=["--clock", "real"], webhook_url=receiver.base_url + "/hook",
                                max_messages=a.max_messages, extra=extra)
    seconds = a.minutes * 60
    cmd = [sys.executable, "-m", "bench.loadgen", "rate", "--url", svc.base_url + SEND_PATH, "--rate", str(a.rate),
           "--seconds", str(seconds), "--connections", "64"]
    loadgen = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=HERE.parent)
    received_before_restart = 0  # the receiver's counts start again when it restarts
    samples: list[dict[str, Any]] = []
    started = time.perf_counter()
    outage = (seconds / 2, seconds / 2 + a.outage) if a.outage else None
    try:
        next_sample = 0.0
        while loadgen.poll() is None:
            now = time.perf_counter() - started
            if outage and outage[0] <= now and receiver.proc.poll() is None:
                procs.stop(receiver)
                received_before_restart += json.loads((work / "receiver-1.json").read_text())["posts"]
                log(f"soak: receiver down at {now:.0f} s for {a.outage:g} s")
            if outage and now >= outage[1] and receiver.proc.poll() is not None:
                receiver = targets.start_receiver(work, port, "receiver-2")
                log(f"soak: receiver back at {now:.0f} s")
                outage = None
            if now >= next_sample:
                samples.append(sample(svc, now, receiver))
                next_sample += a.sample_seconds
            time.sleep(0.5)
        result = json.loads(loadgen.stdout.read() if loadgen.stdout else "{}")
        if receiver.proc.poll() is not None:  # the run ended inside the outage
            receiver = targets.start_receiver(work, port, "receiver-2")
        received = drain(receiver, received_before_restart, 3 * result["ok"], a.drain_seconds)
        samples.append(sample(svc, time.perf_counter() - started, receiver))
    finally:
        if loadgen.poll() is None:
            loadgen.kill()
        procs.stop(svc)
        procs.stop(receiver)
    data = {"command": "python -m bench.soak " + shlex.join(argv if argv is not None else sys.argv[1:]),
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": report.machine(),
            "options": vars(a), "loadgen": result, "webhooks_received": received, "samples": samples}
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_name("soak.json").write_text(json.dumps(data, indent=2))
    out.write_text(markdown(data))
    log(f"soak: wrote {out}")
    return 0


def sample(svc: procs.Service, at: float, receiver: procs.Service) -> dict[str, Any]:
    stats = get_json(svc.base_url + "/_sandbox/stats")
    hooks = stats["webhooks"]
    return {"at_s": round(at), "rss_mb": svc.rss_mb(), "journal": stats["journal"]["messages"],
            "evicted": stats["journal"]["evicted"], "delivered": hooks["delivered"], "failed": hooks["failed"],
            "pending": hooks["pending_in_memory"] + hooks["pending_spilled"], "spilled": hooks["spilled"],
            "log": hooks["log"],
            "scheduler": stats["scheduler"]["pending_jobs"], "receiver_up": receiver.proc.poll() is None}


def drain(receiver: procs.Service, before: int, expected: int, limit: float) -> dict[str, Any]:
    """Wait (bounded) until the receiver has every webhook; the statuses of its current lifetime."""
    deadline = time.perf_counter() + limit
    stats = get_json(receiver.base_url + "/stats")
    while time.perf_counter() < deadline and before + stats["posts"] < expected:
        time.sleep(1.0)
        stats = get_json(receiver.base_url + "/stats")
    total = before + stats["posts"]
    return {"expected": expected, "received": total, "missing": max(0, expected - total),
            "statuses_after_restart": {s: stats["statuses"].get(s, 0) for s in LIFECYCLE}}


def markdown(d: dict[str, Any]) -> str:
    o, g, w, m = d["options"], d["loadgen"], d["webhooks_received"], d["machine"]
    rss = [s["rss_mb"] for s in d["samples"]]
    half = rss[len(rss) // 2:] or rss
    lines = [
        "# wa-sandbox soak", "",
        f"Generated by `{d['command']}`, {d['started']}. {m['nproc']} CPUs ({m['cpu_model']}), Python {m['python']}.",
        "", "## Summary", "",
        f"- {o['rate']:g} sends/s for {o['minutes']:g} min, journal cap {o['max_messages']}"
        + (f", receiver down {o['outage']:g} s halfway" if o["outage"] else "")
        + (", --delivery-process" if o["delivery_process"] else "") + ".",
        f"- Sends: {g['ok']} of {g['intended']} accepted ({g['achieved_per_second']} msg/s); responses "
        f"{', '.join(f'{k}: {v}' for k, v in sorted(g['codes'].items()))}; latency p50 "
        f"{g['latency_ms'].get('p50')} ms, p99 {g['latency_ms'].get('p99')} ms, max {g['latency_ms'].get('max')} ms.",
        f"- Webhooks: {w['received']} of {w['expected']} received, {w['missing']} missing (at-least-once: a "
        "redelivery after the outage counts once more).",
        f"- RSS: {min(rss)} to {max(rss)} MB over the run; second half {min(half)} to {max(half)} MB.",
        "", "## Samples", "",
        "| at s | RSS MB | journal | evicted | webhooks delivered | given up | pending | spilled | attempt log "
        "| scheduler jobs | receiver up |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [f"| {s['at_s']} | {s['rss_mb']} | {s['journal']} | {s['evicted']} | {s['delivered']} | {s['failed']} | "
              f"{s['pending']} | {s['spilled']} | {s['log']} | {s['scheduler']} | {'yes' if s['receiver_up'] else 'no'} |"
              for s in d["samples"]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
