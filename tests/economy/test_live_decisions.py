"""The LIVE and level-role decisions, pure: facts in, a refusal or a plan out."""

from __future__ import annotations

import pytest

from bot.economy.config import EconomyConfig
from bot.economy.decide import Ctx, Facts, decision_for
from bot.economy.errors import InvalidInput, InvalidState
from bot.economy.ledger import Live
from bot.economy.plan import CloseLive, LevelRoleSet, OpenLive
from bot.economy.requests import EndLive, SetLevelRole, StartLive

CFG = EconomyConfig()
NOW = 1_000_000.0
G, BOB = 1, 42


def ctx(now: float = NOW) -> Ctx:
    return Ctx(CFG, CFG.catalog(), now)


def live(ends_at: float, ended_at: float | None = None) -> Live:
    return Live(7, G, BOB, "t", 5, 9, NOW - 3600, ends_at, ended_at, 10, None)


def start(**kw: object) -> StartLive:
    args: dict = {"title": "Karaoke", "channel_id": 5, "max_hours": 12} | kw
    return StartLive(G, BOB, key="k", **args)


def test_start_opens_a_live_for_max_hours() -> None:
    req = start()
    plan = decision_for(req).decide(req, Facts(G), ctx())
    [step] = plan.steps
    assert isinstance(step, OpenLive)
    assert (step.user_id, step.title, step.ends_at) == (BOB, "Karaoke", NOW + 12 * 3600)


def test_start_refused_while_live_and_closes_one_past_its_time() -> None:
    req = start()
    with pytest.raises(InvalidState, match="already LIVE"):
        decision_for(req).decide(req, Facts(G, live=live(NOW + 60)), ctx())
    plan = decision_for(req).decide(req, Facts(G, live=live(NOW - 60)), ctx())
    close, open_ = plan.steps
    assert isinstance(close, CloseLive)
    assert close.at == NOW - 60  # at its scheduled end
    assert isinstance(open_, OpenLive)


@pytest.mark.parametrize("kw", [{"title": "x" * 101}, {"max_hours": 0}])
def test_start_refuses_bad_input(kw: dict) -> None:
    req = start(**kw)
    with pytest.raises(InvalidInput):
        decision_for(req).decide(req, Facts(G), ctx())


@pytest.mark.parametrize(("ends_at", "at"), [(NOW + 60, NOW), (NOW - 60, NOW - 60)])
def test_end_is_never_later_than_the_scheduled_end(ends_at: float, at: float) -> None:
    for ended_by in (None, BOB, 99):
        req = EndLive(G, 7, ended_by=ended_by)
        plan = decision_for(req).decide(req, Facts(G, live=live(ends_at)), ctx())
        [step] = plan.steps
        assert isinstance(step, CloseLive)
        assert step.at == at
        assert plan.record is not None
        assert plan.record.actor_id == (99 if ended_by == 99 else None)  # audited: a moderator


def test_ending_an_ended_live_writes_nothing() -> None:
    req = EndLive(G, 7, ended_by=BOB)
    plan = decision_for(req).decide(req, Facts(G, live=live(NOW, ended_at=NOW - 5)), ctx())
    assert plan.steps == ()
    assert plan.memo.replayed


@pytest.mark.parametrize(("level", "ok"), [(0, False), (1, True), (50, True), (51, False)])
def test_level_role_levels(level: int, ok: bool) -> None:
    req = SetLevelRole(G, "k", 99, level, 1234)
    if not ok:
        with pytest.raises(InvalidInput):
            decision_for(req).decide(req, Facts(G), ctx())
        return
    [step] = decision_for(req).decide(req, Facts(G), ctx()).steps
    assert step == LevelRoleSet(level, 1234)
