"""Property tests of the treasure split (bot.economy.treasure) and of the settlement's plan
(bot.economy.decide.treasure): valid shares for any coins ≥ openers, and a plan that balances
and empties the escrow exactly, whoever opened."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.economy.config import EconomyConfig
from bot.economy.decide import Ctx, Facts, decision_for
from bot.economy.ledger import Account, Currency, SystemAccount, TreasureBox, TreasureState
from bot.economy.plan import Leg, Move, Plan
from bot.economy.requests import SettleTreasure
from bot.economy.treasure import MAX_OPENERS, split_shares

CFG = EconomyConfig()
NOW = 1_741_176_000.0
CTX = Ctx(CFG, CFG.catalog(), NOW)
DROPPER = 1


@st.composite
def coins_and_openers(draw: st.DrawFn) -> tuple[int, int]:
    openers = draw(st.integers(1, MAX_OPENERS))
    coins = draw(st.one_of(st.integers(openers, openers + 200), st.integers(openers, 10**15)))
    return coins, openers


@given(coins_and_openers(), st.integers(0, 2**64 - 1))
def test_any_split_is_valid(pair: tuple[int, int], seed: int) -> None:
    coins, openers = pair
    shares = split_shares(coins, openers, seed)
    assert len(shares) == openers
    assert sum(shares) == coins
    assert min(shares) >= 1
    assert split_shares(coins, openers, seed) == shares  # the seed decides it all


def test_split_refuses_what_cannot_give_everyone_a_coin() -> None:
    for coins, openers in ((4, 5), (0, 1), (10, 0)):
        with pytest.raises(ValueError, match="cannot split"):
            split_shares(coins, openers, 1)


def test_splits_are_not_all_alike() -> None:
    assert len({split_shares(1_000, 3, seed) for seed in range(20)}) > 1


def _box(coins: int, opener_ids: tuple[int, ...], openers: int) -> TreasureBox:
    return TreasureBox(
        7, 1, DROPPER, coins, openers, NOW - 200, NOW - 80, TreasureState.OPEN, None, None, 3,
        opener_ids, (0,) * len(opener_ids),
    )  # fmt: skip


def _account(uid: int, coins: int = 0, frozen: bool = False) -> Account:
    return Account(1, uid, coins, 0, 0, 0, 0, frozen, False, None, None, False)


@given(
    st.integers(1, 10**6),
    st.lists(st.integers(10, 10_000), unique=True, max_size=MAX_OPENERS),
    st.sets(st.integers(10, 10_000)),
    st.integers(0, 2**32),
)
def test_the_settlement_empties_the_escrow_exactly(
    coins: int, opener_ids: list[int], frozen: set[int], seed: int
) -> None:
    openers = max(1, len(opener_ids))
    coins = max(coins, openers)
    facts = Facts(1, treasure=_box(coins, tuple(opener_ids), openers))
    for uid in opener_ids:
        facts.accounts[uid] = _account(uid, frozen=uid in frozen)
    plan: Plan = decision_for(SettleTreasure(1, 7, seed)).decide(
        SettleTreasure(1, 7, seed), facts, CTX
    )
    totals: dict[int, int] = defaultdict(int)
    for leg in plan.legs():
        assert leg.currency is Currency.COINS
        totals[leg.account] += leg.amount
    assert sum(totals.values()) == 0
    assert totals[SystemAccount.TREASURE_ESCROW] == -coins
    settled = plan.memo
    assert sum(settled.shares) + settled.returned == coins
    moves = {s.user_id: s.delta for s in plan.steps if isinstance(s, Move)}
    for uid, share in zip(opener_ids, settled.shares, strict=True):
        assert (share == 0) == (uid in frozen)
        assert moves.get(uid, 0) == share == totals.get(uid, 0)
    assert moves.get(DROPPER, 0) == settled.returned
    kinds = {type(s) for s in plan.steps}
    assert Leg in kinds
