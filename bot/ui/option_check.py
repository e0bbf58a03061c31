"""Re-check a slash command's options against the command's own declared limits.

Discord's client enforces choices, ranges and lengths; discord.py enforces only some of them
when an interaction arrives. A modified client can send anything, so every command's options are
checked here, once, before any cog runs (docs/reliability.md §5): a value outside its declared
choices, numeric range or length gets a sentence naming the option, and nothing runs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from discord import app_commands

from bot.economy.errors import InvalidInput

_GROUPING = (1, 2)  # sub-command, sub-command group


def leaf_options(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The options a command's callback receives, below any sub-command / group layers."""
    options: Iterable[Mapping[str, Any]] = data.get("options", [])
    while True:
        options = list(options)
        nested = next((o for o in options if o.get("type") in _GROUPING), None)
        if nested is None:
            return options
        options = nested.get("options", [])


def _describe(choices: list[app_commands.Choice[Any]]) -> str:
    names = [f"`{c.value}`" for c in choices]
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


def check_options(command: app_commands.Command[Any, ..., Any], data: Mapping[str, Any]) -> None:
    """Raise InvalidInput naming the first option whose value breaks the command's schema."""
    params = {p.display_name: p for p in command.parameters}
    for option in leaf_options(data):
        param = params.get(option.get("name", ""))
        value = option.get("value")
        if param is None or value is None or option.get("focused"):
            continue
        name = param.display_name
        if param.choices and value not in [c.value for c in param.choices]:
            raise InvalidInput(f"`{name}` must be {_describe(param.choices)}.")
        # discord.py keeps a string's length limits in min_value / max_value too.
        low, high = param.min_value, param.max_value
        if isinstance(value, str):
            if low is not None and len(value) < low:
                raise InvalidInput(f"`{name}` must be at least {low} characters.")
            if high is not None and len(value) > high:
                raise InvalidInput(f"`{name}` can be at most {high} characters.")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if low is not None and value < low:
                raise InvalidInput(f"`{name}` must be at least {low:,}.")
            if high is not None and value > high:
                raise InvalidInput(f"`{name}` must be at most {high:,}.")
