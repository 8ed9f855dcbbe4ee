"""Webhook HTTP posts from a child process (``serve --delivery-process``, on by default from 3 CPUs).

The dispatcher keeps every decision (order, retries, the attempt log, persistence, what is signed) and
only hands the finished bytes to a child process, which posts them with the same keep-alive client the
in-process path uses (``webhook_client.py``) and answers the outcome. One child serves the whole server:
the default runtime and every workspace (``Workspaces`` passes it to their dispatchers).

Cheap on the parent's side, because the parent is the process that runs out of CPU first:
- Frames are coalesced: every post queued in one event-loop turn goes out as ONE frame (a 4-byte
  little-endian length and a ``marshal`` dump of a list of requests) in one write; the child answers
  in the same way, one frame per loop turn of its own, so the parent parses results in batches.
- No task, no ``wait_for`` per post: a post is a future in a dict; one watchdog timer per outstanding
  batch guards against a child that stopped answering (the child itself enforces each attempt's timeout).
- Results arrive through a ``SubprocessProtocol`` (no ``StreamReader``: it would copy and wake a
  coroutine per frame).

Wire: parent -> child ``[(seq, url, body, headers, timeout), ...]``; child -> parent
``[(seq, status, excerpt, error), ...]``, ``status`` None and ``error`` set when no HTTP answer came.
``marshal``, not pickle or JSON: both ends are the same interpreter, and it is the cheapest codec in
the standard library for tuples of bytes and str. A child that dies fails the posts in flight as
connection errors (the dispatcher retries them by its policy) and the next post starts a new one.
"""

from __future__ import annotations

import asyncio
import logging
import marshal
import math
import os
import struct
import sys
from collections import deque
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

HEADER = struct.Struct("<I")
Result = tuple[int | None, str, str | None]  # HTTP status, body excerpt, error
GRACE = 5.0  # seconds past an attempt's timeout before the parent stops waiting for the child's answer


async def post_once(session: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str],
                    timeout: float) -> Result:
    """One webhook POST through aiohttp as ``(status, excerpt, error)``: what the dispatcher logs as an
    attempt (``webhook_client.py`` uses it for https and URLs with credentials)."""
    try:
        async with session.post(url, data=body, headers=headers) as resp:
            return resp.status, (await resp.content.read(512)).decode("utf-8", "replace"), None
    except TimeoutError:
        return None, "", f"timeout after {timeout:g} s"
    except aiohttp.ClientError as exc:
        return None, "", f"{type(exc).__name__}: {exc}"


def frame(value: Any) -> bytes:
    data = marshal.dumps(value)
    return HEADER.pack(len(data)) + data


class FrameBuffer:
    """Bytes from a pipe in, whole frames out (a frame may arrive in pieces, or many in one read)."""

    def __init__(self) -> None:
        self._data = bytearray()

    def feed(self, data: bytes) -> list[Any]:
        buf = self._data
        buf += data
        out: list[Any] = []
        start, end = 0, len(buf)
        while end - start >= HEADER.size:
            (size,) = HEADER.unpack_from(buf, start)
            if end - start - HEADER.size < size:
                break
            out.append(marshal.loads(memoryview(buf)[start + HEADER.size:start + HEADER.size + size]))
            start += HEADER.size + size
        if start:
            del buf[:start]
        return out


def usable_cpus(cgroup_root: Path = Path("/sys/fs/cgroup")) -> int:
    """CPUs this process may use: the affinity mask (taskset, a container's cpuset), lowered to a CPU
    quota when one is set (``docker run --cpus 1`` keeps every CPU in the mask but allows one's time)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - platforms without affinity (macOS)
        cpus = os.cpu_count() or 1
    quota = _cpu_quota(cgroup_root)
    return max(1, min(cpus, math.ceil(quota))) if quota is not None else cpus


def _cpu_quota(root: Path) -> float | None:
    """CPUs' worth of time the cgroup allows (cgroup v2 ``cpu.max``, v1 ``cfs_quota_us``); None: no limit."""
    try:
        if (root / "cpu.max").exists():
            quota, period = (root / "cpu.max").read_text().split()[:2]
        else:
            quota = (root / "cpu" / "cpu.cfs_quota_us").read_text().strip()
            period = (root / "cpu" / "cpu.cfs_period_us").read_text().strip()
        if quota in ("max", "-1"):
            return None
        return int(quota) / int(period)
    except (OSError, ValueError, ZeroDivisionError):  # no cgroup file system, or one we cannot read: no limit known
        return None


def pays_on(cpus: int) -> bool:
    """Is the child worth it with ``cpus`` usable CPUs? Measured and argued in docs/bench.md ("What a
    message costs"): the child saves the parent ~40 µs per webhook but costs ~70 µs of its own, so it
    pays only where a CPU is left for it beside the serving process and what shares the machine with
    it (in a load test, the load generator and the webhook receiver take about one more): on 1 and 2
    CPUs it measured 0.6-1.1x the in-process throughput, so it starts at 3."""
    return cpus >= 3


class _ChildPipes(asyncio.SubprocessProtocol):
    def __init__(self, owner: DeliveryProcess) -> None:
        self.owner = owner
        self.first_seq = owner._seq + 1  # posts from this seq on went to this child (until the next one's first)
        self.frames = FrameBuffer()
        self.exited: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.SubprocessTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.SubprocessTransport)
        self.transport = transport

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        pending = self.owner._pending
        for batch in self.frames.feed(data):
            for seq, status, excerpt, error in batch:
                future = pending.pop(seq, None)
                if future is not None and not future.done():
                    future.set_result((status, excerpt, error))

    def connection_lost(self, exc: Exception | None) -> None:
        # Called once the child has exited AND its pipes are drained (process_exited can come before
        # the last results are read): only then are the posts still pending really lost.
        self.owner._child_exited(self, self.transport.get_returncode() if self.transport is not None else None)
        if not self.exited.done():
            self.exited.set_result(None)


class DeliveryProcess:
    """The parent's side: ``post`` answers what the child got for one webhook."""

    def __init__(self, *, timeout: float, concurrency: int | None = None, grace: float = GRACE) -> None:
        self.timeout = timeout  # real seconds per attempt unless a post says otherwise; enforced by the child
        self.grace = grace  # real seconds past a post's timeout before the parent gives up on the child's answer
        self.concurrency = concurrency  # posts the child runs at once (None: as many as the dispatchers send)
        self.restarts = 0  # children started after the first (a crash, a kill)
        self.frames_out = 0  # frames written (each carries every post queued in one loop turn)
        self._transport: asyncio.SubprocessTransport | None = None
        self._stdin: asyncio.WriteTransport | None = None
        self._pipes: _ChildPipes | None = None
        self._pending: dict[int, asyncio.Future[Result]] = {}  # maps seq -> the post waiting for its result
        self._seq = 0
        self._outbox: list[tuple[int, str, bytes, dict[str, str], float]] = []  # posts of this loop turn
        self._batches: deque[tuple[float, int]] = deque()  # (deadline, last seq) of each frame written
        self._watchdog: asyncio.TimerHandle | None = None
        self._starting: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def pid(self) -> int | None:
        return self._transport.get_pid() if self._transport is not None else None

    def post(self, url: str, body: bytes, headers: dict[str, str], timeout: float | None = None) -> Awaitable[Result]:
        """The outcome of one POST. With the child running this is a plain future (no coroutine per post)."""
        if self._stdin is None or self._stdin.is_closing():
            return self._post_after_start(url, body, headers, timeout)
        return self._queue(url, body, headers, self.timeout if timeout is None else timeout)

    async def _post_after_start(self, url: str, body: bytes, headers: dict[str, str], timeout: float | None) -> Result:
        try:
            await self.start()
        except OSError as exc:  # no process or descriptor left: an attempt without an answer, retried by policy
            return None, "", f"cannot start the delivery process: {type(exc).__name__}: {exc}"
        return await self._queue(url, body, headers, self.timeout if timeout is None else timeout)

    def _queue(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> asyncio.Future[Result]:
        loop = self._loop
        assert loop is not None
        self._seq += 1
        future: asyncio.Future[Result] = loop.create_future()
        self._pending[self._seq] = future
        if not self._outbox:
            loop.call_soon(self._flush)
        self._outbox.append((self._seq, url, body, headers, timeout))
        return future

    def _flush(self) -> None:
        batch, self._outbox = self._outbox, []
        if not batch:
            return
        stdin = self._stdin
        if stdin is None or stdin.is_closing():  # the child went between queueing and now
            self._fail([seq for seq, *_ in batch], "delivery process exited before the post was sent")
            return
        stdin.write(frame(batch))
        self.frames_out += 1
        assert self._loop is not None
        self._batches.append((self._loop.time() + max(p[4] for p in batch) + self.grace, batch[-1][0]))
        if self._watchdog is None:
            self._watchdog = self._loop.call_at(self._batches[0][0], self._expire)

    def _expire(self) -> None:
        """Posts the child has not answered well past their timeout: a child that hangs must not hang them."""
        assert self._loop is not None
        self._watchdog = None
        now = self._loop.time()
        while self._batches and self._batches[0][0] <= now:
            _, last = self._batches.popleft()
            late = []
            for seq in self._pending:  # oldest first: seqs only grow
                if seq > last:
                    break
                late.append(seq)
            self._fail(late, f"timeout after {self.timeout:g} s (delivery process did not answer)")
        if self._batches and self._pending:
            self._watchdog = self._loop.call_at(self._batches[0][0], self._expire)
        else:
            self._batches.clear()

    def _fail(self, seqs: list[int], error: str) -> None:
        for seq in seqs:
            future = self._pending.pop(seq, None)
            if future is not None and not future.done():
                future.set_result((None, "", error))

    async def start(self) -> None:
        """Start the child now if none runs. The owning dispatcher starts it in the background as it starts
        (so the first webhook does not wait for the child's boot), and a post does it itself after a crash."""
        self._loop = asyncio.get_running_loop()
        self._starting = self._starting or asyncio.Lock()
        async with self._starting:
            if self._stdin is not None and not self._stdin.is_closing():
                return
            if self._transport is not None:
                self.restarts += 1
                log.warning("webhook delivery process exited (code %s): starting a new one",
                            self._transport.get_returncode())
            args = [sys.executable, "-m", "sandbox.core.delivery_child", str(self.concurrency or 0), str(self.timeout)]
            transport, pipes = await self._loop.subprocess_exec(
                lambda: _ChildPipes(self), *args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=None)
            stdin = transport.get_pipe_transport(0)
            assert isinstance(stdin, asyncio.WriteTransport)
            self._transport, self._pipes, self._stdin = transport, pipes, stdin

    def _child_exited(self, pipes: _ChildPipes, code: int | None) -> None:
        """Fail the posts this child held. A post may already have started its successor (its stdin
        closed first): then only the seqs sent to this one fail, the new child's stay pending."""
        current = pipes is self._pipes
        if current and self._stdin is not None:
            self._stdin.close()
        end = None if current or self._pipes is None else self._pipes.first_seq
        held = [seq for seq in self._pending if seq >= pipes.first_seq and (end is None or seq < end)]
        self._fail(held, f"delivery process exited (code {code})")  # posts queued but not written: by _flush

    async def stop(self) -> None:
        """Close the child's stdin: it finishes what is in flight, answers, and exits."""
        transport, pipes = self._transport, self._pipes
        if transport is None or pipes is None:
            return
        self._flush()
        if self._stdin is not None:
            self._stdin.close()
        try:
            await asyncio.wait_for(asyncio.shield(pipes.exited), self.timeout + 1)
        except TimeoutError:
            transport.kill()
            await pipes.exited
        transport.close()
        self._transport = self._pipes = self._stdin = None
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        self._batches.clear()
