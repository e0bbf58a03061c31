"""The treasure box posts fit Discord's embed limits with every share listed, even for 100
openers with the longest mentions and the largest shares."""

from __future__ import annotations

from bot.economy.ledger import TreasureBox, TreasureState
from bot.ui.embeds_treasure import box_embed, results_embed

BIG_ID = 10**19 - 1  # snowflakes are at most 19 digits in practice: the longest mention


def _box(state: TreasureState, shares: tuple[int, ...], returned: int = 0) -> TreasureBox:
    ids = tuple(BIG_ID - i for i in range(len(shares)))
    coins = sum(shares) + returned
    return TreasureBox(
        5, 1, 7, coins, max(1, len(shares)), 0.0, 120.0, state, 1, 2, 3, ids, shares, returned
    )


def _size(embed: dict) -> int:
    fields = embed.get("fields", [])
    return (
        len(embed.get("title", ""))
        + len(embed.get("description", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in fields)
        + len(embed.get("footer", {}).get("text", ""))
    )


def test_a_hundred_shares_all_fit() -> None:
    shares = tuple(10**12 // 100 + i for i in range(100))  # 13-digit shares, all different
    embed = results_embed(_box(TreasureState.SPLIT, shares)).to_dict()
    fields = embed["fields"]
    assert len(fields) <= 25
    assert all(len(f["value"]) <= 1024 for f in fields)
    assert len(embed["description"]) <= 4096
    assert _size(embed) <= 6000
    text = "\n".join(f["value"] for f in fields)
    for uid, share in zip(_box(TreasureState.SPLIT, shares).opener_ids, shares, strict=True):
        assert f"<@{uid}> — {share:,} coins" in text
    # biggest share first, with medals for the top three
    assert text.splitlines()[0].startswith("🥇")
    assert f"{max(shares):,}" in text.splitlines()[0]


def test_nobody_opened_reads_as_a_refund() -> None:
    embed = results_embed(_box(TreasureState.RETURNED, (), returned=600)).to_dict()
    assert "Nobody opened" in embed["description"]
    assert "600 coins went back" in embed["description"]
    assert "fields" not in embed or not embed["fields"]


def test_an_open_box_shows_its_count_and_its_end() -> None:
    embed = box_embed(_box(TreasureState.OPEN, (0, 0))).to_dict()
    assert "<t:120:R>" in embed["description"]
    assert embed["fields"][0]["value"] == "2 of 2"
