"""The member and creator commands' schema against the command contract (README "Commands") —
built without connecting: load the extensions into a bot and read the command tree's payload."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from discord import app_commands

from bot.app import EXTENSIONS, GiftcordBot
from bot.economy.config import EconomyConfig
from bot.services import Services
from bot.settings import DiscordSettings

# Every extension except the moderator-facing ones (their schema is tested beside them).
MEMBER_EXTENSIONS = tuple(
    e for e in EXTENSIONS if e not in {"cogs.moderation", "cogs.events", "cogs.server_settings"}
)

STRING, INTEGER, USER, CHANNEL = 3, 4, 6, 7
SUB, GROUP = 1, 2
METHODS = {"paypal", "bank"}

# path → {option: (type, required, extras)}; extras: choices (set of values), min/max, max_length
EXPECTED: dict[str, dict[str, tuple[int, bool, dict[str, Any]]]] = {
    "help": {},
    "balance": {"member": (USER, False, {})},
    "coins buy": {
        "package": (INTEGER, False, {"choices": {70, 350, 700, 1400, 3500, 7000, 17500}}),
        "amount": (STRING, False, {}),
    },
    "coins packages": {},
    "gift": {
        "member": (USER, True, {}),
        "gift": (STRING, True, {"autocomplete": True}),
        "count": (INTEGER, False, {"min_value": 1, "max_value": 99}),
        "message": (STRING, False, {"max_length": 200}),
    },
    "gifts": {"page": (INTEGER, False, {"min_value": 1})},
    "diamonds balance": {"member": (USER, False, {})},
    "diamonds stats": {
        "member": (USER, False, {}),
        "days": (INTEGER, False, {"choices": {7, 30, 90}}),
    },
    "diamonds exchange": {"diamonds": (STRING, True, {})},  # product.md §9
    "cashout estimate": {"diamonds": (STRING, False, {})},
    "cashout request": {
        "diamonds": (STRING, True, {}),
        "method": (STRING, True, {"choices": METHODS}),
    },
    "cashout history": {},
    "creator register": {
        "country": (STRING, True, {"autocomplete": True}),
        "method": (STRING, True, {"choices": METHODS}),
    },
    "creator status": {"member": (USER, False, {})},
    "leaderboard": {
        "board": (STRING, False, {"choices": {"gifters", "creators"}}),
        "period": (STRING, False, {"choices": {"today", "week", "month", "all"}}),
        "event": (STRING, False, {"autocomplete": True}),
    },
    "history": {"member": (USER, False, {}), "page": (INTEGER, False, {"min_value": 1})},
    # product.md §7: TikTok LIVE and gifter levels
    "live start": {
        "title": (STRING, False, {"max_length": 100}),
        "channel": (CHANNEL, False, {}),
    },
    "live end": {"member": (USER, False, {})},
    "live status": {"member": (USER, False, {})},
    "level": {"member": (USER, False, {})},
    # product.md §7
    "treasure drop": {
        "coins": (STRING, True, {}),
        "openers": (INTEGER, False, {"min_value": 1, "max_value": 100}),
        "minutes": (INTEGER, False, {"min_value": 1, "max_value": 60}),
    },
    "battle start": {
        "opponent": (USER, True, {}),
        "minutes": (INTEGER, False, {"min_value": 1, "max_value": 30}),
        "gift": (STRING, False, {"autocomplete": True}),
    },
    "battle status": {},
}


class _NoLedger:
    """The schema never touches the ledger."""


@pytest.fixture
async def tree() -> AsyncIterator[app_commands.CommandTree]:
    services = Services(ledger=_NoLedger(), economy=EconomyConfig())  # type: ignore[arg-type]
    bot = GiftcordBot(services, DiscordSettings(), extensions=MEMBER_EXTENSIONS)
    await bot.setup_hook()
    yield bot.tree
    await bot.close()


def _flatten(payloads: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """path ('coins buy') → the leaf command payload; checks descriptions on the way."""
    out: dict[str, dict[str, Any]] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        path = f"{prefix} {node['name']}".strip()
        assert node.get("description"), f"/{path} has no description"
        subs = [o for o in node.get("options", []) if o["type"] in (SUB, GROUP)]
        if subs:
            for sub in subs:
                walk(sub, path)
        else:
            assert path not in out, f"duplicate command /{path}"
            out[path] = node

    for payload in payloads:
        walk(payload, "")
    return out


async def test_commands_match_the_contract(tree: app_commands.CommandTree) -> None:
    payloads = [c.to_dict(tree) for c in tree.get_commands()]
    names = [p["name"] for p in payloads]
    assert len(names) == len(set(names)), "duplicate top-level command names"
    leaves = _flatten(payloads)
    assert set(leaves) == set(EXPECTED)
    for path, expected in EXPECTED.items():
        options = {o["name"]: o for o in leaves[path].get("options", [])}
        assert set(options) == set(expected), f"/{path} options"
        for name, (kind, required, extras) in expected.items():
            opt = options[name]
            where = f"/{path} {name}"
            assert opt["type"] == kind, where
            assert bool(opt.get("required", False)) is required, where
            assert opt.get("description"), f"{where} has no description"
            if "choices" in extras:
                assert {c["value"] for c in opt["choices"]} == extras["choices"], where
            else:
                assert not opt.get("choices"), where
            for bound in ("min_value", "max_value", "max_length"):
                if bound in extras:
                    assert opt.get(bound) == extras[bound], f"{where} {bound}"
            assert bool(opt.get("autocomplete")) is bool(extras.get("autocomplete")), where


async def test_every_member_command_is_guild_only(tree: app_commands.CommandTree) -> None:
    for command in tree.get_commands():
        payload = command.to_dict(tree)
        assert payload.get("contexts") == [0] or payload.get("dm_permission") is False, command.name


async def test_send_again_button_is_registered(tree: app_commands.CommandTree) -> None:
    from cogs.gifting import SendAgainButton

    bot = tree.client
    assert SendAgainButton in bot._connection._view_store._dynamic_items.values()  # type: ignore[attr-defined]


async def test_treasure_open_button_is_registered(tree: app_commands.CommandTree) -> None:
    from cogs.treasure import OpenButton

    bot = tree.client
    assert OpenButton in bot._connection._view_store._dynamic_items.values()  # type: ignore[attr-defined]
