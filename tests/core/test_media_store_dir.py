"""core/media_store.py: the temporary media folder is made on first use, not per app."""

from __future__ import annotations

from pathlib import Path

from sandbox.core.media_store import MediaRecord, MediaStore


def test_the_temporary_folder_is_made_when_the_first_media_is_stored() -> None:
    store = MediaStore(10_000)
    assert store._tmp is None  # an app that never stores media never makes (nor removes) a folder
    store.put_bytes(MediaRecord("m1", "100", "image/jpeg", 0, b"", 0.0, None), b"\xff\xd8bytes")
    assert store._tmp is not None and (Path(store._tmp.name) / "m1").read_bytes() == b"\xff\xd8bytes"


def test_storage_writes_a_media_record_as_it_was_when_stored(tmp_path: Path) -> None:
    from sandbox.core.persistence import SqlitePersistence

    storage = SqlitePersistence(tmp_path / "data")
    store = MediaStore(10_000, str(tmp_path / "media"))
    store.persistence = storage
    record = store.put_bytes(MediaRecord("m1", "100", "image/jpeg", 0, b"", 0.0, None, provider="alpha"), b"abc")
    record.filename = "renamed.jpg"  # not told to storage: what it holds is the record built when stored
    storage.close()
    [saved] = SqlitePersistence(tmp_path / "data").saved_media()
    assert saved["filename"] is None and saved["size"] == 3 and saved["provider"] == "alpha"
