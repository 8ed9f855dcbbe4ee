"""The webhook POST: a small keep-alive HTTP/1.1 client for ``http://`` targets, aiohttp for the rest.

Three webhooks per message made aiohttp's client the biggest single cost of a message (~75 µs of CPU
per POST on the bench machine; request building, its response object, cookie and redirect handling
that a webhook never needs). Here a POST is one ``write`` of prebuilt bytes on a pooled connection and
the response is parsed by llhttp (``httptools``): measured at about half of aiohttp's CPU per POST, in
the same run (docs/bench.md "What a message costs").

- Only plain ``http://host[:port]/path`` URLs without credentials take this path; ``https``, userinfo
  and anything unusual go through aiohttp (``post_once``), as every webhook did before.
- One idle-connection pool per (host, port); a connection is reused only after a complete response that
  allows keep-alive. A reused connection the receiver had closed meanwhile (its keep-alive timeout) is
  retried once on a new one, before any response byte: the POST never reached the application.
- The whole attempt (connect, write, response) is bounded by ``timeout``; a timed-out connection is closed.
- The answer has ``post_once``'s shape: (status, first 512 bytes of the body, error).
"""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
from yarl import URL

from sandbox.core.delivery_process import Result, post_once

EXCERPT = 512


class _Connection(asyncio.Protocol):
    """One keep-alive connection; ``request`` sends a whole request and awaits its response."""

    def __init__(self) -> None:
        import httptools  # on the first connection: a sandbox that posts no webhook never loads it (idle RSS)

        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[tuple[int, bytes, bool]] | None = None
        self.body = bytearray()
        self.responded = False  # any byte of the current response arrived
        self.headers_done = False
        self.closed = False

    # --- asyncio.Protocol ---------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        import httptools

        self.responded = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:  # pragma: no cover - a receiver does not upgrade a POST
            self._fail(ConnectionError("the receiver switched protocols"))
        except httptools.HttpParserError as exc:
            self._fail(ConnectionError(f"malformed HTTP response: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        if self.headers_done:  # a body delimited by the end of the connection (no length, not chunked)
            waiter.set_result((self.parser.get_status_code(), bytes(self.body), False))
        else:
            waiter.set_exception(exc or ConnectionResetError("the receiver closed the connection"))

    # --- httptools callbacks --------------------------------------------------------------------------
    def on_headers_complete(self) -> None:
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        if len(self.body) < EXCERPT:
            self.body += body[: EXCERPT - len(self.body)]

    def on_message_complete(self) -> None:
        status = self.parser.get_status_code()
        if 100 <= status < 200:  # an interim response (100 Continue): the real one follows
            self.headers_done = False
            return
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result((status, bytes(self.body), bool(self.parser.should_keep_alive())))

    # --- use ----------------------------------------------------------------------------------------
    async def request(self, data: bytes) -> tuple[int, bytes, bool]:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.body.clear()
        self.responded = self.headers_done = False
        self.transport.write(data)
        return await self.waiter

    def _fail(self, exc: Exception) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)
        self.close()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class WebhookClient:
    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session  # https, credentials in the URL, anything this client does not do
        self._idle: dict[tuple[str, int], list[_Connection]] = {}  # maps (host, port) -> idle connections

    async def post(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> Result:
        target = URL(url)  # yarl caches parsed URLs: one target, one parse
        if target.scheme != "http" or target.user or target.password or not target.raw_host or target.port is None:
            return await post_once(self.session, url, body, headers, timeout)
        host, port = target.raw_host, target.port
        head = [f"POST {target.raw_path_qs or '/'} HTTP/1.1", f"Host: {_host_header(host, port)}",
                f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        for fresh in (False, True):
            conn = None if fresh else self._take((host, port))
            reused = conn is not None
            try:
                async with asyncio.timeout(timeout):
                    if conn is None:
                        conn = await self._connect(host, port)
                    status, excerpt, keep = await conn.request(data)
            except TimeoutError:
                if conn is not None:
                    conn.close()
                return None, "", f"timeout after {timeout:g} s"
            except OSError as exc:  # refused, reset, closed, malformed response
                responded = conn is not None and conn.responded
                if conn is not None:
                    conn.close()
                if reused and not responded:
                    continue  # an idle connection the receiver had closed: the request never reached it
                return None, "", f"cannot POST to {host}:{port}: {type(exc).__name__}: {exc}"
            if keep and not conn.closed:
                self._idle.setdefault((host, port), []).append(conn)
            else:
                conn.close()
            return status, excerpt.decode("utf-8", "replace"), None
        raise AssertionError("unreachable: the second try uses a new connection")  # pragma: no cover

    def _take(self, key: tuple[str, int]) -> _Connection | None:
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if not conn.closed:
                return conn
        return None

    @staticmethod
    async def _connect(host: str, port: int) -> _Connection:
        loop = asyncio.get_running_loop()
        _, conn = await loop.create_connection(_Connection, host, port)
        return conn

    def close(self) -> None:
        for idle in self._idle.values():
            for conn in idle:
                with contextlib.suppress(Exception):
                    conn.close()
        self._idle.clear()


def _host_header(host: str, port: int) -> str:
    name = f"[{host}]" if ":" in host else host
    return name if port == 80 else f"{name}:{port}"
