"""The public leaderboard pages: `/g/<server id>` and `/api/g/<server id>/leaderboard`.

Read-only, for servers that opted in (`/settings set public_page:true`); every other server,
like a malformed id, answers 404 with one sentence, so the pages cannot tell apart a server that
exists from one that does not. Reads go through the ledger port (`ledger.run(GetLeaderboard…)`),
never the store. Names come from a `Directory` (the bot's member cache, `bot/web/people.py`):
display names and avatars only — no ids, no mentions — and whoever it hides (members who left,
bots) is left out. The page is static HTML whose script fills in text nodes only, so a member
named `<script>` is shown as text.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

from bot.economy.ledger import Board, Ledger, Period
from bot.economy.reads import GetGuildSettings, GetLeaderboard, GetLiveEvent, LiveStats, OpenLives
from bot.economy.text import MAX_ID

STATIC = Path(__file__).parent / "static"
ROWS = 10
# Read a few more rows than shown: some may be hidden (left the server, bots).
READ_ROWS = 25
# Who is LIVE now: at most this many cards on the page (one figures read each).
LIVE_SHOWN = 12
NOT_FOUND = "No public page here: this server has not turned on its giftcord page."


@dataclass(frozen=True)
class Person:
    name: str
    avatar: str | None = None


class Directory(Protocol):
    def guild_name(self, guild_id: int) -> str | None: ...

    def person(self, guild_id: int, user_id: int) -> Person | None:
        """The member as shown publicly, or None to hide them (left the server, a bot)."""
        ...


class PublicPages:
    def __init__(
        self, ledger: Ledger, directory: Directory, clock: Callable[[], float] = time.time
    ) -> None:
        self.ledger, self.directory, self.clock = ledger, directory, clock

    async def opted_in(self, guild_id: int) -> bool:
        return (await self.ledger.run(GetGuildSettings(guild_id))).public_page

    async def board(self, guild_id: int, board: Board, period: Period) -> list[dict[str, Any]]:
        page = await self.ledger.run(GetLeaderboard(guild_id, board, period, per_page=READ_ROWS))
        rows: list[dict[str, Any]] = []
        for row in page.items:
            person = self.directory.person(guild_id, row.user_id)
            if person is None:
                continue
            rows.append(
                {
                    "rank": len(rows) + 1,
                    "name": person.name,
                    "avatar": person.avatar,
                    "value": row.value,
                }
            )
            if len(rows) == ROWS:
                break
        return rows

    async def live_event(self, guild_id: int) -> dict[str, Any] | None:
        event = await self.ledger.run(GetLiveEvent(guild_id))
        if event is None:
            return None
        return {
            "name": event.name,
            "diamonds": event.diamonds,
            "goal": event.goal,
            "ends_in_seconds": max(0, int(event.ends_at - self.clock())),
            "bonus_percent": event.bonus_percent,
        }

    async def lives(self, guild_id: int) -> list[dict[str, Any]]:
        """Who is LIVE now, most diamonds first; hidden members (left, bots) are left out."""
        shown: list[dict[str, Any]] = []
        for live in await self.ledger.run(OpenLives(guild_id)):
            person = self.directory.person(guild_id, live.user_id)
            if person is None:
                continue
            figures = await self.ledger.run(LiveStats(guild_id, live.id, top=0))
            shown.append(
                {
                    "name": person.name,
                    "avatar": person.avatar,
                    "title": live.title,
                    "diamonds": figures.diamonds if figures else 0,
                    "gifters": figures.gifters if figures else 0,
                    "live_for_seconds": max(0, int(self.clock() - live.started_at)),
                }
            )
            if len(shown) == LIVE_SHOWN:
                break
        shown.sort(key=lambda row: -row["diamonds"])
        return shown

    async def summary(self, guild_id: int) -> dict[str, Any]:
        boards = {
            b.value: {p.value: await self.board(guild_id, b, p) for p in Period} for b in Board
        }
        return {
            "server": self.directory.guild_name(guild_id) or "A Discord server",
            "boards": boards,
            "event": await self.live_event(guild_id),
            "live": await self.lives(guild_id),
        }


PAGES_KEY: web.AppKey[PublicPages] = web.AppKey("public_pages", PublicPages)


def _not_found(text: str = NOT_FOUND) -> web.HTTPNotFound:
    return web.HTTPNotFound(text=text)


async def _guild(request: web.Request) -> int:
    """The opted-in server of the URL, else 404 (a bad id reads like a server that opted out)."""
    raw = request.match_info["guild_id"]
    if not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
        raise _not_found("No public page here: a server id is a number, like /g/123456789.")
    if not await request.app[PAGES_KEY].opted_in(int(raw)):
        raise _not_found()
    return int(raw)


def _choice(request: web.Request, name: str, enum: type[Board] | type[Period], default: str) -> Any:
    value = request.query.get(name, default)
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise web.HTTPBadRequest(text=f"{name} must be one of {allowed}.") from None


async def page(request: web.Request) -> web.FileResponse:
    await _guild(request)
    return web.FileResponse(STATIC / "public.html", headers={"Cache-Control": "no-cache"})


async def summary(request: web.Request) -> web.Response:
    guild_id = await _guild(request)
    return web.json_response(await request.app[PAGES_KEY].summary(guild_id))


async def leaderboard(request: web.Request) -> web.Response:
    guild_id = await _guild(request)
    board = _choice(request, "board", Board, "gifters")
    period = _choice(request, "period", Period, "week")
    rows = await request.app[PAGES_KEY].board(guild_id, board, period)
    return web.json_response({"board": board.value, "period": period.value, "rows": rows})


def add_public_routes(app: web.Application, pages: PublicPages) -> None:
    app[PAGES_KEY] = pages
    app.router.add_get("/g/{guild_id}", page)
    app.router.add_get("/api/g/{guild_id}", summary)
    app.router.add_get("/api/g/{guild_id}/leaderboard", leaderboard)
    app.router.add_static("/public-static/", STATIC)


async def start_public_server(pages: PublicPages, host: str, port: int) -> web.AppRunner:
    """The running bot's public pages (`[web] enabled`): returns the runner to clean up."""
    app = web.Application()
    add_public_routes(app, pages)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
