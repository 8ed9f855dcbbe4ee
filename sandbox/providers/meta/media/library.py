"""Meta media: upload, URL retrieval, download, delete, and the checks a send with media goes through.

Facts from ../shared/reference/meta-cloud-api.md §4 (META-MEDIA) unless marked UNCONFIRMED:
- upload ``POST /{phone_number_id}/media`` (multipart ``file``; ``type`` and ``messaging_product`` as form
  fields or in the query string, as some clients send them) answers ``{"id"}``;
- ``GET /{media_id}`` answers the download URL, valid 5 minutes, needing the Bearer token (404 otherwise);
- media sent by ``link`` is fetched after the send is accepted; failure is a ``failed`` status with 131053,
  worded like Meta's recorded ones ("Downloading media from weblink failed with http code 404, ...").
Link caching follows seed 002 "Media HTTP Caching" (see ``links.py``).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from sandbox.core.clock import VirtualClock
from sandbox.core.forms import multipart_parts, read_chunk
from sandbox.core.ids import IdFactory
from sandbox.core.media_fetch import base_mime
from sandbox.core.media_store import MediaRecord, MediaStore, MediaTooLarge
from sandbox.core.params import whole_number
from sandbox.providers.meta.errors import MetaError
from sandbox.settings import Settings

MB = 1024 * 1024
MEDIA_PROVIDER = "meta"  # MediaRecord.provider of the media Graph serves (the store holds every provider's)
# MIME -> (message kind, size limit). Order and spelling of the upload list as Meta's own error
# message prints it ("Param file must be a file with one of the following types: ...", recorded in
# fbsamples/whatsapp-api-examples#10 and MissaelAnda/laravel-whatsapp#4).
SUPPORTED: dict[str, tuple[str, int]] = {
    "audio/aac": ("audio", 16 * MB),
    "audio/mp4": ("audio", 16 * MB),
    "audio/mpeg": ("audio", 16 * MB),
    "audio/amr": ("audio", 16 * MB),
    "audio/ogg": ("audio", 16 * MB),
    "audio/opus": ("audio", 16 * MB),
    "application/vnd.ms-powerpoint": ("document", 100 * MB),
    "application/msword": ("document", 100 * MB),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("document", 100 * MB),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("document", 100 * MB),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("document", 100 * MB),
    "application/pdf": ("document", 100 * MB),
    "text/plain": ("document", 100 * MB),
    "application/vnd.ms-excel": ("document", 100 * MB),
    "image/jpeg": ("image", 5 * MB),
    "image/png": ("image", 5 * MB),
    # Stickers: 100 KB static, 500 KB animated; an upload cannot say which, so the larger cap applies.
    "image/webp": ("sticker", 500 * 1024),
    "video/mp4": ("video", 16 * MB),
    "video/3gpp": ("video", 16 * MB),
}
MAX_UPLOAD = max(limit for _, limit in SUPPORTED.values())
# Which MIME types each send kind accepts (a document may carry any document type; a gif header is mp4).
KIND_MIMES: dict[str, set[str]] = {
    kind: {m for m, (k, _) in SUPPORTED.items() if k == kind} for kind in ("audio", "document", "image", "video")
}
KIND_MIMES["sticker"] = {"image/webp"}
KIND_MIMES["gif"] = {"video/mp4"}
MEDIA_KINDS = ("image", "audio", "video", "document", "sticker")
ATTACHMENTS_PATH = "/whatsapp_business/attachments/"


def unsupported_type(mime: str) -> MetaError:
    listed = ", ".join(SUPPORTED)
    return MetaError(
        100,
        message=f"(#100) Param file must be a file with one of the following types: {listed}. "
        f"Received file of type '{mime}'.",
    )


def too_large(mime: str, size: int) -> MetaError:
    # UNCONFIRMED wording and code: Meta's page gives the limits, not the error for breaking them.
    limit = SUPPORTED[mime][1]
    return MetaError(131053, f"Media upload error: the file is {size} bytes; {mime} files may be at most {_human(limit)}.")


def _human(size: int) -> str:
    return f"{size // MB} MB" if size >= MB else f"{size // 1024} KB"


@dataclass
class MediaLibrary:
    """Meta's view of the media store: ids, signed download URLs, ownership."""

    store: MediaStore
    settings: Settings
    clock: VirtualClock
    ids: IdFactory

    @classmethod
    def create(cls, settings: Settings, clock: VirtualClock, ids: IdFactory, store: MediaStore | None = None) -> MediaLibrary:
        """``store``: the runtime's one media store, shared with other providers (one byte budget)."""
        return cls(store if store is not None else MediaStore(settings.media_max_bytes, settings.media_dir), settings, clock, ids)

    def lookup(self, media_id: str) -> MediaRecord | None:
        record = self.store.get(media_id, self.clock.now())
        return record if record is not None and record.provider == MEDIA_PROVIDER else None

    def new_record(self, owner: str, mime: str, *, filename: str | None, origin: str) -> MediaRecord:
        # API uploads live 30 days, webhook (inbound) media 7 days (META-MEDIA).
        ttl = 30 * 86400 if origin == "upload" else 7 * 86400
        now = self.clock.now()
        return MediaRecord(
            id=self.ids.graph_id(), owner=owner, mime_type=mime, size=0, sha256=b"",
            created_at=now, expires_at=now + ttl, filename=filename, origin=origin, provider=MEDIA_PROVIDER,
        )

    # --- download URLs ----------------------------------------------------------------------------
    def url_for(self, record: MediaRecord, base: str | None = None) -> str:
        """Shaped like lookaside.fbsbx.com's: ``?mid=&ext=&hash=``; ``ext`` is the expiry (virtual time).
        ``base``: the address the client used, when there is a request (see ``http.public_base``)."""
        expires = int(self.clock.now() + self.settings.media_url_ttl)
        return f"{base or self.settings.base_url}{ATTACHMENTS_PATH}?mid={record.id}&ext={expires}&hash={_url_hash(record.id, expires)}"

    def resolve_url(self, query: dict[str, str]) -> MediaRecord | None:
        """The record a download URL names, or None when it is unknown, tampered with or expired."""
        mid, ext, digest = query.get("mid", ""), query.get("ext", ""), query.get("hash", "")
        expires = whole_number(ext)
        if expires is None or digest != _url_hash(mid, expires) or self.clock.now() >= expires:
            return None
        return self.lookup(mid)

    # --- inbound media --------------------------------------------------------------------------
    def store_inbound(self, owner: str, kind: str, obj: dict[str, Any], data: bytes | None) -> None:
        """Give an inbound media object real bytes under its id, so the URL scheme serves it."""
        mime = obj.get("mime_type") or "application/octet-stream"
        record = MediaRecord(
            id=str(obj["id"]), owner=owner, mime_type=mime, size=0, sha256=b"",
            created_at=self.clock.now(), expires_at=self.clock.now() + 7 * 86400,
            filename=obj.get("filename"), origin="inbound", provider=MEDIA_PROVIDER,
        )
        record = self.store.put_bytes(record, data if data is not None else placeholder(kind, record.id))
        # Webhook media carry the base64 digest (every Meta example has 44 characters).
        obj["sha256"] = base64.b64encode(record.sha256).decode()
        obj.setdefault("url", self.url_for(record) + "&source=webhook")

    def reset(self) -> None:
        self.store.reset("meta")


def _url_hash(media_id: str, expires: int) -> str:
    # Not a secret: the Bearer token is what protects downloads; the hash only detects edited URLs.
    return hashlib.sha256(f"wa-sandbox:{media_id}:{expires}".encode()).hexdigest()[:24]


# A 1x1 PNG: a valid image for clients that decode what they download.
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def placeholder(kind: str, media_id: str) -> bytes:
    """Stand-in bytes for scripted/injected media that came without content."""
    if kind == "image":
        return _PNG
    return f"wa-sandbox placeholder {kind} {media_id}\n".encode()


def decode_data(value: Any) -> bytes | None:
    """Injected media may carry ``data`` (base64) for its bytes."""
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        return None


# --- HTTP: upload ---------------------------------------------------------------------------------


async def read_upload(request: web.Request, library: MediaLibrary, owner: str) -> MediaRecord:
    """Stream the multipart ``file`` to disk, then check product, type and size."""
    if not request.content_type.startswith("multipart/"):
        raise MetaError(100, message="(#100) The parameter file is required.")
    form: dict[str, str] = {}
    record: MediaRecord | None = None
    async for part in multipart_parts(request):
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.name == "file" and record is None:
            record = library.new_record(owner, base_mime(part.headers.get("Content-Type")), filename=part.filename, origin="upload")
            capacity = library.store.max_bytes  # the whole media storage (Settings.media_max_bytes)
            try:
                record = await library.store.put_stream(record, _chunks(part), min(MAX_UPLOAD, capacity))
            except MediaTooLarge as exc:
                if capacity < MAX_UPLOAD:
                    raise beyond_storage(capacity) from exc
                raise too_large(max(SUPPORTED, key=lambda m: SUPPORTED[m][1]), int(str(exc))) from exc
        else:
            form[part.name] = (await part.read(decode=True)).decode("utf-8", "replace")[:1000]
    try:
        return _check_upload(library, record, {**request.query, **form})
    except MetaError:
        if record is not None:
            library.store.delete(record.id)
        raise


def beyond_storage(capacity: int) -> MetaError:
    """A file larger than the sandbox's whole media storage: nothing could be evicted to make room."""
    return MetaError(131053, f"Media upload error: the file is larger than the sandbox's media storage of "
                             f"{capacity} bytes (SANDBOX_MEDIA_MAX_BYTES).")


async def _chunks(part: BodyPartReader) -> Any:
    while chunk := await read_chunk(part, 64 * 1024):
        yield chunk


def _check_upload(library: MediaLibrary, record: MediaRecord | None, fields: dict[str, str]) -> MediaRecord:
    product = fields.get("messaging_product")
    if not product:
        raise MetaError(100, message="(#100) The parameter messaging_product is required.")
    if product.lower() != "whatsapp":
        raise MetaError(100, message="(#100) Param messaging_product must be one of {WHATSAPP} - got \"" + product + "\".")
    if record is None:
        raise MetaError(100, message="(#100) The parameter file is required.")
    # `type` wins over the part's own Content-Type; clients that omit it rely on the latter.
    mime = base_mime(fields.get("type")) or record.mime_type
    if mime not in SUPPORTED:
        raise unsupported_type(mime or "application/octet-stream")
    if record.size > SUPPORTED[mime][1]:
        raise too_large(mime, record.size)
    record.mime_type = mime
    return record


def media_json(library: MediaLibrary, record: MediaRecord, base: str | None = None) -> dict[str, Any]:
    """``GET /{media_id}``. UNCONFIRMED (§10): ``sha256`` hex (pywa's docstring), ``file_size`` a string
    (Meta's docs and OpenAPI example); pywa accepts either form."""
    return {
        "messaging_product": "whatsapp",
        "url": library.url_for(record, base),
        "mime_type": record.mime_type,
        "sha256": record.sha256.hex(),
        "file_size": str(record.size),
        "id": record.id,
    }


def download_response(library: MediaLibrary, record: MediaRecord) -> web.StreamResponse:
    headers = {"Content-Type": record.mime_type}
    if record.filename:
        headers["Content-Disposition"] = f'attachment; filename="{record.filename}"'
    return web.FileResponse(library.store.path(record.id), headers=headers)
