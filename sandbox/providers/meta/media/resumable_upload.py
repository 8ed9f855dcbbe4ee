"""Meta's Resumable Upload API (developers.facebook.com/docs/graph-api/guides/upload):

1. ``POST /{app_id}/uploads?file_name=&file_length=&file_type=`` → ``{"id": "upload:<session>"}``;
2. ``POST /upload:<session>`` with header ``file_offset`` and the file's bytes as the body
   (``Authorization: OAuth <token>``; Bearer works too) → ``{"h": "<file handle>"}``;
3. ``GET /upload:<session>`` → ``{"id", "file_offset"}``: where to resume an interrupted upload.

A template read shows a header sample as an scontent-style URL (file_handles.sample_url); the sandbox
serves the upload's bytes there (``GET /v/t61.29466-34/<name>``, no token).

The handle is what ``example.header_handle`` (template_handles.py) and ``profile_picture_handle``
(business_profile.py) take. State: uploads.py.
"""

from __future__ import annotations

import base64
from typing import Any

from aiohttp import web

from sandbox.core.media_store import MediaRecord, MediaTooLarge
from sandbox.core.params import whole_number
from sandbox.providers.meta.errors import MetaError, unsupported_request
from sandbox.providers.meta.http import authenticate, graph_handler, graph_response
from sandbox.providers.meta.keys import backend
from sandbox.providers.meta.media.file_handles import sample_session
from sandbox.providers.meta.media.library import MEDIA_PROVIDER, beyond_storage, download_response
from sandbox.providers.meta.media.uploads import FILE_TYPES, HANDLE_TTL, UploadSession
from sandbox.providers.meta.params import graph_params, require
from sandbox.providers.meta.service import MetaProvider

CHUNK = 64 * 1024


@graph_handler
async def start_session(request: web.Request) -> web.StreamResponse:
    authenticate(request)
    meta = backend(request)
    app_id = request.match_info["node"]
    # UNCONFIRMED: the sandbox plays whatever app the client names (Meta requires a role on it), but a
    # phone number or WABA id has no uploads edge.
    if meta.businesses.by_phone_number_id(app_id) or meta.businesses.by_waba(app_id):
        raise unsupported_request(request.method, app_id)
    params = await graph_params(request)
    length = _file_length(require(params, "file_length"))
    file_type = str(require(params, "file_type")).strip().lower()
    if file_type not in FILE_TYPES:
        raise MetaError(100, message="(#100) Param file_type must be one of {" + ", ".join(FILE_TYPES) + "} - got \"" + file_type + "\".")
    store = meta.media.store
    if length > store.max_bytes:
        raise beyond_storage(store.max_bytes)
    token = base64.urlsafe_b64encode(f"1:attachment:{meta.ids.uuid()}".encode()).decode().rstrip("=")
    now = meta.clock.now()
    name = params.get("file_name")
    record = MediaRecord(id=f"upload-{token}", owner=f"app:{app_id}", mime_type=file_type, size=0, sha256=b"",
                         created_at=now, expires_at=now + HANDLE_TTL, filename=str(name) if name else None, origin="resumable",
                         provider=MEDIA_PROVIDER)
    store.put_bytes(record, b"")
    session = meta.uploads.add(UploadSession(
        id=f"upload:{token}", app_id=app_id, file_name=record.filename, file_length=length,
        file_type=file_type, media_id=record.id, created_at=now,
    ))
    return graph_response(request, {"id": session.id})


def _file_length(raw: Any) -> int:
    text = str(raw).strip()
    length = whole_number(text)
    if not length:
        raise MetaError(100, message=f"(#100) Param file_length must be a positive integer - got \"{text}\".")
    return length


def _session(request: web.Request, meta: MetaProvider) -> UploadSession:
    session_id = f"upload:{request.match_info['session']}"
    session = meta.uploads.get(session_id)
    if session is None:
        raise unsupported_request(request.method, session_id)
    return session


@graph_handler
async def session_status(request: web.Request) -> web.StreamResponse:
    """Where to resume: the bytes the session holds (Meta's "Resume an interrupted upload")."""
    authenticate(request)
    meta = backend(request)
    session = _session(request, meta)
    offset = meta.uploads.received(session, meta.media.store, meta.clock.now())
    return graph_response(request, {"id": session.id, "file_offset": offset})


@graph_handler
async def upload_bytes(request: web.Request) -> web.StreamResponse:
    authenticate(request)
    meta = backend(request)
    session = _session(request, meta)
    store, now = meta.media.store, meta.clock.now()
    offset = _file_offset(request.headers.get("file_offset"))
    received = meta.uploads.received(session, store, now)
    if session.handle and received == session.file_length and offset == received:
        return graph_response(request, {"h": session.handle})  # a retried last request
    if offset != received:
        # UNCONFIRMED code and wording: Meta documents resuming from GET's file_offset, not this error.
        raise MetaError(100, f"file_offset {offset} does not match the {received} bytes this upload session holds: "
                             f"send the rest from file_offset {received} (GET /{session.id} answers it).")
    if store.get(session.media_id, now) is None:  # evicted or expired: start the bytes over
        _reopen(meta, session, now)
    try:
        record = await store.append_stream(session.media_id, request.content.iter_chunked(CHUNK), session.file_length)
    except MediaTooLarge as exc:
        raise MetaError(100, f"The body goes past file_length {session.file_length} declared when the session was "
                             f"opened ({exc} bytes); nothing of this request was kept.") from exc
    if record.size < session.file_length:
        # UNCONFIRMED: Meta documents only the finished answer; a short body answers like GET does.
        return graph_response(request, {"id": session.id, "file_offset": record.size})
    if session.handle is None:
        meta.uploads.complete(session, _handle(meta, session, now))
    return graph_response(request, {"h": session.handle})


def _file_offset(raw: str | None) -> int:
    if raw is None:
        return 0  # UNCONFIRMED: Meta's examples always send the header; without it, the start of the file
    offset = whole_number(raw.strip())
    if offset is None:
        raise MetaError(100, message=f"(#100) Header file_offset must be a non-negative integer - got \"{raw}\".")
    return offset


def _reopen(meta: MetaProvider, session: UploadSession, now: float) -> None:
    record = MediaRecord(id=session.media_id, owner=f"app:{session.app_id}", mime_type=session.file_type, size=0,
                         sha256=b"", created_at=now, expires_at=now + HANDLE_TTL, filename=session.file_name, origin="resumable",
                         provider=MEDIA_PROVIDER)
    meta.media.store.put_bytes(record, b"")
    session.handle = None


def _handle(meta: MetaProvider, session: UploadSession, now: float) -> str:
    """Shaped like Meta's: ``4::<base64 MIME>:<opaque>:e:<expiry>:<app id>:<user id>:<signature>``."""
    mime = base64.b64encode(session.file_type.encode()).decode().rstrip("=")
    ids = meta.ids
    return f"4::{mime}:AR{ids.token(86)}:e:{int(now + HANDLE_TTL)}:{session.app_id}:{ids.digits(15)}:AR{ids.token(17)}"


@graph_handler
async def template_sample(request: web.Request) -> web.StreamResponse:
    """The scontent-style URL a template read shows for a header sample (file_handles.sample_url): the
    upload's bytes, without a token like a CDN. UNCONFIRMED: scontent's own errors are not Graph JSON; a
    sample the sandbox no longer holds answers Graph's envelope with HTTP 404, as the media URL does."""
    meta = backend(request)
    session = sample_session(meta, request.match_info["name"])
    record = meta.media.store.get(session.media_id, meta.clock.now()) if session else None
    if record is None:
        raise MetaError(100, "No template sample at this URL: the upload behind it is unknown, expired or was "
                             "evicted from the media store.", http_status=404)
    return download_response(meta.media, record)
