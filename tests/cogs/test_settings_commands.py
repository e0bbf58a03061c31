"""`/settings show|set` through the real discord.py client and the stand-in."""

from __future__ import annotations

from typing import Any

from bot.economy.reads import GetGuildSettings
from bot.economy.requests import UpdateGuildSettings
from bot.sandbox.standin.ids import ALICE, ANNOUNCE, AUDIT, GUILD_ID, LOCKED, MOD_ROLE, MODERATOR

G = GUILD_ID


def posts(harness: Any, channel_id: int) -> list[Any]:
    return [m for m in harness.standin.world.channels[channel_id].log if not m.deleted]


async def test_show_defaults_to_not_set_for_anyone(harness: Any) -> None:
    result = await harness.user(ALICE).invoke("settings show")
    assert result.ephemeral
    assert "Audit channel" in result.text
    assert "not set" in result.text
    assert "Members with this role" in result.text


async def test_set_saves_and_posts_the_change_to_the_audit_channel(harness: Any) -> None:
    result = await harness.user(MODERATOR).invoke(
        "settings set", audit_channel=AUDIT, announce_channel=ANNOUNCE, mod_role=MOD_ROLE
    )
    assert result.ephemeral
    assert "Settings saved" in result.text
    assert "📋 Audit: posted" in result.text
    settings = await harness.ledger.run(GetGuildSettings(G))
    assert (settings.audit_channel_id, settings.announce_channel_id, settings.mod_role_id) == (
        AUDIT,
        ANNOUNCE,
        MOD_ROLE,
    )
    [post] = posts(harness, AUDIT)
    assert f"<#{AUDIT}>" in post.text
    assert f"<@&{MOD_ROLE}>" in post.text
    shown = await harness.user(ALICE).invoke("settings show")
    assert f"<#{ANNOUNCE}>" in shown.text


async def test_set_one_value_keeps_the_others(harness: Any) -> None:
    mod = harness.user(MODERATOR)
    await mod.invoke("settings set", audit_channel=AUDIT, mod_role=MOD_ROLE)
    await mod.invoke("settings set", announce_channel=ANNOUNCE)
    settings = await harness.ledger.run(GetGuildSettings(G))
    assert settings.audit_channel_id == AUDIT
    assert settings.mod_role_id == MOD_ROLE


async def test_set_an_audit_channel_the_bot_cannot_post_in_says_so(harness: Any) -> None:
    result = await harness.user(MODERATOR).invoke("settings set", audit_channel=LOCKED)
    assert "Settings saved" in result.text
    assert "⚠️ Audit:" in result.text
    assert "not allowed" in result.text
    assert (await harness.ledger.run(GetGuildSettings(G))).audit_channel_id == LOCKED


async def test_set_without_options_and_everyone_role_are_refused(harness: Any) -> None:
    mod = harness.user(MODERATOR)
    empty = await mod.invoke("settings set")
    assert empty.ephemeral
    assert "Choose at least one" in empty.text
    everyone = await mod.invoke("settings set", mod_role=G)
    assert "@everyone" in everyone.text
    assert (await harness.ledger.run(GetGuildSettings(G))).mod_role_id is None


async def test_set_by_mod_role_member_is_allowed(harness: Any) -> None:
    from bot.sandbox.standin.ids import MOD_HELPER

    await harness.ledger.run(UpdateGuildSettings(G, mod_role_id=MOD_ROLE))
    result = await harness.user(MOD_HELPER).invoke("settings set", announce_channel=ANNOUNCE)
    assert "Settings saved" in result.text
    refused = await harness.user(ALICE).invoke("settings set", announce_channel=AUDIT)
    assert "Only moderators" in refused.text
    assert (await harness.ledger.run(GetGuildSettings(G))).announce_channel_id == ANNOUNCE


async def test_moving_the_audit_channel_is_posted_in_the_old_one_too(harness: Any) -> None:
    """Whoever moves the audit trail (even somewhere the bot can't post) can't do it unseen."""
    mod = harness.user(MODERATOR)
    await mod.invoke("settings set", audit_channel=AUDIT)
    moved = await mod.invoke("settings set", audit_channel=LOCKED)
    assert "Settings saved" in moved.text
    assert "⚠️ Audit:" in moved.text  # the new channel refuses posts
    assert "📋 Previous audit channel: posted" in moved.text
    assert (await harness.ledger.run(GetGuildSettings(G))).audit_channel_id == LOCKED
    first, second = posts(harness, AUDIT)
    assert f"<#{AUDIT}> → <#{LOCKED}>" in second.text
    assert f"<@{MODERATOR}>" in second.text
    assert second.pings()["users"] == set()
    assert f"not set → <#{AUDIT}>" in first.text

    # Setting the same channel again is no move: one post, in that channel.
    again = await mod.invoke("settings set", audit_channel=LOCKED, announce_channel=ANNOUNCE)
    assert "Previous audit channel" not in again.text
    assert len(posts(harness, AUDIT)) == 2


async def test_public_page_is_a_setting_moderators_turn_on_and_off(harness: Any) -> None:
    mod = harness.user(MODERATOR)
    assert not (await harness.ledger.run(GetGuildSettings(G))).public_page
    shown = await harness.user(ALICE).invoke("settings show")
    assert "Public leaderboard page\nhidden" in shown.text

    await mod.invoke("settings set", audit_channel=AUDIT)
    result = await mod.invoke("settings set", public_page=True)
    assert "Settings saved" in result.text
    after = await harness.ledger.run(GetGuildSettings(G))
    assert after.public_page
    assert after.audit_channel_id == AUDIT  # the other settings are kept
    post = posts(harness, AUDIT)[-1]
    assert "hidden → shown" in post.text

    await mod.invoke("settings set", mod_role=MOD_ROLE)  # leaves it as it is
    assert (await harness.ledger.run(GetGuildSettings(G))).public_page
    await mod.invoke("settings set", public_page=False)
    assert not (await harness.ledger.run(GetGuildSettings(G))).public_page
    assert "shown → hidden" in posts(harness, AUDIT)[-1].text

    refused = await harness.user(ALICE).invoke("settings set", public_page=True)
    assert refused.ephemeral
    assert not (await harness.ledger.run(GetGuildSettings(G))).public_page
    empty = await mod.invoke("settings set")
    assert "`public_page`" in empty.text
