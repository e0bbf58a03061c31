"""Contract: interactions built by the stand-in go through the real client, and its answers
(callbacks, follow-ups, edits, files, channel posts) are recorded the way Discord would keep them.
"""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import pytest

from bot.sandbox.standin import (
    ALICE,
    ANNOUNCE,
    AUDIT,
    BOB,
    CAROL,
    DEPARTED,
    GUILD_ID,
    MOD_ROLE,
    MODERATOR,
    CommandNotSynced,
    ComponentError,
    DiscordStandIn,
    InteractionFailed,
    OptionError,
    run_bot,
)
from tests.standin_contract.contract_bot import CSV, GUILD, PNG, ContractBot

EVERYTHING: dict[str, Any] = {
    "text": "hi",
    "count": 3,
    "flag": True,
    "who": BOB,
    "where": ANNOUNCE,
    "role": MOD_ROLE,
    "ratio": 0.5,
    "pick": "b",
    "thing": "Rose",
}


async def test_invoke_before_any_sync_says_to_sync_first(
    bot: ContractBot, standin: DiscordStandIn
) -> None:
    with pytest.raises(CommandNotSynced, match="sync"):
        await standin.user(ALICE).invoke("ping")


async def test_the_bots_real_sync_is_stored_with_ids(
    synced: ContractBot, standin: DiscordStandIn
) -> None:
    stored = {c["name"]: c for c in standin.synced_commands(guild_id=GUILD_ID)}
    assert {"shop", "everything", "panel", "slow", "ping"} <= set(stored)
    fetched = await synced.tree.fetch_commands(guild=synced.get_guild(GUILD_ID))
    assert {c.name: c.id for c in fetched} == {n: int(c["id"]) for n, c in stored.items()}
    again = await synced.tree.sync(guild=synced.get_guild(GUILD_ID))
    assert {c.name: c.id for c in again} == {c.name: c.id for c in fetched}  # ids survive a re-sync
    shop = stored["shop"]["options"]
    assert sorted((o["name"], o["type"]) for o in shop) == [("admin", 2), ("buy", 1)]


async def test_every_option_type_reaches_the_command(
    synced: ContractBot, standin: DiscordStandIn
) -> None:
    result = await standin.user(MODERATOR).invoke("everything", **EVERYTHING)
    assert result.type == 4
    assert not result.ephemeral
    assert (
        result.content
        == f"hi|3|True|{BOB}:Member|{ANNOUNCE}:gift-announcements|Mods|0.5|b|Rose|perms=True"
    )
    departed = await standin.user(ALICE).invoke("everything", **EVERYTHING | {"who": DEPARTED})
    assert f"{DEPARTED}:User|" in departed.content
    assert departed.content.endswith("perms=False")
    assert synced.calls[result.id] == 1
    assert result.latency is not None


async def test_groups_and_sub_commands(synced: ContractBot, standin: DiscordStandIn) -> None:
    buy = await standin.user(ALICE).invoke("shop buy", package=350, note="gift")
    assert buy.ephemeral
    assert buy.content == "bought 350 note=gift"
    reset = await standin.user(MODERATOR).invoke("shop admin reset", member=CAROL)
    assert reset.content == f"reset {CAROL}"


@pytest.mark.parametrize(
    ("command", "values", "error"),
    [
        ("everything", EVERYTHING | {"count": 0}, "outside 1..99"),
        ("everything", EVERYTHING | {"count": 100}, "outside 1..99"),
        ("everything", EVERYTHING | {"count": "3"}, "expected an integer"),
        ("everything", EVERYTHING | {"ratio": 1.5}, "outside"),
        ("everything", EVERYTHING | {"pick": "c"}, "not one of"),
        ("everything", EVERYTHING | {"text": "x" * 51}, "length 51"),
        ("everything", EVERYTHING | {"flag": 1}, "True/False"),
        ("everything", EVERYTHING | {"where": 42}, "not a channel"),
        ("everything", EVERYTHING | {"role": 42}, "not a role"),
        ("everything", EVERYTHING | {"nope": 1}, "unknown option"),
        ("everything", {k: v for k, v in EVERYTHING.items() if k != "count"}, "missing required"),
        ("shop", {}, "is a group"),
        ("shop sell", {}, "not a sub-command"),
        ("shop buy", {"package": 71}, "not one of"),
        ("nosuch", {}, "not a synced command"),
    ],
)
async def test_schema_validation_refuses_what_discord_would(
    synced: ContractBot,
    standin: DiscordStandIn,
    command: str,
    values: dict[str, Any],
    error: str,
) -> None:
    with pytest.raises(OptionError, match=error):
        await standin.user(ALICE).invoke(command, **values)
    assert not standin.interactions  # nothing was sent


async def test_channel_types_are_enforced(synced: ContractBot, standin: DiscordStandIn) -> None:
    voice = await standin.add_channel("voice", type=2)
    with pytest.raises(OptionError, match="types"):
        await standin.user(ALICE).invoke("everything", **EVERYTHING | {"where": voice.id})


async def test_validate_false_sends_what_a_modified_client_would(
    synced: ContractBot, standin: DiscordStandIn
) -> None:
    result = await standin.user(ALICE).invoke(
        "everything", validate=False, **EVERYTHING | {"count": 500}
    )
    assert result.content.startswith("hi|500|")


async def test_autocomplete_returns_the_bots_choices(
    synced: ContractBot, standin: DiscordStandIn
) -> None:
    choices = await standin.user(ALICE).autocomplete(
        "everything", focused="thing", thing="ro", count=2
    )
    assert choices == [
        {"name": "Rose 🌹", "value": "Rose"},
        {"name": "Rocket 🌹", "value": "Rocket"},
    ]
    with pytest.raises(OptionError, match="no autocomplete"):
        await standin.user(ALICE).autocomplete("everything", focused="text")


async def test_buttons_update_defer_and_reply(synced: ContractBot, standin: DiscordStandIn) -> None:
    panel = await standin.user(ALICE).invoke("panel")
    assert panel.message is not None
    assert panel.message.custom_ids == ["panel:inc", "panel:later", "panel:reply", "panel:pick"]
    first = await standin.user(BOB).click(panel.message, "panel:inc")
    assert first.type == 7
    assert first.message is panel.message
    assert panel.content == "count 1"
    await standin.user(CAROL).click(panel.message, "panel:inc")
    assert panel.content == "count 2"
    assert [e["content"] for e in panel.edits] == ["count 0", "count 1"]
    later = await standin.user(BOB).click(panel.message, "panel:later")
    assert later.type == 6
    await later.wait_for_text(f"later by {BOB}")
    assert panel.content == f"later by {BOB}"
    reply = await standin.user(CAROL).click(panel.message, "panel:reply")
    assert reply.type == 4
    assert reply.ephemeral
    assert reply.content == "only you, carol"
    with pytest.raises(ComponentError, match="no component"):
        await standin.user(BOB).click(panel.message, "panel:nope")
    with pytest.raises(ComponentError, match="ephemeral"):
        await standin.user(BOB).click(reply.message, "x")  # type: ignore[arg-type]


async def test_deferred_answer_followups_edits_and_csv(
    synced: ContractBot, standin: DiscordStandIn
) -> None:
    result = await standin.user(ALICE).invoke("slow", wait_followups=1)
    assert result.type == 5
    await result.wait_for_text("done")
    assert [e["content"] for e in result.edits] == ["working 50%"]
    report = (await result.wait_for_followups(1))[0]
    assert report.content == "report"
    assert report.attachments[0].filename == "ledger.csv"
    assert report.attachments[0].data == CSV
    assert report.attachments[0].content_type == "text/csv"


async def test_multipart_edit_fetch_and_deletes(
    synced: ContractBot, standin: DiscordStandIn
) -> None:
    result = await standin.user(ALICE).invoke("tidy", wait_followups=2)
    await result.wait_for(lambda r: r.message is not None and r.message.deleted, what="deleted")
    temp, summary = result.followups
    assert temp.deleted
    assert summary.content == "orig=v2:1"
    assert result.message is not None
    assert [(a.filename, a.data) for a in result.message.attachments] == [("a.csv", CSV)]
    assert standin.messages(result.channel_id) == [summary]
    assert (
        standin.route_counts["DELETE /webhooks/{application_id}/{token}/messages/{message_id}"] == 2
    )


async def test_ephemeral_reply_and_png_file_response(
    synced: ContractBot, standin: DiscordStandIn
) -> None:
    secret = await standin.user(ALICE).invoke("secret")
    assert secret.ephemeral
    assert secret.content == "psst"
    assert secret.message not in standin.messages(secret.channel_id)  # nobody else sees it
    chart = await standin.user(ALICE).invoke("chart")
    png = chart.attachments[0]
    assert (png.filename, png.data, png.content_type) == ("chart.png", PNG, "image/png")
    assert chart.allowed_mentions == {"parse": []}  # AllowedMentions.none() on the bot
    assert chart.message is not None
    assert chart.message.pings()["users"] == set()


async def test_channel_post_edit_and_refusals(synced: ContractBot, standin: DiscordStandIn) -> None:
    result = await standin.user(MODERATOR).invoke("post")
    assert result.content == "audit:True 403/50013 404/10003"
    [audit] = standin.messages(AUDIT)  # the "temporary" post was deleted
    assert audit.content == "audit: granted 10 (edited)"
    assert audit.edit_count == 1
    assert [(r.status, r.code) for r in standin.rejections] == [(403, 50013), (404, 10003)]
    found = await standin.wait_for_message(AUDIT, contains="granted 10")
    assert found is audit


async def test_same_interaction_delivered_twice(
    synced: ContractBot, standin: DiscordStandIn
) -> None:
    result = standin.user(ALICE).prepare("dup")
    await standin.deliver(result)
    await standin.redeliver(result)
    attempts = await result.wait_for_attempts(2)
    assert attempts[0].accepted
    assert (attempts[1].status, attempts[1].code) == (400, 40060)
    assert synced.calls[result.id] == 2
    assert result.content == "call 1"
    assert len(synced.app_errors) == 1  # the client saw Discord's "already acknowledged"


async def test_two_hundred_concurrent_interactions(
    synced: ContractBot, standin: DiscordStandIn
) -> None:
    users = [standin.user(u) for u in (ALICE, BOB, CAROL, MODERATOR)]
    results = await asyncio.gather(*(users[i % 4].invoke("ping", n=i) for i in range(200)))
    assert [r.content for r in results] == [f"pong {i}" for i in range(200)]
    assert len({r.id for r in results}) == 200
    assert all(r.ephemeral for r in results)


async def test_edit_rate_limit_answers_429_and_discord_py_retries(
    synced: ContractBot, standin: DiscordStandIn
) -> None:
    standin.rate_limit_edits(limit=2, window=0.2, retry_after=0.05)
    result = await standin.user(ALICE).invoke("edits", n=5)
    await result.wait_for_text("edit 5")
    assert standin.rate_limited_count >= 1
    assert standin.message_edit_count == 5 + standin.rate_limited_count
    assert result.message is not None
    assert result.message.edit_count == 5


async def test_select_menu(synced: ContractBot, standin: DiscordStandIn) -> None:
    panel = await standin.user(ALICE).invoke("panel")
    assert panel.message is not None
    picked = await standin.user(BOB).select(panel.message, "panel:pick", ["rose", "lion"])
    assert picked.type == 7
    assert panel.content == "picked rose,lion"
    with pytest.raises(ComponentError, match="not allowed"):
        await standin.user(BOB).select(panel.message, "panel:pick", ["tulip"])


async def test_an_embed_discord_refuses_fails_the_interaction(
    synced: ContractBot, standin: DiscordStandIn
) -> None:
    with pytest.raises(InteractionFailed, match="50035"):
        await standin.user(ALICE).invoke("toolong")
    assert standin.rejections[-1].code == 50035
    assert isinstance(synced.app_errors[-1].__cause__, discord.HTTPException)


async def test_a_late_answer_is_refused_like_discord_does(
    synced: ContractBot, standin: DiscordStandIn
) -> None:
    standin.interaction_deadline = 0.0  # every answer is "later than 3 s"
    with pytest.raises(InteractionFailed, match="10062"):
        await standin.user(ALICE).invoke("ping")
    assert isinstance(synced.app_errors[-1].__cause__, discord.NotFound)


async def test_register_commands_directly_without_the_bots_sync(
    bot: ContractBot, standin: DiscordStandIn
) -> None:
    schema = [c.to_dict(bot.tree) for c in bot.tree.get_commands(guild=GUILD)]
    stored = standin.register_commands(schema, guild_id=GUILD_ID)
    assert {c["name"] for c in stored} >= {"ping", "shop"}
    assert (await standin.user(BOB).invoke("ping", n=2)).content == "pong 2"
    assert (
        standin.route_counts["PUT /applications/{application_id}/guilds/{guild_id}/commands"] == 0
    )


async def test_a_second_application_gets_only_its_own_interactions(
    synced: ContractBot, standin: DiscordStandIn
) -> None:
    baseline_app = standin.add_application("baseline-token")
    async with run_bot(ContractBot(), baseline_app.token) as baseline:
        await baseline.tree.sync(guild=GUILD)
        assert len(standin.gateway.sessions) == 2
        mine = await standin.user(ALICE).invoke("dup")
        theirs = await standin.user(ALICE, app=baseline_app).invoke("dup")
        assert mine.content == theirs.content == "call 1"
        assert set(synced.calls) == {mine.id}
        assert set(baseline.calls) == {theirs.id}
        assert baseline.user is not None
        assert baseline.user.id == baseline_app.id
