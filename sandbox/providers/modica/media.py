"""Media held for the WhatsApp (WAB) API: uploads by the business and media sent by users.

Kept in the runtime's one core ``MediaStore`` (sandbox/core/media_store.py), beside Meta's media: the
same byte budget (``SANDBOX_MEDIA_MAX_BYTES``, least recently used evicted first and counted in
``/_sandbox/stats``), bytes on disk rather than in memory, and with ``--data-dir`` they survive a restart.
Store keys are ``modica-<media_id>``, so an id a test gives both providers never replaces the other's.
UNCONFIRMED: how long Modica keeps media; the sandbox keeps it until evicted or reset.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.core.clock import VirtualClock
from sandbox.core.media_store import MediaRecord, MediaStore, MediaTooLarge

PROVIDER = "modica"
KEY_PREFIX = "modica-"


@dataclass
class ModicaMedia:
    store: MediaStore  # shared with the other providers
    clock: VirtualClock

    def put(self, media_id: str, application: str, content_type: str, data: bytes,
            filename: str | None = None, *, origin: str = "upload") -> MediaRecord:
        """MediaTooLarge when ``data`` alone is past the whole budget: keeping it would evict everything."""
        if len(data) > self.store.max_bytes:
            raise MediaTooLarge(len(data))
        record = MediaRecord(
            id=KEY_PREFIX + media_id, owner=application, mime_type=content_type, size=0, sha256=b"",
            created_at=self.clock.now(), expires_at=None, filename=filename, origin=origin, provider=PROVIDER,
        )
        return self.store.put_bytes(record, data)

    def get(self, media_id: str, application: str) -> MediaRecord | None:
        """The media with Modica's ``media_id``, when ``application`` uploaded or received it."""
        record = self.store.get(KEY_PREFIX + media_id)
        if record is None or record.provider != PROVIDER or record.owner != application:
            return None
        return record

    def read(self, record: MediaRecord) -> bytes:
        return self.store.read(record.id)

    def reset(self) -> None:
        self.store.reset(PROVIDER)


def media_id_of(record: MediaRecord) -> str:
    """The id Modica's API shows for a stored record."""
    return record.id.removeprefix(KEY_PREFIX)
