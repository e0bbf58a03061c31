"""The real process, as an operator runs it: `python -m bot sync`, `python -m bot` (run),
signals, a restart on the same database, and the operator tools (verify, backup, export,
check-config) — all against the local Discord stand-in served by this test's event loop.
"""

from __future__ import annotations

import csv
import io
import signal
from pathlib import Path
from typing import Any

from bot.economy.config import EconomyConfig
from bot.economy.reads import GetAccount
from bot.sandbox.standin import ALICE, BOB, CAROL, GENERAL, GUILD_ID, MODERATOR, DiscordStandIn
from bot.storage import SqliteLedger
from tests.e2e.proc import SECRET_TOKEN, BotProcess, alarming_lines, bot_env, plain, run_cli

SYNC_ROUTE = "PUT /applications/{application_id}/guilds/{guild_id}/commands"


def buttons(result: Any) -> dict[str, str]:
    """label → custom_id of every button on the answer."""
    return {
        c.get("label"): c.get("custom_id")
        for row in result.components
        for c in row.get("components", [])
    }


def fields(result: Any) -> dict[str, str]:
    return {f["name"]: f["value"] for f in result.embeds[0].get("fields", [])}


def number(text: str) -> int:
    return int(text.replace(",", "").split()[0])


async def own_balance(standin: DiscordStandIn, user_id: int) -> tuple[int, int]:
    """(coins, diamonds) as the member reads them in `/balance`."""
    r = await standin.user(user_id).invoke("balance")
    assert r.ephemeral, r.describe()
    f = fields(r)
    return number(f["Coins"]), number(f["Diamonds"])


async def test_sync_run_gift_signals_restart_and_operator_tools(
    standin: DiscordStandIn, tmp_path: Path
) -> None:
    db = tmp_path / "giftcord.db"
    env = bot_env(standin, db)
    outputs: list[str] = []  # everything any giftcord process printed: the token must be in none

    # --- sync: the command tree reaches Discord through the real PUT ---------------------------
    sync = await run_cli("sync", "--guild", str(GUILD_ID), env=env, cwd=tmp_path)
    outputs.append(sync.output)
    assert sync.returncode == 0, str(sync)
    synced = {c["name"]: c for c in standin.synced_commands(guild_id=GUILD_ID)}
    assert {"gift", "coins", "balance", "mod", "help", "leaderboard"} <= set(synced)
    assert {o["name"] for o in synced["coins"]["options"]} >= {"buy", "packages"}
    assert f"synced {len(synced)} commands server {GUILD_ID}" in sync.stdout
    assert standin.route_counts[SYNC_ROUTE] == 1
    assert not alarming_lines(sync.output), sync.output

    # --- run: purchase with the 18+ button, a moderator grant, two gifts --------------------
    bot = await BotProcess.start(env, tmp_path)
    try:
        await bot.wait_ready(standin)
        alice = standin.user(ALICE)
        ask = await alice.invoke("coins buy", package=70)
        assert ask.ephemeral
        assert "18 or older" in ask.text
        press = await alice.click(ask.message, buttons(ask)["I am 18 or older"])
        assert "You bought 70 coins" in press.text, press.describe()

        grant = await standin.user(MODERATOR).invoke(
            "mod grant", member=CAROL, currency="coins", amount="1,500", reason="e2e seed"
        )
        assert grant.ephemeral
        assert "**1,500**" in grant.text, grant.describe()

        gift = await alice.invoke(
            "gift", member=BOB, gift="Rose", count=5, message="from a real process"
        )
        assert not gift.ephemeral, gift.describe()  # the public announcement
        assert "Rose ×5" in gift.embeds[0]["title"]
        assert fields(gift)["Coins"] == "5"
        assert fields(gift)["Diamonds"] == "5"
        assert gift.message in standin.messages(GENERAL)
        assert not (gift.allowed_mentions or {}).get("parse")  # announcements never ping

        perfume = await standin.user(CAROL).invoke("gift", member=BOB, gift="Perfume", count=2)
        assert not perfume.ephemeral, perfume.describe()
        assert "Perfume ×2" in perfume.embeds[0]["title"]

        assert await own_balance(standin, ALICE) == (65, 0)
        # `verify` is safe while the bot runs (it reads one snapshot)
        live = await run_cli("verify", env=env, cwd=tmp_path)
        outputs.append(live.output)
        assert live.returncode == 0, str(live)
        assert "OK" in live.stdout

        code, took = await bot.stop(signal.SIGTERM)
        assert code == 0, bot.output
        assert took < 10
    finally:
        await bot.kill()
        outputs.append(bot.output)
    assert not alarming_lines(bot.output), bot.output
    assert "stopping" in plain(bot.output)
    assert standin.route_counts[SYNC_ROUTE] == 1  # `run` never syncs the commands

    # --- restart on the same database: balances intact; SIGINT stops it cleanly -------------
    again = await BotProcess.start(env, tmp_path)
    try:
        await again.wait_ready(standin)
        assert await own_balance(standin, ALICE) == (65, 0)
        assert await own_balance(standin, BOB) == (0, 45)
        assert await own_balance(standin, CAROL) == (1460, 0)
        code, took = await again.stop(signal.SIGINT)
        assert code == 0, again.output
        assert took < 10
    finally:
        await again.kill()
        outputs.append(again.output)
    assert not alarming_lines(again.output), again.output
    assert standin.rejections == [], standin.rejections  # Discord refused nothing the bot sent

    # --- the database itself, opened by the ledger after the bot stopped ---------------------
    ledger = await SqliteLedger.open(db, EconomyConfig())
    try:
        alice_acc = await ledger.run(GetAccount(GUILD_ID, ALICE))
        bob_acc = await ledger.run(GetAccount(GUILD_ID, BOB))
        carol_acc = await ledger.run(GetAccount(GUILD_ID, CAROL))
        report = await ledger.verify()
    finally:
        await ledger.close()
    assert (alice_acc.coins, alice_acc.diamonds, alice_acc.gifts_sent) == (65, 0, 1)
    assert (bob_acc.coins, bob_acc.diamonds, bob_acc.lifetime_diamonds) == (0, 45, 45)
    assert (carol_acc.coins, carol_acc.coins_spent) == (1460, 40)
    assert report.ok, report.violations

    # --- operator tools ---------------------------------------------------------------------
    verify = await run_cli("verify", env=env, cwd=tmp_path)
    outputs.append(verify.output)
    assert verify.returncode == 0, str(verify)
    assert "verify: OK" in verify.stdout

    copy = tmp_path / "backups" / "giftcord-copy.db"
    copy.parent.mkdir()
    backup = await run_cli("backup", str(copy), env=env, cwd=tmp_path)
    outputs.append(backup.output)
    assert backup.returncode == 0, str(backup)
    assert copy.is_file()
    assert copy.stat().st_size > 0
    verify_copy = await run_cli("verify", env=bot_env(standin, copy), cwd=tmp_path)
    outputs.append(verify_copy.output)
    assert verify_copy.returncode == 0, str(verify_copy)
    assert "verify: OK" in verify_copy.stdout
    assert "gifts: 2" in verify_copy.stdout

    export = await run_cli("export", "--guild", str(GUILD_ID), env=env, cwd=tmp_path)
    outputs.append(export.output)
    assert export.returncode == 0, str(export)
    rows = list(csv.DictReader(io.StringIO(export.stdout)))
    header = export.stdout.splitlines()[0].split(",")
    assert {"txn_id", "kind", "account", "currency", "amount"} <= set(header)
    # purchase + grant: 2 entries each; each gift: 4 (both currencies, both sides)
    assert len(rows) == 2 + 2 + 4 * 2
    assert {r["kind"] for r in rows} == {"purchase", "grant", "gift"}
    member_coins = sum(int(r["amount"]) for r in rows if r["account"] == str(ALICE))
    assert member_coins == 65
    assert sum(int(r["amount"]) for r in rows) == 0  # double entry, both currencies

    config = await run_cli("check-config", env=env, cwd=tmp_path)
    outputs.append(config.output)
    assert config.returncode == 0, str(config)
    assert "set (hidden)" in config.stdout

    for text in outputs:
        assert SECRET_TOKEN not in text
        assert SECRET_TOKEN.split(".")[1] not in text  # nor a recognisable part of it
