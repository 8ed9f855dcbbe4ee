"""SQLite storage behind the persistence seam (``Persistence``, sandbox/core/persistence_hooks.py).

It receives plain data (ids, provider names, JSON-ready records, bytes) and imports no type of the core:
what it writes is each row as its last hook described it.

``Persistence`` (the default) keeps nothing, and callers build no record for it (they check ``enabled``).
``SqlitePersistence`` (``--data-dir``) keeps rows in one SQLite file (WAL):
- messages (the journal), media records, pending webhook deliveries, the remaining timeline steps of
  each message (data only: status + error, or user action + the scenario outcome);
- named snapshots (``track``): scenario, clock, id generator, 24-hour windows, templates...

Hooks only keep the last record of each row; ``flush()`` serialises and writes them in one transaction.
It runs before every HTTP response (so an acknowledged send is on disk before the client hears of it). Scheduled jobs and webhook
attempts call ``flush_soon()``: one group commit at most ``GROUP_COMMIT`` seconds later. A kill -9 in
that window loses no acknowledged state: a step's status and the removal of the step commit together,
so the step runs again; a delivery not yet marked done is delivered again (at-least-once, as Meta).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.core.persistence_hooks import Persistence, Record
from sandbox.core.spill import SpillQueue

__all__ = ["DB_NAME", "GROUP_COMMIT", "Persistence", "SqlitePersistence"]

DB_NAME = "sandbox.sqlite3"
GROUP_COMMIT = 0.01  # real seconds a background change may wait to share a commit with others


@dataclass
class _Tracked:
    dump: Callable[[], Any]
    load: Callable[[Any], None]
    version: Callable[[], object] | None  # None: dumped whenever rows changed in the same flush
    last_version: object = None
    last_text: str | None = None


SCHEMA = (
    "CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, provider TEXT, data TEXT)",
    "CREATE TABLE IF NOT EXISTS steps (token INTEGER PRIMARY KEY, message_id TEXT, provider TEXT, due REAL,"
    " kind TEXT, data TEXT)",
    "CREATE INDEX IF NOT EXISTS steps_message ON steps (message_id)",
    "CREATE TABLE IF NOT EXISTS deliveries (seq INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, provider TEXT,"
    " record TEXT, body BLOB)",
    "CREATE TABLE IF NOT EXISTS media (seq INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, data TEXT)",
    "CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, data TEXT)",
)


class SqlitePersistence(Persistence):
    enabled = True

    def __init__(self, data_dir: str | Path, *, recover: bool = False) -> None:
        # Imported here, with --data-dir only: datadir brings sqlite3, ~1 MB of every other server's idle RSS
        from sandbox.core import datadir

        self.path = Path(data_dir) / DB_NAME
        # checked (folder usable, file whole and current) or DataDirError; recover: from what can be read
        self.opened = datadir.open_database(self.path, recover=recover)
        self.conn = self.opened.conn
        self.conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL: a commit survives the process dying (kill -9); only a power cut may lose the last ones.
        self.conn.execute("PRAGMA synchronous=NORMAL")
        for statement in SCHEMA:
            self.conn.execute(statement)
        self.conn.commit()
        self._messages: dict[str, tuple[str, Record]] = {}  # maps message id -> (provider, record) to upsert
        self._removed_messages: set[str] = set()
        self._steps: dict[int, tuple[str, str, float, str, str]] = {}  # maps token -> row to insert
        self._steps_done: set[int] = set()
        self._deliveries: dict[str, tuple[str, Record, bytes]] = {}  # maps delivery id -> (provider, record, body)
        self._deliveries_done: set[str] = set()
        self._media: dict[str, Record] = {}  # maps media id -> record to upsert
        self._media_removed: set[str] = set()
        self._statements: list[tuple[str, tuple[Any, ...]]] = []  # resets, run before the rows above
        self._tracked: dict[str, _Tracked] = {}
        self._next_token = (self.conn.execute("SELECT MAX(token) FROM steps").fetchone()[0] or 0) + 1
        self.flushes = 0
        self._flush_timer: asyncio.TimerHandle | None = None

    def spill_queue(self) -> SpillQueue:
        return SpillQueue(self.conn)

    # --- hooks ------------------------------------------------------------------------------------
    def message_changed(self, message_id: str, provider: str, record: Record) -> None:
        self._messages[message_id] = (provider, record)
        self._removed_messages.discard(message_id)

    def message_removed(self, message_id: str) -> None:
        self._messages.pop(message_id, None)
        self._removed_messages.add(message_id)

    def messages_reset(self, provider: str | None) -> None:
        self._messages = {k: m for k, m in self._messages.items() if provider is not None and m[0] != provider}
        self._sql("DELETE FROM messages" + (" WHERE provider = ?" if provider else ""), provider)

    def step_scheduled(self, message_id: str, provider: str, due: float, kind: str, data: dict[str, Any]) -> int | None:
        token = self._next_token
        self._next_token += 1
        self._steps[token] = (message_id, provider, due, kind, json.dumps(data))
        return token

    def step_done(self, token: int | None) -> None:
        if token is not None and self._steps.pop(token, None) is None:
            self._steps_done.add(token)

    def steps_cancelled(self, message_id: str, kind: str | None = None) -> None:
        self._steps = {t: row for t, row in self._steps.items() if row[0] != message_id or kind not in (None, row[3])}
        if kind is None:
            self._sql("DELETE FROM steps WHERE message_id = ?", message_id)
        else:
            self._sql("DELETE FROM steps WHERE message_id = ? AND kind = ?", message_id, kind)

    def steps_reset(self, provider: str | None) -> None:
        self._steps = {t: row for t, row in self._steps.items() if provider is not None and row[1] != provider}
        self._sql("DELETE FROM steps" + (" WHERE provider = ?" if provider else ""), provider)

    def delivery_changed(self, delivery_id: str, provider: str, record: Record, body: bytes) -> None:
        self._deliveries[delivery_id] = (provider, record, body)
        self._deliveries_done.discard(delivery_id)

    def delivery_done(self, delivery_id: str) -> None:
        self._deliveries.pop(delivery_id, None)
        self._deliveries_done.add(delivery_id)  # it may have been written by an earlier flush

    def deliveries_reset(self, provider: str | None) -> None:
        self._deliveries = {k: d for k, d in self._deliveries.items() if provider is not None and d[0] != provider}
        self._sql("DELETE FROM deliveries" + (" WHERE provider = ?" if provider else ""), provider)

    def media_changed(self, media_id: str, record: Record) -> None:
        self._media[media_id] = record
        self._media_removed.discard(media_id)

    def media_removed(self, media_id: str) -> None:
        self._media.pop(media_id, None)
        self._media_removed.add(media_id)

    def track(self, name: str, dump: Callable[[], Any], load: Callable[[Any], None],
              version: Callable[[], object] | None = None) -> None:
        self._tracked[name] = _Tracked(dump, load, version)

    def _sql(self, statement: str, *args: str | None) -> None:
        self._statements.append((statement, tuple(arg for arg in args if arg is not None)))

    # --- writing ----------------------------------------------------------------------------------
    def flush(self) -> None:
        rows_changed = bool(
            self._statements or self._messages or self._removed_messages or self._steps or self._steps_done
            or self._deliveries or self._deliveries_done or self._media or self._media_removed
        )
        snapshots = self._changed_snapshots(rows_changed)
        if not rows_changed and not snapshots and not self.conn.in_transaction:
            return
        c = self.conn
        for statement, args in self._statements:
            c.execute(statement, args)
        c.executemany("DELETE FROM messages WHERE id = ?", [(i,) for i in self._removed_messages])
        c.executemany(
            "INSERT INTO messages (id, provider, data) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET data = excluded.data",
            [(i, provider, json.dumps(record)) for i, (provider, record) in self._messages.items()],
        )
        c.executemany("DELETE FROM steps WHERE token = ?", [(t,) for t in self._steps_done])
        c.executemany("INSERT INTO steps VALUES (?, ?, ?, ?, ?, ?)", [(t, *row) for t, row in self._steps.items()])
        c.executemany("DELETE FROM deliveries WHERE id = ?", [(i,) for i in self._deliveries_done])
        c.executemany(
            "INSERT INTO deliveries (id, provider, record, body) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET record = excluded.record",
            [(i, provider, json.dumps(record), body) for i, (provider, record, body) in self._deliveries.items()],
        )
        c.executemany("DELETE FROM media WHERE id = ?", [(i,) for i in self._media_removed])
        c.executemany(
            "INSERT INTO media (id, data) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data",
            [(i, json.dumps(record)) for i, record in self._media.items()],
        )
        c.executemany("INSERT OR REPLACE INTO state (name, data) VALUES (?, ?)", snapshots)
        c.commit()
        self.flushes += 1
        self._clear_dirty()

    def flush_soon(self) -> None:
        if self._flush_timer is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        self._flush_timer = loop.call_later(GROUP_COMMIT, self._timed_flush)

    def _timed_flush(self) -> None:
        self._flush_timer = None
        self.flush()

    def _changed_snapshots(self, rows_changed: bool) -> list[tuple[str, str]]:
        out = []
        for name, t in self._tracked.items():
            if t.version is None:
                if not rows_changed:
                    continue
            else:
                version = t.version()
                if version == t.last_version:
                    continue
                t.last_version = version
            text = json.dumps(t.dump())
            if text != t.last_text:
                t.last_text = text
                out.append((name, text))
        return out

    def _clear_dirty(self) -> None:
        self._statements.clear()
        self._messages.clear()
        self._removed_messages.clear()
        self._steps.clear()
        self._steps_done.clear()
        self._deliveries.clear()
        self._deliveries_done.clear()
        self._media.clear()
        self._media_removed.clear()

    def close(self) -> None:
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None
        self.flush()
        from sandbox.core import datadir  # imported by __init__ already

        datadir.mark_clean(self.conn)
        self.conn.close()

    # --- reading back (start-up) ------------------------------------------------------------------
    def restore_tracked(self) -> list[str]:
        """Load every tracked snapshot saved before; answers the names restored."""
        saved = dict(self.conn.execute("SELECT name, data FROM state").fetchall())
        restored = []
        for name, t in self._tracked.items():
            if name in saved:
                t.load(json.loads(saved[name]))
                t.last_text = saved[name]
                t.last_version = t.version() if t.version else None
                restored.append(name)
        return restored

    def saved_messages(self) -> Iterator[dict[str, Any]]:
        for (data,) in self.conn.execute("SELECT data FROM messages ORDER BY seq"):
            yield json.loads(data)

    def saved_steps(self) -> list[tuple[int, str, float, str, dict[str, Any]]]:
        rows = self.conn.execute("SELECT token, message_id, due, kind, data FROM steps ORDER BY due, token")
        return [(t, m, due, kind, json.loads(data)) for t, m, due, kind, data in rows.fetchall()]

    def saved_deliveries(self) -> Iterator[tuple[dict[str, Any], bytes]]:
        # Spilled rows are re-spilled by the dispatcher as it takes the saved deliveries back in order.
        if self._has_table("webhook_spill"):
            self.conn.execute("DELETE FROM webhook_spill")
        for record, body in self.conn.execute("SELECT record, body FROM deliveries ORDER BY seq").fetchall():
            yield json.loads(record), bytes(body)

    def saved_media(self) -> Iterator[dict[str, Any]]:
        for (data,) in self.conn.execute("SELECT data FROM media ORDER BY seq"):
            yield json.loads(data)

    def _has_table(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None

    def describe(self) -> dict[str, Any]:
        return {"enabled": True, "path": str(self.path), "flushes": self.flushes, "start": self.opened.describe()}
