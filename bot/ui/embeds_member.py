"""Embeds for members: balances, profiles, coin purchases, the catalogue, gift announcements and
the ledger history. Pure rendering — every number arrives from the caller."""

from __future__ import annotations

from decimal import Decimal

import discord

from bot.economy import rules
from bot.economy.catalog import CoinPackage, Gift
from bot.economy.config import EconomyConfig, PromotionConfig
from bot.economy.decide.exchange import coins_for
from bot.economy.kinds import TxnKind
from bot.economy.ledger import Account, ExchangeResult, HistoryEntry, Page, PurchaseResult
from bot.economy.rules import Bonus, PurchaseQuote, usd_for_diamonds
from bot.ui import format as fmt
from bot.ui.labels import txn_label


def balance(
    account: Account, cfg: EconomyConfig, gifter_rank: int | None, creator_rank: int | None
) -> discord.Embed:
    embed = discord.Embed(title="Your balance", colour=fmt.COINS_COLOUR)
    embed.add_field(name="Coins", value=fmt.count(account.coins))
    embed.add_field(name="Diamonds", value=fmt.count(account.diamonds))
    embed.add_field(
        name="USD value", value=f"{fmt.usd(usd_for_diamonds(cfg, account.diamonds))} (estimate)"
    )
    embed.add_field(name="Lifetime diamonds", value=fmt.count(account.lifetime_diamonds))
    embed.add_field(name="Gifts sent", value=fmt.count(account.gifts_sent))
    embed.add_field(
        name="Rank",
        value=f"Gifters: {fmt.rank_text(gifter_rank)}\nCreators: {fmt.rank_text(creator_rank)}",
    )
    if account.frozen:
        embed.add_field(name="Status", value="❄️ Frozen — ask a moderator.", inline=False)
    return fmt.demo_footer(embed)


def profile(
    user: discord.abc.User,
    account: Account,
    *,
    show_coins: bool,
    creator_rank: int | None,
    level: int = 0,
) -> discord.Embed:
    """Another member's public profile; their gifter level stands beside the name."""
    badge = f" · Lv {level}" if level else ""
    embed = discord.Embed(title=f"{user.display_name}'s profile{badge}", colour=fmt.INFO_COLOUR)
    embed.description = fmt.mention(user.id) + badge
    embed.add_field(name="Diamonds earned", value=fmt.count(account.lifetime_diamonds))
    embed.add_field(name="Gifts sent", value=fmt.count(account.gifts_sent))
    embed.add_field(name="Creator rank", value=fmt.rank_text(creator_rank))
    embed.add_field(name="Gifter level", value=str(level) if level else "no level yet")
    if show_coins:
        embed.add_field(name="Coins", value=f"{fmt.count(account.coins)} (moderators only)")
        embed.add_field(name="Diamonds", value=fmt.count(account.diamonds))
        if account.frozen:
            embed.add_field(name="Status", value="❄️ Frozen")
    return embed


def diamonds(
    user: discord.abc.User, account: Account, cfg: EconomyConfig, *, own: bool
) -> discord.Embed:
    title = "Your diamonds" if own else f"{user.display_name}'s diamonds"
    embed = discord.Embed(title=title, colour=fmt.DIAMONDS_COLOUR)
    embed.add_field(name="Diamonds", value=fmt.count(account.diamonds))
    embed.add_field(name="Lifetime earned", value=fmt.count(account.lifetime_diamonds))
    embed.add_field(
        name="USD value", value=f"{fmt.usd(usd_for_diamonds(cfg, account.diamonds))} (estimate)"
    )
    embed.description = (
        f"100 diamonds = {fmt.usd(cfg.usd_per_diamond * 100)} · cash-out minimum "
        f"{fmt.usd(cfg.cashout_min_usd)} — see `/cashout estimate`."
    )
    return fmt.demo_footer(embed)


def packages(cfg: EconomyConfig, pkgs: list[CoinPackage], now: float) -> discord.Embed:
    lines = [
        f"**{fmt.coins(p.coins)}** — {fmt.usd(p.usd)}"
        + (f" ({fmt.usd(p.usd / p.coins * 100)} per 100)" if p.coins else "")
        for p in pkgs
    ]
    embed = discord.Embed(
        title="Coin packages (demo prices)", colour=fmt.COINS_COLOUR, description="\n".join(lines)
    )
    embed.add_field(
        name="Custom amount",
        value=(
            f"{fmt.count(cfg.custom_min_coins)}–{fmt.count(cfg.custom_max_coins)} coins at "
            f"{fmt.usd(cfg.custom_usd_per_coin * 100)} per 100 "
            f"(`/coins buy amount:1.5k`)"
        ),
        inline=False,
    )
    if promos := rules.active_promotions(cfg, now):
        embed.add_field(
            name="Promotions (bonus coins, not counted toward the daily limit)",
            value="\n".join(promotion_line(p) for p in promos),
            inline=False,
        )
    embed.add_field(
        name="Daily limit", value=f"{fmt.usd(cfg.daily_spend_cap_usd)} of list price per UTC day"
    )
    embed.add_field(
        name="Ask first above",
        value=f"{fmt.usd(cfg.purchase_confirm_above_usd)} (a confirm button)",
    )
    return fmt.demo_footer(embed, fmt.DEMO_COINS_NOTE)


def bonus_text(percent: int, promotion: bool, coins: int) -> str:
    """`+10 % promotion (+140 coins)` — where a purchase's bonus comes from and what it gives."""
    where = "promotion" if promotion else "event bonus"
    return f"+{percent} % {where} (+{fmt.coins(coins)})"


def promotion_line(promo: PromotionConfig) -> str:
    """`+10 % on 1,400 coins or more until 31 Dec` (UTC dates)."""
    line = f"+{promo.bonus_percent} % on {fmt.coins(promo.min_coins)} or more"
    if promo.ends is not None:
        line += f" until {promo.ends.day} {promo.ends.strftime('%b')}"
    return line


def purchase_question(
    quote: PurchaseQuote, offer: Bonus, remaining_today: Decimal, *, age: bool
) -> discord.Embed:
    embed = discord.Embed(
        title=f"Buy {fmt.coins(quote.coins)}?",
        colour=fmt.WARN_COLOUR,
        description=(
            "Buying coins needs a one-time confirmation that you are **18 or older**. "
            "Press the button to confirm it and complete this purchase."
            if age
            else "This purchase is above the confirmation threshold — press **Confirm** to buy."
        ),
    )
    embed.add_field(name="List price", value=f"{fmt.usd(quote.usd)} (demo — nothing charged)")
    embed.add_field(
        name="Bonus",
        value=bonus_text(offer.percent, offer.promotion, offer.coins(quote.coins))
        if offer.percent
        else "none right now",
    )
    embed.add_field(name="Today's remaining limit", value=fmt.usd(remaining_today))
    return fmt.demo_footer(embed, fmt.DEMO_COINS_NOTE)


def purchase(result: PurchaseResult) -> discord.Embed:
    total = result.coins + result.bonus_coins
    embed = discord.Embed(
        title=f"🪙 You bought {fmt.coins(total)}",
        colour=fmt.OK_COLOUR,
        description="Send them as gifts with `/gift`."
        + (" (already done)" if result.replayed else ""),
    )
    embed.add_field(name="Coins", value=fmt.count(result.balance))
    embed.add_field(name="List price", value=f"{fmt.usd(result.usd)} (demo — nothing charged)")
    embed.add_field(
        name="Bonus",
        value=(
            f"+{fmt.coins(result.bonus_coins)} "
            + ("(promotion)" if result.promotion else "(event bonus)")
        )
        if result.bonus_coins
        else "none",
    )
    embed.add_field(name="Today's remaining limit", value=fmt.usd(result.remaining_today_usd))
    return fmt.demo_footer(embed, fmt.DEMO_COINS_NOTE)


def exchange_question(diamonds: int, rate: int) -> discord.Embed:
    coins, burnt = coins_for(diamonds, rate)
    return discord.Embed(
        title=f"Exchange {fmt.count(diamonds)} diamonds?",
        colour=fmt.INFO_COLOUR,
        description=f"They buy **{fmt.coins(coins)}** at {fmt.count(rate)} diamonds per coin"
        + (f"; {fmt.count(diamonds - burnt)} diamonds stay." if diamonds > burnt else ".")
        + " Coins can't be turned back into diamonds.",
    )


def exchange(result: ExchangeResult) -> discord.Embed:
    embed = discord.Embed(
        title=f"💎→🪙 You exchanged {fmt.count(result.diamonds)} diamonds",
        colour=fmt.OK_COLOUR,
        description=f"They bought {fmt.coins(result.coins)} at {fmt.count(result.rate)} diamonds"
        " per coin. Send them as gifts with `/gift`."
        + (" (already done)" if result.replayed else ""),
    )
    embed.add_field(name="Coins", value=fmt.count(result.coins_balance))
    embed.add_field(name="Diamonds", value=fmt.count(result.diamonds_left))
    return fmt.demo_footer(embed, fmt.DEMO_COINS_NOTE)


def announcement(
    sender_id: int,
    recipient_id: int,
    gift_name: str,
    count: int,
    coins: int,
    diamonds: int,
    message: str | None,
    *,
    combo: int | None = None,
    level_up: int | None = None,
) -> discord.Embed:
    """The public gift post. Mentions are in the embed and the reply carries no pings.
    `level_up`: the gifter level this gift lifted the sender to (the highest one crossed)."""
    times = f"×{fmt.count(count)}"
    title = f"🎁 {gift_name} {times} combo" if combo else f"🎁 {gift_name} {times}"
    embed = discord.Embed(
        title=title,
        colour=fmt.GIFT_COLOUR,
        description=f"{fmt.mention(sender_id)} sent **{gift_name} {times}** to {fmt.mention(recipient_id)}",
    )
    embed.add_field(name="Coins", value=fmt.count(coins))
    embed.add_field(name="Diamonds", value=fmt.count(diamonds))
    if combo:
        embed.add_field(name="Combo", value=f"×{fmt.count(count)} combo")
    if message:
        embed.add_field(name="Message", value=fmt.clip(message, 200), inline=False)
    if level_up:
        embed.add_field(name="Level up", value=f"⬆️ gifter level {level_up}", inline=False)
    embed.set_footer(text="Demo gifting — no real money moves.")
    return embed


def catalogue_page(gifts: list[Gift], page: int, pages: int, total: int) -> discord.Embed:
    lines = [
        f"**{g.name}** — {fmt.coins(g.coins)}" + (" · combo" if g.streakable else "") for g in gifts
    ]
    embed = discord.Embed(
        title="Gift catalogue", colour=fmt.GIFT_COLOUR, description="\n".join(lines) or "—"
    )
    embed.set_footer(
        text=f"Page {page} of {pages} · {fmt.count(total)} gifts · "
        "1 coin of gift value = 1 diamond for the recipient · combo gifts stack into one post"
    )
    return embed


def history_line(e: HistoryEntry) -> str:
    what = txn_label(e.kind)
    detail = ""
    if e.gift_name:
        detail = f" {e.gift_name} ×{e.count or 1}"
    if e.counterparty_id and e.counterparty_id > 0:
        detail += (" to " if e.kind == TxnKind.GIFT_SENT else " from ") + fmt.mention(
            e.counterparty_id
        )
    if e.reason:
        detail += f" — “{fmt.clip(e.reason, 80)}”"
    return (
        f"{fmt.relative(e.created_at)} · **{what}**{detail}: "
        f"{fmt.signed(e.amount)} {e.currency.value}"
    )


def history_page(user: discord.abc.User, page: Page[HistoryEntry], *, own: bool) -> discord.Embed:
    title = "Your history" if own else f"History of {user.display_name}"
    embed = discord.Embed(title=title, colour=fmt.INFO_COLOUR)
    embed.description = (
        "\n".join(history_line(e) for e in page.items)
        if page.items
        else "Nothing yet — buy coins with `/coins buy` or send a gift with `/gift`."
    )
    embed.set_footer(
        text=f"Page {page.page} of {page.pages} · {fmt.count(page.total)} entries · newest first"
    )
    return embed
