"""``--data-dir`` at start: the folder is usable, and its database is whole and current, or the start
stops with one line naming the file (the CLI exits 2). ``--data-dir-recover`` starts from what can
be read instead, and says what was lost. Never silently empty, never silently old.

Damage found before anything is read back:

| damage                     | how it is found                                                       |
| -------------------------- | --------------------------------------------------------------------- |
| zero-length file           | its size: SQLite would open it as a new, empty database               |
| truncated or garbled file  | SQLite refuses it ("not a database") or ``PRAGMA quick_check`` fails   |
| copy without its WAL       | the shutdown marker says the last run never closed, and no WAL is left |

**The shutdown marker** (table ``datadir``). At start the sandbox writes ``shutdown = running`` and
checkpoints it into the main file; a normal stop writes ``clean`` and closes the last connection, which
folds the write-ahead log (``sandbox.sqlite3-wal``) into the main file and deletes it. So a main file
that says ``running`` belongs to a run that was killed or is still going, and its newest changes are in
the WAL beside it: after a kill -9 the WAL is there and SQLite replays it (a normal restart); a copy of
the file alone holds only what was last checkpointed, an older state whose timeline steps and webhooks
would run a second time.

**Recovery.** A damaged file is set aside (renamed ``sandbox.sqlite3.damaged``, ``.damaged.1``...,
with its WAL) and never deleted; every table is read from it, forward until a damaged page and then
backward from the end, into a fresh database. A copy without its WAL is kept as it is. Either way the
log says what was kept and what was lost, and ``/_sandbox/stats`` ``persistence.start`` repeats it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.core.errors import SandboxError

log = logging.getLogger(__name__)

RECOVER_HINT = ("start once with --data-dir-recover (SANDBOX_DATA_DIR_RECOVER=1) to keep what can be read, "
                "or point --data-dir at an empty folder")


class DataDirError(SandboxError):
    """The data dir cannot be used as it is: one line naming the file, and what to do."""


@dataclass
class Opened:
    """The database connection, and what the start found (served in ``/_sandbox/stats``)."""

    conn: sqlite3.Connection
    # new | clean | dirty (killed: its WAL was replayed) | no-wal (recovered) | unknown (no marker, or salvaged)
    previous_shutdown: str
    recovered: dict[str, Any] | None = None  # what --data-dir-recover kept and lost; None: nothing needed it
    notes: list[str] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        return {"previous_shutdown": self.previous_shutdown, "recovered": self.recovered}


def open_database(path: Path, *, recover: bool = False, now: Callable[[], float] = time.time) -> Opened:
    """Open (or create) the database at ``path``, checked; mark this run as running."""
    _usable_folder(path.parent)
    damage = _damage(path)
    if damage is None and recover and path.exists():  # asked to recover a whole file: a garbled value, then
        damage = _garbled_value(path)
    if damage is None:
        opened = _open_checked(path)
    elif not recover:
        raise DataDirError(f"{path}: {damage.reason}; nothing was changed: {RECOVER_HINT}")
    elif damage.kind == "no-wal":
        opened = _keep_without_wal(path, damage)
    else:
        opened = _salvage(path, damage)
    try:
        _mark(opened.conn, "running", now)
    except sqlite3.Error as exc:  # a read-only file or folder: found now, not at the first send
        opened.conn.close()
        raise DataDirError(f"{path}: cannot write to the database ({exc}): the sandbox needs a writable "
                           "--data-dir") from exc
    for note in opened.notes:
        log.warning("%s", note)
    if opened.previous_shutdown == "dirty":
        log.info("%s: the last run did not stop cleanly (killed?); its committed changes were taken back "
                 "from the write-ahead log", path)
    return opened


@contextmanager
def reading_back(path: Path) -> Iterator[None]:
    """Around the restore: a row whose content is garbled though SQLite's pages are whole (quick_check
    cannot see inside a value) stops the start with one line too, not a traceback."""
    try:
        yield
    except (ValueError, KeyError, TypeError, sqlite3.DatabaseError) as exc:
        raise DataDirError(f"{path}: a saved row cannot be read back ({type(exc).__name__}: {exc}): "
                           f"{RECOVER_HINT}") from exc


def mark_clean(conn: sqlite3.Connection, now: Callable[[], float] = time.time) -> None:
    """The last write of a normal stop: the next start knows nothing is missing."""
    _mark(conn, "clean", now)


# --- checks ----------------------------------------------------------------------------------------


def _usable_folder(folder: Path) -> None:
    """Create the folder, and prove a file can be written in it (a folder owned by another user, a
    read-only mount, a path under a file or in /proc)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise DataDirError(f"--data-dir {folder}: cannot use this folder: {exc.strerror or exc}") from exc


@dataclass(frozen=True)
class _Damage:
    kind: str  # empty | unreadable | no-wal
    summary: str  # a few words, for the recovery's log line
    reason: str
    marker: dict[str, str] = field(default_factory=dict)  # the marker, when it could be read


def _damage(path: Path) -> _Damage | None:
    if not path.exists():
        return None
    if not path.is_file():
        return _Damage("unreadable", "is not a file", "is not a file")
    if path.stat().st_size == 0:
        return _Damage("empty", "is empty (0 bytes)", "is empty (0 bytes): a sandbox database never is, so this is a damaged or "
                                "unfinished copy; starting from it would start with nothing")
    wal_found = _wal(path).exists()
    conn = _read_only(path)
    try:
        problems = [" ".join(row[0].split()) for row in conn.execute("PRAGMA quick_check(3)")]
        if problems != ["ok"]:
            return _Damage("unreadable", "is damaged", f"is damaged (SQLite quick_check: {'; '.join(problems)})")
        marker = _read_marker(conn)
    except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
        return _Damage("unreadable", "is damaged", f"is damaged or not a sandbox database (SQLite: {exc})")
    finally:
        conn.close()
    if marker.get("shutdown") == "running" and not wal_found:
        return _Damage("no-wal", "lacks its write-ahead log", f"was left by a run that did not stop (started {_when(marker)}) but its "
                                 f"write-ahead log {_wal(path).name} is missing (a copy of the file alone?): "
                                 "it holds an older state whose timeline steps and webhooks would run again",
                       marker)
    return None


def _read_only(path: Path) -> sqlite3.Connection:
    """Read-only, and without a WAL also immutable: any other connection creates an empty WAL beside
    the file, which the next start would take for the real one (and the kept evidence would change)."""
    return sqlite3.connect(f"file:{path}?mode=ro" + ("" if _wal(path).exists() else "&immutable=1"), uri=True)


JSON_COLUMNS = ("data", "record")  # the columns persistence.py writes JSON into


def _garbled_value(path: Path) -> _Damage | None:
    """A value SQLite stores whole but that is not the JSON written (quick_check cannot see inside one)."""
    conn = _read_only(path)
    try:
        for table, column in _json_columns(conn):
            for (value,) in conn.execute(f'SELECT "{column}" FROM "{table}"'):
                if not _parses(value):
                    return _Damage("unreadable", "holds garbled values", f"holds a garbled {table} value")
    finally:
        conn.close()
    return None


def _json_columns(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return [(t, c[1]) for t in tables for c in conn.execute(f'PRAGMA table_info("{t}")') if c[1] in JSON_COLUMNS]


def _parses(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


def _open_checked(path: Path) -> Opened:
    existed = path.exists()
    conn = sqlite3.connect(path, check_same_thread=False)
    marker = _read_marker(conn) if existed else {}
    shutdown = marker.get("shutdown")
    previous = "new" if not existed else {"running": "dirty", "clean": "clean"}.get(shutdown or "", "unknown")
    return Opened(conn, previous)


def _read_marker(conn: sqlite3.Connection) -> dict[str, str]:
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'datadir'").fetchone() is None:
        return {}  # a database written before the marker existed
    return dict(conn.execute("SELECT key, value FROM datadir").fetchall())


def _mark(conn: sqlite3.Connection, shutdown: str, now: Callable[[], float]) -> None:
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS datadir (key TEXT PRIMARY KEY, value TEXT)")
    rows = [("shutdown", shutdown)]
    if shutdown == "running":
        rows.append(("started_at", str(now())))
    conn.executemany("INSERT OR REPLACE INTO datadir (key, value) VALUES (?, ?)", rows)
    conn.commit()
    if shutdown == "running":  # into the main file itself, so a copy without the WAL still says so
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _wal(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def _when(marker: dict[str, str]) -> str:
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(float(marker["started_at"])))
    except (KeyError, ValueError):
        return "at an unknown time"


# --- recovery --------------------------------------------------------------------------------------

PENDING = {"steps": "timeline steps", "deliveries": "webhook deliveries"}


def _keep_without_wal(path: Path, damage: _Damage) -> Opened:
    """The file is whole, only older than the run that wrote it: used as it is, what is at stake named."""
    conn = sqlite3.connect(path, check_same_thread=False)
    counts = {t: _count(conn, t) for t in ("messages", "steps", "deliveries", "media") if _has_table(conn, t)}
    pending = ", ".join(f"{counts[t]} {label}" for t, label in PENDING.items() if counts.get(t))
    recovered = {"damage": "no-wal", "kept": counts, "lost": f"what the run started {_when(damage.marker)} wrote after "
                 "its last checkpoint into this file (the missing write-ahead log)"}
    notes = [f"{path}: --data-dir-recover: the write-ahead log is missing; starting from the older state in the file "
             f"({_counts_text(counts)}); lost: {recovered['lost']}"
             + (f"; {pending} of this older state may have run already and run again" if pending else "")]
    return Opened(conn, "no-wal", recovered, notes)


def _salvage(path: Path, damage: _Damage) -> Opened:
    aside = _set_aside(path)
    conn = sqlite3.connect(path, check_same_thread=False)
    kept: dict[str, int] = {}
    lost: dict[str, Any] = {}
    if damage.kind != "empty":
        kept, lost = _copy_readable(aside, conn)
    recovered = {"damage": damage.kind, "set_aside": str(aside), "kept": kept, "lost": lost}
    if kept:
        what = f"kept {_counts_text(kept)}; lost: {_lost_text(lost) or 'nothing found unreadable'}"
    else:
        what = "nothing could be read: starting empty"
    notes = [f"{path}: --data-dir-recover: the file {damage.summary}; it was set aside as {aside.name}; {what}"]
    return Opened(conn, "unknown", recovered, notes)


def _set_aside(path: Path) -> Path:
    n = 0
    while True:
        aside = path.with_name(f"{path.name}.damaged" + (f".{n}" if n else ""))
        if not aside.exists():
            break
        n += 1
    path.rename(aside)
    for suffix in ("-wal", "-shm"):  # the log belongs to the file it was written for
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(aside.with_name(aside.name + suffix))
    return aside


def _copy_readable(source: Path, target: sqlite3.Connection) -> tuple[dict[str, int], dict[str, Any]]:
    """Every row SQLite can still read from each table: forward until the first damaged page, then
    backward from the end until one (rows after the damage come back too)."""
    kept: dict[str, int] = {}
    lost: dict[str, Any] = {}
    src = _read_only(source)
    try:
        # Tolerate a schema that points past the end of the file: the tables before the cut still read
        # (without it, SQLite refuses the whole schema as malformed). Read-only: nothing is written.
        src.execute("PRAGMA writable_schema = ON")
        try:
            tables = src.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                                 "AND name NOT LIKE 'sqlite_%'").fetchall()
        except sqlite3.DatabaseError as exc:
            return {}, {"schema": f"unreadable ({exc})"}
        for name, sql in tables:
            target.execute(sql)
            rows, complete, total = _read_rows(src, name)
            json_at = [i + 1 for i, c in enumerate(src.execute(f'PRAGMA table_info("{name}")')) if c[1] in JSON_COLUMNS]
            readable = [row for row in rows if all(_parses(row[i]) for i in json_at)]
            if len(readable) < len(rows):
                lost[f"{name} (garbled values)"] = f"{len(rows) - len(readable)} rows"
                rows = readable
            if rows:
                marks = ", ".join("?" * (len(rows[0]) - 1))
                target.executemany(f'INSERT OR IGNORE INTO "{name}" VALUES ({marks})', [row[1:] for row in rows])
            kept[name] = len(rows)
            if not complete:
                lost[name] = f"{total - len(rows)} of {total} rows" if total is not None else "rows on damaged pages"
        target.commit()
    finally:
        src.close()
    return kept, lost


def _read_rows(src: sqlite3.Connection, table: str) -> tuple[list[tuple[Any, ...]], bool, int | None]:
    rows: dict[int, tuple[Any, ...]] = {}
    complete = True
    for order in ("ASC", "DESC"):
        try:
            for row in src.execute(f'SELECT rowid, * FROM "{table}" ORDER BY rowid {order}'):
                if row[0] in rows:
                    break
                rows[row[0]] = row
            break
        except sqlite3.DatabaseError:
            complete = False
    try:
        total: int | None = src.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    except sqlite3.DatabaseError:
        total = None
    if total is not None and total != len(rows):
        complete = False
    return [rows[k] for k in sorted(rows)], complete, total


def _count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def _has_table(conn: sqlite3.Connection, table: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone() is not None


def _counts_text(counts: dict[str, int]) -> str:
    shown = {k: v for k, v in counts.items() if k not in ("datadir", "webhook_spill")}
    return ", ".join(f"{v} {k}" for k, v in shown.items()) or "no rows"


def _lost_text(lost: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in lost.items())
