"""Moderator actions: one ledger operation, then its audit post. Shared by `/mod` commands and
their confirmation buttons (`cogs/moderation.py`), which render the reply with
`bot/ui/mod_replies.py` from the `Audited` result.

A replayed operation (same idempotency key) is not posted again: the first delivery already did.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

import discord

from bot.economy import text
from bot.economy.errors import (
    InsufficientCoins,
    InsufficientDiamonds,
    InvalidAmount,
    InvalidInput,
    NotAMember,
    NotFound,
)
from bot.economy.ledger import (
    AdjustMode,
    AdjustResult,
    BulkAdjustResult,
    Currency,
    FreezeResult,
    Ledger,
    Payout,
    PayoutState,
)
from bot.economy.money import format_count
from bot.economy.reads import GetCashout, GetGuildSettings
from bot.economy.requests import Adjust, DecideCashout, GrantMany, SetFrozen, UpdateGuildSettings
from bot.services.posting import post_audit, send_to_channel
from bot.ui import embeds_settings, mod_replies
from bot.ui.models import Audited, SettingsChange

log = logging.getLogger("giftcord.settings")


class _Result(Protocol):
    @property
    def replayed(self) -> bool: ...


R = TypeVar("R", bound=_Result)


def clean_reason(reason: str) -> str:
    """The domain's one reason rule, checked before any confirm button is offered (so a
    moderator is not asked to confirm what would then be refused)."""
    why = text.reason(" ".join(reason.split()))
    assert why is not None  # required=True never returns None
    return why


def target_member(user: discord.User | discord.Member, *, must_be_present: bool) -> int:
    """The member id a moderator action may touch: never a bot; present unless it only removes."""
    if user.bot:
        raise InvalidInput("Bots don't hold balances — pick a member of the server.")
    if must_be_present and not isinstance(user, discord.Member):
        raise NotAMember()
    return user.id


class ModActions:
    def __init__(self, bot: discord.Client, ledger: Ledger) -> None:
        self.bot = bot
        self.ledger = ledger

    async def _audited(
        self, guild_id: int, result: R, audit: Callable[[], discord.Embed]
    ) -> Audited[R]:
        """A moderator write's result, with its audit post — made once: a replayed write (a
        redelivered interaction, a second press) was posted the first time."""
        if result.replayed:
            return Audited(result, None)
        return Audited(result, await post_audit(self.bot, self.ledger, guild_id, audit()))

    async def adjust(
        self,
        guild_id: int,
        *,
        actor_id: int,
        key: str,
        user_id: int,
        currency: Currency,
        mode: AdjustMode,
        amount: int,
        reason: str,
    ) -> Audited[AdjustResult]:
        try:
            result = await self.ledger.run(
                Adjust(
                    guild_id,
                    user_id,
                    key=key,
                    actor_id=actor_id,
                    currency=currency,
                    mode=mode,
                    amount=amount,
                    reason=reason,
                )
            )
        except (InsufficientCoins, InsufficientDiamonds) as exc:
            # The store's sentence speaks to a member ("top up"); a moderator needs this one.
            raise InvalidAmount(
                f"<@{user_id}> has only {format_count(exc.have)} {currency.value} — revoke at "
                f"most that, or use `/mod set` with amount 0."
            ) from exc
        return await self._audited(
            guild_id,
            result,
            lambda: mod_replies.adjust_audit(result, actor_id=actor_id, reason=reason),
        )

    async def grant_role(
        self,
        guild_id: int,
        *,
        actor_id: int,
        key: str,
        role_id: int,
        user_ids: Sequence[int],
        currency: Currency,
        amount: int,
        reason: str,
    ) -> Audited[BulkAdjustResult]:
        result = await self.ledger.run(
            GrantMany(
                guild_id,
                user_ids,
                key=key,
                actor_id=actor_id,
                currency=currency,
                amount=amount,
                reason=reason,
            )
        )
        return await self._audited(
            guild_id,
            result,
            lambda: mod_replies.role_grant_audit(
                result, actor_id=actor_id, role_id=role_id, reason=reason
            ),
        )

    async def freeze(
        self, guild_id: int, *, actor_id: int, key: str, user_id: int, frozen: bool, reason: str
    ) -> Audited[FreezeResult]:
        result = await self.ledger.run(
            SetFrozen(guild_id, user_id, key=key, actor_id=actor_id, frozen=frozen, reason=reason)
        )
        if not result.changed:  # already in that state: nothing to audit
            return Audited(result, None)
        return await self._audited(
            guild_id,
            result,
            lambda: mod_replies.freeze_audit(result, actor_id=actor_id, reason=reason),
        )

    async def pending_payout(self, guild_id: int, payout_id: int) -> Payout:
        """A pending cash-out request of this server, or a NotFound sentence."""
        payout = await self.ledger.run(GetCashout(guild_id, payout_id))
        if payout is None or payout.state is not PayoutState.PENDING:
            raise NotFound(
                f"There is no pending cash-out request #{payout_id} in this server — "
                "see `/mod cashouts`."
            )
        return payout

    async def decide(
        self,
        guild_id: int,
        *,
        actor_id: int,
        key: str,
        payout_id: int,
        approve: bool,
        reason: str,
    ) -> Audited[Payout]:
        payout = await self.ledger.run(
            DecideCashout(
                guild_id, payout_id, key=key, actor_id=actor_id, approve=approve, reason=reason
            )
        )
        return await self._audited(
            guild_id,
            payout,
            lambda: mod_replies.decision_audit(
                payout, actor_id=actor_id, approve=approve, reason=reason
            ),
        )

    async def change_settings(
        self,
        guild_id: int,
        *,
        actor_id: int,
        audit_channel_id: int | None,
        announce_channel_id: int | None,
        mod_role_id: int | None,
        public_page: bool | None = None,
    ) -> SettingsChange:
        """Save the given settings (None leaves one as it is) and post the change."""
        before = await self.ledger.run(GetGuildSettings(guild_id))
        after = await self.ledger.run(
            UpdateGuildSettings(
                guild_id,
                audit_channel_id=audit_channel_id,
                announce_channel_id=announce_channel_id,
                mod_role_id=mod_role_id,
                public_page=public_page,
            )
        )
        embed = embeds_settings.change_audit(
            before,
            after,
            actor_id=actor_id,
            audit_channel=audit_channel_id is not None,
            announce_channel=announce_channel_id is not None,
            mod_role=mod_role_id is not None,
            public_page=public_page is not None,
        )
        # Posting the change also proves the (new) audit channel works.
        audit = await post_audit(self.bot, self.ledger, guild_id, embed)
        previous = None
        old_audit = before.audit_channel_id
        if old_audit is not None and old_audit != after.audit_channel_id:
            # Moving the audit channel is itself audited where the audit trail was until now:
            # otherwise whoever moves it could hide what they do next.
            previous = await send_to_channel(self.bot, old_audit, embed=embed)
            if not previous.posted:
                log.warning("audit move not posted in old channel %s: %s", old_audit, previous.note)
        return SettingsChange(before, after, audit, previous)
