"""Embeds for creators: cash-out estimates and requests, eligibility, earnings stats and
leaderboards. Every screen with USD says it is a demo estimate."""

from __future__ import annotations

import discord

from bot.economy.countries import country_name
from bot.economy.ledger import (
    Account,
    Board,
    DayEarnings,
    GiftTotal,
    LeaderRow,
    Page,
    Payout,
    PayoutState,
    SupporterTotal,
)
from bot.economy.rules import CashoutEstimate, EligibilityItem
from bot.ui import format as fmt

_STATE = {
    PayoutState.PENDING: "⏳ pending review",
    PayoutState.APPROVED: "✅ approved",
    PayoutState.REJECTED: "↩️ rejected (diamonds returned)",
}
METHODS = {"paypal": "PayPal", "bank": "Bank account"}


def checklist_text(items: list[EligibilityItem]) -> str:
    return "\n".join(
        f"{fmt.check(i.ok)} {i.label}" + ("" if i.ok else f" — {i.fix}") for i in items
    )


def estimate(est: CashoutEstimate) -> discord.Embed:
    embed = discord.Embed(
        title=f"Cash-out estimate for {fmt.diamonds(est.diamonds)}", colour=fmt.DIAMONDS_COLOUR
    )
    embed.add_field(name="Gross", value=fmt.usd(est.gross))
    embed.add_field(name="Fees", value=fmt.usd(est.fee))
    embed.add_field(name="Net", value=fmt.usd(est.net))
    embed.add_field(
        name="Minimum",
        value=f"{fmt.usd(est.minimum)} — reached ✅"
        if not est.missing_to_minimum
        else f"{fmt.usd(est.minimum)} — {fmt.usd(est.missing_to_minimum)} "
        f"({fmt.diamonds(est.missing_diamonds)}) to go",
    )
    embed.add_field(
        name="Today's remaining limit",
        value=fmt.usd(est.remaining_today) + (" — over it ❌" if est.over_daily_max else ""),
    )
    embed.add_field(name="Eligibility", value=checklist_text(est.checklist), inline=False)
    embed.add_field(
        name="Next step",
        value="You can request this with `/cashout request`."
        if est.allowed
        else "Not requestable yet — fix the ❌ items above.",
        inline=False,
    )
    return fmt.demo_footer(embed, "Estimate — no real money moves. " + fmt.DEMO_NOTE)


def payout(p: Payout) -> discord.Embed:
    embed = discord.Embed(
        title=f"Cash-out request #{p.id}",
        colour=fmt.OK_COLOUR if p.state != PayoutState.REJECTED else fmt.WARN_COLOUR,
        description=(
            "Your diamonds are held while a moderator reviews the request."
            if p.state == PayoutState.PENDING
            else None
        ),
    )
    embed.add_field(name="Diamonds", value=fmt.count(p.diamonds))
    embed.add_field(name="Gross", value=f"{fmt.usd(p.usd)} (estimate)")
    embed.add_field(name="Method", value=METHODS.get(p.method, p.method))
    embed.add_field(name="State", value=_STATE.get(p.state, str(p.state)))
    embed.add_field(name="Requested", value=fmt.relative(p.created_at))
    if p.reason:
        embed.add_field(name="Reason", value=fmt.clip(p.reason, 200), inline=False)
    return fmt.demo_footer(embed)


def payouts_page(page: Page[Payout]) -> discord.Embed:
    lines = [
        f"**#{p.id}** · {fmt.relative(p.created_at)} · {fmt.diamonds(p.diamonds)} → "
        f"{fmt.usd(p.usd)} via {METHODS.get(p.method, p.method)} · {_STATE.get(p.state, p.state)}"
        + (f" — “{fmt.clip(p.reason, 60)}”" if p.reason else "")
        for p in page.items
    ]
    embed = discord.Embed(
        title="Your cash-out requests",
        colour=fmt.DIAMONDS_COLOUR,
        description="\n".join(lines) or "No requests yet — see `/cashout estimate`.",
    )
    embed.set_footer(text=f"Page {page.page} of {page.pages} · {fmt.DEMO_NOTE}")
    return embed


def status(
    user: discord.abc.User, account: Account, items: list[EligibilityItem], *, own: bool
) -> discord.Embed:
    ok = all(i.ok for i in items)
    embed = discord.Embed(
        title=("Your creator status" if own else f"{user.display_name}'s creator status"),
        colour=fmt.OK_COLOUR if ok else fmt.WARN_COLOUR,
        description=checklist_text(items),
    )
    country = account.country
    embed.add_field(
        name="Country",
        value=f"{country_name(country) or country} ({country})" if country else "not registered",
    )
    embed.add_field(
        name="Payout method",
        value=METHODS.get(account.payout_method, account.payout_method)
        if account.payout_method
        else "not chosen",
    )
    embed.add_field(name="Diamonds", value=fmt.count(account.diamonds))
    embed.add_field(
        name="Cash-out",
        value="eligible ✅" if ok else "not yet ❌ — fix the items above",
        inline=False,
    )
    return embed


def stats(
    user: discord.abc.User,
    days: int,
    per_day: list[DayEarnings],
    gifts: list[GiftTotal],
    supporters: list[SupporterTotal],
    *,
    chart_file: str | None,
) -> discord.Embed:
    total = sum(d.diamonds for d in per_day)
    active = [d for d in per_day if d.diamonds]
    best = max(per_day, key=lambda d: d.diamonds, default=None)
    embed = discord.Embed(
        title=f"Diamonds of {user.display_name} — last {days} days", colour=fmt.DIAMONDS_COLOUR
    )
    if total == 0:
        embed.description = (
            f"No diamonds in the last {days} days yet. Gifts sent with `/gift` show up here."
        )
    else:
        embed.description = (
            f"{fmt.diamonds(total)} in {days} days, on {fmt.plural(len(active), 'day')} with gifts; "
            f"average {fmt.count(total // max(1, days))} a day"
            + (
                f"; best day <t:{best.day * 86400}:D> with {fmt.diamonds(best.diamonds)}."
                if best
                else "."
            )
        )
    embed.add_field(
        name="Top gifts",
        value="\n".join(
            f"{n}. **{g.gift_name}** ×{fmt.count(g.count)} — {fmt.diamonds(g.diamonds)}"
            for n, g in enumerate(gifts, 1)
        )
        or "none yet",
    )
    embed.add_field(
        name="Top supporters",
        value="\n".join(
            f"{n}. {fmt.mention(s.user_id)} — {fmt.diamonds(s.diamonds)}"
            for n, s in enumerate(supporters, 1)
        )
        or "none yet",
    )
    if chart_file:
        embed.set_image(url=f"attachment://{chart_file}")
    return embed


_UNIT = {Board.GIFTERS: "coins gifted", Board.CREATORS: "diamonds earned"}


def leaderboard_page(
    board: Board,
    period_label: str,
    page: Page[LeaderRow],
    *,
    caller_id: int,
    caller_rank: int | None,
    event_name: str | None,
    levels: dict[int, int] | None = None,
) -> discord.Embed:
    """`levels`: each listed member's gifter level, shown beside the name (`Lv 12`)."""
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    levels = levels or {}
    lines = [
        f"{medals.get(r.rank, f'**{r.rank}.**')} {fmt.mention(r.user_id)}"
        + (f" · Lv {levels[r.user_id]}" if levels.get(r.user_id) else "")
        + f" — {fmt.count(r.value)} {_UNIT[board]}"
        for r in page.items
    ]
    title = f"Top {board.value} — {period_label}"
    if event_name:
        title += f" · {event_name}"
    embed = discord.Embed(
        title=title,
        colour=fmt.GIFT_COLOUR,
        description="\n".join(lines) or "Nobody yet — be the first with `/gift`!",
    )
    embed.add_field(
        name="Your rank",
        value=f"{fmt.mention(caller_id)}: {fmt.rank_text(caller_rank)}",
        inline=False,
    )
    embed.set_footer(text=f"Page {page.page} of {page.pages} · bots and departed members hidden")
    return embed
