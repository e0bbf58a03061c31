"""Treasure box posts: the open box (with its Open button, added by the cog) and the results
that replace it. Pure rendering of a `TreasureBox` read from the ledger."""

from __future__ import annotations

import discord

from bot.economy.ledger import TreasureBox, TreasureState
from bot.ui import format as fmt

COLOUR = discord.Colour.gold()
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
FIELD_LIMIT = 1024


def box_embed(box: TreasureBox) -> discord.Embed:
    """The public post while the box is open: who dropped how much, how many got in so far."""
    if box.state is not TreasureState.OPEN:
        return results_embed(box)
    embed = discord.Embed(
        title="🎁 Treasure box!",
        colour=COLOUR,
        description=(
            f"{fmt.mention(box.dropper_id)} dropped **{fmt.coins(box.coins)}** for up to "
            f"{fmt.plural(box.openers, 'opener')}. Press **Open** to get a share — everyone "
            f"who opens it gets at least 1 coin, at random.\n"
            f"Closes {fmt.relative(box.ends_at)} (or as soon as it is full)."
        ),
    )
    embed.add_field(name="Opened", value=f"{fmt.count(box.opened)} of {fmt.count(box.openers)}")
    embed.set_footer(text=f"Treasure box #{box.id} · demo coins, no real money")
    return embed


def share_lines(box: TreasureBox) -> list[str]:
    """`🥇 @bob — 512 coins`, biggest share first (ties in the order they opened)."""
    paid = sorted(
        (
            (share, i, uid)
            for i, (uid, share) in enumerate(zip(box.opener_ids, box.shares, strict=True))
            if share
        ),
        key=lambda t: (-t[0], t[1]),
    )
    return [
        f"{MEDALS.get(rank, f'{rank}.')} {fmt.mention(uid)} — {fmt.coins(share)}"
        for rank, (share, _, uid) in enumerate(paid, start=1)
    ]


def _chunks(lines: list[str], limit: int = FIELD_LIMIT) -> list[str]:
    """Lines joined into blocks of at most `limit` characters (an embed field's limit)."""
    blocks: list[str] = []
    for line in lines:
        if blocks and len(blocks[-1]) + 1 + len(line) <= limit:
            blocks[-1] += "\n" + line
        else:
            blocks.append(line)
    return blocks


def results_embed(box: TreasureBox) -> discord.Embed:
    """What the post becomes once the box is settled: every share (in fields, so even 100
    openers fit Discord's limits), and any refund."""
    lines = share_lines(box)
    if lines:
        head = (
            f"{fmt.mention(box.dropper_id)}'s **{fmt.coins(box.coins)}** were split among "
            f"{fmt.plural(len(lines), 'opener')}."
        )
    else:
        head = f"Nobody opened {fmt.mention(box.dropper_id)}'s box of **{fmt.coins(box.coins)}**."
    if box.returned:
        head += f"\n↩️ {fmt.coins(box.returned)} went back to {fmt.mention(box.dropper_id)}."
    embed = discord.Embed(title="🎁 Treasure box — opened", colour=COLOUR, description=head)
    for i, block in enumerate(_chunks(lines)):
        embed.add_field(name="Shares" if i == 0 else "Shares (more)", value=block, inline=False)
    embed.set_footer(text=f"Treasure box #{box.id} · demo coins, no real money")
    return embed


def opened_reply(opened: int, openers: int) -> str:
    """The ephemeral answer to a press of Open that got in."""
    return (
        f"🎁 You're in — opener {fmt.count(opened)} of {fmt.count(openers)}. Your share arrives "
        "when the box is split: watch the post."
    )


def dropped_reply(box: TreasureBox, note: str) -> str:
    return (
        f"🎁 Your box of {fmt.coins(box.coins)} is out ({note}). It closes "
        f"{fmt.relative(box.ends_at)}; if nobody opens it, the coins come back to you."
    )
