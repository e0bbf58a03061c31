"""`/mod grant-role` with the members intent off, through the real client: the bot's member
cache is then (almost) empty, so the role's members are listed through REST."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import discord
import pytest

from bot.economy.reads import GetAccount, GetAudit
from bot.economy.requests import UpdateGuildSettings
from bot.sandbox.standin.ids import (
    ALICE,
    AUDIT,
    BOT_MEMBER,
    CAROL,
    GUILD_ID,
    MOD_HELPER,
    MOD_ROLE,
    MODERATOR,
)
from bot.settings import DiscordSettings

G = GUILD_ID


@pytest.fixture
async def mod(harness: Any) -> Any:
    """The bot restarted without the members intent; ALICE, CAROL and a bot join the Mods role
    (next to MOD_HELPER) — changes the bot is never told about without the intent."""
    harness.discord_settings = DiscordSettings(guild_ready_timeout=0.05, members_intent=False)
    await harness.restart()
    assert not harness.bot.intents.members
    guild = harness.standin.world.guilds[G]
    for uid in (ALICE, CAROL, BOT_MEMBER):
        guild.members[uid].roles.append(MOD_ROLE)
    await harness.ledger.run(UpdateGuildSettings(G, audit_channel_id=AUDIT))
    return harness.user(MODERATOR)


def button(message: Any, label: str) -> str:
    for comp in message.iter_components():
        if comp.get("label") == label and "custom_id" in comp:
            return str(comp["custom_id"])
    raise AssertionError(f"no button {label!r} in {message.text!r}")


async def test_grant_role_reaches_every_human_member_without_the_intent(
    harness: Any, mod: Any
) -> None:
    role = harness.bot.get_guild(G).get_role(MOD_ROLE)
    assert len(role.members) < 3  # the cache alone does not know the role's members

    ask = await mod.invoke(
        "mod grant-role", role=MOD_ROLE, currency="coins", amount="250", reason="thanks"
    )
    assert ask.ephemeral
    assert "to each of 3 members" in ask.text
    assert "750 in total" in ask.text
    press = await mod.click(ask.message, button(ask.message, "Grant to role"))
    assert "to 3 members" in press.text
    for uid in (ALICE, CAROL, MOD_HELPER):
        assert (await harness.ledger.run(GetAccount(G, uid))).coins == 250
    assert (await harness.ledger.run(GetAccount(G, BOT_MEMBER))).coins == 0
    assert [e.kind for e in (await harness.ledger.run(GetAudit(G))).items] == ["bulk_grant"]


async def test_without_discord_listing_members_the_reply_says_why_and_nothing_changes(
    harness: Any, mod: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refused(*_: Any) -> Any:
        # What Discord answers when the portal's Server Members switch is off as well.
        raise discord.Forbidden(SimpleNamespace(status=403, reason="Forbidden"), "Missing Access")

    monkeypatch.setattr(harness.bot.http, "get_members", refused)
    r = await mod.invoke(
        "mod grant-role", role=MOD_ROLE, currency="coins", amount="250", reason="thanks"
    )
    assert r.ephemeral
    assert "Server Members intent" in r.text
    assert "`/mod grant`" in r.text
    assert (await harness.ledger.run(GetAudit(G))).total == 0
    for uid in (ALICE, CAROL, MOD_HELPER):
        assert (await harness.ledger.run(GetAccount(G, uid))).coins == 0
