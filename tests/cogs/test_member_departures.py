"""A member who leaves keeps their ledger; leaderboards hide them until they come back."""

from __future__ import annotations

from typing import Any

from bot.economy.ledger import AdjustMode, Currency
from bot.economy.reads import GetAccount, GetHistory
from bot.economy.requests import Adjust
from bot.sandbox.standin.ids import ALICE, BOB, CAROL, GUILD_ID, OWNER


async def test_a_departed_member_is_hidden_from_leaderboards_but_keeps_the_ledger(
    harness: Any,
) -> None:
    await harness.ledger.run(
        Adjust(
            GUILD_ID,
            ALICE,
            key="seed",
            actor_id=OWNER,
            currency=Currency.COINS,
            mode=AdjustMode.GRANT,
            amount=100,
            reason="seed",
        )
    )
    alice = harness.user(ALICE)
    await alice.invoke("gift", member=BOB, gift="Perfume")  # 20 diamonds
    await alice.invoke("gift", member=CAROL, gift="Rosa")  # 10 diamonds

    board = await alice.invoke("leaderboard", board="creators", period="all")
    assert f"<@{BOB}>" in board.text
    assert f"<@{CAROL}>" in board.text
    assert not board.allowed_mentions.get("parse")  # a board never pings

    await harness.standin.remove_member(BOB)

    async def departed() -> bool:
        return (await harness.ledger.run(GetAccount(GUILD_ID, BOB))).departed

    await harness.wait_until(departed)
    board = await alice.invoke("leaderboard", board="creators", period="all")
    assert f"<@{BOB}>" not in board.text
    assert f"<@{CAROL}>" in board.text
    account = await harness.ledger.run(GetAccount(GUILD_ID, BOB))
    assert (account.diamonds, account.lifetime_diamonds) == (20, 20)  # the ledger is kept
    assert (await harness.ledger.run(GetHistory(GUILD_ID, BOB))).total >= 1

    await harness.standin.add_member(BOB)

    async def back() -> bool:
        return not (await harness.ledger.run(GetAccount(GUILD_ID, BOB))).departed

    await harness.wait_until(back)
    board = await alice.invoke("leaderboard", board="creators", period="all")
    assert f"<@{BOB}>" in board.text
