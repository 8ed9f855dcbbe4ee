"""Media bytes on disk, indexed in memory, bounded by a total-size cap.

Provider-neutral: a record says which provider serves it, who owns it, its MIME type, size and digest;
the bytes live in one file per media id under a folder (a temporary one unless configured), never in
Python objects per message. One store holds every provider's media (Meta's, Modica's), so they share
one budget: past ``max_bytes`` the least recently used media, whoever's, are evicted (and counted per
provider), like the journal.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import OrderedDict
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from sandbox.core.persistence_hooks import Persistence

CHUNK = 64 * 1024


class MediaTooLarge(Exception):
    """The bytes written so far passed the caller's limit."""


@dataclass
class MediaRecord:
    id: str
    owner: str  # the business (phone_number_id for Meta) the media belongs to
    mime_type: str
    size: int
    sha256: bytes  # raw digest; providers choose hex or base64
    created_at: float
    expires_at: float | None
    filename: str | None = None
    origin: str = "upload"  # upload | inbound | link
    provider: str = ""  # whose API serves it (a provider's name); on restore, "" is the spec's owns_unlabelled_media

    def to_record(self) -> dict[str, Any]:
        """JSON-ready, for storage (the digest as hex); ``from_record`` reads it back."""
        out = asdict(self)
        out["sha256"] = self.sha256.hex()
        return out

    @classmethod
    def from_record(cls, raw: dict[str, Any]) -> MediaRecord:
        return cls(**{**raw, "sha256": bytes.fromhex(raw["sha256"])})


class MediaStore:
    def __init__(self, max_bytes: int, directory: str | None = None) -> None:
        self.max_bytes = max_bytes
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._directory = directory  # made on first use: a folder costs ~2 ms here, most stores (workspaces) never write
        self._folder: Path | None = None
        self._records: OrderedDict[str, MediaRecord] = OrderedDict()  # maps media id -> record, LRU first
        self.total_bytes = 0  # bytes held on disk by the records
        self.evicted_by: dict[str, int] = {}  # maps provider -> how many of its media the size cap dropped
        self.persistence = Persistence()  # replaced by build_runtime with --data-dir

    # --- writing ----------------------------------------------------------------------------------
    def put_bytes(self, record: MediaRecord, data: bytes) -> MediaRecord:
        with self._open(record.id) as fh:
            fh.write(data)
        record.size = len(data)
        record.sha256 = hashlib.sha256(data).digest()
        return self._index(record)

    async def put_stream(self, record: MediaRecord, chunks: object, limit: int) -> MediaRecord:
        """Write an async iterator of byte chunks; MediaTooLarge (and nothing kept) past ``limit``."""
        digest = hashlib.sha256()
        size = 0
        path = self._path(record.id)
        try:
            with self._open(record.id) as fh:
                async for chunk in chunks:  # type: ignore[attr-defined]
                    size += len(chunk)
                    if size > limit:
                        raise MediaTooLarge(size)
                    digest.update(chunk)
                    fh.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        record.size = size
        record.sha256 = digest.digest()
        return self._index(record)

    async def append_stream(self, media_id: str, chunks: object, limit: int) -> MediaRecord:
        """Add an async iterator of byte chunks at the end of a held media's bytes (a resumable upload).
        Past ``limit`` bytes in all: MediaTooLarge, and this call's bytes are dropped. A stream that
        breaks off keeps what arrived, so the client can resume from there. ``sha256`` is not updated."""
        record = self._records[media_id]
        start = size = record.size
        try:
            with open(self._path(media_id), "ab") as fh:
                async for chunk in chunks:  # type: ignore[attr-defined]
                    if size + len(chunk) > limit:
                        fh.truncate(start)
                        size = start
                        raise MediaTooLarge(start + len(chunk))
                    fh.write(chunk)
                    size += len(chunk)
        finally:
            grown = self._index(replace(record, size=size))  # a new object: _index subtracts the old size
        return grown

    def _open(self, media_id: str) -> BinaryIO:
        return open(self._path(media_id), "wb")  # noqa: SIM115 - callers close it

    def _index(self, record: MediaRecord) -> MediaRecord:
        old = self._records.pop(record.id, None)
        if old is not None:
            self.total_bytes -= old.size
        self._records[record.id] = record
        self.total_bytes += record.size
        if self.persistence.enabled:
            self.persistence.media_changed(record.id, record.to_record())
        while self.total_bytes > self.max_bytes and len(self._records) > 1:
            victim = self._records[next(iter(self._records))]
            self._drop(victim.id)
            self.evicted_by[victim.provider] = self.evicted_by.get(victim.provider, 0) + 1
        return record

    # --- reading ----------------------------------------------------------------------------------
    def get(self, media_id: str, now: float | None = None) -> MediaRecord | None:
        record = self._records.get(media_id)
        if record is None:
            return None
        if now is not None and record.expires_at is not None and now >= record.expires_at:
            self._drop(media_id)
            return None
        self._records.move_to_end(media_id)
        return record

    def path(self, media_id: str) -> Path:
        return self._path(media_id)

    def read(self, media_id: str) -> bytes:
        return self._path(media_id).read_bytes()

    # --- removing ---------------------------------------------------------------------------------
    def delete(self, media_id: str) -> bool:
        if media_id not in self._records:
            return False
        self._drop(media_id)
        return True

    def reset(self, provider: str | None = None) -> None:
        """Drop one provider's media and eviction count (every provider's when None)."""
        for record in list(self._records.values()):
            if provider in (None, record.provider):
                self._drop(record.id)
        if provider is None:
            self.evicted_by.clear()
        else:
            self.evicted_by.pop(provider, None)

    @property
    def evicted(self) -> int:
        """How many media the size cap has dropped, every provider's."""
        return sum(self.evicted_by.values())

    def __len__(self) -> int:
        return len(self._records)

    def restore(self, record: MediaRecord) -> None:
        """A record saved before a restart whose bytes are still in the folder."""
        if self._path(record.id).exists():
            self._records[record.id] = record
            self.total_bytes += record.size

    def _drop(self, media_id: str) -> None:
        record = self._records.pop(media_id)
        self.total_bytes -= record.size
        self.persistence.media_removed(media_id)
        self._path(media_id).unlink(missing_ok=True)

    @property
    def _dir(self) -> Path:
        if self._folder is None:
            if self._directory:
                Path(self._directory).mkdir(parents=True, exist_ok=True)
                self._folder = Path(self._directory)
            else:
                # Removed when the store is garbage-collected or the process exits.
                self._tmp = tempfile.TemporaryDirectory(prefix="wa-sandbox-media-")
                self._folder = Path(self._tmp.name)
        return self._folder

    def _path(self, media_id: str) -> Path:
        safe = "".join(c for c in media_id if c.isalnum() or c in "-_.") or "media"
        return self._dir / safe

    def describe(self) -> dict[str, object]:
        providers: dict[str, dict[str, int]] = {}
        for record in self._records.values():
            held = providers.setdefault(record.provider, {"count": 0, "bytes": 0, "evicted": 0})
            held["count"] += 1
            held["bytes"] += record.size
        for provider, evicted in self.evicted_by.items():
            providers.setdefault(provider, {"count": 0, "bytes": 0, "evicted": 0})["evicted"] = evicted
        return {"count": len(self._records), "bytes": self.total_bytes, "max_bytes": self.max_bytes,
                "evicted": self.evicted, "by_provider": providers, "directory": os.fspath(self._dir)}
