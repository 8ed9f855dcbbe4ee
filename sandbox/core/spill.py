"""Where webhook deliveries wait when the in-memory backlog is full: a FIFO table in SQLite.

The dispatcher keeps at most ``webhook_backlog`` pending deliveries as Python objects; the rest are
written here (record + body bytes) in arrival order and read back, oldest first, as deliveries finish.
Without ``--data-dir`` the table lives in a temporary file opened on the first spill; with it, in the
persistence database (same connection, committed with everything else).

Records (the dispatcher's ``Delivery.to_row`` tuples) are kept with ``marshal`` (6x cheaper than JSON per row): the table never outlives the
process that wrote it (a temporary file, or emptied by the restore of ``--data-dir``, which takes
pending deliveries back from its own ``deliveries`` table), so the format is never read by another
Python version.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import tempfile
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS webhook_spill (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    provider TEXT NOT NULL,
    record BLOB NOT NULL,
    body BLOB NOT NULL
)"""


BATCH = 512  # rows written or read per statement; bounds the buffered rows to 2 x BATCH


class SpillQueue:
    """A FIFO of (record, body). Rows go to SQLite and come back in batches: one statement per row
    was ~20% of the CPU of a sandbox spilling at saturation. Order: the table (oldest), then the
    write buffer; reads take a batch from the table's head into a read buffer."""

    def __init__(self, conn: sqlite3.Connection, *, own_transactions: bool = False) -> None:
        """``own_transactions``: an autocommit connection of the queue's own, so each batch is wrapped
        in one transaction (3x cheaper than one per row); on the persistence connection the rows join
        whatever transaction its next flush commits."""
        self._conn = conn
        self._own_transactions = own_transactions
        self._conn.execute(SCHEMA)
        self._stored = conn.execute("SELECT COUNT(*) FROM webhook_spill").fetchone()[0]  # rows in the table
        self._writes: list[tuple[str, bytes, bytes]] = []  # newest rows, not yet in the table
        self._reads: deque[tuple[str, Any, bytes]] = deque()  # oldest rows, out of the table

    @classmethod
    def temporary(cls) -> SpillQueue:
        # Imported on the first spill, not at start: sqlite3 and its library were ~1 MB of a server's idle
        # RSS (docs/bench.md, issue 20's "nothing gets worse"), and most servers never spill.
        import sqlite3

        fd, path = tempfile.mkstemp(prefix="wa-sandbox-spill-", suffix=".sqlite3")
        os.close(fd)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        os.unlink(path)  # POSIX: the open connection keeps the file; nothing is left behind on exit
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        return cls(conn, own_transactions=True)

    def push(self, provider: str, record: Any, body: bytes) -> None:
        self._writes.append((provider, marshal.dumps(record), body))
        if len(self._writes) >= BATCH:
            self._write()

    def pop(self) -> tuple[Any, bytes] | None:
        if not self._reads:
            self._read()
        if not self._reads:
            return None
        _, record, body = self._reads.popleft()
        return record, body

    def clear(self, provider: str | None = None) -> None:
        if provider is None:
            self._conn.execute("DELETE FROM webhook_spill")
            self._writes.clear()
            self._reads.clear()
        else:
            self._conn.execute("DELETE FROM webhook_spill WHERE provider = ?", (provider,))
            self._writes = [row for row in self._writes if row[0] != provider]
            self._reads = deque(row for row in self._reads if row[0] != provider)
        self._stored = self._conn.execute("SELECT COUNT(*) FROM webhook_spill").fetchone()[0]

    def __len__(self) -> int:
        return len(self._reads) + self._stored + len(self._writes)

    def _write(self) -> None:
        with self._batch():
            self._conn.executemany("INSERT INTO webhook_spill (provider, record, body) VALUES (?, ?, ?)", self._writes)
        self._stored += len(self._writes)
        self._writes = []

    @contextlib.contextmanager
    def _batch(self) -> Iterator[None]:
        if not self._own_transactions:
            yield
            return
        self._conn.execute("BEGIN")
        try:
            yield
        finally:
            self._conn.execute("COMMIT")

    def _read(self) -> None:
        if not self._stored:  # everything spilled is still in the write buffer: it is the head now
            self._reads.extend((p, marshal.loads(r), b) for p, r, b in self._writes)
            self._writes = []
            return
        rows = self._conn.execute(
            "SELECT seq, provider, record, body FROM webhook_spill ORDER BY seq LIMIT ?", (BATCH,)
        ).fetchall()
        if not rows:
            self._stored = 0
            return
        self._conn.execute("DELETE FROM webhook_spill WHERE seq <= ?", (rows[-1][0],))  # one statement
        self._stored -= len(rows)
        self._reads.extend((provider, marshal.loads(record), bytes(body)) for _, provider, record, body in rows)
