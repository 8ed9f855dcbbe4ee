"""The wa_workspace fixture under pytest-xdist: a small suite (tests/plugin_xdist/) run with ``-n 4``
against ONE sandbox (a ``wa-sandbox serve`` subprocess named by WA_SANDBOX_URL), as a CI job with a
service container runs it; then with the in-process server of each worker."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from sandbox.testing.client import SandboxControl
from tests.reliability.helpers import _free_port

ROOT = Path(__file__).resolve().parent.parent
SUITE = Path(__file__).parent / "plugin_xdist" / "suite_parallel.py"
BIN = Path(sys.executable).parent / "wa-sandbox"


async def _pytest(*args: str, env: dict[str, str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pytest", str(SUITE), "-p", "no:randomly", "-p", "no:cacheprovider", *args,
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), 300)
    return proc.returncode or 0, out.decode()


async def test_a_suite_under_xdist_shares_one_server_without_cross_talk() -> None:
    port = _free_port()
    server = await asyncio.create_subprocess_exec(
        str(BIN), "serve", "--port", str(port), "--clock", "manual", env={**os.environ, "SANDBOX_LOG_LEVEL": "warning"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    assert server.stdout is not None
    assert b"listening" in await asyncio.wait_for(server.stdout.readline(), 30)
    url = f"http://127.0.0.1:{port}"
    try:
        code, out = await _pytest("-n", "4", env={**os.environ, "WA_SANDBOX_URL": url})
        assert code == 0, out
        assert "13 passed" in out, out
        async with SandboxControl(url) as control:
            stats = await control.request("GET", "/workspaces")
            assert stats["counters"]["created"] == 13 and stats["count"] == 0  # each test's, deleted after it
            assert await control.messages() == []  # nothing reached the default workspace
    finally:
        server.terminate()
        await server.wait()


@pytest.mark.skipif(os.environ.get("WA_SANDBOX_URL") is not None, reason="runs the in-process server itself")
async def test_the_same_suite_with_an_in_process_server_per_worker() -> None:
    env = {k: v for k, v in os.environ.items() if k != "WA_SANDBOX_URL"}
    code, out = await _pytest("-n", "2", env=env)
    assert code == 0 and "13 passed" in out, out
