"""The service's own storage: conversations, messages, templates and template batches, in SQLite.

SQLite from the standard library keeps the example dependency-free; ``:memory:`` lives as long as the process.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    conversation_id INTEGER PRIMARY KEY,
    phone_number TEXT NOT NULL UNIQUE,      -- digits only, as WhatsApp's wa_id
    contact_name TEXT,                      -- the user's WhatsApp profile name, once they wrote to us
    request_id INTEGER,                     -- the service request the conversation belongs to
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    message_id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations,
    wamid TEXT UNIQUE,                      -- Meta's message id; NULL when Meta refused the send
    content TEXT NOT NULL,
    message_type TEXT NOT NULL,             -- text | template | image | ...
    direction TEXT NOT NULL,                -- outbound | inbound
    status TEXT NOT NULL,                   -- accepted | sent | delivered | read | failed | received
    error_code INTEGER,
    error_title TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS templates (
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    status TEXT NOT NULL,
    category TEXT NOT NULL,
    components TEXT NOT NULL,               -- JSON, as the Cloud API lists it
    synced_at TEXT NOT NULL,
    PRIMARY KEY (name, language)
);
CREATE TABLE IF NOT EXISTS batches (
    batch_id INTEGER PRIMARY KEY,
    template_name TEXT NOT NULL,
    language_code TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batch_recipients (
    batch_id INTEGER NOT NULL REFERENCES batches,
    phone_number TEXT NOT NULL,
    request_id INTEGER,
    message_id INTEGER REFERENCES messages, -- NULL when the send was refused
    error TEXT                              -- JSON of the refusal
);
"""

# Webhooks can arrive out of order (and twice): a status never moves backwards, and failed is final.
STATUS_RANK = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "played": 4}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Store:
    def __init__(self, path: str = ":memory:") -> None:
        self.db = sqlite3.connect(path)
        self.db.row_factory = sqlite3.Row
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    # --- conversations -----------------------------------------------------------------------------

    def conversation_for(self, phone_number: str, request_id: int | None = None) -> dict[str, Any]:
        """The conversation with this number, created on first use; a given request_id is kept."""
        with self.db:
            self.db.execute(
                "INSERT INTO conversations (phone_number, request_id, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT(phone_number) DO UPDATE SET request_id = COALESCE(excluded.request_id, request_id)",
                (phone_number, request_id, now()),
            )
        row = self.db.execute("SELECT * FROM conversations WHERE phone_number = ?", (phone_number,)).fetchone()
        return dict(row)

    def conversation(self, conversation_id: int) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM conversations WHERE conversation_id = ?", (conversation_id,)).fetchone()
        return dict(row) if row else None

    def conversations(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.execute("SELECT * FROM conversations ORDER BY conversation_id")]

    def conversation_by_phone(self, phone_number: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM conversations WHERE phone_number = ?", (phone_number,)).fetchone()
        return dict(row) if row else None

    def set_contact_name(self, conversation_id: int, name: str) -> None:
        with self.db:
            self.db.execute("UPDATE conversations SET contact_name = ? WHERE conversation_id = ?", (name, conversation_id))

    def messages_of(self, conversation_id: int) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM messages WHERE conversation_id = ? ORDER BY message_id", (conversation_id,))
        return [dict(r) for r in rows]

    # --- messages ----------------------------------------------------------------------------------

    def add_message(self, conversation_id: int, *, content: str, message_type: str, direction: str, status: str,
                    wamid: str | None = None, error: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """Store a message; None when its wamid is already stored (Meta may deliver a webhook twice)."""
        stamp = now()
        with self.db:
            cur = self.db.execute(
                "INSERT OR IGNORE INTO messages (conversation_id, wamid, content, message_type, direction, status, "
                "error_code, error_title, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, wamid, content, message_type, direction, status,
                 (error or {}).get("code"), (error or {}).get("message"), stamp, stamp),
            )
        return self.message(cur.lastrowid) if cur.rowcount else None

    def message(self, message_id: int | None) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM messages WHERE message_id = ?", (message_id,)).fetchone()
        return dict(row) if row else None

    def message_by_wamid(self, wamid: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM messages WHERE wamid = ?", (wamid,)).fetchone()
        return dict(row) if row else None

    def update_status(self, wamid: str, status: str, error: dict[str, Any] | None = None) -> bool:
        """Apply a status webhook; False when the message is unknown or the status would move backwards."""
        current = self.message_by_wamid(wamid)
        if current is None or current["status"] == "failed":
            return False
        if status != "failed" and STATUS_RANK.get(status, -1) <= STATUS_RANK.get(current["status"], -1):
            return False
        with self.db:
            self.db.execute(
                "UPDATE messages SET status = ?, error_code = ?, error_title = ?, updated_at = ? WHERE wamid = ?",
                (status, (error or {}).get("code"), (error or {}).get("title"), now(), wamid),
            )
        return True

    # --- templates ---------------------------------------------------------------------------------

    def replace_templates(self, templates: list[dict[str, Any]]) -> None:
        stamp = now()
        with self.db:
            self.db.execute("DELETE FROM templates")
            self.db.executemany(
                "INSERT OR REPLACE INTO templates VALUES (?, ?, ?, ?, ?, ?)",
                [(t["name"], t["language"], t["status"], t["category"], json.dumps(t.get("components", [])), stamp)
                 for t in templates],
            )

    def templates(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM templates ORDER BY name, language")
        return [{**dict(r), "components": json.loads(r["components"])} for r in rows]

    # --- template batches --------------------------------------------------------------------------

    def add_batch(self, template_name: str, language_code: str) -> int:
        with self.db:
            cur = self.db.execute(
                "INSERT INTO batches (template_name, language_code, created_at) VALUES (?, ?, ?)",
                (template_name, language_code, now()),
            )
        return int(cur.lastrowid or 0)

    def add_batch_recipient(self, batch_id: int, phone_number: str, request_id: int | None,
                            message_id: int | None, error: dict[str, Any] | None) -> None:
        with self.db:
            self.db.execute(
                "INSERT INTO batch_recipients VALUES (?, ?, ?, ?, ?)",
                (batch_id, phone_number, request_id, message_id, json.dumps(error) if error else None),
            )

    def batch(self, batch_id: int) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM batches WHERE batch_id = ?", (batch_id,)).fetchone()
        if row is None:
            return None
        recipients = self.db.execute(
            "SELECT r.phone_number, r.request_id, r.error, m.message_id, m.wamid, m.status, m.error_code, m.error_title "
            "FROM batch_recipients r LEFT JOIN messages m ON m.message_id = r.message_id "
            "WHERE r.batch_id = ? ORDER BY r.rowid",
            (batch_id,),
        )
        return {**dict(row), "recipients": [_recipient(dict(r)) for r in recipients]}


def _recipient(row: dict[str, Any]) -> dict[str, Any]:
    refused = json.loads(row.pop("error")) if row["error"] else None
    if refused:
        row.update(status="failed", error_code=refused.get("code"), error_title=refused.get("message"))
    return row
