"""sandbox/core/media_fetch.py: one GET with a timeout and a byte cap, the type from Content-Type, and
each way a link can fail mapped to a neutral reason (providers word it; see their tests)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from sandbox.core.media_fetch import Fetched, FetchFailure, SaveTo, fetch_media
from sandbox.core.media_store import MediaRecord, MediaStore

PNG_LIMITS = {"image/png": 100}
STAMP = "Tue, 22 Feb 2022 22:22:22 GMT"


@pytest.fixture
async def host(aiohttp_server: Any) -> Any:
    """A media host: /ok.png (50 bytes), /big.png (declares 500), /stream.png (500, chunked), /page.html,
    /empty (204), /not-modified.png (304), /missing (404), /slow (never answers), /stamped.png
    (Last-Modified; 304 to If-Modified-Since)."""
    never = asyncio.Event()

    async def serve(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name == "stream.png":
            resp = web.StreamResponse(headers={"Content-Type": "image/png"})
            resp.enable_chunked_encoding()
            await resp.prepare(request)
            for _ in range(5):
                await resp.write(b"x" * 100)
            return resp
        if name == "slow":
            await never.wait()
        if name == "stamped.png" and request.headers.get("If-Modified-Since") == STAMP:
            return web.Response(status=304)
        answers: dict[str, web.Response] = {
            "ok.png": web.Response(body=b"p" * 50, content_type="image/png"),
            "big.png": web.Response(body=b"p" * 500, content_type="image/png"),
            "page.html": web.Response(text="<html></html>", content_type="text/html"),
            "not-modified.png": web.Response(status=304),
            "empty": web.Response(status=204),
            "stamped.png": web.Response(body=b"p" * 50, content_type="image/png", headers={"Last-Modified": STAMP}),
        }
        return answers.get(name, web.Response(status=404, text="nope"))

    app = web.Application()
    app.router.add_get("/{name}", serve)
    return await aiohttp_server(app)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def get(session: aiohttp.ClientSession, host: Any, path: str, **kwargs: Any) -> Fetched | FetchFailure:
    return await fetch_media(session, str(host.make_url(path)), timeout=kwargs.pop("timeout", 5.0),
                             limits=kwargs.pop("limits", PNG_LIMITS), **kwargs)


def new_record(mime: str) -> MediaRecord:
    return MediaRecord(id="m1", owner="test", mime_type=mime, size=0, sha256=b"", created_at=0.0, expires_at=None)


async def test_accepted_type_within_the_cap_is_fetched_and_counted(session, host):
    result = await get(session, host, "/ok.png")
    assert isinstance(result, Fetched) and (result.status, result.mime, result.size) == (200, "image/png", 50)


async def test_saved_fetch_puts_the_bytes_in_the_store(session, host):
    store = MediaStore(10_000)
    result = await get(session, host, "/ok.png", save=SaveTo(store, new_record))
    assert isinstance(result, Fetched) and result.record is not None
    assert store.read(result.record.id) == b"p" * 50


async def test_error_status_is_http_status_with_the_reason_phrase(session, host):
    assert await get(session, host, "/missing") == FetchFailure("http_status", detail="Not Found", status=404)


async def test_a_2xx_other_than_200_is_http_status(session, host):
    result = await get(session, host, "/empty")
    assert isinstance(result, FetchFailure) and (result.reason, result.status) == ("http_status", 204)


async def test_type_not_accepted_is_unsupported_type(session, host):
    assert await get(session, host, "/page.html") == FetchFailure("unsupported_type", status=200, mime="text/html")


async def test_missing_content_type_reads_as_octet_stream(session):
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")  # aiohttp's server always adds a Content-Type: raw HTTP here
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\npppp")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        result = await fetch_media(session, f"http://127.0.0.1:{port}/a", timeout=5, limits=PNG_LIMITS)
    assert isinstance(result, FetchFailure) and result.mime == "application/octet-stream"


async def test_declared_length_over_the_cap_is_too_large(session, host):
    result = await get(session, host, "/big.png")
    assert result == FetchFailure("too_large", status=200, mime="image/png", limit=100, size=500)


async def test_undeclared_length_is_cut_off_past_the_cap(session, host):
    result = await get(session, host, "/stream.png")
    assert isinstance(result, FetchFailure) and result.reason == "too_large" and 100 < result.size <= 500


async def test_too_large_saved_fetch_keeps_nothing(session, host):
    store = MediaStore(10_000)
    result = await get(session, host, "/stream.png", save=SaveTo(store, new_record))
    assert isinstance(result, FetchFailure) and result.reason == "too_large"
    assert len(store) == 0 and not store.path("m1").exists()


async def test_unreachable_host_names_the_exception(session, unused_tcp_port):
    result = await fetch_media(session, f"http://127.0.0.1:{unused_tcp_port}/a.png", timeout=5, limits=PNG_LIMITS)
    assert isinstance(result, FetchFailure) and result.reason == "unreachable" and result.status is None
    assert result.detail.startswith("ClientConnectorError: ")


async def test_malformed_url_is_unreachable(session):
    result = await fetch_media(session, "http://", timeout=5, limits=PNG_LIMITS)
    assert isinstance(result, FetchFailure) and result.reason == "unreachable"


async def test_host_slower_than_the_timeout_is_unreachable(session, host):
    result = await get(session, host, "/slow", timeout=0.05)
    assert isinstance(result, FetchFailure) and result.reason == "unreachable" and "Timeout" in result.detail


async def test_conditional_request_answered_304_is_unchanged(session, host):
    result = await get(session, host, "/stamped.png", headers={"If-Modified-Since": STAMP})
    assert isinstance(result, Fetched) and result.status == 304 and result.unchanged


async def test_304_to_a_plain_request_is_http_status(session, host):
    result = await get(session, host, "/not-modified.png")
    assert isinstance(result, FetchFailure) and (result.reason, result.status) == ("http_status", 304)


async def test_200_with_the_held_last_modified_is_unchanged_and_not_saved(session, host):
    store = MediaStore(10_000)
    result = await get(session, host, "/stamped.png", held_last_modified=STAMP, save=SaveTo(store, new_record))
    assert isinstance(result, Fetched) and result.unchanged and result.record is None and len(store) == 0
