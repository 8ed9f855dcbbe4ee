"""Bounded connections (sandbox/connections.py, docs/security.md): the cap, the header and body timeouts,
the keep-alive timeout and the rate-limited log. Loopback only, a bounded number of connections; the
guard's clock is a test value, so no test waits for a timeout to pass."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import resource
import socket
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from sandbox.app import create_app
from sandbox.connections import ConnectionGuard, GuardedSite, RateLimitedLog, connection_cap
from sandbox.settings import Settings

BIN = Path(sys.executable).parent / "wa-sandbox"
HEAD = b"GET /_sandbox/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def served() -> AsyncIterator[tuple[ConnectionGuard, Clock, int]]:
    """The sandbox behind a GuardedSite on 127.0.0.1 (cap 4, timeouts 10 s and 60 s on a test clock)."""
    clock = Clock()
    runner = web.AppRunner(create_app(Settings(clock="manual", seed="conn")), access_log=None)
    await runner.setup()
    guard = ConnectionGuard(4, header_timeout=10, body_timeout=60, clock=clock)
    site = GuardedSite(runner, "127.0.0.1", 0, guard)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield guard, clock, port
    await runner.cleanup()


async def _open(port: int, first: bytes = b"") -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    if first:
        writer.write(first)
        await writer.drain()
    return reader, writer


async def _closed(reader: asyncio.StreamReader) -> bool:
    """True when the server closed the connection (EOF, after whatever it had sent)."""
    try:
        await asyncio.wait_for(reader.read(), 5)
    except ConnectionResetError:  # closed with bytes it never read: the kernel resets
        return True
    return reader.at_eof()


async def _settle(guard: ConnectionGuard, count: int) -> None:
    """Until the guard has seen ``count`` connections (accepts run on the server's loop turns)."""
    for _ in range(200):
        if len(guard.open) >= count:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"the guard saw {len(guard.open)} connections, not {count}")


async def _get(port: int, path: str) -> bytes:
    reader, writer = await _open(port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    answer = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    return answer


async def test_headers_not_all_in_after_the_header_timeout_close_the_connection(served):
    guard, clock, port = served
    reader, writer = await _open(port, HEAD)  # the blank line that ends the head never comes
    await _settle(guard, 1)
    clock.now += 9
    guard.sweep()
    assert guard.open and not reader.at_eof()
    clock.now += 2
    guard.sweep()
    assert await _closed(reader) and guard.closed == {"header_timeout": 1}


async def test_a_connection_that_never_sends_is_closed_after_the_header_timeout(served):
    guard, clock, port = served
    reader, writer = await _open(port)
    await _settle(guard, 1)
    clock.now += 11
    guard.sweep()
    assert await _closed(reader)


async def test_a_body_not_all_in_after_the_body_timeout_closes_the_connection(served, caplog):
    guard, clock, port = served
    head = (b"POST /_sandbox/inbound HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n{\"provider\"")
    reader, writer = await _open(port, head)
    await _settle(guard, 1)
    for _ in range(50):  # until the handler is reading the body
        if next(iter(guard.open)).busy():
            break
        await asyncio.sleep(0.01)
    clock.now += 30
    guard.sweep()
    assert not reader.at_eof()
    clock.now += 31
    guard.sweep()
    assert await _closed(reader) and guard.closed == {"body_timeout": 1}
    for _ in range(50):  # the handler's read fails now; nobody is left to answer, so nothing is logged
        await asyncio.sleep(0.01)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_served_keepalive_connection_is_not_taken_for_a_slow_head(served):
    guard, clock, port = served
    reader, writer = await _open(port, HEAD + b"\r\n")
    assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 200")
    clock.now += 11  # idle now: the keep-alive timeout's business, not the header timeout's
    guard.sweep()
    assert guard.closed == {} and len(guard.open) == 1
    writer.write(HEAD[:10])  # the next request starts...
    await writer.drain()
    for _ in range(100):
        if next(iter(guard.open)).head_since is not None:
            break
        await asyncio.sleep(0.01)
    clock.now += 11  # ...and does not finish
    guard.sweep()
    assert guard.closed == {"header_timeout": 1}


async def test_past_the_cap_an_ordinary_client_is_served_and_a_long_poll_survives(served):
    guard, clock, port = served
    poll_reader, poll_writer = await _open(port, b"GET /_sandbox/wait/messages?to=15550209999&timeout=30 HTTP/1.1\r\n"
                                       b"Host: 127.0.0.1\r\n\r\n")
    await _settle(guard, 1)
    for _ in range(100):
        if next(iter(guard.open)).busy():
            break
        await asyncio.sleep(0.01)
    held = [await _open(port, HEAD[:8]) for _ in range(10)]  # well past the cap of 4, none finishing a head
    answer = await _get(port, "/_sandbox/health")
    assert answer.startswith(b"HTTP/1.1 200") and b'"status": "ok"' in answer
    assert all([await _closed(reader) for reader, _ in held[:-2]])  # the oldest idle ones made room
    assert len(guard.open) <= 4 and guard.closed["cap"] >= 8
    # the long poll is still there and answers when its message comes
    inbound = b'{"provider": "meta", "from": "15550209999", "text": "hi"}'
    reader, writer = await _open(port, b"POST /_sandbox/inbound HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                                       b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(inbound) + inbound)
    assert (await asyncio.wait_for(reader.read(), 5)).startswith(b"HTTP/1.1 201")
    assert (await poll_reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 200")


async def test_when_every_connection_is_busy_the_new_one_is_closed():
    clock = Clock()
    guard = ConnectionGuard(1, header_timeout=10, body_timeout=60, clock=clock)

    class Busy:
        _request_in_progress = True
        transport = None

        def force_close(self) -> None:
            raise AssertionError("a busy connection is never closed for a new one")

    from sandbox.connections import GuardedProtocol

    guard.open[GuardedProtocol(Busy(), guard)] = None
    assert guard.admit(GuardedProtocol(Busy(), guard)) is False and guard.closed == {"cap": 1}


@pytest.mark.wa_sandbox(keepalive_timeout=0.2)
async def test_an_idle_keepalive_connection_is_closed_after_the_keepalive_timeout(wa_sandbox):
    # aiohttp's own timer, set from Settings for every server (the pytest plugin's included)
    host, port = wa_sandbox.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    assert await _closed(reader)


def test_the_cap_stays_under_the_file_descriptor_limit():
    assert connection_cap(4096, 1024) == 768
    assert connection_cap(4096, 256) == 192
    assert connection_cap(100, 1 << 20) == 100
    assert connection_cap(4096, resource.RLIM_INFINITY) == 4096


def test_the_log_writes_one_line_per_interval_with_a_count(caplog):
    clock = Clock()
    notes = RateLimitedLog(clock, interval=10, logger=logging.getLogger("test.notes"))
    with caplog.at_level(logging.WARNING, logger="test.notes"):
        for _ in range(1000):
            notes.note("accept", "socket.accept() out of system resource")
        notes.flush()
        clock.now += 10
        notes.flush()
        notes.flush()
    assert [r.getMessage() for r in caplog.records] == [
        "socket.accept() out of system resource",
        "socket.accept() out of system resource (999 times in the last 10 s)",
    ]


def test_accept_errors_for_want_of_descriptors_are_counted_not_logged_each_time(caplog):
    guard = ConnectionGuard(10, header_timeout=10, body_timeout=60, clock=Clock())
    loop = asyncio.new_event_loop()
    try:
        with caplog.at_level(logging.WARNING):
            for _ in range(500):
                exc = OSError(errno.EMFILE, "Too many open files")
                guard.exception_handler(loop, {"message": "socket.accept() out of system resource", "exception": exc})
    finally:
        loop.close()
    assert len(caplog.records) == 1 and guard.notes.held["accept"][0] == 499


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _low_fd_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


@pytest.mark.skipif(not BIN.exists(), reason="the console script is not installed")
def test_serve_past_the_cap_under_a_low_descriptor_limit_stays_healthy_and_its_log_small():
    # The incident: idle connections until the process ran out of descriptors. 256 descriptors, 400
    # connections held (cap 192), half of them mid-head; the health check still answers, the log stays small.
    port = _free_port()
    env = {**os.environ, "SANDBOX_PORT": str(port), "SANDBOX_CLOCK": "manual"}
    proc = subprocess.Popen([str(BIN), "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=_low_fd_limit)
    assert proc.stdout is not None
    lines = []
    held: list[socket.socket] = []
    try:
        while not any("listening on" in line for line in lines):  # the banner is printed once listening
            line = proc.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        for n in range(400):
            conn = socket.create_connection(("127.0.0.1", port), timeout=5)
            if n % 2:
                conn.sendall(HEAD[:20])
            held.append(conn)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_sandbox/health", timeout=10) as resp:
            assert resp.status == 200
    finally:
        for conn in held:
            conn.close()
        proc.terminate()
        lines += proc.communicate(timeout=30)[0].splitlines(keepends=True)
    output = "".join(lines)
    assert "SANDBOX_MAX_CONNECTIONS" in output and "Traceback" not in output
    assert len(lines) < 40, output[-2000:]
