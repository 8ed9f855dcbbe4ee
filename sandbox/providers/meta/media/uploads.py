"""Resumable Upload API sessions and the file handles they produce. Data only (LocalStack-style); the
HTTP handlers are in resumable_upload.py, the places that take a handle in business_profile.py
(``profile_picture_handle``) and template_handles.py (``example.header_handle``).

The bytes live in the runtime's one media store (record ``provider`` "meta", ``origin`` "resumable"),
so they count against ``media_max_bytes`` like any upload; a session whose bytes were evicted reads
``file_offset`` 0 again, and its handle stops working. With ``--data-dir`` the sessions are kept
(snapshot ``meta.uploads`` in sandbox/persist.py; the bytes are media rows); ``POST /_sandbox/reset``
drops them with the rest of Meta's media.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from sandbox.core.media_store import MediaStore

# Meta's upload guide: "Valid values are: application/pdf, image/jpeg, image/jpg, image/png, and video/mp4".
FILE_TYPES = ("application/pdf", "image/jpeg", "image/jpg", "image/png", "video/mp4")
HANDLE_TTL = 30 * 86400  # UNCONFIRMED: real handles carry an expiry (":e:<unix time>:"), its span is not documented


@dataclass
class UploadSession:
    id: str  # "upload:<token>", as Meta answers it
    app_id: str
    file_name: str | None
    file_length: int
    file_type: str
    media_id: str  # the media-store record holding the bytes received so far
    created_at: float
    handle: str | None = None  # set when all file_length bytes have arrived


class Uploads:
    """Upload sessions by id, and which session each handle names."""

    def __init__(self) -> None:
        self._sessions: dict[str, UploadSession] = {}  # maps "upload:<token>" -> session
        self._handles: dict[str, str] = {}  # maps file handle -> session id

    def add(self, session: UploadSession) -> UploadSession:
        self._sessions[session.id] = session
        return session

    def get(self, session_id: str) -> UploadSession | None:
        return self._sessions.get(session_id)

    def complete(self, session: UploadSession, handle: str) -> None:
        session.handle = handle
        self._handles[handle] = session.id

    def by_handle(self, handle: str, store: MediaStore, now: float) -> UploadSession | None:
        """The finished session a handle names, while its bytes are still held (not evicted, not expired)."""
        session = self._sessions.get(self._handles.get(handle, ""))
        if session is None or session.handle != handle:
            return None
        record = store.get(session.media_id, now)
        return session if record is not None and record.size == session.file_length else None

    def finished(self) -> list[UploadSession]:
        """Sessions that produced a handle (their bytes may since have been evicted)."""
        return [s for s in self._sessions.values() if s.handle]

    def received(self, session: UploadSession, store: MediaStore, now: float) -> int:
        """``file_offset``: the bytes held for the session (0 again when the store evicted them)."""
        record = store.get(session.media_id, now)
        return record.size if record is not None else 0

    def reset(self) -> None:
        self._sessions.clear()
        self._handles.clear()

    # --- --data-dir snapshot ----------------------------------------------------------------------
    def revision(self) -> list[tuple[str, str | None]]:
        """Offsets are the media rows'; what changes here is which sessions exist and their handles."""
        return [(s.id, s.handle) for s in self._sessions.values()]

    def to_json(self) -> dict[str, Any]:
        return {"sessions": [asdict(s) for s in self._sessions.values()]}

    def load_json(self, raw: dict[str, Any]) -> None:
        names = {f.name for f in fields(UploadSession)}
        self.reset()
        for item in raw.get("sessions", []):
            session = self.add(UploadSession(**{k: v for k, v in item.items() if k in names}))
            if session.handle:
                self._handles[session.handle] = session.id
