"""Where webhook deliveries wait when the in-memory backlog is full: a FIFO table in SQLite.

The dispatcher keeps at most ``webhook_backlog`` pending deliveries as Python objects; the rest are
written here (record + body bytes) in arrival order and read back, oldest first, as deliveries finish.
Without ``--data-dir`` the table lives in a temporary file opened on the first spill; with it, in the
persistence database (same connection, committed with everything else).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS webhook_spill (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    provider TEXT NOT NULL,
    record TEXT NOT NULL,
    body BLOB NOT NULL
)"""


class SpillQueue:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._conn.execute(SCHEMA)
        self._count = conn.execute("SELECT COUNT(*) FROM webhook_spill").fetchone()[0]

    @classmethod
    def temporary(cls) -> SpillQueue:
        fd, path = tempfile.mkstemp(prefix="wa-sandbox-spill-", suffix=".sqlite3")
        os.close(fd)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        os.unlink(path)  # POSIX: the open connection keeps the file; nothing is left behind on exit
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        return cls(conn)

    def push(self, provider: str, record: dict[str, Any], body: bytes) -> None:
        self._conn.execute(
            "INSERT INTO webhook_spill (provider, record, body) VALUES (?, ?, ?)", (provider, json.dumps(record), body)
        )
        self._count += 1

    def pop(self) -> tuple[dict[str, Any], bytes] | None:
        row = self._conn.execute("SELECT seq, record, body FROM webhook_spill ORDER BY seq LIMIT 1").fetchone()
        if row is None:
            self._count = 0
            return None
        self._conn.execute("DELETE FROM webhook_spill WHERE seq = ?", (row[0],))
        self._count -= 1
        return json.loads(row[1]), bytes(row[2])

    def clear(self, provider: str | None = None) -> None:
        if provider is None:
            self._conn.execute("DELETE FROM webhook_spill")
        else:
            self._conn.execute("DELETE FROM webhook_spill WHERE provider = ?", (provider,))
        self._count = self._conn.execute("SELECT COUNT(*) FROM webhook_spill").fetchone()[0]

    def __len__(self) -> int:
        return self._count
