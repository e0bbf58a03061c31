"""LIVE Match battles after the opponent accepted: the public post and its coalesced score
edits, one timer per battle, the result when time is up, and the start-up sweep.

Battles live in the ledger (they survive restarts); this service keeps, per guild, only who is
battling now (rebuilt from the ledger at start-up), so a gift to a creator in no battle costs a
dictionary look-up and one to a fighter a throttle poke. The post's scores are read from the
ledger when it is edited (derived from the gift rows), so a coalesced edit shows every gift
committed before it. Same coalescing as LIVE cards (`bot/services/throttle.py`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import discord

from bot.economy.battle import Battle, BattleFigures
from bot.economy.catalog import Catalog
from bot.economy.decide.battle import check_battle
from bot.economy.ledger import Ledger
from bot.economy.reads import BattleScore, GetBattle, GetBattleById, GetLive, OpenBattles
from bot.economy.requests import EndBattle, SetBattleMessage, StartBattle
from bot.services.open_now import OpenNow
from bot.services.posting import NO_MENTIONS, send_to_channel
from bot.services.shard_scope import serves_guild
from bot.services.throttle import RefreshThrottle, cancel_all
from bot.ui.embeds_battle import battle_embed, result_embed

log = logging.getLogger("giftcord.battle")

# Gifts arrive fast in a battle: a few seconds between edits keeps the bar current and well
# inside Discord's edit rate limit.
REFRESH_INTERVAL_SECONDS = 3.0
TIMER_SLACK_SECONDS = 0.5


class BattleBoards:
    def __init__(
        self,
        bot: discord.Client,
        ledger: Ledger,
        clock: Callable[[], float],
        catalog: Catalog,
        *,
        interval: float = REFRESH_INTERVAL_SECONDS,
    ) -> None:
        self.bot = bot
        self.ledger = ledger
        self.clock = clock
        self.catalog = catalog
        self.throttle = RefreshThrottle(self.refresh, interval=interval, clock=clock)
        self.open = OpenNow(self._read_open, self.throttle.poke, "battles")
        self._timers: dict[int, asyncio.Task[None]] = {}
        # One read-then-edit per battle at a time: a refresh that read it on must not land
        # after the edit that turned the post into the result.
        self._editing: dict[int, asyncio.Lock] = {}
        self.edits = 0  # post edits sent (tests and the benchmark count them)

    # --- who is battling --------------------------------------------------------------------

    async def _read_open(self) -> dict[tuple[int, int], int]:
        on: dict[tuple[int, int], int] = {}
        for b in await self.ledger.run(OpenBattles()):
            on[(b.guild_id, b.challenger_id)] = on[(b.guild_id, b.opponent_id)] = b.id
        return on

    async def ensure_loaded(self) -> None:
        await self.open.ensure_loaded()

    def gift_received(self, guild_id: int, recipient_id: int) -> None:
        """A gift reached `recipient_id`: when they are battling, refresh the post soon."""
        self.open.gift_received(guild_id, recipient_id)

    def names(self, guild_id: int, *user_ids: int) -> dict[int, str]:
        """Display names from the member cache (a mention stands in for one not cached)."""
        guild = self.bot.get_guild(guild_id)
        out: dict[int, str] = {}
        for uid in user_ids:
            member = guild.get_member(uid) if guild is not None else None
            if member is not None:
                out[uid] = member.display_name
        return out

    async def figures(self, guild_id: int, battle_id: int) -> BattleFigures:
        got = await self.ledger.run(BattleScore(guild_id, battle_id))
        assert got is not None  # the battle exists: its id came from the ledger
        return got

    def embed(self, figures: BattleFigures) -> discord.Embed:
        b = figures.battle
        return battle_embed(figures, self.names(b.guild_id, b.challenger_id, b.opponent_id))

    async def current(self, guild_id: int, user_id: int) -> BattleFigures | None:
        """`/battle status`: the member's battle now with its scores (None: in no battle)."""
        await self.end_due()  # one whose time is up ends (and posts its result) first
        battle = await self.ledger.run(GetBattle(guild_id, user_id))
        return None if battle is None else await self.figures(guild_id, battle.id)

    async def check(self, request: StartBattle) -> str | None:
        """Before the invitation goes out: the refusals the start would make now (raised), so
        nobody is invited to a battle that cannot start; the gift that scores."""
        await self.end_due()  # a battle whose time is up ends (and posts its result) first
        g, now = request.guild_id, self.clock()
        fighters = (request.challenger_id, request.opponent_id)
        live = set()
        battling = set()
        for uid in fighters:
            got = await self.ledger.run(GetLive(g, uid))
            if got is not None and got.ends_at > now:
                live.add(uid)
            if await self.ledger.run(GetBattle(g, uid)) is not None:
                battling.add(uid)
        return check_battle(request, self.catalog, live, battling)

    # --- a battle's life --------------------------------------------------------------------

    async def start(self, request: StartBattle) -> tuple[Battle, str]:
        """The opponent accepted: the battle, its public post and its timer; where it went."""
        await self.ensure_loaded()
        await self.end_due()
        battle = await self.ledger.run(request)
        if battle.replayed:
            return battle, "already posted"
        self.open.opened(battle.guild_id, battle.challenger_id, battle.id)
        self.open.opened(battle.guild_id, battle.opponent_id, battle.id)
        self.arm(battle)
        if battle.channel_id is None:
            return battle, "no channel to post in"
        outcome = await send_to_channel(
            self.bot, battle.channel_id, embed=self.embed(await self.figures(battle.guild_id,
                                                                             battle.id))
        )  # fmt: skip
        if outcome.posted and outcome.message_id is not None:
            await self.ledger.run(
                SetBattleMessage(battle.guild_id, battle.id, battle.channel_id, outcome.message_id)
            )
        return battle, outcome.note

    async def refresh(self, guild_id: int, battle_id: int) -> bool:
        """Edit the battle's post to its scores now (the result once over); whether it was."""
        async with self._editing.setdefault(battle_id, asyncio.Lock()):
            battle = await self.ledger.run(GetBattleById(guild_id, battle_id))
            if battle is None or battle.channel_id is None or battle.message_id is None:
                return False
            embed = self.embed(await self.figures(guild_id, battle_id))
            message = self.bot.get_partial_messageable(
                battle.channel_id, guild_id=guild_id
            ).get_partial_message(battle.message_id)
            try:
                await message.edit(embed=embed, allowed_mentions=NO_MENTIONS)
            except discord.HTTPException as exc:
                log.warning("could not edit the post of battle %s: %s", battle_id, exc)
                return False
            self.edits += 1
            return True

    async def finish(self, guild_id: int, battle_id: int) -> tuple[Battle, BattleFigures]:
        """End the battle once; its post becomes the result (a new post if it is gone)."""
        ended = await self.ledger.run(EndBattle(guild_id, battle_id))
        for fighter in (ended.challenger_id, ended.opponent_id):
            self.open.closed(guild_id, fighter, battle_id)
        timer = self._timers.pop(battle_id, None)
        if timer is not None and timer is not asyncio.current_task():
            timer.cancel()
        figures = await self.figures(guild_id, battle_id)
        if not ended.replayed:
            self.throttle.forget(battle_id)
            if not await self.refresh(guild_id, battle_id) and ended.channel_id is not None:
                b = figures.battle
                names = self.names(guild_id, b.challenger_id, b.opponent_id)
                outcome = await send_to_channel(
                    self.bot, ended.channel_id, embed=result_embed(figures, names)
                )
                if not outcome.posted:
                    log.warning("result of battle %s not posted: %s", battle_id, outcome.note)
            self._editing.pop(battle_id, None)
        return ended, figures

    def arm(self, battle: Battle) -> None:
        if battle.id not in self._timers:
            self._timers[battle.id] = asyncio.create_task(
                self._timer(battle), name=f"battle-{battle.id}"
            )

    async def _timer(self, battle: Battle) -> None:
        try:
            await asyncio.sleep(max(0.0, battle.ends_at - self.clock()) + TIMER_SLACK_SECONDS)
            self._timers.pop(battle.id, None)  # ending it must not cancel this very task
            await self.finish(battle.guild_id, battle.id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("ending battle %s failed; the sweep retries", battle.id)
        finally:
            if self._timers.get(battle.id) is asyncio.current_task():
                self._timers.pop(battle.id, None)

    async def end_due(self) -> int:
        """End every battle whose time is up (all servers); how many this call ended."""
        ended = 0
        now = self.clock()
        for battle in await self.ledger.run(OpenBattles()):
            if battle.ends_at > now or not serves_guild(self.bot, battle.guild_id):
                continue  # not due yet, or another shard process's server
            try:
                result, _ = await self.finish(battle.guild_id, battle.id)
                ended += not result.replayed
            except Exception:
                log.exception("ending battle %s failed; retrying on the next sweep", battle.id)
        return ended

    async def resume(self) -> int:
        """At start-up (and on every sweep): end what is overdue, arm a timer for the rest."""
        await self.ensure_loaded()
        ended = await self.end_due()
        for battle in await self.ledger.run(OpenBattles()):
            if serves_guild(self.bot, battle.guild_id):
                self.arm(battle)
        return ended

    async def close(self) -> None:
        await cancel_all(list(self._timers.values()))
        self._timers.clear()
        await self.open.close()
        await self.throttle.close()
