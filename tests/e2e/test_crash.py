"""Crash safety of the real process: a storm of concurrent `/gift`s through the stand-in, the bot
SIGKILLed mid-storm (three seeds, three kill points), then `python -m bot verify` on the crashed
files, every acknowledged gift looked up in the ledger, balances checked against the model, and a
restart that serves the same balances.

"Acknowledged" = the bot's announcement reached the stand-in (an accepted interaction callback):
the promise is that such a reply is only ever sent after the commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import signal
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.economy.config import EconomyConfig
from bot.economy.ledger import AdjustMode, Currency
from bot.economy.requests import Adjust
from bot.sandbox.standin import (
    ALICE,
    BOB,
    CAROL,
    GUILD_ID,
    OWNER,
    DiscordStandIn,
    InteractionResult,
    StandInError,
)
from bot.storage import SqliteLedger
from tests.e2e.proc import SECRET_TOKEN, BotProcess, alarming_lines, bot_env, run_cli

START_COINS = 2_000
GIFT = "Heart Me"  # 1 coin and not streakable: every gift gets its own public announcement
WORKERS = 16  # gifts in flight at any moment


@dataclass
class Sent:
    result: InteractionResult
    sender: int
    recipient: int
    coins: int

    @property
    def acknowledged(self) -> bool:
        return self.result.acknowledged


async def seed(db: Path, members: list[int]) -> None:
    """Coins for every sender, written by the ledger before the bot first starts."""
    ledger = await SqliteLedger.open(db, EconomyConfig())
    try:
        for uid in members:
            await ledger.run(
                Adjust(
                    GUILD_ID,
                    uid,
                    key=f"crash-seed-{uid}",
                    actor_id=OWNER,
                    currency=Currency.COINS,
                    mode=AdjustMode.GRANT,
                    amount=START_COINS,
                    reason="crash test seed",
                )
            )
    finally:
        await ledger.close()


async def seeded(
    standin: DiscordStandIn, tmp_path: Path, members: list[int]
) -> tuple[Path, dict[str, str]]:
    """A SQLite file with coins for `members`, the commands synced: (its path, the bot's env)."""
    db = tmp_path / "giftcord.db"
    env = bot_env(standin, db)
    await seed(db, members)
    sync = await run_cli("sync", "--guild", str(GUILD_ID), env=env, cwd=tmp_path)
    assert sync.returncode == 0, str(sync)
    return db, env


async def storm(
    standin: DiscordStandIn, bot: BotProcess, members: list[int], kill_after: int, seed_: int
) -> list[Sent]:
    """Gifts from `WORKERS` concurrent senders until `kill_after` are acknowledged, then SIGKILL
    with the rest still in flight."""
    rng = random.Random(seed_)
    sent: list[Sent] = []
    acked = 0
    failures: list[str] = []

    async def worker() -> None:
        nonlocal acked
        while True:
            sender, recipient = rng.sample(members, 2)
            count = rng.randint(1, 5)
            r = standin.user(sender).prepare("gift", member=recipient, gift=GIFT, count=count)
            sent.append(Sent(r, sender, recipient, count))
            try:
                await standin.deliver(r, timeout=20)
            except StandInError as exc:  # before the kill, every gift must be answered
                failures.append(f"{exc}: {r.describe()}")
                return
            acked += 1

    workers = [asyncio.create_task(worker()) for _ in range(WORKERS)]
    try:
        await standin.wait_until(
            lambda: acked >= kill_after or failures or bot.returncode is not None,
            timeout=60,
            what=f"{kill_after} acknowledged gifts",
        )
        await bot.kill()  # SIGKILL, mid-storm
    finally:
        for task in workers:
            task.cancel()
        for task in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert not failures, failures[:3]
    return sent


def read_back(db: Path) -> tuple[dict[int, tuple[int, int, int, int]], dict[int, tuple[int, int]]]:
    """(gift txns by interaction id → (sender, recipient, coins, diamonds), balances by member),
    read with a read-only connection."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        gifts = {
            int(key): (sender, recipient, coins, diamonds)
            for key, sender, recipient, coins, diamonds in conn.execute(
                "SELECT idem_key, subject_id, counterparty_id, amount, diamonds FROM txns "
                "WHERE guild_id = ? AND kind = 'gift'",
                (GUILD_ID,),
            )
        }
        balances = {
            uid: (coins, diamonds)
            for uid, coins, diamonds in conn.execute(
                "SELECT user_id, coins, diamonds FROM accounts WHERE guild_id = ?", (GUILD_ID,)
            )
        }
    finally:
        conn.close()
    return gifts, balances


@pytest.mark.parametrize(("seed_", "kill_after"), [(1, 50), (2, 200), (3, 400)])
async def test_sigkill_mid_storm_loses_nothing_acknowledged(
    standin: DiscordStandIn, tmp_path: Path, seed_: int, kill_after: int
) -> None:
    extra = [m.user.id for m in standin.add_members(9, prefix="gifter")]
    members = [ALICE, BOB, CAROL, *extra]
    db, env = await seeded(standin, tmp_path, members)

    bot = await BotProcess.start(env, tmp_path)
    try:
        await bot.wait_ready(standin)
        sent = await storm(standin, bot, members, kill_after, seed_)
    finally:
        await bot.kill()
    assert bot.returncode == -signal.SIGKILL, bot.output  # it was running until the kill
    assert not alarming_lines(bot.output), bot.output

    acknowledged = [s for s in sent if s.acknowledged]
    assert len(acknowledged) >= kill_after
    for s in acknowledged:  # every acknowledgement was the announcement, nothing else
        assert not s.result.ephemeral, s.result.describe()
        assert GIFT in s.result.text, s.result.describe()

    # `verify` on the files exactly as the crash left them (WAL and all)
    verify = await run_cli("verify", env=env, cwd=tmp_path)
    assert verify.returncode == 0, str(verify)
    assert "verify: OK" in verify.stdout
    assert SECRET_TOKEN not in verify.output + bot.output

    gifts, balances = read_back(db)
    by_id = {s.result.id: s for s in sent}
    missing = [s.result.id for s in acknowledged if s.result.id not in gifts]
    assert not missing, f"{len(missing)} acknowledged gifts are not in the ledger: {missing[:5]}"
    assert set(gifts) <= set(by_id), "the ledger holds gifts nobody sent"
    for iid, (sender, recipient, coins, diamonds) in gifts.items():
        s = by_id[iid]
        assert (sender, recipient, coins, diamonds) == (s.sender, s.recipient, s.coins, s.coins)

    # the model: committed = acknowledged + some of the in-flight ones, never anything else
    committed = [by_id[iid] for iid in gifts]
    spent_committed, received_committed, spent_acked = Counter(), Counter(), Counter()
    for s in committed:
        spent_committed[s.sender] += s.coins
        received_committed[s.recipient] += s.coins
    for s in acknowledged:
        spent_acked[s.sender] += s.coins
    in_flight = len(sent) - len(acknowledged)
    assert len(acknowledged) <= len(committed) <= len(acknowledged) + in_flight
    for uid in members:
        coins, diamonds = balances.get(uid, (0, 0))
        assert coins == START_COINS - spent_committed[uid], uid
        assert coins <= START_COINS - spent_acked[uid], uid
        assert diamonds == received_committed[uid], uid

    # restart on the crashed database: it serves the same balances and takes new gifts
    again = await BotProcess.start(env, tmp_path)
    try:
        await again.wait_ready(standin)
        sender, recipient = members[seed_], members[seed_ + 1]
        r = await standin.user(sender).invoke("balance")
        coins_field = next(f["value"] for f in r.embeds[0]["fields"] if f["name"] == "Coins")
        assert int(coins_field.replace(",", "")) == balances[sender][0]
        after = await standin.user(sender).invoke("gift", member=recipient, gift=GIFT, count=3)
        assert not after.ephemeral, after.describe()
        code, _ = await again.stop(signal.SIGTERM)
        assert code == 0, again.output
    finally:
        await again.kill()
    assert not alarming_lines(again.output), again.output
    _, final = read_back(db)
    assert final[sender][0] == balances[sender][0] - 3
    assert final[recipient][1] == balances[recipient][1] + 3
