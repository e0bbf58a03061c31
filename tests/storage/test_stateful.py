"""A hypothesis state machine: random buy / gift / adjust / freeze / cash-out request / approve /
reject / replay against a plain in-memory model; balances and `verify()` after every step."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from bot.economy import errors as E
from bot.economy.config import EconomyConfig
from bot.economy.ledger import AdjustMode, Currency, PayoutMethod
from bot.economy.money import to_cents
from bot.economy.reads import GetAccount
from bot.economy.requests import (
    Adjust,
    ConfirmAge,
    DecideCashout,
    Purchase,
    RegisterCreator,
    RequestCashout,
    SendGift,
    SetFrozen,
)
from bot.storage import SqliteLedger
from tests.storage.conftest import START, FakeClock, open_backend

G, MOD = 1, 900
USERS = (1, 2, 3, 4)
CFG = EconomyConfig(cashout_min_usd=Decimal("1.00"), cashout_daily_max_usd=Decimal("5.00"))
PACKAGES = {p.coins: p.usd for p in CFG.coin_packages()}
GIFTS = {"Rose": 1, "Finger Heart": 5, "Doughnut": 30}

users = st.sampled_from(USERS)


class LedgerMachine(RuleBasedStateMachine):
    backend = "sqlite"

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.dir = tempfile.mkdtemp()
        self.clock = FakeClock(START)
        self.store: SqliteLedger = self.run(
            open_backend(self.backend, Path(self.dir) / "m.db", CFG, self.clock)
        )
        self.coins = dict.fromkeys(USERS, 0)
        self.diamonds = dict.fromkeys(USERS, 0)
        self.frozen = dict.fromkeys(USERS, False)
        self.spent = dict.fromkeys(USERS, Decimal(0))
        self.requested = dict.fromkeys(USERS, Decimal(0))
        self.pending: dict[int, tuple[int, int, Decimal]] = {}  # payout id → user, diamonds, usd
        self.done_gifts: list[tuple[str, Any]] = []
        self.n = 0
        for u in USERS:
            self.run(self.store.run(ConfirmAge(G, u)))
            self.run(self.store.run(RegisterCreator(G, u, country="US", method=PayoutMethod.BANK)))
            self.run(
                self.store.run(
                    Adjust(
                        G,
                        u,
                        key=self.key(),
                        actor_id=MOD,
                        currency=Currency.DIAMONDS,
                        mode=AdjustMode.GRANT,
                        amount=2000,
                        reason="start",
                    )
                )
            )
            self.diamonds[u] = 2000

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def attempt(self, coro: Any) -> Any:
        try:
            return self.run(coro)
        except E.EconomyError as exc:
            return exc

    def key(self) -> str:
        self.n += 1
        return f"m{self.n}"

    def teardown(self) -> None:
        self.run(self.store.close())
        self.loop.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @rule(user=users, package=st.sampled_from(sorted(PACKAGES)))
    def buy(self, user: int, package: int) -> None:
        got = self.attempt(
            self.store.run(Purchase(G, user, key=self.key(), coins=package, package=True))
        )
        if self.spent[user] + PACKAGES[package] > CFG.daily_spend_cap_usd:
            assert isinstance(got, E.DailyCapReached)
        else:
            assert got.balance == self.coins[user] + package
            self.coins[user] += package
            self.spent[user] += PACKAGES[package]

    @rule(
        sender=users, recipient=users, name=st.sampled_from(sorted(GIFTS)), count=st.integers(1, 5)
    )
    def gift(self, sender: int, recipient: int, name: str, count: int) -> None:
        k = self.key()
        got = self.attempt(
            self.store.run(SendGift(G, sender, recipient, key=k, gift_name=name, count=count))
        )
        cost = GIFTS[name] * count
        if sender == recipient:
            assert isinstance(got, E.SelfGift)
        elif self.frozen[sender] or self.frozen[recipient]:
            assert isinstance(got, E.AccountFrozen)
            assert got.own is self.frozen[sender]
        elif self.coins[sender] < cost:
            assert isinstance(got, E.InsufficientCoins)
            assert got.missing == cost - self.coins[sender]
        else:
            assert (got.coins, got.diamonds) == (cost, cost)
            self.coins[sender] -= cost
            self.diamonds[recipient] += cost
            self.done_gifts.append((k, got))

    @precondition(lambda self: self.done_gifts)
    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        k, first = data.draw(st.sampled_from(self.done_gifts))
        again = self.run(
            self.store.run(SendGift(G, 0, 0, key=k, gift_name="anything", count=1))  # args ignored
        )
        assert again.replayed
        assert again.txn_id == first.txn_id
        assert again.coins == first.coins

    @rule(
        user=users,
        currency=st.sampled_from(Currency),
        mode=st.sampled_from(AdjustMode),
        amount=st.integers(0, 3000),
    )
    def adjust(self, user: int, currency: Currency, mode: AdjustMode, amount: int) -> None:
        bal = self.coins if currency is Currency.COINS else self.diamonds
        got = self.attempt(
            self.store.run(
                Adjust(
                    G,
                    user,
                    key=self.key(),
                    actor_id=MOD,
                    currency=currency,
                    mode=mode,
                    amount=amount,
                    reason="model",
                )
            )
        )
        if amount == 0 and mode is not AdjustMode.SET:
            assert isinstance(got, E.InvalidAmount)
        elif mode is AdjustMode.REVOKE and amount > bal[user]:
            assert isinstance(got, (E.InsufficientCoins, E.InsufficientDiamonds))
        else:
            new = {"grant": bal[user] + amount, "revoke": bal[user] - amount, "set": amount}
            assert (got.before, got.after) == (bal[user], new[mode.value])
            bal[user] = new[mode.value]

    @rule(user=users, frozen=st.booleans())
    def freeze(self, user: int, frozen: bool) -> None:
        got = self.run(
            self.store.run(
                SetFrozen(G, user, key=self.key(), actor_id=MOD, frozen=frozen, reason="m")
            )
        )
        assert got.changed is (self.frozen[user] != frozen)
        self.frozen[user] = frozen

    @rule(user=users, diamonds=st.integers(0, 1100))
    def request_cashout(self, user: int, diamonds: int) -> None:
        got = self.attempt(
            self.store.run(
                RequestCashout(
                    G, user, key=self.key(), diamonds=diamonds, method=PayoutMethod.PAYPAL
                )
            )
        )
        usd = to_cents(diamonds * CFG.usd_per_diamond)
        if diamonds < 1:
            assert isinstance(got, E.InvalidAmount)
        elif self.frozen[user]:
            assert isinstance(got, E.NotEligible)
        elif diamonds > self.diamonds[user]:
            assert isinstance(got, E.InsufficientDiamonds)
        elif usd < CFG.cashout_min_usd:
            assert isinstance(got, E.BelowMinimum)
        elif self.requested[user] + usd > CFG.cashout_daily_max_usd:
            assert isinstance(got, E.DailyCapReached)
        else:
            assert got.usd == usd
            self.diamonds[user] -= diamonds
            self.requested[user] += usd
            self.pending[got.id] = (user, diamonds, usd, self.clock.now // 86_400)

    @precondition(lambda self: self.pending)
    @rule(data=st.data(), approve=st.booleans())
    def decide(self, data: st.DataObject, approve: bool) -> None:
        pid = data.draw(st.sampled_from(sorted(self.pending)))
        user, diamonds, usd, day = self.pending.pop(pid)
        self.run(
            self.store.run(
                DecideCashout(G, pid, key=self.key(), actor_id=MOD, approve=approve, reason="model")
            )
        )
        if not approve:
            self.diamonds[user] += diamonds
            # A rejected request stops counting toward the daily maximum of the day it was
            # made; one from an earlier day never counted toward today's.
            if day == self.clock.now // 86_400:
                self.requested[user] -= usd

    @rule()
    def next_day(self) -> None:
        self.clock.advance(86_400)
        self.spent = dict.fromkeys(USERS, Decimal(0))
        self.requested = dict.fromkeys(USERS, Decimal(0))

    @invariant()
    def balances_match_the_model_and_verify_passes(self) -> None:
        for u in USERS:
            acct = self.run(self.store.run(GetAccount(G, u)))
            assert (acct.coins, acct.diamonds, acct.frozen) == (
                self.coins[u],
                self.diamonds[u],
                self.frozen[u],
            )
        report = self.run(self.store.verify())
        assert report.ok, report.violations


LedgerMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLedgerMachine = LedgerMachine.TestCase


class PostgresLedgerMachine(LedgerMachine):
    backend = "postgres"


PostgresLedgerMachine.TestCase.settings = LedgerMachine.TestCase.settings
TestPostgresLedgerMachine = pytest.mark.postgres(PostgresLedgerMachine.TestCase)
