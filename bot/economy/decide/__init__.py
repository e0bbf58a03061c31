"""The decisions: for each write request, the facts it needs, its refusals and its plan.

`decision_for(request)` is the one lookup every backend makes; see `base.py` for the protocol.
"""

from __future__ import annotations

from typing import Any

from bot.economy import requests as rq
from bot.economy.decide.base import Ctx, Decision, Facts, Needs, involved
from bot.economy.decide.battle import (
    EndBattleDecision,
    SetBattleMessageDecision,
    StartBattleDecision,
)
from bot.economy.decide.cashout import DecideCashoutDecision, RequestCashoutDecision
from bot.economy.decide.events import EndEventDecision, SetEventMessageDecision, StartEventDecision
from bot.economy.decide.exchange import ExchangeDecision
from bot.economy.decide.live import (
    EndLiveDecision,
    SetLevelRoleDecision,
    SetLiveMessageDecision,
    StartLiveDecision,
)
from bot.economy.decide.members import (
    ConfirmAgeDecision,
    RegisterCreatorDecision,
    SetDepartedDecision,
    SetFrozenDecision,
    UpdateGuildSettingsDecision,
)
from bot.economy.decide.money import (
    AdjustDecision,
    GiftDecision,
    GrantManyDecision,
    PurchaseDecision,
)
from bot.economy.decide.treasure import (
    DropTreasureDecision,
    MarkTreasureAnnouncedDecision,
    OpenTreasureDecision,
    SettleTreasureDecision,
    SetTreasureMessageDecision,
)

DECISIONS: dict[type[Any], Decision[Any, Any]] = {
    rq.ConfirmAge: ConfirmAgeDecision(),
    rq.Purchase: PurchaseDecision(),
    rq.SendGift: GiftDecision(),
    rq.ExchangeDiamonds: ExchangeDecision(),
    rq.Adjust: AdjustDecision(),
    rq.GrantMany: GrantManyDecision(),
    rq.SetFrozen: SetFrozenDecision(),
    rq.RegisterCreator: RegisterCreatorDecision(),
    rq.RequestCashout: RequestCashoutDecision(),
    rq.DecideCashout: DecideCashoutDecision(),
    rq.StartEvent: StartEventDecision(),
    rq.EndEvent: EndEventDecision(),
    rq.SetEventMessage: SetEventMessageDecision(),
    rq.UpdateGuildSettings: UpdateGuildSettingsDecision(),
    rq.SetDeparted: SetDepartedDecision(),
    rq.StartLive: StartLiveDecision(),
    rq.EndLive: EndLiveDecision(),
    rq.SetLiveMessage: SetLiveMessageDecision(),
    rq.SetLevelRole: SetLevelRoleDecision(),
    rq.DropTreasure: DropTreasureDecision(),
    rq.OpenTreasure: OpenTreasureDecision(),
    rq.SettleTreasure: SettleTreasureDecision(),
    rq.SetTreasureMessage: SetTreasureMessageDecision(),
    rq.MarkTreasureAnnounced: MarkTreasureAnnouncedDecision(),
    rq.StartBattle: StartBattleDecision(),
    rq.EndBattle: EndBattleDecision(),
    rq.SetBattleMessage: SetBattleMessageDecision(),
}


def decision_for(request: object) -> Decision[Any, Any]:
    try:
        return DECISIONS[type(request)]
    except KeyError:
        raise TypeError(f"no decision for {type(request).__name__}") from None


__all__ = ["DECISIONS", "Ctx", "Decision", "Facts", "Needs", "decision_for", "involved"]
