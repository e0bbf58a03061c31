"""The audit post's embed and the line a moderator's reply carries about it.

Posting it is `bot/services/posting.py`'s job; this module only renders."""

from __future__ import annotations

import discord

from bot.economy.ledger import Currency
from bot.economy.money import format_count
from bot.ui.models import PostOutcome


def audit_line(outcome: PostOutcome) -> str:
    return ("📋 Audit: " if outcome.posted else "⚠️ Audit: ") + outcome.note + "."


def audit_embed(
    title: str,
    *,
    actor_id: int,
    reason: str,
    txn_id: int | None,
    member_id: int | None = None,
    currency: Currency | None = None,
    before: int | None = None,
    after: int | None = None,
    fields: dict[str, str] | None = None,
    colour: discord.Colour | None = None,
) -> discord.Embed:
    """Actor, member, currency, before → after, reason and ledger transaction id."""
    embed = discord.Embed(title=title, colour=colour or discord.Colour.blurple())
    embed.add_field(name="Moderator", value=f"<@{actor_id}>")
    if member_id is not None:
        embed.add_field(name="Member", value=f"<@{member_id}>")
    if currency is not None:
        embed.add_field(name="Currency", value=currency.value.capitalize())
    if before is not None and after is not None:
        embed.add_field(
            name="Balance", value=f"{format_count(before)} → {format_count(after)}", inline=False
        )
    for name, value in (fields or {}).items():
        embed.add_field(name=name, value=value, inline=False)
    embed.add_field(name="Reason", value=reason or "—", inline=False)
    if txn_id is not None:
        embed.set_footer(text=f"Ledger transaction #{txn_id}")
    return embed
