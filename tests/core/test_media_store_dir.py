"""core/media_store.py: the temporary media folder is made on first use, not per app."""

from __future__ import annotations

from pathlib import Path

from sandbox.core.media_store import MediaRecord, MediaStore


def test_the_temporary_folder_is_made_when_the_first_media_is_stored() -> None:
    store = MediaStore(10_000)
    assert store._tmp is None  # an app that never stores media never makes (nor removes) a folder
    store.put_bytes(MediaRecord("m1", "100", "image/jpeg", 0, b"", 0.0, None), b"\xff\xd8bytes")
    assert store._tmp is not None and (Path(store._tmp.name) / "m1").read_bytes() == b"\xff\xd8bytes"
