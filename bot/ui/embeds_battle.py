"""LIVE Match battles: the invitation, the public battle post with its score bar, the result,
`/battle status` and the recap's battle lines. Pure rendering of what the services read.

Names are the creators' display names (given by the caller, falling back to a mention), so the
bar reads like TikTok's: `bob 1,200 ▰▰▰▰▱▱ 800 carol`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import discord

from bot.economy.battle import Battle, BattleFigures, BattleSide
from bot.ui import format as fmt

BAR_WIDTH = 10


def score_bar(left: str, a: int, b: int, right: str) -> str:
    """The challenger's share of the points in filled blocks; an even bar before any point."""
    total = a + b
    filled = BAR_WIDTH // 2 if total == 0 else round(a * BAR_WIDTH / total)
    return (
        f"{left} {fmt.count(a)} "
        + "▰" * filled
        + "▱" * (BAR_WIDTH - filled)
        + (f" {fmt.count(b)} {right}")
    )


def _name(names: Mapping[int, str], user_id: int) -> str:
    return fmt.clip(names.get(user_id) or fmt.mention(user_id), 32)


def _bar(figures: BattleFigures, names: Mapping[int, str]) -> str:
    a, b = figures.challenger, figures.opponent
    return score_bar(_name(names, a.user_id), a.score, b.score, _name(names, b.user_id))


def _scoring(battle: Battle) -> str:
    if battle.gift_name:
        return f"Only **{battle.gift_name}** scores"
    return "Every gift's diamonds score"


def invitation_text(challenger_id: int, opponent_id: int, minutes: int, gift: str | None,
                    expires_at: float) -> str:  # fmt: skip
    only = f" — only **{gift}** scores" if gift else ""
    return (
        f"⚔️ {fmt.mention(opponent_id)}, {fmt.mention(challenger_id)} challenges you to a "
        f"**LIVE Match** of {fmt.plural(minutes, 'minute')}{only}. Accept or decline "
        f"{fmt.relative(expires_at)}."
    )


def expired_text(challenger_id: int, opponent_id: int) -> str:
    return (
        f"⌛ The battle invitation from {fmt.mention(challenger_id)} expired — "
        f"{fmt.mention(opponent_id)} did not answer within a minute."
    )


def declined_text(challenger_id: int, opponent_id: int) -> str:
    return f"❌ {fmt.mention(opponent_id)} declined the battle with {fmt.mention(challenger_id)}."


def accepted_text(challenger_id: int, opponent_id: int) -> str:
    return (
        f"✅ {fmt.mention(opponent_id)} accepted the battle with {fmt.mention(challenger_id)} — "
        "it is on!"
    )


def battle_embed(figures: BattleFigures, names: Mapping[int, str]) -> discord.Embed:
    """The public post while the battle is on (also `/battle status`); the result once over."""
    battle = figures.battle
    if not battle.on:
        return result_embed(figures, names)
    embed = discord.Embed(title="⚔️ LIVE Match", colour=discord.Colour.magenta())
    embed.description = (
        f"{_bar(figures, names)}\n\n"
        f"{fmt.mention(battle.challenger_id)} vs {fmt.mention(battle.opponent_id)} — send gifts "
        f"with `/gift member:` to your side. {_scoring(battle)}.\n"
        f"Ends {fmt.relative(battle.ends_at)}."
    )
    embed.set_footer(text=f"Battle #{battle.id} · {fmt.plural(battle.minutes, 'minute')}")
    return embed


def _supporter(side: BattleSide) -> str:
    if side.top_supporter is None:
        return "nobody"
    return f"{fmt.mention(side.top_supporter)} ({fmt.diamonds(side.top_diamonds)})"


def result_embed(figures: BattleFigures, names: Mapping[int, str]) -> discord.Embed:
    """The final scores, the winner or a draw, and each side's top supporter."""
    battle = figures.battle
    winner = figures.winner_id
    headline = "🤝 **It's a draw!**" if winner is None else f"🏆 **{fmt.mention(winner)} wins!**"
    embed = discord.Embed(
        title="⚔️ LIVE Match — final",
        colour=discord.Colour.gold() if winner else discord.Colour.light_grey(),
    )
    embed.description = f"{headline}\n{_bar(figures, names)}\n{_scoring(battle)}."
    for side in (figures.challenger, figures.opponent):
        embed.add_field(
            name=f"{_name(names, side.user_id)}: {fmt.count(side.score)}",
            value=f"Top supporter: {_supporter(side)}",
            inline=True,
        )
    embed.set_footer(text=f"Battle #{battle.id} · {fmt.plural(battle.minutes, 'minute')}")
    return embed


def status_text(figures: BattleFigures, now: float) -> str:
    battle = figures.battle
    left = max(0, int(battle.ends_at - now))
    minutes, seconds = divmod(left, 60)
    return f"Your battle ends {fmt.relative(battle.ends_at)} ({minutes} min {seconds:02d} s left)."


def recap_lines(user_id: int, battles: Sequence[BattleFigures]) -> str:
    """A LIVE's battles, from its creator's side: `⚔️ won vs @carol 1,200 : 800`."""
    lines = []
    for f in battles:
        mine, theirs = (
            (f.challenger, f.opponent)
            if f.battle.challenger_id == user_id
            else (f.opponent, f.challenger)
        )
        outcome = "draw" if f.winner_id is None else "won" if f.winner_id == user_id else "lost"
        lines.append(
            f"⚔️ {outcome} vs {fmt.mention(theirs.user_id)} "
            f"{fmt.count(mine.score)} : {fmt.count(theirs.score)}"
        )
    return "\n".join(lines)
