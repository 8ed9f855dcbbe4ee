"""Helpers for the reliability tests: sends, the clock stepped so retries happen at their own times, and
`wa-sandbox serve --data-dir` subprocesses to kill and restart."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sandbox.testing.client import SandboxControl
from sandbox.testing.plugin import RunningSandbox
from tests.conftest import send

BIN = Path(sys.executable).parent / "wa-sandbox"

TEXT = {"messaging_product": "whatsapp", "to": "15550200001", "type": "text", "text": {"body": "hi"}}


async def send_texts(wa_sandbox: RunningSandbox, count: int) -> list[str]:
    """``count`` accepted sends to the default scenario's sent/delivered/read number; their wamids."""
    ids = []
    for n in range(count):
        status, body = await send(wa_sandbox, {**TEXT, "text": {"body": f"message {n}"}})
        assert status == 200, body
        ids.append(body["messages"][0]["id"])
    return ids


async def step_clock(wa_sandbox: RunningSandbox, seconds: float, step: float = 5.0) -> None:
    """Advance in steps, each waiting for the webhook attempts it caused, so retries are rescheduled
    from the time they ran (one big jump would leave the retry after it in the future)."""
    left = seconds
    while left > 0:
        await wa_sandbox.control.advance(min(step, left))
        left -= step


def statuses_by_message(posts: list[Any]) -> dict[str, list[str]]:
    """wamid -> statuses in the order the receiver got them (only the answered-2xx POSTs)."""
    out: dict[str, list[str]] = {}
    for post in posts:
        if post.answered >= 300:
            continue
        status = post.json["entry"][0]["changes"][0]["value"]["statuses"][0]
        out.setdefault(status["id"], []).append(status["status"])
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def serving(data_dir: Path, *, kill: bool = False, extra: tuple[str, ...] = ()) -> AsyncIterator[SandboxControl]:
    """A ``wa-sandbox serve`` process (manual clock) on ``data_dir``, with ``extra`` flags; on leaving,
    SIGKILL (``kill``) or a normal stop."""
    port = _free_port()
    env = {**os.environ, "SANDBOX_LOG_LEVEL": "warning"}
    proc = await asyncio.create_subprocess_exec(
        str(BIN), "serve", "--port", str(port), "--clock", "manual", "--seed", "restart", "--data-dir", str(data_dir),
        *extra, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    assert proc.stdout is not None
    first = await asyncio.wait_for(proc.stdout.readline(), 30)  # the banner: printed once listening
    assert b"listening" in first, first
    try:
        async with SandboxControl(f"http://127.0.0.1:{port}") as control:
            yield control
    finally:
        proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        await proc.wait()
