"""`/level`, the level-up line on gifts, and level roles, through the real discord.py client
and the stand-in (whose role routes apply Discord's Manage Roles and hierarchy rules)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.economy.levels import LevelsConfig
from bot.economy.reads import GetLevelRoles
from bot.economy.requests import UpdateGuildSettings
from bot.sandbox.standin.ids import (
    ALICE,
    AUDIT,
    BOB,
    BOT_ROLE,
    CAROL,
    DEPARTED,
    GUILD_ID,
    MODERATOR,
    Perm,
)

G = GUILD_ID
ROLE_ADD = "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}"


def roles_of(harness: Any, user_id: int) -> set[int]:
    return set(harness.standin.world.guilds[G].members[user_id].roles)


def audit_posts(harness: Any) -> list[Any]:
    return [m for m in harness.standin.world.channels[AUDIT].log if not m.deleted]


async def drain(harness: Any) -> None:
    await harness.bot.level_roles.drain()


async def allow_manage_roles(harness: Any) -> None:
    await harness.standin.update_role(BOT_ROLE, permissions=Perm.BOT_DEFAULT | Perm.MANAGE_ROLES)


async def test_level_edges_through_gifts_and_the_level_command(harness: Any) -> None:
    await harness.grant(ALICE, 1_000)
    alice = harness.user(ALICE)
    none_yet = await alice.invoke("level")
    assert none_yet.ephemeral
    assert "no level yet" in none_yet.text

    first = await alice.invoke("gift", member=BOB, gift="Rose", count=12)  # 12: one below 13
    assert "⬆️ gifter level 1" in first.text
    below = await alice.invoke("level")
    assert "level 1" in below.text
    assert "1 coin still to send for level 2" in below.text
    assert "▰" in below.text or "▱" in below.text

    # A combo repeat: the level-up is in the repeat's own confirmation (exactly 13).
    repeat = await alice.invoke("gift", member=BOB, gift="Rose", count=1)
    assert repeat.ephemeral
    assert "combo" in repeat.text
    assert "⬆️ gifter level 2" in repeat.text
    exactly = await harness.user(BOB).invoke("level", member=ALICE)
    assert "level 2" in exactly.text
    assert "3 coins still to send for level 3" in exactly.text

    # One above: still level 2, no level-up line.
    above = await alice.invoke("gift", member=CAROL, gift="Rose", count=1)
    assert "gifter level" not in above.text
    assert "2 coins still" in (await alice.invoke("level")).text

    # A gift that crosses several levels names the highest.
    jump = await harness.user(CAROL).invoke("gift", member=BOB, gift="Doughnut", count=1)
    assert "coins" in jump.text.lower()  # Carol has no coins: refused, no level
    await harness.grant(CAROL, 100)
    jump = await harness.user(CAROL).invoke("gift", member=BOB, gift="Doughnut", count=1)
    assert "⬆️ gifter level 5" in jump.text  # 30 coins: 27 ≤ 30 < 34
    assert (await harness.ledger.verify()).ok


async def test_level_role_needs_manage_roles_and_is_reported_once(harness: Any) -> None:
    await harness.ledger.run(UpdateGuildSettings(G, audit_channel_id=AUDIT))
    r1 = await harness.standin.add_role("Level 1")
    r2 = await harness.standin.add_role("Level 2")
    mod = harness.user(MODERATOR)
    for level, role in ((1, r1), (2, r2)):
        set_ = await mod.invoke("settings level-role", level=level, role=role.id)
        assert set_.ephemeral
        assert f"gifter level {level}" in set_.text
    assert await harness.ledger.run(GetLevelRoles(G)) == {1: r1.id, 2: r2.id}

    # No Manage Roles: the gifts go through, the roles don't, one audit post per role.
    await harness.grant(ALICE, 100)
    for _ in range(3):
        sent = await harness.user(ALICE).invoke("gift", member=BOB, gift="Doughnut")
        assert "Doughnut" in sent.text
    await drain(harness)
    assert roles_of(harness, ALICE) == set()
    assert (await harness.balances(ALICE)) == [(10, 0)]
    reports = audit_posts(harness)
    assert len(reports) == 2  # one per role (levels 1 and 2), not one per gift
    assert all("Manage Roles" in r.text for r in reports)

    # A role above the bot's highest role: Discord refuses even with Manage Roles.
    await allow_manage_roles(harness)
    high = await harness.standin.add_role("Whale")
    await harness.standin.update_role(high.id, position=99)
    await mod.invoke("settings level-role", level=6, role=high.id)
    await harness.grant(CAROL, 100)
    await harness.user(CAROL).invoke("gift", member=BOB, gift="Doughnut", count=2)  # level 7
    await drain(harness)
    assert high.id not in roles_of(harness, CAROL)
    assert r1.id in roles_of(harness, CAROL)  # the roles below the bot's are given
    whale = [r for r in audit_posts(harness) if f"<@&{high.id}>" in r.text]
    assert len(whale) == 1  # Alice (the mapping's pass) and Carol: reported once
    assert "not below my highest role" in whale[0].text

    # Non-moderators can't map roles; removing a mapping.
    refused = await harness.user(ALICE).invoke("settings level-role", level=3, role=r1.id)
    assert refused.ephemeral
    assert "moderator" in refused.text.lower()
    removed = await mod.invoke("settings level-role", level=2)
    assert "no longer gives a role" in removed.text
    assert 2 not in await harness.ledger.run(GetLevelRoles(G))
    assert (await harness.ledger.verify()).ok


async def test_level_roles_accumulate_and_a_new_mapping_reaches_members_already_there(
    harness: Any,
) -> None:
    await allow_manage_roles(harness)
    r1 = await harness.standin.add_role("Level 1")
    r5 = await harness.standin.add_role("Level 5")
    mod = harness.user(MODERATOR)
    await mod.invoke("settings level-role", level=1, role=r1.id)
    await mod.invoke("settings level-role", level=5, role=r5.id)
    await harness.grant(ALICE, 100)
    await harness.user(ALICE).invoke("gift", member=BOB, gift="Rose")  # level 1
    await drain(harness)
    assert roles_of(harness, ALICE) == {r1.id}
    await harness.user(ALICE).invoke("gift", member=BOB, gift="Doughnut")  # 31: level 5
    await drain(harness)
    assert roles_of(harness, ALICE) == {r1.id, r5.id}  # replace_roles off: both kept
    assert harness.bot.get_guild(G).get_member(ALICE).get_role(r5.id) is not None  # member update

    # A mapping added later reaches the members already at that level, in one pass.
    await harness.grant(CAROL, 100)
    await harness.user(CAROL).invoke("gift", member=BOB, gift="Rose", count=3)  # level 1
    r3 = await harness.standin.add_role("Level 1 club")
    added = await mod.invoke("settings level-role", level=1, role=r3.id)
    assert "2 member(s) already at that level" in added.text
    await drain(harness)
    assert r3.id in roles_of(harness, ALICE)
    assert r3.id in roles_of(harness, CAROL)
    assert (await harness.ledger.verify()).ok


async def test_replace_roles_removes_lower_level_roles(harness: Any) -> None:
    harness.levels = LevelsConfig(replace_roles=True)
    await harness.restart()
    await allow_manage_roles(harness)
    r1 = await harness.standin.add_role("Level 1")
    r5 = await harness.standin.add_role("Level 5")
    mod = harness.user(MODERATOR)
    await mod.invoke("settings level-role", level=1, role=r1.id)
    await harness.grant(ALICE, 100)
    await harness.user(ALICE).invoke("gift", member=BOB, gift="Rose")
    await drain(harness)
    assert roles_of(harness, ALICE) == {r1.id}
    await mod.invoke("settings level-role", level=5, role=r5.id)
    await harness.user(ALICE).invoke("gift", member=BOB, gift="Doughnut")  # level 5
    await drain(harness)
    assert roles_of(harness, ALICE) == {r5.id}  # the lower level's role went
    # A new level-1 mapping does not reach Alice (above the next mapped level, 5).
    r1b = await harness.standin.add_role("Newcomers")
    added = await mod.invoke("settings level-role", level=1, role=r1b.id)
    assert "already at that level" not in added.text
    await drain(harness)
    assert roles_of(harness, ALICE) == {r5.id}
    assert (await harness.ledger.verify()).ok


async def test_settings_level_role_schema(harness: Any) -> None:
    """`/settings level-role`: `level` int 1–50 (required), `role` role (optional) — §7."""
    group = harness.bot.tree.get_command("settings")
    payload = group.get_command("level-role").to_dict(harness.bot.tree)
    options = {o["name"]: o for o in payload["options"]}
    assert set(options) == {"level", "role"}
    level, role = options["level"], options["role"]
    assert (level["type"], level["required"], level["min_value"], level["max_value"]) == (
        4, True, 1, 50,
    )  # fmt: skip
    assert (role["type"], role.get("required", False)) == (8, False)


async def test_level_beside_the_name_on_profile_and_leaderboard_and_help_numbers(
    harness: Any,
) -> None:
    await harness.grant(ALICE, 100)
    await harness.user(ALICE).invoke("gift", member=BOB, gift="Doughnut")  # 30 coins: level 5
    profile = await harness.user(CAROL).invoke("balance", member=ALICE)
    assert "profile · Lv 5" in profile.text
    board = await harness.user(CAROL).invoke("leaderboard", board="gifters", period="today")
    assert f"<@{ALICE}> · Lv 5 — 30 coins" in board.text
    creators = await harness.user(CAROL).invoke("leaderboard", board="creators")
    assert f"<@{BOB}> — 30 diamonds" in creators.text  # Bob has sent nothing: no badge

    await harness.user(BOB).invoke("live start")
    r5 = await harness.standin.add_role("Level 5")
    await harness.user(MODERATOR).invoke("settings level-role", level=5, role=r5.id)
    shown = await harness.user(CAROL).invoke("help")
    assert f"LIVE now: <@{BOB}>" in shown.text
    assert "after 12 h" in shown.text
    assert "level 10 at 92" in shown.text
    assert f"Lv 5 → <@&{r5.id}>" in shown.text


async def test_level_role_refusals_change_nothing(harness: Any) -> None:
    mod = harness.user(MODERATOR)
    everyone = await mod.invoke("settings level-role", level=3, role=G)
    assert everyone.ephemeral
    assert "choose another one" in everyone.text
    bot_role = await mod.invoke("settings level-role", level=3, role=BOT_ROLE)
    assert "choose another one" in bot_role.text
    too_high = await mod.invoke("settings level-role", level=51, validate=False)
    assert too_high.ephemeral
    assert await harness.ledger.run(GetLevelRoles(G)) == {}
    outsider = await harness.user(ALICE).invoke("level", member=DEPARTED)
    assert "not a member" in outsider.text


@pytest.mark.parametrize("status", [503, 500])
async def test_a_5xx_on_a_level_role_is_retried_and_the_role_given(
    harness: Any, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    """Discord answers the role grant with a 503 (which discord.py raises at once, unlike a
    500/502/504 it retries itself) or a 500: the grant is tried again, the member gets the role,
    and nothing is logged — no traceback, no audit report."""
    await allow_manage_roles(harness)
    role = await harness.standin.add_role("Level 5")
    await harness.user(MODERATOR).invoke("settings level-role", level=5, role=role.id)
    harness.standin.faults.add(ROLE_ADD, status)
    await harness.grant(ALICE, 100)
    with caplog.at_level(logging.WARNING):
        jump = await harness.user(ALICE).invoke("gift", member=BOB, gift="Doughnut", count=1)
        assert "⬆️ gifter level 5" in jump.text
        await drain(harness)
    assert harness.standin.faults.log == [(ROLE_ADD, status)]
    assert role.id in roles_of(harness, ALICE)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert audit_posts(harness) == []
