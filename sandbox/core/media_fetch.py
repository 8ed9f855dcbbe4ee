"""Media a send names by URL: one GET with a timeout and a byte cap, its type read from Content-Type,
and every way it can go wrong mapped to a neutral ``FetchFailure`` that each provider words itself.

Providers keep only what differs: the types and sizes a message kind takes, where the bytes go (Meta
keeps them in the media store for its link cache, SMSGlobal only counts them), Meta's HTTP caching, and
how a failure reads in their own error or status. ``schedule_check`` runs a send's check after
acceptance and before its first status, without holding up any other message.

Every hop (the link, then each redirect) is checked against the link policy (sandbox/core/link_policy.py)
before anything is sent: the host is resolved here and the request goes to the allowed address it
resolved to (the name kept in ``Host`` and for TLS), so a name cannot be re-resolved to another address
between the check and the connection (DNS rebinding). A refused hop and a name that does not resolve read
the same, so failures do not map the network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import aiohttp
from yarl import URL

from sandbox.core.link_policy import LinkPolicy
from sandbox.core.media_store import MediaRecord, MediaStore, MediaTooLarge
from sandbox.core.scheduler import Scheduler

CHUNK = 64 * 1024
# RFC 9110 §8.3: a body without Content-Type may be taken as application/octet-stream.
UNTYPED = "application/octet-stream"
CONDITIONAL = frozenset({"if-modified-since", "if-none-match"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10  # what aiohttp follows by itself
# The same words for a host the policy refuses and a name that does not resolve: no network shape leaks.
REFUSED = "the link's host is unknown or not one the sandbox may fetch from (SANDBOX_MEDIA_FETCH_LINKS)"

LOCAL_DEFAULT = LinkPolicy(public=True, loopback=True)  # `auto` on a loopback bind (a frozen value)

Reason = Literal["unreachable", "http_status", "unsupported_type", "too_large", "refused"]


def base_mime(value: str | None) -> str:
    """``audio/ogg; codecs=opus`` -> ``audio/ogg``; "" when there is none."""
    return (value or "").split(";")[0].strip().lower()


@dataclass(frozen=True)
class FetchFailure:
    """Why a link is not usable, in no provider's words."""

    reason: Reason
    detail: str = ""  # unreachable: "<ExceptionName>: <text>"; http_status: the status line's reason; refused: REFUSED
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
    policy: LinkPolicy = LOCAL_DEFAULT,
    headers: Mapping[str, str] | None = None,
    held_last_modified: str | None = None,
    save: SaveTo | None = None,
) -> Fetched | FetchFailure:
    """GET ``url`` within ``timeout`` seconds, redirects followed hop by hop under ``policy``. ``limits``
    maps each accepted base MIME type to its byte cap. ``headers`` may make the request conditional (a
    304 is then ``unchanged``)."""
    conditional = any(name.lower() in CONDITIONAL for name in headers or {})
    try:
        async with asyncio.timeout(timeout):
            for _ in range(MAX_REDIRECTS + 1):
                hop = await _pinned(URL(url), policy)
                if hop is None:
                    return FetchFailure("refused", detail=REFUSED)
                async with await _connect(session, *hop, {**(headers or {})}, timeout) as resp:
                    location = resp.headers.get("Location")
                    if resp.status in REDIRECTS and location:
                        url = str(URL(url).join(URL(location)))
                        continue
                    return await _answer(resp, limits, conditional, held_last_modified, save)
            return FetchFailure("unreachable", detail=f"TooManyRedirects: more than {MAX_REDIRECTS}")
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:  # InvalidURL is a ValueError too
        return FetchFailure("unreachable", detail=f"{type(exc).__name__}: {exc}")


async def _pinned(url: URL, policy: LinkPolicy) -> tuple[list[URL], str | None] | None:
    """Where to send one hop: the URLs to try (the name replaced by each address it resolved to that the
    policy allows, in the resolver's order) and the name (None when the URL is sent as it is), or None
    when the policy refuses it. URLs aiohttp cannot fetch (no host, another scheme) go as they are: it
    refuses them."""
    host = url.raw_host
    if not host or url.scheme not in ("http", "https") or policy.allows_name(host):
        return [url], None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return ([url], None) if policy.allows_address(address) else None
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, url.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):  # socket.gaierror; a name IDNA cannot encode
        return None
    addresses = dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos)
    targets = [url.with_host(str(address)) for address in addresses if policy.allows_address(address)]
    return (targets, host) if targets else None


async def _connect(session: aiohttp.ClientSession, targets: list[URL], name: str | None, headers: dict[str, str],
                   timeout: float) -> aiohttp.ClientResponse:
    """GET the first target that accepts a connection (as aiohttp tries each address of a name). With a
    name, it goes in ``Host`` and, over TLS, is what the certificate is checked against."""
    for n, target in enumerate(targets):
        if name:
            headers["Host"] = f"{name}:{target.port}" if target.explicit_port else name
        try:
            return await session.get(target, headers=headers, allow_redirects=False, timeout=aiohttp.ClientTimeout(total=timeout),
                                     server_hostname=name if name and target.scheme == "https" else None)
        except aiohttp.ClientConnectorError:
            if n == len(targets) - 1:
                raise
    raise AssertionError("no targets")  # _pinned never returns an empty list


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
