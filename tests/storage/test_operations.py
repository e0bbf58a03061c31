"""The contract of every write operation, and that each refusal changes nothing."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from bot.economy import errors as E
from bot.economy.config import EconomyConfig
from bot.economy.ledger import AdjustMode, Board, Currency, PayoutMethod, PayoutState, Period
from bot.economy.reads import (
    CashoutRequestedToday,
    DueEvents,
    ExportRows,
    GetAccount,
    GetAudit,
    GetCashout,
    GetGuildSettings,
    GetLeaderboard,
    GetLiveEvent,
    ListCashouts,
    ListEvents,
    SpentToday,
)
from bot.economy.requests import (
    Adjust,
    ConfirmAge,
    DecideCashout,
    EndEvent,
    GrantMany,
    Purchase,
    RegisterCreator,
    RequestCashout,
    SendGift,
    SetEventMessage,
    SetFrozen,
    StartEvent,
    UpdateGuildSettings,
)
from bot.storage import SqliteLedger
from tests.storage.conftest import GUILD, MOD, FakeClock, fund, key, open_backend

A, B, C = 10, 11, 12


async def snapshot(store: SqliteLedger) -> dict[str, Any]:
    """Everything a refusal must leave untouched, read through the port (so the same check
    holds on every backend): every ledger entry, the members' accounts, the boards, the
    cash-outs, the events and the audit log."""
    return {
        "entries": await store.run(ExportRows(GUILD)),
        "accounts": [await store.run(GetAccount(GUILD, u)) for u in (A, B, C)],
        "boards": [
            await store.run(GetLeaderboard(GUILD, board, period))
            for board in Board
            for period in (Period.TODAY, Period.ALL)
        ],
        "cashouts": await store.run(ListCashouts(GUILD)),
        "events": await store.run(ListEvents(GUILD)),
        "audit": await store.run(GetAudit(GUILD)),
    }


# --- purchase -------------------------------------------------------------------------------


async def test_purchase_needs_age_confirmation_then_mints(ledger: SqliteLedger) -> None:
    with pytest.raises(E.AgeConfirmationRequired):
        await ledger.run(Purchase(GUILD, A, key=key(), coins=700, package=True))
    await ledger.run(ConfirmAge(GUILD, A))
    res = await ledger.run(Purchase(GUILD, A, key=key(), coins=700, package=True))
    assert (res.coins, res.bonus_coins, res.usd, res.balance) == (700, 0, Decimal("9.99"), 700)
    assert res.remaining_today_usd == Decimal("240.01")
    custom = await ledger.run(Purchase(GUILD, A, key=key(), coins=1000, package=False))
    assert custom.usd == Decimal("10.8")
    assert custom.balance == 1700
    assert (await ledger.run(SpentToday(GUILD, A))) == Decimal("20.79")
    assert (await ledger.verify()).ok


@pytest.mark.parametrize(
    ("coins", "package"), [(71, True), (0, True), (29, False), (100_001, False), (-5, False)]
)
async def test_purchase_refuses_bad_amounts(
    ledger: SqliteLedger, coins: int, package: bool
) -> None:
    await ledger.run(ConfirmAge(GUILD, A))
    before = await snapshot(ledger)
    with pytest.raises(E.InvalidAmount):
        await ledger.run(Purchase(GUILD, A, key=key(), coins=coins, package=package))
    assert await snapshot(ledger) == before


async def test_daily_spend_cap_resets_at_midnight_utc(
    ledger: SqliteLedger, clock: FakeClock
) -> None:
    await ledger.run(ConfirmAge(GUILD, A))
    await ledger.run(Purchase(GUILD, A, key=key(), coins=17500, package=True))  # 249.99
    before = await snapshot(ledger)
    with pytest.raises(E.DailyCapReached) as info:
        await ledger.run(Purchase(GUILD, A, key=key(), coins=70, package=True))
    assert "$0.01" in info.value.message
    assert info.value.resets_at.timestamp() == 1741219200  # 2025-03-06 00:00 UTC
    assert await snapshot(ledger) == before
    clock.now = info.value.resets_at.timestamp() - 1
    with pytest.raises(E.DailyCapReached):
        await ledger.run(Purchase(GUILD, A, key=key(), coins=70, package=True))
    clock.now = info.value.resets_at.timestamp()
    res = await ledger.run(Purchase(GUILD, A, key=key(), coins=70, package=True))
    assert res.balance == 17570
    assert res.remaining_today_usd == Decimal("249.01")


async def test_purchase_balance_limit(tmp_path: Any, clock: FakeClock, backend: str) -> None:
    # The smallest maximum TikTok's default packages, custom range and gifts all fit under.
    cfg = EconomyConfig(max_balance=100_000)
    store = await open_backend(backend, tmp_path / "m.db", cfg, clock)
    try:
        await store.run(ConfirmAge(GUILD, A))
        await fund(store, A, 99_000)
        await store.run(Purchase(GUILD, A, key=key(), coins=700, package=True))
        with pytest.raises(E.BalanceLimit):
            await store.run(Purchase(GUILD, A, key=key(), coins=350, package=True))
        assert (await store.run(GetAccount(GUILD, A))).coins == 99_700
    finally:
        await store.close()


async def test_event_bonus_is_minted_on_purchase(ledger: SqliteLedger) -> None:
    await ledger.run(ConfirmAge(GUILD, A))
    ev = await ledger.run(
        StartEvent(
            GUILD,
            key=key(),
            actor_id=MOD,
            name="Fest",
            minutes=60,
            goal=None,
            bonus_percent=15,
            channel_id=None,
        )
    )
    res = await ledger.run(Purchase(GUILD, A, key=key(), coins=70, package=True))
    assert (res.bonus_coins, res.balance, res.event_id) == (10, 80, ev.id)  # 10.5 rounds down
    assert (await ledger.verify()).ok


# --- gift -----------------------------------------------------------------------------------


async def test_gift_moves_coins_to_diamonds(ledger: SqliteLedger) -> None:
    await fund(ledger, A, 1000)
    res = await ledger.run(SendGift(GUILD, A, B, key=key(), gift_name="rose", count=5))
    assert (res.gift_name, res.coins, res.diamonds) == ("Rose", 5, 5)
    assert (res.sender_coins, res.recipient_diamonds, res.event_id) == (995, 5, None)
    a, b = await ledger.run(GetAccount(GUILD, A)), await ledger.run(GetAccount(GUILD, B))
    assert (a.coins, a.coins_spent, a.gifts_sent) == (995, 5, 1)
    assert (b.diamonds, b.lifetime_diamonds) == (5, 5)
    assert (await ledger.verify()).ok


async def test_gift_rounds_diamonds_down_with_stored_ratio(
    tmp_path: Any, clock: FakeClock, backend: str
) -> None:
    store = await open_backend(
        backend, tmp_path / "r.db", EconomyConfig(diamonds_per_coin=Decimal("0.5")), clock
    )
    try:
        await fund(store, A, 100)
        res = await store.run(SendGift(GUILD, A, B, key=key(), gift_name="Rose", count=3))
        assert (res.coins, res.diamonds) == (3, 1)  # 1.5 → 1
        assert (await store.verify()).ok
    finally:
        await store.close()
    # The ratio is stored with the gift: verify recomputes 1 diamond even when the server
    # now runs at another ratio.
    store = await open_backend(
        backend,
        tmp_path / "r.db",
        EconomyConfig(diamonds_per_coin=Decimal("2")),
        clock,
        fresh=False,
    )
    try:
        assert (await store.verify()).ok
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("setup", "kwargs", "error"),
    [
        ("", {"gift_name": "Rose", "count": 0}, E.InvalidInput),
        ("", {"gift_name": "Rose", "count": 100}, E.InvalidInput),
        ("", {"gift_name": "Rosse", "count": 1}, E.UnknownGift),
        ("", {"recipient_id": A}, E.SelfGift),
        ("", {"recipient_is_bot": True}, E.BotRecipient),
        ("freeze_sender", {}, E.AccountFrozen),
        ("freeze_recipient", {}, E.AccountFrozen),
        ("", {"gift_name": "TikTok Universe", "count": 1}, E.InsufficientCoins),
        ("recipient_full", {}, E.BalanceLimit),
    ],
)
async def test_gift_refusals_change_nothing(
    ledger: SqliteLedger, setup: str, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    await fund(ledger, A, 1000)
    await fund(ledger, B, 1, Currency.DIAMONDS)
    if setup == "freeze_sender":
        await ledger.run(SetFrozen(GUILD, A, key=key(), actor_id=MOD, frozen=True, reason="abuse"))
    if setup == "freeze_recipient":
        await ledger.run(SetFrozen(GUILD, B, key=key(), actor_id=MOD, frozen=True, reason="abuse"))
    if setup == "recipient_full":
        await ledger.run(
            Adjust(
                GUILD,
                B,
                key=key(),
                actor_id=MOD,
                currency=Currency.DIAMONDS,
                mode=AdjustMode.SET,
                amount=10**12,
                reason="full",
            )
        )
    before = await snapshot(ledger)
    args: dict[str, Any] = {"recipient_id": B, "gift_name": "Rose", "count": 1} | kwargs
    with pytest.raises(error) as info:
        await ledger.run(SendGift(GUILD, A, args.pop("recipient_id"), key=key(), **args))
    assert await snapshot(ledger) == before
    if setup.startswith("freeze"):
        assert info.value.own is (setup == "freeze_sender")  # type: ignore[attr-defined]
    if error is E.UnknownGift:
        assert "Rose" in info.value.suggestions  # type: ignore[attr-defined]


async def test_insufficient_coins_says_how_many_are_missing(ledger: SqliteLedger) -> None:
    await fund(ledger, A, 3)
    with pytest.raises(E.InsufficientCoins) as info:
        await ledger.run(SendGift(GUILD, A, B, key=key(), gift_name="Rose", count=5))
    assert (info.value.have, info.value.need, info.value.missing) == (3, 5, 2)


async def test_replayed_gift_returns_first_result_even_when_broke(ledger: SqliteLedger) -> None:
    await fund(ledger, A, 5)
    k = key()
    first = await ledger.run(SendGift(GUILD, A, B, key=k, gift_name="Rose", count=5))
    again = await ledger.run(SendGift(GUILD, A, B, key=k, gift_name="Rose", count=5))
    assert again.replayed
    assert dataclasses.replace(again, replayed=False) == first
    assert (await ledger.run(GetAccount(GUILD, A))).coins == 0
    assert (await ledger.run(GetAccount(GUILD, B))).diamonds == 5


# --- adjust, grant_many, freeze ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "mode", "amount", "before", "after"),
    [
        (Currency.COINS, AdjustMode.GRANT, 50, 100, 150),
        (Currency.COINS, AdjustMode.REVOKE, 100, 100, 0),
        (Currency.COINS, AdjustMode.SET, 0, 100, 0),
        (Currency.DIAMONDS, AdjustMode.SET, 7, 100, 7),
        (Currency.DIAMONDS, AdjustMode.GRANT, 1, 100, 101),
    ],
)
async def test_adjust_records_before_and_after(
    ledger: SqliteLedger, currency: Currency, mode: AdjustMode, amount: int, before: int, after: int
) -> None:
    await fund(ledger, A, 100, currency)
    res = await ledger.run(
        Adjust(
            GUILD,
            A,
            key=key(),
            actor_id=MOD,
            currency=currency,
            mode=mode,
            amount=amount,
            reason="because",
        )
    )
    assert (res.before, res.after) == (before, after)
    acct = await ledger.run(GetAccount(GUILD, A))
    assert getattr(acct, currency.value) == after
    top = (await ledger.run(GetAudit(GUILD))).items[0]
    assert (top.kind, top.actor_id, top.member_id, top.before, top.after, top.reason) == (
        mode.value,
        MOD,
        A,
        before,
        after,
        "because",
    )
    assert (await ledger.verify()).ok


@pytest.mark.parametrize(
    ("currency", "mode", "amount", "reason", "error"),
    [
        (Currency.COINS, AdjustMode.REVOKE, 101, "r", E.InsufficientCoins),
        (Currency.DIAMONDS, AdjustMode.REVOKE, 1, "r", E.InsufficientDiamonds),
        (Currency.COINS, AdjustMode.GRANT, 0, "r", E.InvalidAmount),
        (Currency.COINS, AdjustMode.GRANT, -1, "r", E.InvalidAmount),
        (Currency.COINS, AdjustMode.GRANT, 10**12, "r", E.BalanceLimit),
        (Currency.COINS, AdjustMode.GRANT, 1, "  ", E.InvalidInput),
    ],
)
async def test_adjust_refusals_change_nothing(
    ledger: SqliteLedger,
    currency: Currency,
    mode: AdjustMode,
    amount: int,
    reason: str,
    error: type[Exception],
) -> None:
    await fund(ledger, A, 100)
    before = await snapshot(ledger)
    with pytest.raises(error):
        await ledger.run(
            Adjust(
                GUILD,
                A,
                key=key(),
                actor_id=MOD,
                currency=currency,
                mode=mode,
                amount=amount,
                reason=reason,
            )
        )
    assert await snapshot(ledger) == before


async def test_grant_many_skips_frozen_and_is_one_txn(ledger: SqliteLedger) -> None:
    await ledger.run(SetFrozen(GUILD, C, key=key(), actor_id=MOD, frozen=True, reason="x"))
    res = await ledger.run(
        GrantMany(
            GUILD,
            [A, B, C, A],
            key=key(),
            actor_id=MOD,
            currency=Currency.COINS,
            amount=25,
            reason="event prize",
        )
    )
    assert (res.members, res.skipped, res.amount) == (2, 1, 25)
    assert [(await ledger.run(GetAccount(GUILD, u))).coins for u in (A, B, C)] == [25, 25, 0]
    grants = [r for r in await ledger.run(ExportRows(GUILD)) if r["kind"] == "bulk_grant"]
    assert len({r["txn_id"] for r in grants}) == 1  # one transaction for the whole role
    assert (await ledger.verify()).ok


async def test_freeze_and_unfreeze_are_audited(ledger: SqliteLedger) -> None:
    r1 = await ledger.run(SetFrozen(GUILD, A, key=key(), actor_id=MOD, frozen=True, reason="spam"))
    r2 = await ledger.run(SetFrozen(GUILD, A, key=key(), actor_id=MOD, frozen=True, reason="again"))
    r3 = await ledger.run(SetFrozen(GUILD, A, key=key(), actor_id=MOD, frozen=False, reason="ok"))
    assert (r1.changed, r2.changed, r3.changed) == (True, False, True)
    assert not (await ledger.run(GetAccount(GUILD, A))).frozen
    kinds = [e.kind for e in (await ledger.run(GetAudit(GUILD, member_id=A))).items]
    assert kinds == ["unfreeze", "freeze", "freeze"]


# --- creators and cash-out ------------------------------------------------------------------


async def make_creator(store: SqliteLedger, user: int, diamonds: int) -> None:
    await store.run(ConfirmAge(GUILD, user))
    await store.run(RegisterCreator(GUILD, user, country="us", method=PayoutMethod.PAYPAL))
    await fund(store, user, diamonds, Currency.DIAMONDS)


@pytest.mark.parametrize("country", ["USA", "U1", "", "XX"])
async def test_register_creator_validates_country(ledger: SqliteLedger, country: str) -> None:
    with pytest.raises(E.InvalidInput):
        await ledger.run(RegisterCreator(GUILD, A, country=country, method=PayoutMethod.BANK))
    acct = await ledger.run(RegisterCreator(GUILD, A, country=" de ", method=PayoutMethod.BANK))
    assert (acct.country, acct.payout_method) == ("DE", "bank")


async def test_cashout_request_approve_and_reject(ledger: SqliteLedger) -> None:
    await make_creator(ledger, A, 100_000)
    p1 = await ledger.run(
        RequestCashout(GUILD, A, key=key(), diamonds=20_001, method=PayoutMethod.BANK)
    )
    assert (p1.usd, p1.state, p1.method) == (Decimal("100.00"), PayoutState.PENDING, "bank")
    assert (await ledger.run(GetAccount(GUILD, A))).diamonds == 79_999
    approved = await ledger.run(
        DecideCashout(GUILD, p1.id, key=key(), actor_id=MOD, approve=True, reason="")
    )
    assert approved.state is PayoutState.APPROVED
    assert approved.decided_by == MOD
    p2 = await ledger.run(
        RequestCashout(GUILD, A, key=key(), diamonds=30_000, method=PayoutMethod.PAYPAL)
    )
    rejected = await ledger.run(
        DecideCashout(GUILD, p2.id, key=key(), actor_id=MOD, approve=False, reason="docs")
    )
    assert rejected.state is PayoutState.REJECTED
    assert (await ledger.run(GetAccount(GUILD, A))).diamonds == 79_999
    assert (await ledger.run(CashoutRequestedToday(GUILD, A))) == Decimal("100.00")
    with pytest.raises(E.InvalidState):
        await ledger.run(
            DecideCashout(GUILD, p2.id, key=key(), actor_id=MOD, approve=True, reason="")
        )
    with pytest.raises(E.NotFound):
        await ledger.run(
            DecideCashout(GUILD, 999, key=key(), actor_id=MOD, approve=True, reason="")
        )
    page = await ledger.run(ListCashouts(GUILD, user_id=A))
    assert [p.state for p in page.items] == [PayoutState.REJECTED, PayoutState.APPROVED]
    assert await ledger.run(GetCashout(GUILD, p2.id)) == page.items[0]
    assert await ledger.run(GetCashout(GUILD, 999)) is None
    assert (
        await ledger.run(GetCashout(GUILD + 1, p2.id)) is None
    )  # another server's request is not ours
    assert [e.kind for e in (await ledger.run(GetAudit(GUILD, member_id=A))).items][:2] == [
        "cashout_reject",
        "cashout_approve",
    ]
    assert (await ledger.verify()).ok


@pytest.mark.parametrize(
    ("prepare", "diamonds", "error"),
    [
        ("unregistered", 20_000, E.NotEligible),
        ("frozen", 20_000, E.NotEligible),
        ("", 500_001, E.InsufficientDiamonds),
        ("", 19_999, E.BelowMinimum),
        ("", 0, E.InvalidAmount),
        ("capped", 20_000, E.DailyCapReached),
    ],
)
async def test_cashout_refusals_change_nothing(
    ledger: SqliteLedger, prepare: str, diamonds: int, error: type[Exception]
) -> None:
    if prepare == "unregistered":
        await fund(ledger, A, 500_000, Currency.DIAMONDS)
    else:
        await make_creator(ledger, A, 500_000)
    if prepare == "frozen":
        await ledger.run(SetFrozen(GUILD, A, key=key(), actor_id=MOD, frozen=True, reason="x"))
    if prepare == "capped":
        for _ in range(5):
            await ledger.run(
                RequestCashout(GUILD, A, key=key(), diamonds=40_000, method=PayoutMethod.BANK)
            )
    before = await snapshot(ledger)
    with pytest.raises(error):
        await ledger.run(
            RequestCashout(GUILD, A, key=key(), diamonds=diamonds, method=PayoutMethod.BANK)
        )
    assert await snapshot(ledger) == before


# --- events and settings ----------------------------------------------------------------------


async def test_event_lifecycle(ledger: SqliteLedger, clock: FakeClock) -> None:
    ev = await ledger.run(
        StartEvent(
            GUILD,
            key=key(),
            actor_id=MOD,
            name="Fest",
            minutes=10,
            goal=100,
            bonus_percent=0,
            channel_id=5,
        )
    )
    assert ev.live
    assert ev.ends_at == clock.now + 600
    with pytest.raises(E.InvalidState):
        await ledger.run(
            StartEvent(
                GUILD,
                key=key(),
                actor_id=MOD,
                name="Other",
                minutes=10,
                goal=None,
                bonus_percent=0,
                channel_id=None,
            )
        )
    await fund(ledger, A, 100)
    g = await ledger.run(SendGift(GUILD, A, B, key=key(), gift_name="Rose", count=7))
    assert g.event_id == ev.id
    await ledger.run(SetEventMessage(GUILD, ev.id, 5, 777))
    assert (await ledger.run(DueEvents())) == []
    clock.advance(601)
    assert [e.id for e in await ledger.run(DueEvents())] == [ev.id]
    late = await ledger.run(SendGift(GUILD, A, B, key=key(), gift_name="Rose", count=1))
    assert late.event_id is None  # the event's time is over, even before it is formally ended
    ended = await ledger.run(EndEvent(GUILD, ev.id, actor_id=None))
    assert (ended.ended_at, ended.diamonds, ended.message_id) == (ev.ends_at, 7, 777)
    again = await ledger.run(EndEvent(GUILD, ev.id, actor_id=MOD))
    assert again.replayed
    assert again.ended_at == ev.ends_at
    assert await ledger.run(GetLiveEvent(GUILD)) is None
    assert [e.id for e in await ledger.run(ListEvents(GUILD))] == [ev.id]
    board = await ledger.run(GetLeaderboard(GUILD, "gifters", "all", event_id=ev.id))  # type: ignore[arg-type]
    assert [(r.user_id, r.value) for r in board.items] == [(A, 7)]


async def test_event_input_is_validated(ledger: SqliteLedger) -> None:
    for minutes, bonus in ((4, 0), (10_081, 0), (10, 101), (10, -1)):
        with pytest.raises(E.InvalidInput):
            await ledger.run(
                StartEvent(
                    GUILD,
                    key=key(),
                    actor_id=MOD,
                    name="X",
                    minutes=minutes,
                    goal=None,
                    bonus_percent=bonus,
                    channel_id=None,
                )
            )
    assert await ledger.run(GetLiveEvent(GUILD)) is None


async def test_guild_settings_none_keeps_zero_clears(ledger: SqliteLedger) -> None:
    assert (await ledger.run(GetGuildSettings(GUILD))).audit_channel_id is None
    s = await ledger.run(UpdateGuildSettings(GUILD, audit_channel_id=5, mod_role_id=6))
    assert (s.audit_channel_id, s.announce_channel_id, s.mod_role_id) == (5, None, 6)
    s = await ledger.run(UpdateGuildSettings(GUILD, announce_channel_id=7, mod_role_id=0))
    assert (s.audit_channel_id, s.announce_channel_id, s.mod_role_id) == (5, 7, None)
    assert await ledger.run(GetGuildSettings(GUILD)) == s
