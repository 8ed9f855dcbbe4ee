"""Start, watch and stop the processes under test: time to first healthy answer, RSS of the process tree."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Service:
    name: str
    proc: subprocess.Popen[bytes]
    base_url: str
    started_at: float  # perf_counter at spawn
    healthy_after: float | None = None  # seconds from spawn to the first healthy answer

    def rss_mb(self) -> float:
        return tree_rss_mb(self.proc.pid)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(name: str, cmd: list[str], port: int, health_path: str, *, env: dict[str, str] | None = None,
          log: Path | None = None, timeout: float = 60.0, any_status: bool = False) -> Service:
    """Spawn ``cmd`` and poll ``health_path`` every 5 ms until it answers (200, or any HTTP status)."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - owned by the child
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)
    service = Service(name, proc, f"http://127.0.0.1:{port}", started)
    deadline = started + timeout
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode} before answering (log: {log})")
        if _answers(service.base_url + health_path, any_status):
            service.healthy_after = time.perf_counter() - started
            return service
        time.sleep(0.005)
    stop(service)
    raise RuntimeError(f"{name} did not answer {health_path} within {timeout:g} s (log: {log})")


def _answers(url: str, any_status: bool) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1.0) as resp:
            return bool(resp.status == 200)
    except urllib.error.HTTPError:
        return any_status
    except (urllib.error.URLError, OSError):
        return False


def stop(service: Service) -> None:
    """SIGTERM the service's own process group (started with a new session), then SIGKILL."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(service.proc.pid, signal.SIGTERM)
    try:
        service.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(service.proc.pid, signal.SIGKILL)
        service.proc.wait(timeout=5)


def tree_rss_mb(pid: int) -> float:
    """RSS of a process and its descendants (WireMock's npm launcher runs java as a child)."""
    total_kb = 0
    for p in [pid, *_descendants(pid)]:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
    return round(total_kb / 1024, 1)


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for child in map(int, children):
            found += [child, *_descendants(child)]
    return found
