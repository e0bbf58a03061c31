"""`check_options` keeps each command's limits after the first interaction; the refusals must be
the same sentences as before, every time, whatever JSON a modified client sends."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord import app_commands

from bot.economy.errors import InvalidInput
from bot.ui.option_check import check_options


@app_commands.command(name="pick", description="test command")
@app_commands.choices(
    kind=[app_commands.Choice(name=n, value=n) for n in ("coins", "diamonds", "gems")]
)
async def pick(
    interaction: discord.Interaction,
    kind: str,
    n: app_commands.Range[int, 1, 5],
    note: app_commands.Range[str, 2, 4] | None = None,
    free: str | None = None,
) -> None:
    """A command with every kind of limit, and one option without any."""


def options(**values: Any) -> dict[str, Any]:
    return {"options": [{"name": k, "value": v} for k, v in values.items()]}


@pytest.mark.parametrize(
    ("values", "sentence"),
    [
        ({"kind": "gold"}, "`kind` must be `coins`, `diamonds` or `gems`."),
        ({"kind": ["coins"]}, "`kind` must be `coins`, `diamonds` or `gems`."),  # unhashable
        ({"kind": {"a": 1}}, "`kind` must be `coins`, `diamonds` or `gems`."),
        ({"n": 0}, "`n` must be at least 1."),
        ({"n": 6}, "`n` must be at most 5."),
        ({"note": "x"}, "`note` must be at least 2 characters."),
        ({"note": "xxxxx"}, "`note` can be at most 4 characters."),
    ],
)
def test_a_value_outside_its_limits_is_refused_the_same_way_every_time(
    values: dict[str, Any], sentence: str
) -> None:
    for _ in range(3):  # the first call reads the limits; the later ones use what it kept
        with pytest.raises(InvalidInput) as refusal:
            check_options(pick, options(**values))
        assert refusal.value.message == sentence


def test_values_within_their_limits_pass() -> None:
    for _ in range(2):
        check_options(pick, options(kind="gems", n=5, note="ab", free="x" * 500))
        check_options(pick, {"options": []})
        check_options(pick, {})  # no options at all


def test_a_focused_option_is_not_checked_while_typing() -> None:
    check_options(pick, {"options": [{"name": "n", "value": 99, "focused": True}]})
