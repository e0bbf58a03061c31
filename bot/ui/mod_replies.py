"""What a moderator reads after an action, and the audit post that records it.

`bot/services/mod_actions.py` makes the change and posts the audit embed built here; the cog
renders the reply from the ledger result and how the post went (`Audited`).
"""

from __future__ import annotations

import discord

from bot.economy.ledger import (
    AdjustMode,
    AdjustResult,
    BulkAdjustResult,
    Currency,
    FreezeResult,
    Payout,
)
from bot.economy.money import format_count, format_usd
from bot.ui.audit import audit_embed, audit_line
from bot.ui.models import Audited, PostOutcome

ALREADY = "\nThis was already applied — nothing changed a second time."
_VERB = {AdjustMode.GRANT: "Granted", AdjustMode.REVOKE: "Revoked", AdjustMode.SET: "Set"}


def _reported(text: str, audit: PostOutcome | None, already: str = ALREADY) -> str:
    """The reply says how the audit post went (the change stands either way: the ledger is
    the record of truth); a replay was posted by its first delivery."""
    if audit is None:
        return text + already
    return text + "\n" + audit_line(audit)


# --- balance changes ----------------------------------------------------------------------------


def adjust_audit(result: AdjustResult, *, actor_id: int, reason: str) -> discord.Embed:
    return audit_embed(
        f"Moderator {result.mode.value}: {result.currency.value}",
        actor_id=actor_id,
        member_id=result.user_id,
        currency=result.currency,
        before=result.before,
        after=result.after,
        reason=reason,
        txn_id=result.txn_id,
    )


def adjust_reply(done: Audited[AdjustResult]) -> str:
    r = done.result
    summary = (
        f"{_VERB[r.mode]} <@{r.user_id}>'s {r.currency.value}: "
        f"{format_count(r.before)} → **{format_count(r.after)}** "
        f"(ledger transaction #{r.txn_id})."
    )
    return _reported(summary, done.audit)


def role_grant_audit(
    result: BulkAdjustResult, *, actor_id: int, role_id: int, reason: str
) -> discord.Embed:
    return audit_embed(
        f"Role grant: {result.currency.value}",
        actor_id=actor_id,
        currency=result.currency,
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


def role_grant_reply(done: Audited[BulkAdjustResult], *, role_id: int) -> str:
    r = done.result
    skipped = (
        f"; {format_count(r.skipped)} skipped (frozen or at the maximum balance)"
        if r.skipped
        else ""
    )
    text = (
        f"Granted {format_count(r.amount)} {r.currency.value} to "
        f"{format_count(r.members)} members of <@&{role_id}>{skipped} "
        f"(ledger transaction #{r.txn_id})."
    )
    return _reported(text, done.audit)


# --- freezes ------------------------------------------------------------------------------------


def _state(frozen: bool) -> str:
    return "frozen" if frozen else "unfrozen"


def freeze_audit(result: FreezeResult, *, actor_id: int, reason: str) -> discord.Embed:
    return audit_embed(
        f"Member {_state(result.frozen)}",
        actor_id=actor_id,
        member_id=result.user_id,
        reason=reason,
        txn_id=result.txn_id,
        fields={"State": "unfrozen → frozen" if result.frozen else "frozen → unfrozen"},
        colour=discord.Colour.red() if result.frozen else discord.Colour.green(),
    )


def freeze_reply(done: Audited[FreezeResult]) -> str:
    r, state = done.result, _state(done.result.frozen)
    if r.replayed:
        return f"<@{r.user_id}> is {state} — this was already applied."
    if not r.changed:
        return f"<@{r.user_id}> was already {state} — nothing changed."
    what = (
        "they can no longer send, receive or cash out"
        if r.frozen
        else "they can send, receive and cash out again"
    )
    text = f"<@{r.user_id}> is now {state}: {what} (ledger transaction #{r.txn_id})."
    return _reported(text, done.audit)


# --- cash-out decisions -------------------------------------------------------------------------


def decision_audit(payout: Payout, *, actor_id: int, approve: bool, reason: str) -> discord.Embed:
    return audit_embed(
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


def decision_reply(done: Audited[Payout], *, approve: bool) -> str:
    p = done.result
    what = (
        f"Cash-out #{p.id} of <@{p.user_id}> — {format_count(p.diamonds)} "
        f"diamonds ({format_usd(p.usd)}) — "
        + ("approved" if approve else "rejected; the diamonds are back in their balance")
        + f" (ledger transaction #{p.txn_id})."
    )
    return _reported(
        what, done.audit, "\nThis was already decided — nothing changed a second time."
    )
