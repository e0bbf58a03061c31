"""`/help`: how coins become gifts, diamonds and (demo) cash, with this server's live numbers."""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.economy.config import EconomyConfig
from bot.economy.ledger import Live
from bot.economy.levels import LevelTable
from bot.economy.rules import active_promotions
from bot.ui import format as fmt
from bot.ui.embeds_member import promotion_line

SIDE_BY_SIDE = (
    "```\n"
    "platform            viewer buys                  creator gets\n"
    "TikTok LIVE         coins, ≈ $0.011–0.014 each   1 diamond per coin = $0.005\n"
    "Twitch Bits         ≈ $0.014 per bit             $0.01 per bit\n"
    "YouTube Super Chat  direct payment               70 % after taxes and store fees\n"
    "```"
)


@dataclass(frozen=True, slots=True)
class LiveHelp:
    """This server's LIVE and level numbers for `/help`."""

    lives: list[Live]  # LIVE now
    max_hours: int
    table: LevelTable
    level_roles: dict[int, int]  # level → role id


def _live_and_levels(h: LiveHelp) -> str:
    on = ", ".join(fmt.mention(lv.user_id) for lv in h.lives[:10]) if h.lives else "nobody"
    more = f" and {len(h.lives) - 10} more" if len(h.lives) > 10 else ""
    t = h.table.thresholds
    roles = (
        " · ".join(f"Lv {lv} → <@&{r}>" for lv, r in sorted(h.level_roles.items()))
        if h.level_roles
        else "none set (moderators: `/settings level-role`)"
    )
    return (
        "`/live start` puts a LIVE card up: every gift to you counts for your LIVE, and the card "
        f"shows its diamonds, gifters and top 3. It ends with `/live end` or after {h.max_hours} h, "
        f"and becomes a recap. LIVE now: {on}{more}.\n"
        f"**Gifter levels** 1–{len(t)} (`/level`) rise with the coins you send as gifts: level 1 at "
        f"{fmt.coins(t[0])}, level 10 at {fmt.count(t[9])}, level {len(t)} at {fmt.count(t[-1])}. "
        f"Level roles: {roles}."
    )


def help_embed(cfg: EconomyConfig, now: float, live: LiveHelp | None = None) -> discord.Embed:
    pkgs = cfg.coin_packages()
    ratio = cfg.diamonds_per_coin
    ratio_text = "1 diamond per coin" if ratio == 1 else f"{ratio} diamonds per coin"
    embed = discord.Embed(
        title="How giftcord works",
        colour=fmt.INFO_COLOUR,
        description=(
            "**Coins → gifts → diamonds → cash.** A TikTok-style gifting economy with demo coins: "
            "nothing is ever charged and no real money moves."
        ),
    )
    embed.add_field(
        name="1. Buy coins — `/coins buy`",
        value=(
            " · ".join(f"{fmt.count(p.coins)} = {fmt.usd(p.usd)}" for p in pkgs)
            + f"\nCustom: {fmt.count(cfg.custom_min_coins)}–{fmt.count(cfg.custom_max_coins)} "
            f"coins at {fmt.usd(cfg.custom_usd_per_coin * 100)} per 100. "
            f"Limit {fmt.usd(cfg.daily_spend_cap_usd)} a day (UTC); a confirm button above "
            f"{fmt.usd(cfg.purchase_confirm_above_usd)}; first purchase asks you to confirm you are 18+."
            + "".join(f"\nPromotion: {promotion_line(p)}." for p in active_promotions(cfg, now))
        ),
        inline=False,
    )
    embed.add_field(
        name="2. Send gifts — `/gift`, `/gifts`",
        value=(
            "A gift costs its catalogue price × count (1–99). Cheap gifts combo: send the same one "
            f"to the same member within {cfg.combo_window_seconds:g} s and one post counts up ×N."
        ),
        inline=False,
    )
    embed.add_field(
        name="3. Collect diamonds — `/diamonds balance`, `/diamonds stats`",
        value=(
            f"The recipient gets {ratio_text} of gift value. "
            f"1,000 diamonds = {fmt.usd(cfg.usd_per_diamond * 1000)} "
            f"(${cfg.usd_per_diamond.normalize():f} each, the creator's 50 % share). "
            f"Or turn them into coins with `/diamonds exchange`: "
            f"{fmt.count(cfg.exchange_diamonds_per_coin)} diamonds per coin."
        ),
        inline=False,
    )
    embed.add_field(
        name="4. Cash out (demo) — `/creator register`, `/cashout estimate`, `/cashout request`",
        value=(
            f"Minimum {fmt.usd(cfg.cashout_min_usd)}, at most {fmt.usd(cfg.cashout_daily_max_usd)} "
            "a day (UTC). Needs: 18+ confirmed, an eligible country, good standing, a payout "
            "method. A moderator reviews each request."
        ),
        inline=False,
    )
    if live is not None:
        embed.add_field(
            name="5. Go LIVE, climb levels — `/live`, `/level`",
            value=fmt.clip(_live_and_levels(live), 1024),
            inline=False,
        )
    embed.add_field(
        name="Treasure boxes — `/treasure drop`",
        value=(
            "Drop coins in a box for up to 100 others to open; when it is full or its time is "
            "up they share the coins at random, at least 1 coin each. Nobody opened it? The "
            "coins come back to you."
        ),
        inline=False,
    )
    embed.add_field(
        name="LIVE Match battles — `/battle start`, `/battle status`",
        value=(
            "Two LIVE creators battle for 1–30 minutes: the diamonds each receives are their "
            "points (only one gift's, if named). The opponent accepts within a minute; a public "
            "score bar follows the gifts, and the end names the winner (or a draw) and each "
            "side's top supporter."
        ),
        inline=False,
    )
    embed.add_field(name="Compared with other platforms", value=SIDE_BY_SIDE, inline=False)
    embed.add_field(
        name="More",
        value="`/balance` · `/leaderboard` · `/history` · `/coins packages` · `/creator status`",
        inline=False,
    )
    return fmt.demo_footer(embed, "All USD figures are demo estimates — no real money moves.")
