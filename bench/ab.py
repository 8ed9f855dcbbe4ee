"""``python -m bench.ab``: interleaved A/B runs of the sustainable full lifecycle, for a shared machine.

Each round runs every variant once, in turn, so a load that comes and goes hits all of them alike;
compare the variants round by round (ratios), never across runs. A variant is ``name=spec`` where spec
is ``+``-joined parts: ``ref:<git ref>`` (that commit's ``sandbox`` package, exported to a temporary
folder and put first on PYTHONPATH; default: the working tree), ``dp`` (``serve --delivery-process``),
``cpus:<list>`` (the sandbox pinned with ``taskset -c``, e.g. ``cpus:0`` for one CPU). Example, the
figures in docs/bench.md "What a message costs":

    python -m bench.ab --rounds 2 main=ref:130400f branch=head branch-dp=dp main-1cpu=ref:130400f+cpus:0

Per run: ``bench.run.sustainable_lifecycle`` (saturate ``--seconds``, then wait for every webhook) and
one fixed rate. Loopback only; every run bounded. The scenario is the bench one without rules an older
commit could not load (``webhook_batch``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml

from bench import procs, targets
from bench.run import fixed_rate, parse_args, sustainable_lifecycle

HERE = Path(__file__).resolve().parent


def variant(spec: str, work: Path) -> tuple[dict[str, str], tuple[str, ...], str | None]:
    """(environment, extra serve flags, taskset CPU list) for one variant spec."""
    env: dict[str, str] = {}
    extra: tuple[str, ...] = ()
    cpus = None
    for part in spec.split("+"):
        if part.startswith("ref:"):
            ref = part[4:]
            tree = work / f"ref-{ref}"
            if not tree.exists():
                tree.mkdir(parents=True)
                archive = subprocess.run(["git", "archive", ref, "sandbox"], cwd=HERE.parent, check=True,
                                         capture_output=True, timeout=60).stdout
                subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True, timeout=60)
            env["PYTHONPATH"] = str(tree)
        elif part == "dp":
            extra += ("--delivery-process",)
        elif part.startswith("cpus:"):
            cpus = part[5:]
        elif part not in ("head", ""):
            raise SystemExit(f"unknown variant part {part!r} (ref:<git ref>, dp, cpus:<list>, head)")
    return env, extra, cpus


def start_pair(work: Path, label: str, env: dict[str, str], extra: tuple[str, ...], cpus: str | None, *,
               receiver_name: str = "receiver") -> tuple[procs.Service, procs.Service]:
    """A receiver, then a real-clock sandbox posting its webhooks to it, started with ``env`` (a variant's
    environment: set for the spawn only), ``extra`` serve flags and ``cpus`` (taskset). Answers
    (sandbox, receiver); the caller stops both."""
    receiver = targets.start_receiver(work, name=receiver_name)
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        svc = targets.start_sandbox(work, label, clock=["--clock", "real"], webhook_url=receiver.base_url + "/hook",
                                    extra=extra, cpus=cpus)
    except BaseException:
        procs.stop(receiver)
        raise
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return svc, receiver


def run_one(name: str, spec: str, work: Path, label: str, seconds: float, rate: float) -> dict[str, Any]:
    env, extra, cpus = variant(spec, work)
    opts = parse_args(["--quick", "--lifecycle-seconds", str(seconds)])
    svc, receiver = start_pair(work, label, env, extra, cpus, receiver_name=f"receiver-{label}")
    try:
        life = sustainable_lifecycle(svc, receiver, opts)
        at = fixed_rate(svc, receiver, rate, opts, seconds=max(seconds, 2.0))
    finally:
        procs.stop(svc)
        procs.stop(receiver)
    return {"lifecycle_msg_per_second": life["msg_per_second"], "sends_per_second": life["sends_per_second"],
            "missing": life["missing"], f"p99_ms_at_{rate:g}": at["latency_ms"].get("p99"),
            f"lag_p99_ms_at_{rate:g}": at["webhooks"]["lag_ms"].get("p99")}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("variants", nargs="+", help="name=spec (spec: head, ref:<git ref>, dp, cpus:<list>, joined by +)")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--seconds", type=float, default=4.0, help="saturation before the drain")
    p.add_argument("--rate", type=float, default=1000.0, help="the fixed rate run after it, for p99 and lag")
    a = p.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="wa-sandbox-ab-"))
    scenario = yaml.safe_load(targets.bench_scenario(work).read_text())
    scenario["rules"] = [r for r in scenario["rules"] if "webhook_batch" not in r]
    (work / "bench.yaml").write_text(yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True))
    pairs = [v.split("=", 1) if "=" in v else (v, v) for v in a.variants]
    results: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in pairs}
    for r in range(a.rounds):
        for name, spec in pairs:
            results[name].append(run_one(name, spec, work, f"{name}-{r}", a.seconds, a.rate))
    first = pairs[0][0]
    ratios = {name: [round((x["lifecycle_msg_per_second"] or 0.0) / (b["lifecycle_msg_per_second"] or 1e-9), 2)
                     for x, b in zip(runs, results[first], strict=True)] for name, runs in results.items()}
    print(json.dumps({"runs": results, f"lifecycle ratio to {first}, per round": ratios}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
