"""What moderators read: ledger history, audit log and pending cash-outs, one page at a time.

Each `*_page` function renders one page the cog fetched from the ledger."""

from __future__ import annotations

import discord

from bot.economy.ledger import AuditEntry, HistoryEntry, Page, Payout
from bot.economy.money import format_count, format_usd
from bot.ui.labels import txn_label

PER_PAGE = 10


def _signed(n: int) -> str:
    return f"+{format_count(n)}" if n > 0 else f"−{format_count(-n)}" if n < 0 else "0"


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def history_line(entry: HistoryEntry) -> str:
    parts = [
        f"<t:{int(entry.created_at)}:d>",
        f"**{_signed(entry.amount)} {entry.currency.value}**",
        txn_label(entry.kind),
    ]
    if entry.gift_name:
        parts.append(f"{entry.gift_name} ×{entry.count or 1}")
    if entry.counterparty_id is not None:
        parts.append(f"with <@{entry.counterparty_id}>")
    if entry.actor_id is not None:
        parts.append(f"by <@{entry.actor_id}>")
    if entry.reason:
        parts.append(f"“{_clip(entry.reason)}”")
    parts.append(f"`#{entry.txn_id}`")
    return " · ".join(parts)


def audit_entry_line(entry: AuditEntry) -> str:
    parts = [f"<t:{int(entry.created_at)}:f>", f"**{txn_label(entry.kind)}**"]
    if entry.member_id is not None:
        parts.append(f"<@{entry.member_id}>")
    if entry.currency is not None:
        if entry.before is not None and entry.after is not None:
            parts.append(
                f"{entry.currency.value}: {format_count(entry.before)} → "
                f"{format_count(entry.after)}"
            )
        elif entry.amount is not None:
            parts.append(f"{format_count(entry.amount)} {entry.currency.value}")
    parts.append(f"by <@{entry.actor_id}>")
    if entry.reason:
        parts.append(f"“{_clip(entry.reason)}”")
    parts.append(f"`#{entry.txn_id}`")
    return " · ".join(parts)


def history_page(result: Page[HistoryEntry], user_id: int) -> discord.Embed:
    embed = discord.Embed(title="Ledger history", colour=discord.Colour.blurple())
    embed.description = f"Member: <@{user_id}> · newest first\n\n" + (
        "\n".join(history_line(e) for e in result.items) or "No ledger entries yet."
    )
    embed.set_footer(text=f"Page {result.page} of {result.pages} · {result.total} entries")
    return embed


def audit_page(
    result: Page[AuditEntry], *, member_id: int | None, actor_id: int | None
) -> discord.Embed:
    filters = []
    if member_id is not None:
        filters.append(f"member <@{member_id}>")
    if actor_id is not None:
        filters.append(f"moderator <@{actor_id}>")
    head = ("Filtered by " + " and ".join(filters) + " · " if filters else "") + "newest first"
    embed = discord.Embed(title="Moderator audit log", colour=discord.Colour.blurple())
    embed.description = f"{head}\n\n" + (
        "\n".join(audit_entry_line(e) for e in result.items) or "No moderator actions yet."
    )
    embed.set_footer(text=f"Page {result.page} of {result.pages} · {result.total} actions")
    return embed


def cashout_page(result: Page[Payout]) -> discord.Embed:
    lines = [
        f"**#{p.id}** · <@{p.user_id}> · {format_count(p.diamonds)} diamonds "
        f"({format_usd(p.usd)}) · {p.method} · requested <t:{int(p.created_at)}:R>"
        for p in result.items
    ]
    embed = discord.Embed(title="Pending cash-outs", colour=discord.Colour.gold())
    embed.description = (
        "\n".join(lines) + "\n\nDecide with `/mod cashout-approve request:<id>` or "
        "`/mod cashout-reject request:<id> reason:<text>`."
        if lines
        else "No cash-out requests are waiting. 🎉"
    )
    embed.set_footer(text=f"Page {result.page} of {result.pages} · {result.total} pending")
    return embed
