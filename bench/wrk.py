"""Saturation with wrk (C, one thread): a Lua script alternates the text and template bodies and prints
its summary as JSON. Without wrk on the machine, the Python closed-loop generator stands in."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.bodies import HEADERS, SEND_PATH, body_bytes

LUA = """
wrk.method = "POST"
{headers}
local bodies = {{ {bodies} }}
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, nil, nil, bodies[(i % #bodies) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('JSON {{"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, '
    .. '"p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}}\\n', summary.requests, summary.duration,
    e.status, e.connect + e.read + e.write + e.timeout, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def lua_script(bodies: list[bytes] | None = None) -> str:
    """``bodies`` (default: the text and template sends) are posted in turn."""
    headers = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in HEADERS.items())
    listed = bodies if bodies is not None else [body_bytes(i) for i in range(2)]
    return LUA.format(headers=headers, bodies=", ".join(json.dumps(b.decode()) for b in listed))


def available() -> bool:
    return shutil.which("wrk") is not None


def saturate(base_url: str, seconds: float, connections: int, *, path: str = SEND_PATH,
             bodies: list[bytes] | None = None) -> dict[str, Any]:
    url = base_url + path
    if not available():
        if bodies is not None:
            raise RuntimeError("saturating with other bodies than the sends needs wrk")
        return _python_saturate(url, seconds, connections)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua_script(bodies))
    try:
        cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", f.name, url]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    finally:
        Path(f.name).unlink()
    line = next((ln for ln in out.splitlines() if ln.startswith("JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    data = json.loads(line[5:])
    secs = data["duration_us"] / 1e6
    ok = data["requests"] - data["non_2xx"]
    return {"tool": "wrk", "connections": connections, "seconds": round(secs, 3), "requests": data["requests"],
            "ok": ok, "non_2xx": data["non_2xx"], "socket_errors": data["socket_errors"],
            "ok_per_second": round(ok / secs, 1), "p50_ms": data["p50_ms"], "p99_ms": data["p99_ms"],
            "max_ms": data["max_ms"]}


def _python_saturate(url: str, seconds: float, connections: int) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.loadgen", "closed", "--url", url, "--seconds", str(seconds),
           "--connections", str(connections)]
    data = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout)
    requests = sum(data["codes"].values())
    return {"tool": "python-aiohttp", "connections": connections, "seconds": data["seconds"], "requests": requests,
            "ok": data["ok"], "non_2xx": requests - data["ok"], "socket_errors": 0,
            "ok_per_second": data["achieved_per_second"], "p50_ms": data["service_ms"].get("p50"),
            "p99_ms": data["service_ms"].get("p99"), "max_ms": data["service_ms"].get("max")}
