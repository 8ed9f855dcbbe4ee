"""A damaged or partial --data-dir never starts silently wrong (sandbox/core/datadir.py): each kind of
damage stops the start with one line naming the file, and ``--data-dir-recover`` starts from what can
be read and says what was lost. An unusable folder is one line and exit 2 as well."""

from __future__ import annotations

import logging
import os
import random
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sandbox.core.datadir import DataDirError
from sandbox.core.persistence import DB_NAME
from sandbox.runtime import Runtime, build_runtime
from sandbox.settings import Settings
from sandbox.testing.plugin import RunningSandbox
from tests.conftest import send
from tests.reliability.helpers import BIN, TEXT

SENT = 120  # enough rows to fill many pages, so a damaged page leaves others readable
PAGE = 4096


@pytest.fixture
def wa_sandbox_settings(tmp_path: Path) -> Settings:
    return Settings(clock="manual", seed="pytest", data_dir=str(tmp_path / "live"))


def start(folder: Path, *, recover: bool = False) -> Runtime:
    return build_runtime(Settings(clock="manual", data_dir=str(folder), data_dir_recover=recover))


async def live_copy(wa_sandbox: RunningSandbox, dest: Path, *, wal: bool) -> Path:
    """The running sandbox's files copied as a user would (its WAL, or the database file alone)."""
    for n in range(SENT):  # one recipient each: Meta's pair rate limit allows a few a second per pair
        status, body = await send(wa_sandbox, {**TEXT, "to": f"1555{7000000 + n}"})
        assert status == 200, body
        if n % 40 == 39:
            await wa_sandbox.control.advance(1)  # Cloud API throughput: tens of messages a second
    wa_sandbox.runtime.persistence.flush()
    live = Path(str(wa_sandbox.runtime.settings.data_dir))
    dest.mkdir()
    for name in (DB_NAME, DB_NAME + "-wal") if wal else (DB_NAME,):
        shutil.copy(live / name, dest / name)
    return dest / DB_NAME


async def stopped_copy(wa_sandbox: RunningSandbox, dest: Path) -> Path:
    """A copy that was started and stopped normally: one whole file, marked clean."""
    path = await live_copy(wa_sandbox, dest, wal=True)
    runtime = start(dest)
    assert runtime.restored["messages"] == SENT
    runtime.persistence.close()
    assert not (dest / (DB_NAME + "-wal")).exists()
    return path


def started(runtime: Runtime) -> dict[str, Any]:
    return dict(runtime.persistence.describe()["start"])


# --- a normal restart is not damage -----------------------------------------------------------------


async def test_a_clean_stop_is_marked_and_restarts_quietly(wa_sandbox: RunningSandbox, tmp_path: Path):
    await stopped_copy(wa_sandbox, tmp_path / "copy")
    runtime = start(tmp_path / "copy")
    assert started(runtime) == {"previous_shutdown": "clean", "recovered": None}
    runtime.persistence.close()


async def test_a_killed_run_with_its_wal_restarts_with_everything(wa_sandbox: RunningSandbox, tmp_path: Path):
    await live_copy(wa_sandbox, tmp_path / "copy", wal=True)  # what a kill -9 leaves behind
    runtime = start(tmp_path / "copy")
    assert runtime.restored["messages"] == SENT
    assert started(runtime) == {"previous_shutdown": "dirty", "recovered": None}
    runtime.persistence.close()


# --- a copy without its WAL: never silently old -------------------------------------------------------


async def test_a_copy_without_its_wal_refuses_to_start(wa_sandbox: RunningSandbox, tmp_path: Path):
    path = await live_copy(wa_sandbox, tmp_path / "copy", wal=False)
    with pytest.raises(DataDirError) as raised:
        start(tmp_path / "copy")
    message = str(raised.value)
    assert str(path) in message and "write-ahead log" in message and "--data-dir-recover" in message
    assert "\n" not in message
    assert not (tmp_path / "copy" / (DB_NAME + "-wal")).exists()  # the check left no WAL to fool the next start
    with pytest.raises(DataDirError):
        start(tmp_path / "copy")


async def test_a_copy_without_its_wal_recovers_when_asked(wa_sandbox: RunningSandbox, tmp_path: Path, caplog: Any):
    await live_copy(wa_sandbox, tmp_path / "copy", wal=False)
    caplog.set_level(logging.WARNING, "sandbox.core.datadir")
    runtime = start(tmp_path / "copy", recover=True)
    recovered = started(runtime)["recovered"]
    assert recovered["damage"] == "no-wal" and "write-ahead log" in recovered["lost"]
    assert any("lost:" in r.getMessage() and "--data-dir-recover" in r.getMessage() for r in caplog.records)
    runtime.persistence.close()
    again = start(tmp_path / "copy")  # recovered once: a normal folder from then on
    assert started(again)["previous_shutdown"] == "clean"
    again.persistence.close()


# --- zero-length, truncated, garbled: never silently empty ----------------------------------------------


async def test_a_zero_length_file_refuses_to_start(tmp_path: Path):
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / DB_NAME).write_bytes(b"")
    with pytest.raises(DataDirError, match=r"is empty \(0 bytes\)") as raised:
        start(tmp_path / "copy")
    assert str(tmp_path / "copy" / DB_NAME) in str(raised.value)
    assert (tmp_path / "copy" / DB_NAME).stat().st_size == 0  # nothing was changed


async def test_a_zero_length_file_recovers_empty_and_is_kept(tmp_path: Path):
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / DB_NAME).write_bytes(b"")
    runtime = start(tmp_path / "copy", recover=True)
    recovered = started(runtime)["recovered"]
    assert recovered["damage"] == "empty" and recovered["kept"] == {}
    assert Path(recovered["set_aside"]).name == DB_NAME + ".damaged" and Path(recovered["set_aside"]).exists()
    assert runtime.restored["messages"] == 0
    runtime.persistence.close()


def truncate(path: Path) -> None:
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.truncate(size // 2 // PAGE * PAGE)


def garble(path: Path) -> None:
    """Random bytes over one page in the middle of the file (seeded: the same damage every run)."""
    pages = path.stat().st_size // PAGE
    with path.open("r+b") as f:
        f.seek(pages // 2 * PAGE)
        f.write(random.Random(7).randbytes(PAGE))


@pytest.mark.parametrize("damage", [truncate, garble], ids=["truncated", "garbled"])
async def test_a_damaged_file_refuses_to_start(wa_sandbox: RunningSandbox, tmp_path: Path, damage: Any):
    path = await stopped_copy(wa_sandbox, tmp_path / "copy")
    damage(path)
    before = path.read_bytes()
    with pytest.raises(DataDirError, match="damaged") as raised:
        start(tmp_path / "copy")
    assert str(raised.value).startswith(str(path)) and "\n" not in str(raised.value)
    assert path.read_bytes() == before


@pytest.mark.parametrize("damage", [truncate, garble], ids=["truncated", "garbled"])
async def test_a_damaged_file_recovers_what_can_be_read(wa_sandbox: RunningSandbox, tmp_path: Path, damage: Any,
                                                        caplog: Any):
    path = await stopped_copy(wa_sandbox, tmp_path / "copy")
    damage(path)
    damaged = path.read_bytes()
    caplog.set_level(logging.WARNING, "sandbox.core.datadir")
    runtime = start(tmp_path / "copy", recover=True)
    recovered = started(runtime)["recovered"]
    kept = recovered["kept"]["messages"]
    assert 0 < kept < SENT, recovered
    assert runtime.restored["messages"] == kept
    assert "messages" in recovered["lost"]
    assert Path(recovered["set_aside"]).read_bytes() == damaged  # set aside untouched, never deleted
    assert any(f"kept {kept} messages" in r.getMessage() for r in caplog.records)
    runtime.persistence.close()


async def test_a_garbled_value_stops_with_one_line(wa_sandbox: RunningSandbox, tmp_path: Path):
    """SQLite's pages are whole, a value is not (quick_check cannot see inside one)."""
    path = await stopped_copy(wa_sandbox, tmp_path / "copy")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE messages SET data = '{\"id\": 1' WHERE seq = 3")
    with pytest.raises(DataDirError, match="a saved row cannot be read back") as raised:
        start(tmp_path / "copy")
    assert str(path) in str(raised.value) and "--data-dir-recover" in str(raised.value)


async def test_a_garbled_value_is_left_out_by_the_recovery(wa_sandbox: RunningSandbox, tmp_path: Path):
    path = await stopped_copy(wa_sandbox, tmp_path / "copy")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE messages SET data = '{\"id\": 1' WHERE seq = 3")
    runtime = start(tmp_path / "copy", recover=True)
    recovered = started(runtime)["recovered"]
    assert recovered["kept"]["messages"] == runtime.restored["messages"] == SENT - 1
    assert recovered["lost"] == {"messages (garbled values)": "1 rows"}
    runtime.persistence.close()


# --- the command line: one line, exit 2 -----------------------------------------------------------------


def serve(data_dir: str, *extra: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), "serve", "--port", "0", "--data-dir", data_dir, *extra], capture_output=True,
                          text=True, timeout=60, **kwargs)


def assert_one_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("wa-sandbox: "), result.stderr
    assert all(word in lines[0] for word in words), lines[0]


def test_the_cli_names_a_damaged_file_and_exits_2(tmp_path: Path):
    (tmp_path / DB_NAME).write_bytes(b"")
    assert_one_line(serve(str(tmp_path)), str(tmp_path / DB_NAME), "--data-dir-recover")


@pytest.mark.parametrize(("folder", "why"), [
    ("/proc/nope", "No such file or directory"),  # FileNotFoundError
    ("/sys/nope", "Operation not permitted"),  # PermissionError, even for root
])
def test_an_unusable_folder_is_one_line_and_exit_2(folder: str, why: str):
    assert_one_line(serve(folder), folder, why)


def test_a_folder_under_a_file_is_one_line_and_exit_2(tmp_path: Path):
    (tmp_path / "file").write_text("x")
    assert_one_line(serve(str(tmp_path / "file" / "data")), "Not a directory")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere: /sys/nope above is its PermissionError")
def test_a_folder_the_user_cannot_write_is_one_line_and_exit_2(tmp_path: Path):
    """The image's case: /app is root's, the server runs as uid 10001."""
    folder = tmp_path / "owned"
    folder.mkdir(mode=0o555)
    assert_one_line(serve(str(folder / "data")), str(folder / "data"), "Permission denied")
