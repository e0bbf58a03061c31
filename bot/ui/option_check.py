"""Re-check a slash command's options against the command's own declared limits.

Discord's client enforces choices, ranges and lengths; discord.py enforces only some of them
when an interaction arrives. A modified client can send anything, so every command's options are
checked here, once, before any cog runs (docs/reliability.md §5): a value outside its declared
choices, numeric range or length gets a sentence naming the option, and nothing runs.

This runs on every interaction, so each command's limits are read from its parameters once
(`_limits_of`, kept per command object) instead of on every call (docs/performance.md, "the
interaction hot path"); an option without any limit costs one dictionary look-up.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from discord import app_commands

from bot.economy.errors import InvalidInput

_GROUPING = (1, 2)  # sub-command, sub-command group


@dataclass(frozen=True, slots=True)
class _Limits:
    """One option's declared limits, as the re-check needs them."""

    name: str
    choices: frozenset[Any] | None  # the allowed values, when the option has choices
    choices_text: str  # "`a`, `b` or `c`", for the refusal
    low: int | float | None  # discord.py keeps a string's length limits here too
    high: int | float | None


# Per command object: commands live as long as the bot, and a reloaded cog brings new objects
# (the old entries go with the old objects).
_CACHE: weakref.WeakKeyDictionary[app_commands.Command[Any, ..., Any], dict[str, _Limits]] = (
    weakref.WeakKeyDictionary()
)


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


def _limits_of(command: app_commands.Command[Any, ..., Any]) -> dict[str, _Limits]:
    """The options of `command` that declare any limit, by the name Discord sends."""
    limits = _CACHE.get(command)
    if limits is None:
        limits = {}
        for p in command.parameters:
            if not p.choices and p.min_value is None and p.max_value is None:
                continue  # nothing to check: the option is skipped with one look-up
            limits[p.display_name] = _Limits(
                p.display_name,
                frozenset(c.value for c in p.choices) if p.choices else None,
                _describe(p.choices) if p.choices else "",
                p.min_value,
                p.max_value,
            )
        _CACHE[command] = limits
    return limits


def _among(value: Any, choices: frozenset[Any]) -> bool:
    try:
        return value in choices
    except TypeError:  # a list or object where a value belongs (a modified client): not a choice
        return False


def check_options(command: app_commands.Command[Any, ..., Any], data: Mapping[str, Any]) -> None:
    """Raise InvalidInput naming the first option whose value breaks the command's schema."""
    limits = _limits_of(command)
    if not limits:
        return
    for option in leaf_options(data):
        limit = limits.get(option.get("name", ""))
        value = option.get("value")
        if limit is None or value is None or option.get("focused"):
            continue
        name = limit.name
        if limit.choices is not None and not _among(value, limit.choices):
            raise InvalidInput(f"`{name}` must be {limit.choices_text}.")
        low, high = limit.low, limit.high
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
