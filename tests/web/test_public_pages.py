"""The public leaderboard pages (`bot/web`) over HTTP, fed by the real bot against the stand-in:
404 for a server that did not opt in, names only, members who left and bots hidden."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.sandbox.standin.ids import ALICE, BOB, BOT_MEMBER, CAROL, GUILD_ID, MODERATOR
from bot.web.people import DiscordPeople
from bot.web.public import PublicPages, add_public_routes

G = GUILD_ID


@pytest.fixture
async def client(harness: Any) -> AsyncIterator[TestClient[Any, Any]]:
    app = web.Application()
    add_public_routes(app, PublicPages(harness.ledger, DiscordPeople(harness.bot), harness.clock))
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def opt_in(harness: Any, shown: bool = True) -> None:
    result = await harness.user(MODERATOR).invoke("settings set", public_page=shown)
    assert "Settings saved" in result.text


async def board(client: Any, board: str = "gifters", period: str = "week") -> list[dict[str, Any]]:
    response = await client.get(f"/api/g/{G}/leaderboard?board={board}&period={period}")
    assert response.status == 200, await response.text()
    body = await response.json()
    assert (body["board"], body["period"]) == (board, period)
    rows: list[dict[str, Any]] = body["rows"]
    return rows


async def test_a_server_that_did_not_opt_in_answers_404_with_a_sentence(
    harness: Any, client: Any
) -> None:
    for path in (f"/g/{G}", f"/api/g/{G}", f"/api/g/{G}/leaderboard?board=gifters&period=week"):
        response = await client.get(path)
        assert response.status == 404, path
        assert "has not turned on its giftcord page" in await response.text()
    # Turned on, then off again: 404 once more.
    await opt_in(harness)
    assert (await client.get(f"/g/{G}")).status == 200
    await opt_in(harness, shown=False)
    assert (await client.get(f"/api/g/{G}")).status == 404


async def test_bad_ids_and_parameters_get_a_sentence_not_a_traceback(
    harness: Any, client: Any
) -> None:
    await opt_in(harness)
    for path in ("/g/abc", "/g/-1", f"/g/{2**64}", "/api/g/12x/leaderboard"):
        response = await client.get(path)
        assert response.status == 404, path
        assert "a server id is a number" in await response.text()
    response = await client.get(f"/api/g/{G}/leaderboard?board=richest")
    assert response.status == 400
    assert await response.text() == "board must be one of gifters, creators."
    response = await client.get(f"/api/g/{G}/leaderboard?period=year")
    assert response.status == 400
    assert await response.text() == "period must be one of today, week, month, all."


async def test_the_boards_show_display_names_only_and_follow_the_gifts(
    harness: Any, client: Any
) -> None:
    await opt_in(harness)
    assert await board(client) == []
    await harness.grant(ALICE, 1_000)
    await harness.user(ALICE).invoke("gift", member=BOB, gift="Rose", count=5)
    assert await board(client) == [{"rank": 1, "name": "Alice", "avatar": None, "value": 5}]
    assert await board(client, "creators", "all") == [
        {"rank": 1, "name": "Bob", "avatar": None, "value": 5}
    ]
    summary = await (await client.get(f"/api/g/{G}")).json()
    assert summary["server"] == harness.standin.world.guilds[G].name
    assert summary["boards"]["gifters"]["today"][0]["name"] == "Alice"
    assert summary["event"] is None
    text = json.dumps(summary)
    for uid in (ALICE, BOB):  # no ids, no mentions
        assert str(uid) not in text
    assert "<@" not in text


async def test_the_live_event_and_its_goal_are_on_the_page(harness: Any, client: Any) -> None:
    await opt_in(harness)
    await harness.user(MODERATOR).invoke("event start", name="Winter drive", minutes=60, goal="100")
    await harness.grant(ALICE, 1_000)
    await harness.user(ALICE).invoke("gift", member=BOB, gift="Rosa")  # 10 diamonds
    summary = await (await client.get(f"/api/g/{G}")).json()
    event = summary["event"]
    assert (event["name"], event["goal"], event["diamonds"]) == ("Winter drive", 100, 10)
    assert 0 < event["ends_in_seconds"] <= 3600


async def test_members_who_left_and_bots_are_hidden(harness: Any, client: Any) -> None:
    await opt_in(harness)
    await harness.grant(ALICE, 1_000)
    alice = harness.user(ALICE)
    await alice.invoke("gift", member=BOB, gift="Perfume")
    await alice.invoke("gift", member=CAROL, gift="Rosa")
    assert [r["name"] for r in await board(client, "creators")] == ["Bob", "Carol"]

    await harness.standin.remove_member(BOB)
    await harness.wait_until(lambda: harness.bot.get_guild(G).get_member(BOB) is None)
    # Ranks close up: nobody can tell from a gap that someone is hidden.
    assert await board(client, "creators") == [
        {"rank": 1, "name": "Carol", "avatar": None, "value": 10}
    ]
    people = DiscordPeople(harness.bot)
    assert people.person(G, BOT_MEMBER) is None  # a bot is never shown
    assert people.person(G, CAROL) is not None


async def test_a_name_is_data_and_the_page_puts_it_in_text_nodes(harness: Any, client: Any) -> None:
    await opt_in(harness)
    evil = await harness.standin.add_member(username="<script>alert(1)</script>")
    await harness.wait_until(lambda: harness.bot.get_guild(G).get_member(evil.user.id))
    await harness.grant(evil.user.id, 100)
    await harness.user(evil.user.id).invoke("gift", member=BOB, gift="Rose")
    [row] = await board(client)
    assert row["name"] == evil.user.global_name  # as typed, for the page to show as text
    page = await client.get(f"/g/{G}")
    html = await page.text()
    assert page.content_type == "text/html"
    assert "alert(1)" not in html  # the page is static: names arrive only as JSON
    script = await (await client.get("/public-static/public.js")).text()
    assert "innerHTML" not in script  # …and are written with textContent


async def test_the_page_shows_who_is_live_now_with_their_diamonds(
    harness: Any, client: Any
) -> None:
    await opt_in(harness)
    summary = await (await client.get(f"/api/g/{G}")).json()
    assert summary["live"] == []
    started = await harness.user(BOB).invoke("live start", title="Karaoke <b>night</b>")
    assert "LIVE" in started.text, started.describe()
    await harness.grant(ALICE, 1_000)
    await harness.user(ALICE).invoke("gift", member=BOB, gift="Rose", count=5)
    harness.clock.advance(90)
    summary = await (await client.get(f"/api/g/{G}")).json()
    assert summary["live"] == [
        {
            "name": "Bob",
            "avatar": None,
            "title": "Karaoke <b>night</b>",  # text: the page puts it in a text node
            "diamonds": 5,
            "gifters": 1,
            "live_for_seconds": 90,
        }
    ]
    ended = await harness.user(BOB).invoke("live end")
    assert "ended" in ended.text.lower(), ended.describe()
    assert (await (await client.get(f"/api/g/{G}")).json())["live"] == []
