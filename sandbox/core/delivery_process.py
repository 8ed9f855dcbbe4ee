"""Webhook HTTP posts from a child process (``serve --delivery-process``).

aiohttp's client costs ~75 µs of CPU per webhook POST, three per message with the full lifecycle: more
than the whole send. With this on, the dispatcher keeps every decision (order, retries, the attempt
log, persistence) and only hands the bytes to a child process, which posts them and answers the status;
the parent pays ~12 µs per webhook (measured: docs/bench.md) and the HTTP work runs on another CPU.

Wire: each frame is a 4-byte little-endian length and a ``marshal`` dump (both ends are the same
interpreter). Parent -> child ``(seq, url, body, headers)``; child -> parent ``(seq, status, excerpt,
error)``, with ``status`` None and ``error`` set when no HTTP answer came. A child that dies fails the
posts in flight as connection errors (the dispatcher retries them by its policy) and the next post
starts a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import marshal
import struct
import sys
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

HEADER = struct.Struct("<I")
Result = tuple[int | None, str, str | None]  # HTTP status, body excerpt, error


async def post_once(session: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str],
                    timeout: float) -> Result:
    """One webhook POST as ``(status, excerpt, error)``: what the dispatcher logs as an attempt, whether
    it posts in-process or the child posts for it."""
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


async def read_frame(reader: asyncio.StreamReader) -> Any:
    (size,) = HEADER.unpack(await reader.readexactly(HEADER.size))
    return marshal.loads(await reader.readexactly(size))


class DeliveryProcess:
    """The parent's side: ``post`` answers what the child got for one webhook."""

    def __init__(self, *, concurrency: int, timeout: float) -> None:
        self.concurrency = concurrency
        self.timeout = timeout  # real seconds per attempt, enforced by the child
        self.restarts = 0  # children started after the first (a crash, a kill)
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: dict[int, asyncio.Future[Result]] = {}
        self._seq = 0
        self._outbox: list[bytes] = []  # frames written together once per loop turn (one syscall, not one each)
        self._starting: asyncio.Lock | None = None

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> Result:
        proc = await self._running()
        loop = asyncio.get_running_loop()
        self._seq += 1
        seq = self._seq
        future: asyncio.Future[Result] = loop.create_future()
        self._pending[seq] = future
        if not self._outbox:
            loop.call_soon(self._flush, proc)
        self._outbox.append(frame((seq, url, body, headers)))
        try:  # the child enforces the timeout; this only guards against a child that stopped answering
            return await asyncio.wait_for(future, self.timeout + 5)
        except TimeoutError:
            self._pending.pop(seq, None)
            return None, "", f"timeout after {self.timeout:g} s (delivery process)"

    def _flush(self, proc: asyncio.subprocess.Process) -> None:
        data, self._outbox = b"".join(self._outbox), []
        if proc.stdin is not None and not proc.stdin.is_closing():
            proc.stdin.write(data)

    async def _running(self) -> asyncio.subprocess.Process:
        if self._proc is not None and self._proc.returncode is None:
            return self._proc
        self._starting = self._starting or asyncio.Lock()
        async with self._starting:
            if self._proc is None or self._proc.returncode is not None:
                if self._proc is not None:
                    self.restarts += 1
                    log.warning("webhook delivery process exited (code %s): starting a new one", self._proc.returncode)
                await self._spawn()
        assert self._proc is not None
        return self._proc

    async def _spawn(self) -> None:
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "sandbox.core.delivery_process", str(self.concurrency), str(self.timeout),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=2**26,
        )
        self._reader = asyncio.create_task(self._read(self._proc), name="webhook-delivery-results")

    async def _read(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        try:
            while True:
                seq, status, excerpt, error = await read_frame(proc.stdout)
                future = self._pending.pop(seq, None)
                if future is not None and not future.done():
                    future.set_result((status, excerpt, error))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the child is gone
        await proc.wait()
        for seq, future in list(self._pending.items()):
            if not future.done():
                future.set_result((None, "", f"delivery process exited (code {proc.returncode})"))
            self._pending.pop(seq, None)

    async def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()  # the child finishes what is in flight and exits
        try:
            await asyncio.wait_for(proc.wait(), self.timeout + 1)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader


# --- the child ------------------------------------------------------------------------------------


async def _child(concurrency: int, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**26)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, sys.stdout.buffer)
    writer = asyncio.StreamWriter(transport, protocol, None, loop)
    outbox: list[bytes] = []

    def flush() -> None:
        data = b"".join(outbox)
        outbox.clear()
        writer.write(data)

    async def post(seq: int, url: str, body: bytes, headers: dict[str, str]) -> None:
        try:
            status, excerpt, error = await post_once(session, url, body, headers, timeout)
        except Exception as exc:  # noqa: BLE001 - an odd URL must not kill the child and every post in flight
            status, excerpt, error = None, "", f"{type(exc).__name__}: {exc}"
        if not outbox:
            loop.call_soon(flush)
        outbox.append(frame((seq, status, excerpt, error)))

    tasks: set[asyncio.Task[None]] = set()
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(timeout=client_timeout, connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        while True:
            try:
                request = await read_frame(reader)
            except asyncio.IncompleteReadError:
                break  # the parent closed our stdin: finish what is in flight
            task = asyncio.create_task(post(*request))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)
        await asyncio.sleep(0)  # let the last flush run
        await writer.drain()


if __name__ == "__main__":  # pragma: no cover - run by DeliveryProcess
    asyncio.run(_child(int(sys.argv[1]), float(sys.argv[2])))
