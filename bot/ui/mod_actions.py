"""Moderator actions: one ledger operation, then its audit post, then the sentence the moderator
reads. Shared by `/mod` commands and their confirmation buttons (`cogs/moderation.py`).

A replayed operation (same idempotency key) is reported as such and is not posted again: the
first delivery already did.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.economy.errors import (
    InsufficientCoins,
    InsufficientDiamonds,
    InvalidAmount,
    InvalidInput,
    NotAMember,
    NotFound,
)
from bot.economy.ledger import AdjustMode, Currency, Ledger, Payout, PayoutState
from bot.economy.money import format_count, format_usd
from bot.economy.reads import GetCashout
from bot.economy.requests import Adjust, DecideCashout, GrantMany, SetFrozen
from bot.ui.audit import audit_embed, audit_line, post_audit

MAX_REASON = 500
ALREADY = "\nThis was already applied — nothing changed a second time."
_VERB = {AdjustMode.GRANT: "Granted", AdjustMode.REVOKE: "Revoked", AdjustMode.SET: "Set"}


def clean_reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise InvalidInput("Give a reason — it goes into the ledger and the audit channel.")
    if len(text) > MAX_REASON:
        raise InvalidInput(f"Keep the reason under {MAX_REASON} characters.")
    return text


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

    async def _reported(self, guild_id: int, text: str, embed: discord.Embed) -> str:
        """Post `embed` to the audit channel; the moderator's reply says how that went (the
        change stands either way: the ledger is the record of truth)."""
        outcome = await post_audit(self.bot, self.ledger, guild_id, embed)
        return text + "\n" + audit_line(outcome)

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
    ) -> str:
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
        summary = (
            f"{_VERB[mode]} <@{user_id}>'s {currency.value}: "
            f"{format_count(result.before)} → **{format_count(result.after)}** "
            f"(ledger transaction #{result.txn_id})."
        )
        if result.replayed:
            return summary + ALREADY
        embed = audit_embed(
            f"Moderator {mode.value}: {currency.value}",
            actor_id=actor_id,
            member_id=user_id,
            currency=currency,
            before=result.before,
            after=result.after,
            reason=reason,
            txn_id=result.txn_id,
        )
        return await self._reported(guild_id, summary, embed)

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
    ) -> str:
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
        skipped = (
            f"; {format_count(result.skipped)} skipped (frozen or at the maximum balance)"
            if result.skipped
            else ""
        )
        text = (
            f"Granted {format_count(result.amount)} {currency.value} to "
            f"{format_count(result.members)} members of <@&{role_id}>{skipped} "
            f"(ledger transaction #{result.txn_id})."
        )
        if result.replayed:
            return text + ALREADY
        embed = audit_embed(
            f"Role grant: {currency.value}",
            actor_id=actor_id,
            currency=currency,
            reason=reason,
            txn_id=result.txn_id,
            fields={
                "Role": f"<@&{role_id}>",
                "Each": format_count(result.amount),
                "Members credited": format_count(result.members),
                "Skipped": format_count(result.skipped),
                "Total": format_count(result.amount * result.members),
            },
        )
        return await self._reported(guild_id, text, embed)

    async def freeze(
        self, guild_id: int, *, actor_id: int, key: str, user_id: int, frozen: bool, reason: str
    ) -> str:
        result = await self.ledger.run(
            SetFrozen(guild_id, user_id, key=key, actor_id=actor_id, frozen=frozen, reason=reason)
        )
        state = "frozen" if frozen else "unfrozen"
        if result.replayed:
            return f"<@{user_id}> is {state} — this was already applied."
        if not result.changed:
            return f"<@{user_id}> was already {state} — nothing changed."
        embed = audit_embed(
            f"Member {state}",
            actor_id=actor_id,
            member_id=user_id,
            reason=reason,
            txn_id=result.txn_id,
            fields={"State": "unfrozen → frozen" if frozen else "frozen → unfrozen"},
            colour=discord.Colour.red() if frozen else discord.Colour.green(),
        )
        what = (
            "they can no longer send, receive or cash out"
            if frozen
            else "they can send, receive and cash out again"
        )
        text = f"<@{user_id}> is now {state}: {what} (ledger transaction #{result.txn_id})."
        return await self._reported(guild_id, text, embed)

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
    ) -> str:
        payout = await self.ledger.run(
            DecideCashout(
                guild_id, payout_id, key=key, actor_id=actor_id, approve=approve, reason=reason
            )
        )
        what = (
            f"Cash-out #{payout.id} of <@{payout.user_id}> — {format_count(payout.diamonds)} "
            f"diamonds ({format_usd(payout.usd)}) — "
            + ("approved" if approve else "rejected; the diamonds are back in their balance")
            + f" (ledger transaction #{payout.txn_id})."
        )
        if payout.replayed:
            return what + "\nThis was already decided — nothing changed a second time."
        embed = audit_embed(
            "Cash-out approved" if approve else "Cash-out rejected",
            actor_id=actor_id,
            member_id=payout.user_id,
            currency=Currency.DIAMONDS,
            reason=reason,
            txn_id=payout.txn_id,
            fields={
                "Request": f"#{payout.id} · {payout.method}",
                "Diamonds": f"{format_count(payout.diamonds)} ({format_usd(payout.usd)})",
                "Held for payout": (
                    f"{format_count(payout.diamonds)} → 0 "
                    + ("(paid out)" if approve else "(returned to the member)")
                ),
            },
            colour=discord.Colour.green() if approve else discord.Colour.red(),
        )
        return await self._reported(guild_id, what, embed)
