"""`python -m bot` operator commands on their failure paths: one line, the right exit code."""

from pathlib import Path

from tests.test_settings import run_cli


def db_env(path: Path) -> dict[str, str]:
    return {"GIFTCORD_DATABASE__URL": f"sqlite:///{path}"}


def test_migrate_creates_and_reports_the_schema(tmp_path: Path) -> None:
    first = run_cli("migrate", env=db_env(tmp_path / "g.db"), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "database schema at version" in first.stdout
    again = run_cli("migrate", env=db_env(tmp_path / "g.db"), cwd=tmp_path)
    assert "(up to date)" in again.stdout


def test_a_corrupt_database_refuses_to_run_and_says_how_to_restore(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    db.write_bytes(b"this is not a database" * 100)
    for command in ("verify", "run", "migrate"):
        proc = run_cli(command, env={**db_env(db), "DISCORD_TOKEN": "t0ken-for-test"}, cwd=tmp_path)
        assert proc.returncode == 1, (command, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, lines
        assert "backup" in lines[0]
        assert "Traceback" not in proc.stderr


def test_backup_never_overwrites(tmp_path: Path) -> None:
    existing = tmp_path / "copy.db"
    existing.write_text("keep me")
    proc = run_cli("backup", str(existing), env=db_env(tmp_path / "g.db"), cwd=tmp_path)
    assert proc.returncode == 2
    assert "already exists" in proc.stderr
    assert existing.read_text() == "keep me"


def test_verify_names_a_broken_invariant(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "g.db"
    assert run_cli("migrate", env=db_env(db), cwd=tmp_path).returncode == 0
    con = sqlite3.connect(db)
    con.execute("INSERT INTO accounts (guild_id, user_id, coins) VALUES (1, 2, 500)")  # no entries
    con.commit()
    con.close()
    proc = run_cli("verify", env=db_env(db), cwd=tmp_path)
    assert proc.returncode == 1
    assert "VIOLATION" in proc.stdout
    assert "verify: FAILED" in proc.stdout
