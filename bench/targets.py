"""How each target is started: the sandbox (with a bench scenario), the webhook receiver, bare aiohttp,
WireMock and Prism (npm packages installed once into a cache folder outside the repository)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from bench import procs
from bench.bodies import SEND_PATH
from sandbox.settings import Settings

HERE = Path(__file__).resolve().parent
SPEC = HERE.parent.parent / "shared" / "reference" / "meta-openapi-v23.yaml"
NPM_PACKAGES = ("wiremock", "@stoplight/prism-cli")
WITH_WEBHOOKS = ("sandbox", "sandbox-delivery-process", "sandbox-batched")  # targets that get a webhook receiver
BATCH = {"max_size": 1000, "window_ms": 50}  # sandbox-batched: Meta's batched webhooks (README), up to Meta's 1,000


def batched_scenario(work: Path) -> Path:
    """The bench scenario with ``meta.webhook_batch`` on: statuses of one number coalesced per POST."""
    path = work / "bench-batched.yaml"
    if not path.exists():
        data = yaml.safe_load(bench_scenario(work).read_text())
        data["name"] = "bench-batched"
        data["meta"]["webhook_batch"] = dict(BATCH)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def bench_scenario(work: Path, source: Path | None = None) -> Path:
    """The default scenario with Meta's rate limits off (80 msg/s per number and one message per 6 s to
    a user would reject almost every send of a load test); everything else unchanged. ``source``: another
    checkout's default scenario (an older commit compared side by side may not read today's)."""
    path = work / ("bench.yaml" if source is None else f"bench-{source.parent.parent.name}.yaml")
    if not path.exists():
        data = yaml.safe_load((source or Path(Settings().scenario)).read_text())
        data["name"] = "bench"
        data["meta"]["limits"] = {"*": {"throughput": 0, "pair_every": 0, "pair_burst": 0}}
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def sandbox_command() -> list[str]:
    script = Path(sys.executable).parent / "wa-sandbox"
    return [str(script)] if script.exists() else [sys.executable, "-m", "sandbox.cli"]


def start_sandbox(work: Path, label: str, *, clock: list[str], webhook_url: str | None = None,
                  max_messages: int = 2_000_000, extra: tuple[str, ...] = (), scenario: Path | None = None,
                  cpus: str | None = None) -> procs.Service:
    """``cpus``: a taskset CPU list (``0`` = one CPU) the sandbox and its children are pinned to."""
    port = procs.free_port()
    pin = ["taskset", "-c", cpus] if cpus else []
    cmd = [*pin, *sandbox_command(), "serve", "--port", str(port), *clock,
           "--scenario", str(scenario or bench_scenario(work)),
           "--log-level", "warning", *extra]
    cmd += ["--meta-webhook-url", webhook_url] if webhook_url else []
    # Every target names how it posts webhooks, so that the figures do not follow the machine's CPU count
    # (`serve` decides by itself otherwise): in-process unless ``extra`` has --delivery-process (a flag wins
    # over the environment). The environment, not --no-delivery-process: an older commit (bench.ab's ref:)
    # reads the variable but knows no such flag.
    env = {"SANDBOX_MAX_MESSAGES": str(max_messages), "SANDBOX_DELIVERY_PROCESS": "0"}
    return procs.start("sandbox", cmd, port, "/_sandbox/health", env=env, log=work / f"sandbox-{label}.log")


def start_receiver(work: Path, port: int | None = None, name: str = "receiver") -> procs.Service:
    """The webhook receiver on ``port`` (default: a free one); on SIGTERM it writes its final counts to
    ``<name>.json`` in ``work`` (the soak stops it for an outage and must count up to the last moment)."""
    port = port or procs.free_port()
    cmd = [sys.executable, "-m", "bench.receiver", "--port", str(port), "--final-stats", str(work / f"{name}.json")]
    return procs.start("receiver", cmd, port, "/stats", log=work / f"{name}.log")


def start_target(name: str, work: Path, tools: Path, receiver: procs.Service | None) -> procs.Service:
    port = procs.free_port()
    if name == "sandbox":
        assert receiver is not None
        return start_sandbox(work, "load", clock=["--clock", "real"], webhook_url=receiver.base_url + "/hook")
    if name == "sandbox-delivery-process":  # webhook posts from a child process (another CPU)
        assert receiver is not None
        return start_sandbox(work, "delivery-process", clock=["--clock", "real"], webhook_url=receiver.base_url + "/hook",
                             extra=("--delivery-process",))
    if name == "sandbox-batched":  # Meta's batched webhooks on (targets.BATCH)
        assert receiver is not None
        return start_sandbox(work, "batched", clock=["--clock", "real"], webhook_url=receiver.base_url + "/hook",
                             scenario=batched_scenario(work))
    if name == "sandbox-sends":  # the send path alone: timelines run, but no webhook URL, so no webhook
        return start_sandbox(work, "sends", clock=["--clock", "real"])
    if name == "receiver":  # the webhook receiver itself, saturated with status webhooks: its own ceiling
        return start_receiver(work)
    if name == "bare":
        cmd = [sys.executable, "-m", "bench.bare", "--port", str(port)]
        return procs.start(name, cmd, port, "/health", log=work / "bare.log")
    if name == "wiremock":
        cmd = [str(npm_bin(tools, "wiremock")), "--port", str(port), "--bind-address", "127.0.0.1",
               "--root-dir", str(HERE / "wiremock"), "--no-request-journal", "--disable-banner"]
        return procs.start(name, cmd, port, "/__admin/health", log=work / "wiremock.log", timeout=90)
    if name == "prism":
        if not SPEC.exists():
            raise RuntimeError(f"Meta's spec is not at {SPEC}")
        cmd = [str(npm_bin(tools, "prism")), "mock", "-h", "127.0.0.1", "-p", str(port), str(SPEC)]
        # Prism answers any request once listening; a 404/405 on a GET of the send path is enough.
        return procs.start(name, cmd, port, SEND_PATH, log=work / "prism.log", timeout=120, any_status=True)
    raise RuntimeError(f"unknown target {name!r}")


def npm_bin(tools: Path, name: str) -> Path:
    """Install the npm packages into ``tools`` the first time (outside the repository)."""
    binary = tools / "node_modules" / ".bin" / name
    if not binary.exists():
        if shutil.which("npm") is None:
            raise RuntimeError("npm is not installed")
        tools.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(tools), "--no-audit", "--no-fund", *NPM_PACKAGES],
                       check=True, capture_output=True, timeout=600)
    return binary
