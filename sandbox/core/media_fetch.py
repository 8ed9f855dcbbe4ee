"""Media a send names by URL: one GET with a timeout and a byte cap, its type read from Content-Type,
and every way it can go wrong mapped to a neutral ``FetchFailure`` that each provider words itself.

Providers keep only what differs: the types and sizes a message kind takes, where the bytes go (Meta
keeps them in the media store for its link cache, SMSGlobal only counts them), Meta's HTTP caching, and
how a failure reads in their own error or status. ``schedule_check`` runs a send's check after
acceptance and before its first status, without holding up any other message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import aiohttp

from sandbox.core.media_store import MediaRecord, MediaStore, MediaTooLarge
from sandbox.core.scheduler import Scheduler

CHUNK = 64 * 1024
# RFC 9110 §8.3: a body without Content-Type may be taken as application/octet-stream.
UNTYPED = "application/octet-stream"
CONDITIONAL = frozenset({"if-modified-since", "if-none-match"})

Reason = Literal["unreachable", "http_status", "unsupported_type", "too_large"]


def base_mime(value: str | None) -> str:
    """``audio/ogg; codecs=opus`` -> ``audio/ogg``; "" when there is none."""
    return (value or "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class FetchFailure:
    """Why a link is not usable, in no provider's words."""

    reason: Reason
    detail: str = ""  # unreachable: "<ExceptionName>: <text>"; http_status: the status line's reason
    status: int | None = None  # what the host answered (None when unreachable)
    mime: str = ""  # unsupported_type, too_large: the type the host declared
    limit: int = 0  # too_large: the cap for that type
    size: int = 0  # too_large: bytes declared (Content-Length) or read when the cap was passed


@dataclass(frozen=True)
class Fetched:
    status: int  # 200, or 304 when a conditional request found the held copy current
    mime: str
    headers: Mapping[str, str]  # the response's, for caching decisions
    size: int = 0  # bytes read (0 when the body was not read)
    record: MediaRecord | None = None  # where the bytes were saved, with ``SaveTo``
    unchanged: bool = False  # 304, or a 200 stamped with the held copy's Last-Modified (body not read)


@dataclass(frozen=True)
class SaveTo:
    """Keep the bytes: ``new_record(mime)`` names them in ``store`` (else they are only counted)."""

    store: MediaStore
    new_record: Callable[[str], MediaRecord]


async def fetch_media(
    session: aiohttp.ClientSession,
    url: str,
    *,
    timeout: float,
    limits: Mapping[str, int],
    headers: Mapping[str, str] | None = None,
    held_last_modified: str | None = None,
    save: SaveTo | None = None,
) -> Fetched | FetchFailure:
    """GET ``url`` within ``timeout`` seconds (redirects followed). ``limits`` maps each accepted base MIME
    type to its byte cap. ``headers`` may make the request conditional (a 304 is then ``unchanged``)."""
    try:
        async with session.get(url, headers=dict(headers or {}), timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
            conditional = any(name.lower() in CONDITIONAL for name in headers or {})
            return await _answer(resp, limits, conditional, held_last_modified, save)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:  # InvalidURL is a ValueError too
        return FetchFailure("unreachable", detail=f"{type(exc).__name__}: {exc}")


async def _answer(resp: aiohttp.ClientResponse, limits: Mapping[str, int], conditional: bool,
                  held_last_modified: str | None, save: SaveTo | None) -> Fetched | FetchFailure:
    mime = base_mime(resp.headers.get("Content-Type")) or UNTYPED
    if resp.status == 304 and conditional:
        return Fetched(304, mime, resp.headers, unchanged=True)
    # Only 200 carries the asset: 204/206 bodies are not the media and an unfollowed 3xx has none.
    if resp.status != 200:
        return FetchFailure("http_status", detail=resp.reason or "", status=resp.status)
    if mime not in limits:
        return FetchFailure("unsupported_type", status=200, mime=mime)
    if held_last_modified and resp.headers.get("Last-Modified") == held_last_modified:
        return Fetched(200, mime, resp.headers, unchanged=True)
    limit = limits[mime]
    if resp.content_length is not None and resp.content_length > limit:  # declared too large: not read
        return FetchFailure("too_large", status=200, mime=mime, limit=limit, size=resp.content_length)
    return await _read(resp, mime, limit, save)


async def _read(resp: aiohttp.ClientResponse, mime: str, limit: int, save: SaveTo | None) -> Fetched | FetchFailure:
    """The body, capped at ``limit`` bytes even when Content-Length was absent or understated."""
    if save is not None:
        try:
            record = await save.store.put_stream(save.new_record(mime), resp.content.iter_chunked(CHUNK), limit)
        except MediaTooLarge as exc:
            return FetchFailure("too_large", status=200, mime=mime, limit=limit, size=int(exc.args[0]))
        return Fetched(200, mime, resp.headers, size=record.size, record=record)
    size = 0
    async for chunk in resp.content.iter_chunked(CHUNK):
        size += len(chunk)
        if size > limit:
            return FetchFailure("too_large", status=200, mime=mime, limit=limit, size=size)
    return Fetched(200, mime, resp.headers, size=size)


def schedule_check(scheduler: Scheduler, message_id: str, accepted_at: float,
                   check: Callable[[], Awaitable[None]]) -> None:
    """Run a just-accepted message's media check before any of its statuses."""
    if scheduler.clock.mode == "real":
        # The message's steps wait for the check (a failure comes before any status), but a slow
        # link does not hold up every other message's timeline.
        scheduler.hold(message_id, check())
        return
    # Manual clock: inline, due a hair before the send so it runs ahead of any step, even one at 0 s,
    # and `advance` returns with the outcome known (deterministic tests).
    scheduler.at(accepted_at - 1e-6, check, label=f"{message_id} media check", key=message_id)
