"""Decisions about members and servers: age, freezing, creator answers, departures, settings."""

from __future__ import annotations

import dataclasses

from bot.economy import countries, text
from bot.economy.decide.base import Ctx, Facts, Needs, Simple
from bot.economy.errors import InvalidInput
from bot.economy.kinds import TxnKind
from bot.economy.ledger import Account, FreezeResult, GuildSettings, PayoutMethod
from bot.economy.plan import Applied, GuildSettingsSet, Plan, Record, SetProfile
from bot.economy.requests import (
    ConfirmAge,
    RegisterCreator,
    SetDeparted,
    SetFrozen,
    UpdateGuildSettings,
)


class ConfirmAgeDecision(Simple):
    def decide(self, req: ConfirmAge, facts: Facts, ctx: Ctx) -> Plan:
        return Plan((SetProfile(req.user_id, age_confirmed=True),))

    def finish(self, req: ConfirmAge, plan: Plan, applied: Applied, ctx: Ctx) -> None:
        return None


class SetDepartedDecision(Simple):
    def decide(self, req: SetDeparted, facts: Facts, ctx: Ctx) -> Plan:
        # Only an existing account is marked: a member who never used giftcord has nothing to hide.
        return Plan((SetProfile(req.user_id, departed=req.departed, create=False),))

    def finish(self, req: SetDeparted, plan: Plan, applied: Applied, ctx: Ctx) -> None:
        return None


class SetFrozenDecision(Simple):
    def needs(self, req: SetFrozen) -> Needs:
        return Needs(accounts=(req.user_id,))

    def decide(self, req: SetFrozen, facts: Facts, ctx: Ctx) -> Plan:
        why = text.reason(req.reason)
        was = facts.account(req.user_id).frozen
        return Plan(
            (SetProfile(req.user_id, frozen=req.frozen),),
            Record(
                TxnKind.FREEZE if req.frozen else TxnKind.UNFREEZE,
                actor_id=req.actor_id,
                subject_id=req.user_id,
                before=int(was),
                after=int(req.frozen),
                reason=why,
            ),
            memo=was != req.frozen,
        )

    def finish(self, req: SetFrozen, plan: Plan, applied: Applied, ctx: Ctx) -> FreezeResult:
        return FreezeResult(applied.txn_id, req.user_id, req.frozen, changed=plan.memo)


def country_code(typed: str | None) -> str:
    """An ISO 3166 two-letter code from what a member typed (autocomplete sends the code)."""
    code = (typed or "").strip().upper()
    known = countries.countries()
    if len(code) != 2 or not code.isalpha() or (known and code not in known):
        raise InvalidInput(
            f"“{(typed or '').strip()[:20]}” is not a country code — pick your country from "
            "the list (two letters, e.g. US, DE, BR)."
        )
    return code


def payout_method(value: str) -> PayoutMethod:
    try:
        return PayoutMethod(value)
    except ValueError:
        raise InvalidInput("Choose a payout method: paypal or bank.") from None


class RegisterCreatorDecision(Simple):
    def needs(self, req: RegisterCreator) -> Needs:
        return Needs(accounts=(req.user_id,))

    def decide(self, req: RegisterCreator, facts: Facts, ctx: Ctx) -> Plan:
        code, method = country_code(req.country), payout_method(req.method)
        after = dataclasses.replace(
            facts.account(req.user_id), country=code, payout_method=method.value
        )
        return Plan(
            (SetProfile(req.user_id, country=code, payout_method=method.value),), memo=after
        )

    def finish(self, req: RegisterCreator, plan: Plan, applied: Applied, ctx: Ctx) -> Account:
        result: Account = plan.memo
        return result


class UpdateGuildSettingsDecision(Simple):
    def needs(self, req: UpdateGuildSettings) -> Needs:
        return Needs(guild_settings=True)

    def decide(self, req: UpdateGuildSettings, facts: Facts, ctx: Ctx) -> Plan:
        old = facts.guild_settings or GuildSettings(req.guild_id)

        def merged(new: int | None, current: int | None) -> int | None:
            return current if new is None else (new or None)  # None keeps it; 0 clears it

        after = GuildSettings(
            req.guild_id,
            merged(req.audit_channel_id, old.audit_channel_id),
            merged(req.announce_channel_id, old.announce_channel_id),
            merged(req.mod_role_id, old.mod_role_id),
            old.public_page if req.public_page is None else req.public_page,
        )
        step = GuildSettingsSet(
            req.audit_channel_id, req.announce_channel_id, req.mod_role_id, req.public_page
        )
        return Plan((step,), memo=after)

    def finish(
        self, req: UpdateGuildSettings, plan: Plan, applied: Applied, ctx: Ctx
    ) -> GuildSettings:
        result: GuildSettings = plan.memo
        return result
