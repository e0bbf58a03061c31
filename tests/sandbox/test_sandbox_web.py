"""The sandbox's web routes (bot/sandbox/web.py) against the real bot and the stand-in: what the
browser's command box, buttons and live feed get."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.sandbox.standin.ids import ALICE, ANNOUNCE, BOB, GENERAL, LOCKED
from bot.sandbox.web import add_sandbox_routes

ME, YOU, HERE = str(ALICE), str(BOB), str(GENERAL)


@pytest.fixture
async def client(harness: Any) -> AsyncIterator[TestClient[Any, Any]]:
    app = web.Application()
    feed = add_sandbox_routes(app, harness.standin)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client
    feed.close()


async def post(client: Any, path: str, **body: Any) -> tuple[int, Any]:
    response = await client.post(path, json=body)
    return response.status, await response.json()


async def complete(client: Any, line: str, who: str = ME) -> dict[str, Any]:
    status, body = await post(
        client, "/api/sandbox/complete", line=line, channel=HERE, **{"as": who}
    )
    assert status == 200, body
    return body  # type: ignore[no-any-return]


async def send(client: Any, line: str, who: str = ME) -> tuple[int, Any]:
    return await post(client, "/api/sandbox/send", line=line, channel=HERE, **{"as": who})


async def messages(client: Any, who: str, channel: str = HERE) -> list[dict[str, Any]]:
    response = await client.get(f"/api/sandbox/channels/{channel}/messages?as={who}")
    assert response.status == 200
    return await response.json()  # type: ignore[no-any-return]


async def test_state_names_people_channels_and_no_bot_as_a_person(client: Any) -> None:
    state = await (await client.get("/api/sandbox/state")).json()
    names = [p["name"] for p in state["people"]]
    assert names[:3] == ["Alice", "Bob", "Carol"]
    assert [p["name"] for p in state["people"] if p["moderator"]] == ["Moderator", "Owner"]
    assert "Otherbot" not in names
    assert [c["name"] for c in state["channels"]] == [
        "general",
        "gift-announcements",
        "giftcord-audit",
    ]
    assert state["mentions"]["users"][ME] == "Alice"


async def test_the_popup_offers_the_synced_commands_and_the_bots_own_autocomplete(
    client: Any,
) -> None:
    commands = [s["label"] for s in (await complete(client, "/"))["suggestions"]]
    assert {"/gift", "/coins buy", "/settings set", "/diamonds stats"} <= set(commands)
    options = await complete(client, "/settings set ")
    assert "public_page" in [s["label"] for s in options["suggestions"]]
    gifts = await complete(client, "/gift member:@bob gift:Ros")
    assert gifts["stage"] == "value"
    assert gifts["hint"]["name"] == "gift"
    assert gifts["suggestions"][0] == {
        "label": "Rose — 1 coin",
        "detail": "",
        "line": "/gift member:@bob gift:Rose ",
    }
    countries = await complete(client, "/creator register country:Germ")
    assert any("Germany" in s["label"] for s in countries["suggestions"])


async def test_typing_errors_get_the_refusals_a_member_gets_and_nothing_is_sent(
    harness: Any, client: Any
) -> None:
    before = len(harness.standin.interactions)
    for line, refusal in [
        ("/gift member:@bob gift:Rose count:lots", "/gift count: expected an integer, got 'lots'"),
        ("/gift member:@bob gift:Rose count:500", "/gift count: 500 is outside 1..99"),
        ("/gift gift:Rose", "/gift: missing required option(s) ['member']"),
        (
            "/gift member:@nobody gift:Rose",
            "`member`: there is no member “@nobody” here — pick one from the list.",
        ),
        ("/frobnicate", "/frobnicate is not a command here"),
    ]:
        status, body = await send(client, line)
        assert status == 400, line
        assert refusal in body["error"], (line, body)
    assert len(harness.standin.interactions) == before


async def test_the_bots_refusal_arrives_as_an_ephemeral_reply(client: Any) -> None:
    status, body = await send(client, "/gift member:@bob gift:Rose")
    assert (status, body["ok"]) == (200, True)
    [reply] = await messages(client, ME)
    assert reply["ephemeral"]
    assert reply["visible_to"] == ME
    assert reply["used"] == {"user": "Alice", "command": "/gift"}
    assert "coins" in json.dumps(reply["embeds"]) + reply["content"]  # not enough coins
    assert await messages(client, YOU) == []  # only Alice sees it


async def test_buttons_press_through_the_stand_in_with_discords_rules(
    harness: Any, client: Any
) -> None:
    await harness.grant(ALICE, 100)
    await send(client, "/gift member:@bob gift:Rose")
    [announcement] = [m for m in await messages(client, YOU) if not m["ephemeral"]]
    button = announcement["components"][0]["components"][0]
    assert button["label"] == "Send again"
    # Bob pressing Alice's "Send again" is the bot's business (it refuses), not the client's.
    status, _ = await post(
        client,
        "/api/sandbox/click",
        message=announcement["id"],
        custom_id=button["custom_id"],
        **{"as": YOU},
    )
    assert status == 200
    [answer] = [m for m in await messages(client, YOU) if m["ephemeral"]]
    assert answer["visible_to"] == YOU
    status, body = await post(
        client, "/api/sandbox/click", message=answer["id"], custom_id="x", **{"as": ME}
    )
    assert status == 400
    assert "only its recipient can click it" in body["error"]
    status, body = await post(
        client, "/api/sandbox/click", message="123", custom_id="x", **{"as": ME}
    )
    assert (status, body["error"]) == (404, "That message is gone.")


async def test_the_feed_streams_posts_and_edits_of_the_same_message(
    harness: Any, client: Any
) -> None:
    await harness.grant(ALICE, 100)
    response = await client.get("/api/sandbox/feed")
    assert response.headers["Content-Type"] == "text/event-stream"
    assert await response.content.readline() == b": connected\n"

    async def next_view() -> dict[str, Any]:
        while True:
            line = await asyncio.wait_for(response.content.readline(), 10)
            if line.startswith(b"data: "):
                return json.loads(line[6:])  # type: ignore[no-any-return]

    await send(client, "/gift member:@bob gift:Rose")
    seen: dict[str, dict[str, Any]] = {}
    while not any("Send again" in json.dumps(v["components"]) for v in seen.values()):
        view = await next_view()
        seen[view["id"]] = view
    [announcement] = [v for v in seen.values() if not v["ephemeral"]]
    custom_id = announcement["components"][0]["components"][0]["custom_id"]
    await post(
        client, "/api/sandbox/click", message=announcement["id"], custom_id=custom_id, **{"as": ME}
    )
    while True:
        view = await next_view()
        if view["id"] == announcement["id"] and "×2" in json.dumps(
            view["embeds"], ensure_ascii=False
        ):
            break
    assert view["edited_timestamp"] is not None
    response.close()


async def test_bad_requests_get_a_sentence(client: Any) -> None:
    for body, refusal in [
        ({"as": "42", "channel": HERE, "line": "/gifts"}, "that member is not in the server"),
        ({"as": ME, "channel": str(LOCKED), "line": "/gifts"}, "not one of the sandbox's channels"),
    ]:
        response = await client.post("/api/sandbox/send", json=body)
        assert response.status == 400
        assert refusal in await response.text()
    response = await client.post("/api/sandbox/send", data=b"not json")
    assert (response.status, await response.text()) == (
        400,
        "The request body must be a JSON object.",
    )
    response = await client.get(f"/api/sandbox/channels/{ANNOUNCE}/messages?as=nobody")
    assert response.status == 400
    assert (await client.get("/api/sandbox/attachments/1/x.png")).status == 404
