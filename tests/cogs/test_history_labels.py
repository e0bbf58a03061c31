"""One label per transaction kind: `/history`, `/mod history` and `/mod audit` name every kind the
ledger writes the same way, and every kind they can meet has a label."""

from __future__ import annotations

from typing import Any

from bot.economy.kinds import TxnKind
from bot.economy.ledger import AdjustMode, Currency, PayoutMethod
from bot.economy.reads import GetAudit, GetHistory
from bot.economy.requests import (
    Adjust,
    ConfirmAge,
    DecideCashout,
    DropTreasure,
    EndBattle,
    EndEvent,
    EndLive,
    ExchangeDiamonds,
    GrantMany,
    OpenTreasure,
    Purchase,
    RegisterCreator,
    RequestCashout,
    SendGift,
    SetFrozen,
    SetLevelRole,
    SettleTreasure,
    StartBattle,
    StartEvent,
    StartLive,
)
from bot.sandbox.standin.ids import ALICE, BOB, CAROL, GUILD_ID, MODERATOR
from bot.ui.labels import TXN_LABELS, txn_label

G = GUILD_ID


def test_every_kind_has_exactly_one_label() -> None:
    assert set(TXN_LABELS) == set(TxnKind)
    assert len(set(TXN_LABELS.values())) == len(TXN_LABELS)  # no two kinds read alike
    assert txn_label("purchase") == "Bought coins"  # the stored string finds its label
    assert txn_label("some_future_kind") == "Some future kind"  # unknown: readable, no error


async def _every_kind(harness: Any) -> None:
    """Drive the ledger through every kind of transaction it writes, for ALICE where it can."""
    led, n = harness.ledger, iter(range(1_000))

    def key() -> str:
        return f"labels-{next(n)}"

    await led.run(ConfirmAge(G, ALICE))
    await led.run(Purchase(G, ALICE, key=key(), coins=700, package=True))
    await led.run(
        SendGift(G, ALICE, BOB, key=key(), gift_name="Rose", count=1, recipient_is_bot=False)
    )
    await led.run(
        SendGift(G, BOB, ALICE, key=key(), gift_name="Rose", count=1, recipient_is_bot=False)
    )
    for mode in AdjustMode:
        await led.run(Adjust(
            G, ALICE, key=key(), actor_id=MODERATOR, currency=Currency.DIAMONDS,
            mode=mode, amount=40_000, reason=f"{mode}",
        ))  # fmt: skip
    await led.run(
        GrantMany(
            G, [ALICE], key=key(), actor_id=MODERATOR, currency=Currency.COINS, amount=5, reason="r"
        )
    )
    await led.run(RegisterCreator(G, ALICE, country="US", method=PayoutMethod.PAYPAL))
    for approve in (True, False):
        payout = await led.run(
            RequestCashout(G, ALICE, key=key(), diamonds=20_000, method=PayoutMethod.PAYPAL)
        )
        await led.run(
            DecideCashout(G, payout.id, key=key(), actor_id=MODERATOR, approve=approve, reason="r")
        )
    await led.run(ExchangeDiamonds(G, ALICE, key=key(), diamonds=10))
    for frozen in (True, False):
        await led.run(SetFrozen(G, ALICE, key=key(), actor_id=MODERATOR, frozen=frozen, reason="r"))
    event = await led.run(StartEvent(
        G, key=key(), actor_id=MODERATOR, name="Party", minutes=30, goal=None,
        bonus_percent=0, channel_id=None,
    ))  # fmt: skip
    await led.run(EndEvent(G, event.id, actor_id=MODERATOR))
    live = await led.run(StartLive(G, BOB, key=key(), title=None, channel_id=None, max_hours=1))
    await led.run(EndLive(G, live.id, ended_by=MODERATOR))  # a moderator's end is audited
    await led.run(SetLevelRole(G, key(), MODERATOR, 5, 1234))
    # Treasure boxes: ALICE's own comes back to her (nobody opened it); BOB's is split to her.
    mine = await led.run(DropTreasure(G, ALICE, key(), 10, 1, 1, channel_id=None))
    bobs = await led.run(DropTreasure(G, BOB, key(), 10, 1, 1, channel_id=None))
    await led.run(OpenTreasure(G, bobs.id, ALICE, key(), daily_limit=20))
    harness.clock.advance(61)
    for box in (mine, bobs):
        await led.run(SettleTreasure(G, box.id, seed=1))
    # A LIVE Match: ALICE challenges CAROL (both LIVE); it ends by time.
    for uid in (ALICE, CAROL):
        await led.run(StartLive(G, uid, key=key(), title=None, channel_id=None, max_hours=1))
    battle = await led.run(StartBattle(G, ALICE, CAROL, key(), 1, None, None))
    harness.clock.advance(61)
    await led.run(EndBattle(G, battle.id))


async def test_history_and_mod_history_use_the_same_labels(harness: Any) -> None:
    await harness.grant(BOB, 100)
    await _every_kind(harness)
    history = (await harness.ledger.run(GetHistory(G, ALICE, per_page=100))).items
    audit = (await harness.ledger.run(GetAudit(G, per_page=100))).items
    seen = {e.kind for e in history} | {e.kind for e in audit}
    # Every kind storage writes is a TxnKind; only the stored `gift` never reaches a screen
    # (history shows it from each side), nor does going LIVE (no money moves, no moderator).
    assert seen <= set(TxnKind)
    # Opening a treasure box moves no money either: it is a key, not a ledger entry.
    # Nor does a LIVE Match's start or end (no money moves, no moderator acts).
    hidden = {TxnKind.BATTLE_START, TxnKind.BATTLE_END}
    assert seen == set(TxnKind) - {TxnKind.GIFT, TxnKind.LIVE_START, TxnKind.TREASURE_OPEN} - hidden

    for page in (1, 2):  # every entry of ALICE's fits on two pages of each screen
        entries = (await harness.ledger.run(GetHistory(G, ALICE, page=page))).items
        screens = [
            await harness.user(ALICE).invoke("history", page=page),
            await harness.user(MODERATOR).invoke("history", member=ALICE, page=page),
            await harness.user(MODERATOR).invoke("mod history", member=ALICE, page=page),
        ]
        for kind in {e.kind for e in entries}:
            for screen in screens:
                assert TXN_LABELS[TxnKind(kind)] in screen.text, (kind, page)
        actions = (await harness.ledger.run(GetAudit(G, page=page))).items
        mod_audit = await harness.user(MODERATOR).invoke("mod audit", page=page)
        for kind in {e.kind for e in actions}:
            assert TXN_LABELS[TxnKind(kind)] in mod_audit.text, (kind, page)
        texts = " ".join(screen.text for screen in [*screens, mod_audit])
        for old in ("Coin purchase", "Cash-out rejected (returned)"):  # the other wordings
            assert old not in texts
