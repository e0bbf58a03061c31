"""The database file under the real `python -m bot` process: deleted while the bot runs, used by
a second bot, read-only at start-up (issue 16, items 1, 6, 7)."""

from __future__ import annotations

import asyncio
import ctypes
import hashlib
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.economy.config import EconomyConfig
from bot.economy.ledger import AdjustMode, Currency
from bot.economy.requests import Adjust
from bot.sandbox.standin import ALICE, BOB, GUILD_ID, MODERATOR, OWNER, DiscordStandIn
from bot.storage import SqliteLedger
from bot.storage.sqlite.file_identity import GONE_SENTENCE
from tests.e2e.proc import BotProcess, alarming_lines, bot_env, plain, run_cli
from tests.e2e.test_process import own_balance


def giftcord_lines(output: str) -> list[str]:
    """The lines `main()` prints for a refused command (`giftcord: …`)."""
    return [line for line in plain(output).splitlines() if line.startswith("giftcord: ")]


def lock_refusal(holder: BotProcess, db: Path) -> str:
    """The one line a second process on `db` prints while `holder` runs on it."""
    return (
        f"giftcord: another giftcord process (process {holder.proc.pid}) is already running "
        f"on the database {db} (it holds {db}.lock); stop it first — one SQLite file serves "
        "one giftcord process"
    )


async def sync_and_seed(standin: DiscordStandIn, db: Path, cwd: Path) -> dict[str, str]:
    """Register the commands with the stand-in (no database needed), give Alice 1,000 coins;
    the environment of every process on `db`."""
    env = bot_env(standin, db)
    sync = await run_cli("sync", "--guild", str(GUILD_ID), env=env, cwd=cwd)
    assert sync.returncode == 0, str(sync)
    await seed(db)
    return env


async def seed(db: Path, coins: int = 1_000) -> None:
    ledger = await SqliteLedger.open(db, EconomyConfig())
    try:
        await ledger.run(
            Adjust(
                GUILD_ID,
                ALICE,
                key="seed-alice",
                actor_id=OWNER,
                currency=Currency.COINS,
                mode=AdjustMode.GRANT,
                amount=coins,
                reason="storage safety seed",
            )
        )
    finally:
        await ledger.close()


async def gift_rose(standin: DiscordStandIn) -> object:
    return await standin.user(ALICE).invoke("gift", member=BOB, gift="Rose", count=1)


# --- 1. the database deleted under the running bot ----------------------------------------------


async def test_a_deleted_database_refuses_every_later_gift_and_logs_it_once(
    standin: DiscordStandIn, tmp_path: Path
) -> None:
    db = tmp_path / "giftcord.db"
    bot = await BotProcess.start(await sync_and_seed(standin, db, tmp_path), tmp_path)
    try:
        await bot.wait_ready(standin)
        first = await gift_rose(standin)
        assert not first.ephemeral, first.describe()  # the public announcement: it counted

        db.unlink()
        for sidecar in (Path(f"{db}-wal"), Path(f"{db}-shm")):
            sidecar.unlink(missing_ok=True)

        # A read finds it first: no balance is shown from a file that is not the database.
        balance = await standin.user(ALICE).invoke("balance")
        assert balance.ephemeral, balance.describe()
        assert GONE_SENTENCE in balance.text, balance.describe()
        one_by_one = [await gift_rose(standin) for _ in range(3)]
        at_once = await asyncio.gather(*(gift_rose(standin) for _ in range(6)))
        for refused in [*one_by_one, *at_once]:
            assert refused.ephemeral, refused.describe()  # nothing announced, nothing acknowledged
            assert GONE_SENTENCE in refused.text, refused.describe()
        grant = await standin.user(MODERATOR).invoke(
            "mod grant", member=BOB, currency="coins", amount="10", reason="after the loss"
        )
        assert GONE_SENTENCE in grant.text, grant.describe()
        again = await standin.user(BOB).invoke("balance")
        assert GONE_SENTENCE in again.text, again.describe()
        code, _ = await bot.stop()
        assert code == 0, bot.output
    finally:
        await bot.kill()
    log = plain(bot.output)
    # ONE loud line, however many writes were refused, and it says how to recover.
    loud = [line for line in log.splitlines() if "was deleted while giftcord was running" in line]
    assert len(loud) == 1, log
    assert "CRITICAL" in loud[0]
    assert "Traceback" not in log
    assert not db.exists()  # nothing pretended the file was still there
    # The old file was still open when the loss was found: everything acknowledged was saved.
    rescued = [p for p in tmp_path.iterdir() if p.name.startswith("giftcord.db.rescued-")]
    assert len(rescued) == 1, list(tmp_path.iterdir())
    assert f"is saved in {rescued[0]}: stop giftcord, move that file to {db}" in loud[0]
    check = await run_cli("verify", env=bot_env(standin, rescued[0]), cwd=tmp_path)
    assert check.returncode == 0, str(check)
    assert "gifts: 1" in check.stdout  # the one acknowledged gift, none of the refused ones
    conn = sqlite3.connect(f"file:{rescued[0]}?mode=ro", uri=True)
    try:
        coins = conn.execute("SELECT coins FROM accounts WHERE user_id = ?", (ALICE,)).fetchone()
    finally:
        conn.close()
    assert coins == (999,)


# --- 6. two processes on one SQLite file ---------------------------------------------------------


async def test_a_second_bot_on_the_same_file_is_refused_and_the_first_keeps_working(
    standin: DiscordStandIn, tmp_path: Path
) -> None:
    db = tmp_path / "giftcord.db"
    env = await sync_and_seed(standin, db, tmp_path)
    first = await BotProcess.start(env, tmp_path)
    second: BotProcess | None = None
    restarted: BotProcess | None = None
    try:
        await first.wait_ready(standin)
        second = await BotProcess.start(env, tmp_path)
        assert await second.wait_exit() == 1, second.output
        assert giftcord_lines(second.output) == [lock_refusal(first, db)], second.output
        assert not alarming_lines(second.output), second.output
        assert len([s for s in standin.gateway.sessions_for(standin.app) if s.ws]) == 1

        # The first bot keeps serving, and the operator tools work beside it (no lock).
        gift = await gift_rose(standin)
        assert not gift.ephemeral, gift.describe()
        verify = await run_cli("verify", env=env, cwd=tmp_path)
        assert verify.returncode == 0, str(verify)
        assert "gifts: 1" in verify.stdout
        backup = await run_cli("backup", str(tmp_path / "copy.db"), env=env, cwd=tmp_path)
        assert backup.returncode == 0, str(backup)
        export = await run_cli("export", "--guild", str(GUILD_ID), env=env, cwd=tmp_path)
        assert export.returncode == 0, str(export)
        assert len(export.stdout.splitlines()) == 1 + 2 + 4  # header, the seed, the gift

        # The lock dies with its process: a SIGKILLed bot never blocks the restart.
        await first.kill()
        restarted = await BotProcess.start(env, tmp_path)
        await restarted.wait_ready(standin)
        assert await own_balance(standin, ALICE) == (999, 0)
        code, _ = await restarted.stop()
        assert code == 0, restarted.output
    finally:
        for proc in (first, second, restarted):
            if proc is not None:
                await proc.kill()


# --- 7. a read-only database at start-up ---------------------------------------------------------

PR_CAPBSET_DROP = 24  # <linux/prctl.h>
CAP_DAC_OVERRIDE = 1  # <linux/capability.h>


def unprivileged() -> Callable[[], None] | None:
    """The tests run as root, and root writes any file whatever its mode (CAP_DAC_OVERRIDE). So
    the bot process drops that one capability from its bounding set before exec: for a root
    process the permitted set after exec is the bounding set, so `python -m bot` then meets
    mode bits as the file's owner would — a chmod 444 file or a chmod 555 folder is read-only
    for it, exactly as for a non-root operator. (No `chattr +i` or read-only mount: those need
    CAP_LINUX_IMMUTABLE / CAP_SYS_ADMIN, which containers usually lack.) Not root: None, the
    mode bits already apply."""
    if os.geteuid() != 0:
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def drop() -> None:
        if libc.prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE) failed")

    return drop


@pytest.mark.parametrize("read_only", ["file", "folder"])
async def test_a_read_only_database_refuses_to_start_with_a_sentence(
    standin: DiscordStandIn, tmp_path: Path, read_only: str
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "giftcord.db"
    env = await sync_and_seed(standin, db, tmp_path)
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    if read_only == "file":
        db.chmod(0o444)
    else:
        Path(f"{db}.lock").unlink()  # a fresh folder: nothing giftcord needs exists there yet
        folder.chmod(0o555)
    drop = unprivileged()
    bot: BotProcess | None = None
    try:
        # The premise, checked: the bot's process really cannot write here.
        probe = (
            "import sys; open(sys.argv[1], 'r+b')"
            if read_only == "file"
            else ("import sys; open(sys.argv[1] + '.probe', 'wb')")
        )
        check = await asyncio.create_subprocess_exec(
            sys.executable, "-c", probe, str(db), preexec_fn=drop, stderr=asyncio.subprocess.PIPE
        )
        _, err = await check.communicate()
        assert check.returncode != 0
        assert b"PermissionError" in err, err

        bot = await BotProcess.start(env, tmp_path, preexec_fn=drop)
        assert await bot.wait_exit(timeout=20) == 1, bot.output
    finally:
        if bot is not None:
            await bot.kill()
        db.chmod(0o644)
        folder.chmod(0o755)
    lines = giftcord_lines(bot.output)
    assert len(lines) == 1, bot.output
    assert "read-only" in lines[0]
    assert str(db) in lines[0]
    assert "connected as" not in bot.output  # it never reported ready
    assert "Traceback" not in bot.output
    assert not standin.gateway.sessions_for(standin.app)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest  # nothing written
