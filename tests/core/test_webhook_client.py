"""core/webhook_client.py: the keep-alive webhook POST against receivers that answer in every HTTP shape."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import aiohttp
from aiohttp import web

from sandbox.core.webhook_client import WebhookClient

HEADERS = {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=ab"}
Answer = Callable[[bytes, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def raw_server(answer: Answer) -> AsyncIterator[tuple[str, list[bytes], list[int]]]:
    """A loopback server that reads one request at a time and lets ``answer`` write the raw response.
    Yields its URL, the requests it read, and one entry per connection accepted."""
    requests: list[bytes] = []
    connections: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:"))
                requests.append(head + await reader.readexactly(length))
                await answer(requests[-1], writer)
                if writer.is_closing():
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            return

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/hook?x=1", requests, connections
    finally:
        server.close()


@asynccontextmanager
async def client() -> AsyncIterator[WebhookClient]:
    async with aiohttp.ClientSession() as session:
        c = WebhookClient(session)
        try:
            yield c
        finally:
            c.close()


async def ok(request: bytes, writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")


async def test_a_post_is_sent_whole_and_the_connection_is_kept_alive():
    async with raw_server(ok) as (url, requests, connections), client() as c:
        assert await c.post(url, b'{"a":1}', HEADERS, 5) == (200, "ok", None)
        assert await c.post(url, b'{"a":2}', HEADERS, 5) == (200, "ok", None)
    assert len(connections) == 1
    head, body = requests[0].split(b"\r\n\r\n")
    assert head.startswith(b"POST /hook?x=1 HTTP/1.1\r\n") and body == b'{"a":1}'
    assert b"Content-Length: 7" in head and b"X-Hub-Signature-256: sha256=ab" in head
    assert f"Host: 127.0.0.1:{url.split(':')[2].split('/')[0]}".encode() in head


async def test_a_chunked_answer_is_read_and_cut_to_512_bytes():
    async def chunked(request: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"258\r\n" + b"x" * 600 + b"\r\n0\r\n\r\n")

    async with raw_server(chunked) as (url, _, connections), client() as c:
        status, excerpt, error = await c.post(url, b"{}", HEADERS, 5)
        assert (status, len(excerpt), error) == (500, 512, None)
        assert (await c.post(url, b"{}", HEADERS, 5))[0] == 500
    assert len(connections) == 1


async def test_connection_close_is_honoured_and_an_unframed_body_read_to_the_end():
    async def close_after(request: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 202 Accepted\r\nConnection: close\r\n\r\naccepted")
        writer.close()

    async with raw_server(close_after) as (url, _, connections), client() as c:
        assert await c.post(url, b"{}", HEADERS, 5) == (202, "accepted", None)
        assert await c.post(url, b"{}", HEADERS, 5) == (202, "accepted", None)
    assert len(connections) == 2


async def test_an_idle_connection_the_receiver_closed_is_replaced_once():
    async def then_close(request: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()  # as a receiver's keep-alive timeout does, without saying so

    async with raw_server(then_close) as (url, requests, connections), client() as c:
        assert (await c.post(url, b"{}", HEADERS, 5))[0] == 200
        await asyncio.sleep(0)  # the close reaches the client before the next POST (no wall-clock wait)
        assert (await c.post(url, b"{}", HEADERS, 5))[0] == 200
    assert len(requests) == 2 and len(connections) == 2


async def test_a_silent_receiver_times_out():
    async def never(request: bytes, writer: asyncio.StreamWriter) -> None:
        await asyncio.Event().wait()

    async with raw_server(never) as (url, _, _), client() as c:
        assert await c.post(url, b"{}", HEADERS, 0.05) == (None, "", "timeout after 0.05 s")


async def test_a_refused_connection_is_an_error_not_an_exception():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: refused
        async with client() as c:
            status, _, error = await c.post(f"http://127.0.0.1:{port}/hook", b"{}", HEADERS, 5)
    assert status is None and error is not None and error.startswith(f"cannot POST to 127.0.0.1:{port}: ")


async def test_a_malformed_answer_is_an_error():
    async def garbage(request: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(b"this is not HTTP\r\n\r\n")

    async with raw_server(garbage) as (url, _, _), client() as c:
        status, _, error = await c.post(url, b"{}", HEADERS, 5)
    assert status is None and error is not None and "malformed HTTP response" in error


async def test_credentials_in_the_url_go_through_aiohttp(aiohttp_server):
    seen: list[str] = []

    async def hook(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization", ""))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    server = await aiohttp_server(app)
    async with client() as c:
        assert await c.post(f"http://user:pw@127.0.0.1:{server.port}/hook", b"{}", HEADERS, 5) == (200, "ok", None)
    assert seen == ["Basic dXNlcjpwdw=="]  # aiohttp turned the userinfo into Basic auth
