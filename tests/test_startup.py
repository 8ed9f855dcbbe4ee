"""What a server's start does not do any more (start to healthy, idle RSS: docs/bench.md, issue 20)."""

from __future__ import annotations

import subprocess
import sys

# A fresh interpreter: the validators are built once per process, and this suite's other tests build them.
STARTS_WITHOUT_VALIDATORS = """
import asyncio
from aiohttp.test_utils import TestClient, TestServer
from sandbox.app import create_app
from sandbox.control import validation
from sandbox.settings import Settings


async def main():
    async with TestClient(TestServer(create_app(Settings(clock="manual")))) as client:
        assert (await client.get("/_sandbox/health")).status == 200
        assert (await client.get("/_sandbox/messages")).status == 200
        assert validation.operations.cache_info().currsize == 0, "built by a request with nothing to check"
        refused = await client.post("/_sandbox/clock", json={"now": False})
        assert refused.status == 400, await refused.text()
        assert "'now' must be a number" in (await refused.json())["error"]["message"]
        assert validation.operations.cache_info().currsize == 1
        assert validation.OPERATIONS is validation.operations()


asyncio.run(main())
print("ok")
"""


def _passes_in_a_fresh_interpreter(script: str) -> None:
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip() == "ok"


def test_the_control_api_validators_are_built_by_the_first_request_with_something_to_check() -> None:
    _passes_in_a_fresh_interpreter(STARTS_WITHOUT_VALIDATORS)


# sqlite3 (and its library, ~1 MB of RSS) is for --data-dir and for webhooks spilling past the backlog.
STARTS_WITHOUT_SQLITE = """
import asyncio, sys
from aiohttp.test_utils import TestClient, TestServer
import sandbox.cli
from sandbox.app import create_app
from sandbox.settings import Settings


async def main():
    async with TestClient(TestServer(create_app(Settings(clock="manual")))) as client:
        assert (await client.get("/_sandbox/health")).status == 200
    assert "sqlite3" not in sys.modules, "imported by a start without --data-dir"
    from sandbox.core.spill import SpillQueue
    queue = SpillQueue.temporary()  # the first spill imports it, and the queue works
    assert "sqlite3" in sys.modules
    queue.push("meta", {"id": 1}, b"body")
    assert len(queue) == 1 and queue.pop() == ({"id": 1}, b"body")


asyncio.run(main())
print("ok")
"""


def test_a_server_without_a_data_dir_starts_without_sqlite() -> None:
    _passes_in_a_fresh_interpreter(STARTS_WITHOUT_SQLITE)
