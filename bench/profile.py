"""Sample the sandbox with py-spy during a load phase and summarise where its CPU goes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any


def py_spy() -> str | None:
    local = Path(sys.executable).parent / "py-spy"
    return str(local) if local.exists() else shutil.which("py-spy")


def record(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes] | None:
    """Start py-spy on ``pid`` in the background (None when py-spy is not installed)."""
    tool = py_spy()
    if tool is None:
        return None
    cmd = [tool, "record", "-p", str(pid), "-d", str(max(1, int(seconds))), "-f", "raw", "-o", str(out), "--nonblocking"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def summarise(raw: Path, top: int = 15) -> dict[str, Any]:
    """Self time by frame, and inclusive time of the sandbox's own functions, as % of samples."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        own[frames[-1]] += n
        for name in {_function(f) for f in frames if "sandbox/" in f}:
            inclusive[name] += n
    pct = (lambda n: round(100 * n / total, 1)) if total else (lambda n: 0.0)
    return {
        "samples": total,
        "self": [{"frame": f, "percent": pct(n)} for f, n in own.most_common(top)],
        "sandbox_inclusive": [{"function": f, "percent": pct(n)} for f, n in inclusive.most_common(top + 10)
                              if not f.startswith(("main ", "serve ", "_run "))][:top],
    }


def _function(frame: str) -> str:
    """'name (path/file.py:123)' -> 'name (path/file.py)': inclusive time per function, not per line."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit(':', 1)[0]})"
