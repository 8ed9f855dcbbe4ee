"""The machine description, the comparison with issue 9's targets, and bench/RESULTS.md."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from pathlib import Path
from typing import Any

TARGET_LABELS = {"sandbox": "wa-sandbox", "sandbox-sends": "wa-sandbox, no webhooks",
                 "sandbox-delivery-process": "wa-sandbox --delivery-process",
                 "sandbox-batched": "wa-sandbox, batched webhooks",
                 "receiver": "webhook receiver (webhooks/s, not msg/s)", "bare": "bare aiohttp (ceiling)",
                 "wiremock": "WireMock", "prism": "Prism"}
# The per-test modes held to issue 20's p50/p99 (bench/per_test.py); plugin-floor is their reference.
PER_TEST_TARGET_LABELS = {"plugin": "with the pytest plugin", "workspace-plugin": "with the plugin's `wa_workspace` fixture",
                          "workspace-plugin-external": "with `wa_workspace` on an external server (`WA_SANDBOX_URL`)",
                          "external": "on an external server, reset between tests",
                          "workspace": "on an external server, a workspace per test"}


def machine() -> dict[str, Any]:
    cpu = next((ln.split(":", 1)[1].strip() for ln in _read("/proc/cpuinfo").splitlines()
                if ln.startswith("model name")), platform.processor())
    mem_kb = next((int(ln.split()[1]) for ln in _read("/proc/meminfo").splitlines() if ln.startswith("MemTotal")), 0)
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "java": _version(["java", "-version"]),
        "node": _version(["node", "--version"]),
        "wrk": _version(["wrk", "--version"]),
    }


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _version(cmd: list[str]) -> str | None:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    text = (done.stdout + done.stderr).strip().splitlines()
    return text[0] if text else None


def compare(results: dict[str, Any], sustain_rate: float) -> list[dict[str, Any]]:
    """Issue 9's targets, each with the measured figure and whether it is met (None: not measured)."""
    t = results.get("targets", {})
    sandbox, bare = t.get("sandbox", {}), t.get("bare", {})
    rows: list[dict[str, Any]] = []
    if "warm" in sandbox and "warm" in bare:
        ratio = sandbox["warm"]["ok_per_second"] / max(bare["warm"]["ok_per_second"], 1e-9)
        rows.append(_row("saturation >= 50% of the bare-aiohttp ceiling", f"{100 * ratio:.1f}%", ratio >= 0.5))
    sends = t.get("sandbox-sends", {})
    if "warm" in sends and "warm" in bare:  # the same question for the send path alone, like-for-like
        ratio = sends["warm"]["ok_per_second"] / max(bare["warm"]["ok_per_second"], 1e-9)
        rows.append(_row("(the same, send path alone: no webhook URL)", f"{100 * ratio:.1f}%", ratio >= 0.5))
    child = t.get("sandbox-delivery-process", {})
    if "warm" in child and "warm" in bare:  # webhooks posted from a child process (another CPU)
        ratio = child["warm"]["ok_per_second"] / max(bare["warm"]["ok_per_second"], 1e-9)
        rows.append(_row("(the same, with webhooks, serve --delivery-process)", f"{100 * ratio:.1f}%", ratio >= 0.5))
    receiver = t.get("receiver", {})
    if "warm" in receiver and "warm" in bare:  # a physical bound, not a target: three webhooks per message
        bound = receiver["warm"]["ok_per_second"] / 3
        ratio = bound / max(bare["warm"]["ok_per_second"], 1e-9)
        rows.append(_row("(bound with the full lifecycle: the receiver's own ceiling / 3 webhooks per message)",
                         f"{receiver['warm']['ok_per_second']:g} webhooks/s -> at most {bound:.0f} msg/s = "
                         f"{100 * ratio:.1f}%", None))
    sustain = next((r for r in sandbox.get("rates", []) if r["rate"] == sustain_rate), None)
    if sustain:
        hooks = sustain.get("webhooks", {})
        kept_up = sustain["achieved_per_second"] >= 0.98 * sustain_rate and not sustain["skipped_backlog"]
        rows.append(_row(f"{sustain_rate:g} msg/s sustained for {sustain['planned_seconds']:g} s",
                         f"{sustain['achieved_per_second']:g} msg/s achieved", kept_up))
        rows.append(_row("every webhook delivered (sent, delivered, read)",
                         f"{hooks.get('missing', '?')} missing of {3 * hooks.get('expected_per_status', 0)}; "
                         f"{sustain['ok']} of {sustain['intended']} sends accepted",
                         hooks.get("missing") == 0 and sustain["ok"] == sustain["intended"]))
        p99 = sustain["latency_ms"].get("p99")
        rows.append(_row("p99 send latency < 25 ms at that rate", f"{p99} ms", p99 is not None and p99 < 25))
    sm = results.get("startup_memory", {})
    if sm.get("start_to_healthy_s"):
        median = statistics.median(sm["start_to_healthy_s"])
        rows.append(_row("start to healthy < 0.5 s", f"{median:.3f} s (median)", median < 0.5))
    if "idle_rss_mb" in sm:
        rows.append(_row("idle RSS < 150 MB", f"{sm['idle_rss_mb']} MB", sm["idle_rss_mb"] < 150))
    return rows


# Issue 20's "nothing gets worse" references: start to healthy and idle RSS the day it was filed.
START_REFERENCE_S, IDLE_REFERENCE_MB = 0.45, 53.0


def issue20(results: dict[str, Any], sustain_rate: float) -> list[dict[str, Any]]:
    """Issue 20's targets, each a figure of this run (a ratio to this run's reference where it has one)."""
    t = results.get("targets", {})
    sandbox, bare, receiver = t.get("sandbox", {}), t.get("bare", {}), t.get("receiver", {})
    rows: list[dict[str, Any]] = []
    life = sandbox.get("lifecycle")
    if life and "warm" in receiver:
        bound = receiver["warm"]["ok_per_second"] / 3
        for key, label in (("msg_per_second", ""), ("msg_per_second_less_timeline", ", less the timeline's 3 s")):
            got = life.get(key) or 0.0
            rows.append(_row(f"sustainable full lifecycle >= 50% of the receiver bound{label} (aim 75%)",
                             f"{got:g} msg/s = {100 * got / bound:.1f}% of {bound:.0f} msg/s; {life['missing']} missing",
                             got >= 0.5 * bound and life["missing"] == 0))
    at = next((r for r in sandbox.get("rates", []) if r["rate"] == sustain_rate), None)
    base = next((r for r in bare.get("rates", []) if r["rate"] == sustain_rate), None)
    if at:
        seconds = at["planned_seconds"]
        if base:
            ratio = at["latency_ms"]["p99"] / max(base["latency_ms"]["p99"], 1e-9)
            rows.append(_row(f"{sustain_rate:g} msg/s for {seconds:g} s: send p99 <= 5x bare aiohttp's",
                             f"{at['latency_ms']['p99']} ms vs {base['latency_ms']['p99']} ms = {ratio:.1f}x", ratio <= 5))
        lag = at.get("webhooks", {}).get("lag_ms", {}).get("p99")
        rows.append(_row(f"{sustain_rate:g} msg/s for {seconds:g} s: webhook lag p99 <= 250 ms", f"{lag} ms",
                         lag is not None and lag <= 250))
        rows.append(_row(f"{sustain_rate:g} msg/s for {seconds:g} s: every webhook delivered", _delivered(at),
                         _all_delivered(at)))
    batched = next(iter(t.get("sandbox-batched", {}).get("rates", [])), None)
    if batched:
        label = f"batching on, {batched['rate']:g} msg/s for {batched['planned_seconds']:g} s"
        rows.append(_row(f"{label}: every update delivered", _delivered(batched), _all_delivered(batched)))
        lag = batched.get("webhooks", {}).get("lag_ms", {}).get("p99")
        rows.append(_row(f"{label}: lag p99 <= 250 ms", f"{lag} ms", lag is not None and lag <= 250))
    per_test = results.get("per_test", {})
    floor = per_test.get("plugin-floor", {}).get("ms", {})
    for mode, label in PER_TEST_TARGET_LABELS.items():
        pt = per_test.get(mode)
        if not pt or "ms" not in pt:
            continue
        p50, p99 = pt["ms"].get("p50"), pt["ms"].get("p99")
        rows.append(_row(f"per test {label} (fixture + send + advance + wait + teardown): p50 <= 15 ms",
                         f"{p50} ms (the same run's aiohttp_server floor: {floor.get('p50')} ms)", p50 is not None and p50 <= 15))
        rows.append(_row("... and p99 <= 50 ms", f"{p99} ms (floor {floor.get('p99')} ms)", p99 is not None and p99 <= 50))
    sm = results.get("startup_memory", {})
    if sm.get("start_to_healthy_s"):
        median = statistics.median(sm["start_to_healthy_s"])
        rows.append(_row(f"start to healthy no worse than {START_REFERENCE_S} s", f"{median:.3f} s (median)",
                         median <= START_REFERENCE_S))
    if "idle_rss_mb" in sm:
        rows.append(_row(f"idle RSS no worse than {IDLE_REFERENCE_MB:g} MB", f"{sm['idle_rss_mb']} MB",
                         sm["idle_rss_mb"] <= IDLE_REFERENCE_MB))
    return rows


def _delivered(run: dict[str, Any]) -> str:
    hooks = run.get("webhooks", {})
    return (f"{hooks.get('missing', '?')} missing of {3 * hooks.get('expected_per_status', 0)}; "
            f"{run['ok']} of {run['intended']} sends accepted")


def _all_delivered(run: dict[str, Any]) -> bool:
    return run.get("webhooks", {}).get("missing") == 0 and run["ok"] == run["intended"]


def _row(target: str, measured: str, met: bool | None) -> dict[str, Any]:
    return {"target": target, "measured": measured, "met": met}


def markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    lines = [
        "# wa-sandbox benchmark results",
        "",
        f"Generated by `{r['command']}` ({'quick' if r['options']['quick'] else 'full'} mode), "
        f"{r['started']} to {r['finished']}. How to run and read it: docs/bench.md.",
        "",
        "## Machine",
        "",
        f"- {m['nproc']} CPUs: {m['cpu_model']}; {m['memory_gb']} GB RAM; Linux {m['kernel']}",
        f"- Python {m['python']}; {m['java']}; node {m['node']}; {m['wrk']}",
        "- Everything on loopback: the target, the load generator and (for the sandbox) the webhook receiver "
        "share these CPUs.",
        "",
        *(["**Notes on this run (read first):**", "", *[f"- {n}" for n in r["notes"]], ""] if r.get("notes") else []),
        "## Against issue 20's targets",
        "",
        "| target | measured | met |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {c['target']} | {c['measured']} | {_met(c['met'])} |" for c in r.get("issue20", [])]
    lines += ["", "## Against issue 9's targets (its saturation target is retired by issue 20)", "",
              "| target | measured | met |", "| --- | --- | --- |"]
    lines += [f"| {c['target']} | {c['measured']} | {_met(c['met'])} |" for c in r["comparison"]]
    lines += _saturation(r) + _rates(r) + _webhooks(r) + _lifecycle(r) + per_test_section(r) + _startup_memory(r) + _profile(r)
    return "\n".join(lines) + "\n"


def _met(met: bool | None) -> str:
    return "n/a" if met is None else ("met" if met else "**not met**")


def _lifecycle(r: dict[str, Any]) -> list[str]:
    rows = [(name, t["lifecycle"]) for name, t in r["targets"].items() if "lifecycle" in t]
    if not rows:
        return []
    lines = ["", "## Sustainable full lifecycle", "",
             "wrk saturates the send path, then every accepted send's sent, delivered and read webhooks are waited for. "
             "msg/s = accepted / (last webhook arrival - first send); the second figure leaves out the 3 s the scenario "
             "schedules read after its send.", "",
             "| target | saturation s | accepted | sends/s | last webhook after s | lifecycle msg/s | less the 3 s "
             "| missing |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, x in rows:
        lines.append(f"| {TARGET_LABELS.get(name, name)} | {x['saturation_seconds']} | {x['accepted']} | "
                     f"{x['sends_per_second']} | {x['span_s']} | {x['msg_per_second']} | {x['msg_per_second_less_timeline']} "
                     f"| {x['missing']} |")
    return lines


def per_test_section(r: dict[str, Any]) -> list[str]:
    pt = r.get("per_test")
    if not pt:
        return []
    if "skipped" in pt:
        return ["", "## Per-test cost", "", f"Skipped: {pt['skipped']}"]
    lines = ["", "## Per-test cost", "",
             "What one test pays: fixture set-up, one send, advance 3 s, wait for read, teardown (docs/bench.md). "
             "The first test of each mode (the run's one-off set-up) is apart; the percentiles are over the others. "
             "Ratios: to the `aiohttp_server` floor of this run. Targets (issue 20): p50 <= 15 ms, p99 <= 50 ms.", "",
             "| mode | tests | first test ms | p50 ms | p90 ms | p99 ms | max ms | p50 / p99 vs floor | p50 / p99 target |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    labels = {"plugin": "pytest plugin (`wa_sandbox` fixture, in-process)",
              "plugin-floor": "reference: pytest-aiohttp `aiohttp_server`, one-route app, one request",
              "external": "external `wa-sandbox serve`: reset + send + advance + wait",
              "workspace": "external `wa-sandbox serve`: create workspace + send + advance + wait + delete",
              "workspace-plugin": "pytest plugin, `wa_workspace` fixture (its in-process server)",
              "workspace-plugin-external": "pytest plugin, `wa_workspace` fixture, `WA_SANDBOX_URL` = external server"}
    verdicts = pt.get("verdicts", {})
    for mode, label in labels.items():
        x = pt.get(mode, {})
        if "skipped" in x:
            lines.append(f"| {label} | skipped: {x['skipped']} | | | | | | | |")
        elif "ms" in x:
            ms, v = x["ms"], verdicts.get(mode)
            ratios = f"{v['p50_vs_floor']}x / {v['p99_vs_floor']}x" if v else "1 (the floor)"
            met = (f"{'met' if v['p50_met'] else '**not met**'} / {'met' if v['p99_met'] else '**not met**'}"
                   if v else "")
            lines.append(f"| {label} | {x['tests']} | {x.get('first_ms', '')} | {ms.get('p50')} | {ms.get('p90')} | "
                         f"{ms.get('p99')} | {ms.get('max')} | {ratios} | {met} |")
    return lines


def _saturation(r: dict[str, Any]) -> list[str]:
    o = r["options"]
    base = r["targets"].get("sandbox", {})
    lines = ["", "## Saturation (send throughput, 200 responses per second)", "",
             f"{o['connections']} keep-alive connections, text and template bodies alternating; cold = the first "
             f"{o['cold_seconds']:g} s after the first answer, warm = {o['saturation_seconds']:g} s after a "
             f"{o['warmup_seconds']:g} s warm-up. Ratio = target / wa-sandbox.", "",
             "| target | start to first answer | cold msg/s | warm msg/s | warm p50 / p99 ms | non-2xx | cold ratio "
             "| warm ratio | RSS idle / after |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, t in r["targets"].items():
        if "skipped" in t:
            lines.append(f"| {TARGET_LABELS.get(name, name)} | skipped: {t['skipped']} | | | | | | | |")
            continue
        ratios = [_ratio(t, base, k) for k in ("cold", "warm")]
        w = t["warm"]
        lines.append(f"| {TARGET_LABELS.get(name, name)} | {t['start_to_first_answer_s']} s | "
                     f"{t['cold']['ok_per_second']} | {w['ok_per_second']} | {w['p50_ms']} / {w['p99_ms']} | "
                     f"{w['non_2xx'] + t['cold']['non_2xx']} | {ratios[0]} | {ratios[1]} | "
                     f"{t['idle_rss_mb']} / {t.get('rss_after_mb')} MB |")
    return lines


def _ratio(t: dict[str, Any], base: dict[str, Any], key: str) -> str:
    if key not in base or not base[key]["ok_per_second"]:
        return "n/a"
    return f"{t[key]['ok_per_second'] / base[key]['ok_per_second']:.2f}x"


def _rates(r: dict[str, Any]) -> list[str]:
    lines = ["", "## Fixed rates (open loop, latency from each request's due time: coordinated omission counted)", "",
             "| target | rate msg/s | planned s (elapsed) | achieved msg/s | p50 ms | p99 ms | max ms | service p99 ms "
             "| skipped (backlog) | responses |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, t in r["targets"].items():
        for x in t.get("rates", []):
            lat, svc = x["latency_ms"], x["service_ms"]
            lines.append(f"| {TARGET_LABELS.get(name, name)} | {x['rate']:g} | {x['planned_seconds']:g} ({x['seconds']}) | "
                         f"{x['achieved_per_second']} | {lat.get('p50')} | {lat.get('p99')} | {lat.get('max')} | "
                         f"{svc.get('p99')} | {x['skipped_backlog']} | {_codes(x['codes'])} |")
    return lines


def _codes(codes: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(codes.items()))


def _webhooks(r: dict[str, Any]) -> list[str]:
    lines = ["", "## Webhook lifecycle", "",
             "Every accepted send to 15550200001 schedules sent (+0.2 s), delivered (+1 s) and read (+3 s). "
             "Lag = arrival at the receiver - (send time + offset); it includes the send's own latency.", "",
             "| target | rate msg/s | accepted | sent / delivered / read received | missing | webhooks/s | lag p50 ms "
             "| lag p99 ms | lag max ms |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    after = []
    for name in ("sandbox", "sandbox-delivery-process"):
        s = r["targets"].get(name, {})
        label = TARGET_LABELS.get(name, name)
        for x in s.get("rates", []):
            w = x.get("webhooks", {})
            st, lag = w.get("statuses", {}), w.get("lag_ms", {})
            lines.append(f"| {label} | {x['rate']:g} | {x['ok']} | {st.get('sent', 0)} / {st.get('delivered', 0)} / "
                         f"{st.get('read', 0)} | {w.get('missing')} | {w.get('webhooks_per_second')} | {lag.get('p50')} | "
                         f"{lag.get('p99')} | {lag.get('max')} |")
        if "saturation_webhooks" in s:
            sw = s["saturation_webhooks"]
            after.append(f"- {label}: after the saturation runs the receiver got {sw['posts']} webhooks "
                         f"({sw['statuses']}), {sw['webhooks_per_second']} webhooks/s over the arrival span.")
    return lines + ([""] + after if after else [])


def _startup_memory(r: dict[str, Any]) -> list[str]:
    sm = r.get("startup_memory")
    if not sm:
        return []
    lines = ["", "## Start-up and memory (wa-sandbox)", "",
             f"- Start to healthy (spawn of `wa-sandbox serve` to the first 200 on /_sandbox/health), each start: "
             f"{', '.join(f'{t} s' for t in sm['start_to_healthy_s'])}",
             f"- Idle RSS (after a short settle): {sm['idle_rss_mb']} MB",
             "- Stored messages were sent over HTTP (text/template alternating, each with its full status history; "
             "clock at 1000x, no webhook URL):", "",
             "| stored messages | RSS MB | KB per message (vs idle) | injected at msg/s | inject seconds |",
             "| --- | --- | --- | --- | --- |"]
    lines += [f"| {p['stored']} | {p['rss_mb']} | {p['kb_per_message']} | {p['inject_per_second']} | "
              f"{p['inject_seconds']} |" for p in sm["memory"]]
    last = sm["memory"][-1] if sm["memory"] else None
    if last and last["stored"] < 1_000_000 and last["kb_per_message"] and last["inject_per_second"]:
        minutes = 1_000_000 / last["inject_per_second"] / 60
        projected = sm["idle_rss_mb"] + 1_000_000 * last["kb_per_message"] / 1024
        lines += ["", f"1M stored messages were not measured in this run: at {last['inject_per_second']} msg/s the "
                  f"injection alone takes about {minutes:.0f} minutes (`--memory-counts 100000,1000000`). "
                  f"Linear projection from the last point (not a measurement): about {projected:.0f} MB."]
    return lines


def _profile(r: dict[str, Any]) -> list[str]:
    prof = r["targets"].get("sandbox", {}).get("profile")
    if not prof or not prof.get("samples"):
        return []
    lines = ["", "## Where the sandbox's CPU goes at saturation (py-spy, % of samples)", "",
             f"{prof['samples']} samples during the warm saturation run.", "",
             "| inclusive % | sandbox function |", "| --- | --- |"]
    lines += [f"| {x['percent']} | `{x['function']}` |" for x in prof["sandbox_inclusive"]]
    lines += ["", "| self % | frame |", "| --- | --- |"]
    lines += [f"| {x['percent']} | `{x['frame']}` |" for x in prof["self"]]
    return lines
