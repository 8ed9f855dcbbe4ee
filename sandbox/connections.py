"""Bounded connections for ``serve`` (docs/security.md): a cap on open connections, timeouts for a request's
headers and body, and an accept-error log that cannot flood.

aiohttp's server keeps a connection until its keep-alive timeout (``Settings.keepalive_timeout``, a handler
argument, so the pytest plugin's server has it too) and has no cap and no header or body timeout: 21,000
idle or slowloris connections exhausted the file descriptors, the health check failed and the log grew by
280 MB. ``GuardedSite`` listens like ``web.TCPSite`` but wraps each connection's protocol:

- at the cap, a new connection closes the oldest one that is not serving a request (never-used, idle or
  still sending its headers), so an ordinary client is served whatever a flood holds open; when every
  connection is busy, the new one is closed;
- the sweeper closes a connection whose request headers have not all arrived ``header_timeout`` seconds
  after it connected (or after the first byte of its next request), and one whose request body has not all
  arrived ``body_timeout`` seconds after its headers;
- refusals and the loop's accept errors (EMFILE...) are logged at most once per ``LOG_INTERVAL``, with a count.

Whether aiohttp's handler is serving a request, and whether a request head has been parsed, are read from
two of its attributes (``_request_in_progress``, ``_messages``); tests/test_connections.py fails if a
new aiohttp renames them.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import resource
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

LOG_INTERVAL = 10.0  # seconds between two lines about the same kind of trouble
RESOURCE_ERRNOS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
TICK = 1.0  # seconds between sweeps


def connection_cap(setting: int, fd_limit: int | None = None) -> int:
    """The cap actually used: the setting, kept under the process's file-descriptor limit with a quarter of
    it (at most 256) left for the data dir, media files, webhook connections and the listening socket."""
    if fd_limit is None:
        fd_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if fd_limit == resource.RLIM_INFINITY or fd_limit <= 0:
        return setting
    return max(1, min(setting, fd_limit - min(256, fd_limit // 4)))


@dataclass
class RateLimitedLog:
    """One line per kind of event per interval: the first at once, the rest counted and reported later."""

    clock: Callable[[], float]
    interval: float = LOG_INTERVAL
    logger: logging.Logger = log
    last: dict[str, float] = field(default_factory=dict)  # maps kind -> when a line was last written
    held: dict[str, tuple[int, str]] = field(default_factory=dict)  # maps kind -> (events not written, latest text)

    def note(self, kind: str, text: str) -> None:
        now = self.clock()
        if now - self.last.get(kind, -self.interval) >= self.interval and kind not in self.held:
            self.last[kind] = now
            self.logger.warning("%s", text)
            return
        count, _ = self.held.get(kind, (0, text))
        self.held[kind] = (count + 1, text)

    def flush(self) -> None:
        """Write the counted events whose interval has passed (the sweeper calls this every tick)."""
        now = self.clock()
        for kind, (count, text) in list(self.held.items()):
            if now - self.last.get(kind, -self.interval) >= self.interval:
                self.last[kind] = now
                del self.held[kind]
                self.logger.warning("%s (%d times in the last %g s)", text, count, self.interval)


class GuardedProtocol(asyncio.Protocol):
    """aiohttp's protocol for one connection, seen by the guard: when it connected, when the bytes of a
    request head began to arrive, when the head was complete and its body stream."""

    def __init__(self, inner: Any, guard: ConnectionGuard) -> None:
        self.inner = inner  # aiohttp's RequestHandler
        self.guard = guard
        self.head_since: float | None = guard.clock()  # a head is awaited since (None: not waiting for one)
        self.head_at = 0.0  # when the last complete request head arrived
        self.body: Any = None  # that request's payload stream

    def busy(self) -> bool:
        return self.inner is not None and bool(getattr(self.inner, "_request_in_progress", False))

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if not self.guard.admit(self):
            self.inner = None  # never handed to aiohttp
            transport.close()
            return
        self.inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.forget(self)
        if self.inner is not None:
            self.inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.inner is None:
            return
        idle = not self.busy()
        self.inner.data_received(data)
        queued = getattr(self.inner, "_messages", None)
        if queued:  # a request head is complete: the handler starts on the loop's next turn
            self.head_since, self.head_at, self.body = None, self.guard.clock(), queued[-1][1]
        elif idle and self.head_since is None:
            self.head_since = self.guard.clock()

    def eof_received(self) -> bool | None:
        result: bool | None = self.inner.eof_received() if self.inner is not None else None
        return result

    def pause_writing(self) -> None:
        if self.inner is not None:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self.inner is not None:
            self.inner.resume_writing()

    def close(self) -> None:
        if self.inner is not None:
            self.inner.force_close()


@dataclass
class ConnectionGuard:
    limit: int
    header_timeout: float
    body_timeout: float
    clock: Callable[[], float]
    notes: RateLimitedLog = field(init=False)
    open: dict[GuardedProtocol, None] = field(default_factory=dict)  # open connections, oldest first
    closed: dict[str, int] = field(default_factory=dict)  # maps why -> connections the guard closed

    def __post_init__(self) -> None:
        self.notes = RateLimitedLog(self.clock)

    def factory(self, server: Callable[[], Any]) -> Callable[[], asyncio.Protocol]:
        return lambda: GuardedProtocol(server(), self)

    def admit(self, conn: GuardedProtocol) -> bool:
        """False when the new connection is to be closed (the cap is reached and every connection is busy)."""
        if len(self.open) >= self.limit:
            self.notes.note("cap", f"more than {self.limit} connections (SANDBOX_MAX_CONNECTIONS): "
                                   "closing the oldest idle one, or the new one when all are busy")
            victim = next((c for c in self.open if not c.busy()), None)
            self.closed["cap"] = self.closed.get("cap", 0) + 1
            if victim is None:
                return False
            self._close(victim, None)
        self.open[conn] = None
        return True

    def forget(self, conn: GuardedProtocol) -> None:
        self.open.pop(conn, None)

    def sweep(self) -> None:
        """Close the connections past a timeout; write the counted log lines that are due."""
        now = self.clock()
        for conn in list(self.open):
            if conn.busy():
                body = conn.body
                if body is not None and not body.is_eof() and now - conn.head_at > self.body_timeout:
                    self._close(conn, "body_timeout")
            elif conn.head_since is not None and now - conn.head_since > self.header_timeout:
                self._close(conn, "header_timeout")
        self.notes.flush()

    def _close(self, conn: GuardedProtocol, why: str | None) -> None:
        if why is not None:
            self.closed[why] = self.closed.get(why, 0) + 1
        self.open.pop(conn, None)
        conn.close()

    async def run(self, tick: float = TICK) -> None:
        while True:
            await asyncio.sleep(tick)
            self.sweep()

    def exception_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """The loop's handler: accept errors for want of descriptors or memory are counted, not each logged
        with a traceback (asyncio retries the accept a second later by itself)."""
        exc = context.get("exception")
        if isinstance(exc, OSError) and exc.errno in RESOURCE_ERRNOS:
            self.notes.note("accept", f"{context.get('message', 'socket error')}: {exc.strerror} "
                                      f"({len(self.open)} connections open)")
            return
        loop.default_exception_handler(context)


class GuardedSite(web.BaseSite):
    """``web.TCPSite`` with every connection under a ``ConnectionGuard``."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, guard: ConnectionGuard, *, backlog: int = 128) -> None:
        super().__init__(runner, backlog=backlog)
        self._host, self._port, self.guard = host, port, guard

    @property
    def name(self) -> str:
        return f"http://{self._host}:{self._port}"

    async def start(self) -> None:
        await super().start()
        server = self._runner.server
        assert server is not None
        self._server = await asyncio.get_running_loop().create_server(
            self.guard.factory(server), self._host, self._port, backlog=self._backlog, reuse_address=True
        )
