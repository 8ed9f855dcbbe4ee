"""Smoke test of the benchmark harness: quick mode, the sandbox targets only, tiny counts (the real run is
`make bench`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# RSS comes from /proc; without wrk the harness falls back to its Python generator.
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RSS is read from /proc")


def test_quick_run_against_the_sandbox_writes_every_section(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    cmd = [sys.executable, "-m", "bench.run", "--quick", "--targets",
           "sandbox,sandbox-sends,sandbox-delivery-process,sandbox-batched,receiver", "--out", str(out),
           "--cold-seconds", "1", "--saturation-seconds", "1", "--rates", "20", "--sustain-rate", "20",
           "--sustain-seconds", "1", "--memory-counts", "100", "--connections", "4", "--rate-connections", "4",
           "--no-profile", "--per-test", "0", "--lifecycle-seconds", "0.5", "--batched-rate", "40"]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180, cwd=Path(__file__).resolve().parents[2])
    results = json.loads((tmp_path / "results.json").read_text())
    sandbox = results["targets"]["sandbox"]
    assert sandbox["warm"]["ok"] > 0
    assert sandbox["rates"][0]["webhooks"]["missing"] == 0
    assert sandbox["lifecycle"]["missing"] == 0 and sandbox["lifecycle"]["accepted"] > 0  # issue 20's throughput
    batched = results["targets"]["sandbox-batched"]  # batching on: one rate, every update counted
    assert batched["rates"][0]["rate"] == 40 and batched["rates"][0]["webhooks"]["missing"] == 0
    assert any("every update delivered" in row["target"] and row["met"] for row in results["issue20"])
    sends_only = results["targets"]["sandbox-sends"]
    assert sends_only["warm"]["ok"] > 0 and "rates" not in sends_only
    child = results["targets"]["sandbox-delivery-process"]  # webhooks posted from a child process
    assert child["warm"]["ok"] > 0 and child["rates"][0]["webhooks"]["missing"] == 0
    receiver = results["targets"]["receiver"]  # its own ceiling: saturated with status webhooks, no rates
    assert (receiver["warm"]["ok"] > 0 and "rates" not in receiver) or "wrk" in receiver.get("skipped", "")
    assert results["startup_memory"]["memory"][0]["stored"] == 100
    assert {c["target"] for c in results["comparison"]} >= {"start to healthy < 0.5 s", "idle RSS < 150 MB"}
    text = out.read_text()
    for heading in ("## Machine", "## Against issue 20's targets", "## Against issue 9's targets", "## Sustainable full lifecycle", "## Saturation", "## Fixed rates",
                    "## Webhook lifecycle", "## Start-up and memory"):
        assert heading in text


def test_per_test_cost_measures_each_mode(tmp_path: Path) -> None:
    from bench import per_test, report

    out = per_test.measure(3, tmp_path)
    modes = ("plugin", "plugin-floor", "external", "workspace", "workspace-plugin", "workspace-plugin-external")
    assert {mode: out[mode]["tests"] for mode in modes} == dict.fromkeys(modes, 3)
    assert 0 < out["plugin"]["ms"]["p50"] <= out["plugin"]["ms"]["max"]
    assert out["plugin"]["first_ms"] > 0 and out["plugin"]["ms"]["count"] == 2  # the first test apart
    # A workspace per test: three created, each saw its own read, none left behind (else measure raises).
    assert out["workspace"]["reads"] == 3
    assert set(out["verdicts"]) == set(modes) - {"plugin-floor"}
    assert all(v["p50_vs_floor"] > 0 and isinstance(v["p50_met"], bool) for v in out["verdicts"].values())
    lines = per_test.verdict_lines(out)
    assert len(lines) == 5 and all(("met" in line) and "floor" in line for line in lines)
    rows = report.issue20({"per_test": out, "targets": {}}, 1000)  # each mode held to p50 and p99
    assert sum("a workspace per test" in row["target"] for row in rows) == 1 and len(rows) == 10
    results = tmp_path / "RESULTS.md"  # --out: this run's rows and section replace the old ones, the rest kept
    results.write_text("# r\n\n## Against issue 20's targets\n\n| target | measured | met |\n| --- | --- | --- |\n"
                       "| per test with the pytest plugin (old): p50 <= 15 ms | 1 ms | met |\n| ... and p99 <= 50 ms | 2 ms | met |\n"
                       "| idle RSS | 53 MB | met |\n\n## Per-test cost\n\nold\n\n## Start-up and memory\n\nkept\n")
    out["run"] = {"started": "t0", "finished": "t1", "nproc": 2, "load_average_1m": {"start": 1.0, "end": 2.0}}
    per_test.write_section(results, out, 3)
    text = results.read_text()
    assert "(old)" not in text and "\nold\n" not in text and text.count("| ... and p99 <= 50 ms |") == 5
    assert text.index("a workspace per test") < text.index("| idle RSS |") < text.index("## Per-test cost")
    assert "`wa_workspace` fixture, `WA_SANDBOX_URL`" in text and text.endswith("## Start-up and memory\n\nkept\n")


def test_interleaved_ab_runs_each_variant_every_round() -> None:
    cmd = [sys.executable, "-m", "bench.ab", "--rounds", "1", "--seconds", "0.5", "--rate", "20",
           "now=head", "committed=ref:HEAD", "child=dp+cpus:0"]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=240,
                          cwd=Path(__file__).resolve().parents[2])
    out = json.loads(done.stdout)
    assert set(out["runs"]) == {"now", "committed", "child"}
    assert all(run[0]["missing"] == 0 and run[0]["lifecycle_msg_per_second"] for run in out["runs"].values())
    assert out["lifecycle ratio to now, per round"]["now"] == [1.0]


def test_loop_probe_times_the_sandbox_loop_and_its_cpu_per_message() -> None:
    cmd = [sys.executable, "-m", "bench.loop_probe", "--rate", "50", "--seconds", "1", "--ref", "now=head"]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=240,
                          cwd=Path(__file__).resolve().parents[2])
    (run,) = json.loads(done.stdout)["now"]
    assert run["missing"] == 0 and run["sandbox_cpu_us_per_msg"] > 0
    loop = run["loop"]  # written by the probe inside the sandbox process
    assert sum(loop["callbacks"].values()) > 50 and loop["process_cpu_s"] > 0


def test_soak_with_a_receiver_outage_misses_no_webhook(tmp_path: Path) -> None:
    out = tmp_path / "SOAK.md"
    cmd = [sys.executable, "-m", "bench.soak", "--minutes", "0.05", "--rate", "40", "--outage", "1",
           "--sample-seconds", "1", "--max-messages", "100000", "--drain-seconds", "30", "--out", str(out)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120, cwd=Path(__file__).resolve().parents[2])
    data = json.loads((tmp_path / "soak.json").read_text())
    assert data["loadgen"]["ok"] == 120
    assert data["webhooks_received"]["missing"] == 0 and data["webhooks_received"]["expected"] == 360
    assert any(not s["receiver_up"] for s in data["samples"])  # the outage happened while sampling
    assert data["samples"][-1]["journal"] == 120
    assert "## Samples" in out.read_text()


def test_workspaces_quick_run_writes_its_section_after_the_others(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    out.write_text("# wa-sandbox benchmark results\n\n## Machine\n")
    cmd = [sys.executable, "-m", "bench.workspaces", "--quick", "--out", str(out), "--json", str(tmp_path / "ws.json")]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300, cwd=Path(__file__).resolve().parents[2])
    data = json.loads((tmp_path / "ws.json").read_text())
    assert data["parallel"]["webhooks_missing"] == 0 and data["parallel"]["webhooks_misrouted"] == 0
    assert data["parallel"]["journal_mismatches"] == 0 and data["parallel"]["default_journal"] == 0
    assert data["memory"]["live"] == 50 and data["create_delete"]["create_ms"]["p50"] > 0
    assert set(data["default"]["median"]) == {"today", "branch", "branch+live"}
    text = out.read_text()
    assert text.startswith("# wa-sandbox benchmark results") and text.count("## Workspaces (issue 15)") == 1
    subprocess.run(cmd, check=True, capture_output=True, timeout=300, cwd=Path(__file__).resolve().parents[2])
    assert out.read_text().count("## Workspaces (issue 15)") == 1  # replaced, not appended again
