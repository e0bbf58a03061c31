"""`verify`, `backup` and `export` through the real CLI: read-only, never creating or migrating a
database, one line for a missing or foreign file; export's own input (issue 16, items 2, 11)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from bot.economy.export import LEDGER_COLUMNS
from bot.storage.sqlite.schema import LATEST
from tests.test_settings import run_cli

TOOLS = (("verify",), ("backup", "copy.db"), ("export", "--guild", "1"))


def db_env(path: Path) -> dict[str, str]:
    return {"GIFTCORD_DATABASE__URL": f"sqlite:///{path}"}


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize("command", TOOLS, ids=lambda c: c[0])
def test_a_missing_database_is_one_line_and_nothing_is_created(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    db = tmp_path / "data" / "giftcord.db"
    proc = run_cli(*command, env=db_env(db), cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert one_line(proc.stderr) == f"giftcord: database {db} does not exist — check database.url"
    assert proc.stdout == ""
    assert listing(tmp_path) == []  # no database, no folder, no backup, no export


@pytest.mark.parametrize("command", TOOLS, ids=lambda c: c[0])
def test_another_applications_sqlite_file_is_refused_and_left_as_it_was(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    db = tmp_path / "notes.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('not giftcord')")
    conn.commit()
    conn.close()
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    proc = run_cli(*command, env=db_env(db), cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert one_line(proc.stderr) == (
        f"giftcord: {db} is an SQLite file but not a giftcord database (no giftcord schema) "
        "— check database.url"
    )
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before  # no tables, no WAL switch
    assert listing(tmp_path) == ["notes.db"]
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    conn.close()


@pytest.mark.parametrize("command", TOOLS, ids=lambda c: c[0])
def test_an_unknown_schema_version_is_refused_not_migrated(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    db = tmp_path / "giftcord.db"
    assert run_cli("migrate", env=db_env(db), cwd=tmp_path).returncode == 0
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {LATEST + 7}")
    conn.close()
    proc = run_cli(*command, env=db_env(db), cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert one_line(proc.stderr) == (
        f"giftcord: the database {db} has schema version {LATEST + 7}, newer than this giftcord "
        f"knows ({LATEST}): upgrade giftcord"
    )
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST + 7
    conn.close()
    assert not (tmp_path / "copy.db").exists()


def test_the_tools_read_a_giftcord_database_without_writing_to_it(tmp_path: Path) -> None:
    db = tmp_path / "giftcord.db"
    assert run_cli("migrate", env=db_env(db), cwd=tmp_path).returncode == 0
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    for command in TOOLS:
        proc = run_cli(*command, env=db_env(db), cwd=tmp_path)
        assert proc.returncode == 0, (command, proc.stderr)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert (tmp_path / "copy.db").is_file()


# --- export's own input (item 11) -----------------------------------------------------------------


def test_export_with_a_guild_id_beyond_64_bits_is_one_sentence(tmp_path: Path) -> None:
    db = tmp_path / "giftcord.db"
    assert run_cli("migrate", env=db_env(db), cwd=tmp_path).returncode == 0
    for guild in ("123456789012345678901234567", "0", "-5", str(2**63)):
        proc = run_cli("export", "--guild", guild, env=db_env(db), cwd=tmp_path)
        assert proc.returncode == 2, (guild, proc.stderr)
        assert one_line(proc.stderr) == (
            "giftcord: --guild must be a Discord server id (a positive number below 2^63)"
        )


def test_export_into_a_folder_that_does_not_exist_is_one_sentence(tmp_path: Path) -> None:
    db = tmp_path / "giftcord.db"
    assert run_cli("migrate", env=db_env(db), cwd=tmp_path).returncode == 0
    target = tmp_path / "exports" / "ledger.csv"
    proc = run_cli("export", "--guild", "5", "--output", str(target), env=db_env(db), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert one_line(proc.stderr) == f"giftcord: --output: the folder {target.parent} does not exist"
    assert not target.parent.exists()


def test_an_export_with_no_rows_is_the_header_line(tmp_path: Path) -> None:
    db = tmp_path / "giftcord.db"
    assert run_cli("migrate", env=db_env(db), cwd=tmp_path).returncode == 0
    proc = run_cli("export", "--guild", "5", env=db_env(db), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ",".join(LEDGER_COLUMNS) + "\n"
    out = tmp_path / "empty.csv"
    proc = run_cli("export", "--guild", "5", "--output", str(out), env=db_env(db), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text() == ",".join(LEDGER_COLUMNS) + "\n"
