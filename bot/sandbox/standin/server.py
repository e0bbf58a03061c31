"""``DiscordStandIn``: the object tests and benchmarks hold. Starts the aiohttp server (REST and
gateway on one loopback port), owns the world, and offers the test-facing controls: simulated
users, world changes that emit gateway events, waiting helpers, counters and failure injection.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web

from . import payloads
from .errors import DiscordError, InteractionFailed, StandInError
from .faults import Faults
from .gateway import Gateway
from .ids import APPLICATION_ID, DEFAULT_TOKEN, GENERAL, GUILD_ID, Snowflakes
from .rest import build_app
from .rest_util import EditRateLimit
from .results import InteractionResult, Signal
from .schema import CommandRegistry
from .users import SimulatedUser
from .world import Application, Attachment, Channel, Message, World
from .world_controls import WorldControls

T = TypeVar("T")
EDIT_ROUTES = (
    "PATCH /channels/{channel_id}/messages/{message_id}",
    "PATCH /webhooks/{application_id}/{token}/messages/{message_id}",
)


@dataclass
class Unexpected:
    kind: str  # "rest" (unknown route / malformed), "gateway", "bug" (stand-in error)
    detail: str


@dataclass
class Rejection:
    method: str
    path: str
    status: int
    code: int
    message: str


class DiscordPyPatch:
    """Points discord.py's ``Route.BASE`` and ``DEFAULT_GATEWAY`` at the stand-in until undone.
    Applied on creation; usable as a context manager."""

    def __init__(self, api_base: str, gateway_url: str) -> None:
        import yarl
        from discord.gateway import DiscordWebSocket
        from discord.http import Route

        self._route, self._ws = Route, DiscordWebSocket
        self._saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
        Route.BASE = api_base
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
        self.active = True

    def undo(self) -> None:
        if self.active:
            self._route.BASE, self._ws.DEFAULT_GATEWAY = self._saved
            self.active = False

    def __enter__(self) -> DiscordPyPatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.undo()


class DiscordStandIn(WorldControls):
    """The stand-in. World changes with gateway events (``add_member``, ``remove_member``,
    ``set_roles``, ``sync_members``, ``add_role``, ``add_channel``, ``remove_channel``, ``deny_bot``,
    ``add_members``)
    come from :class:`WorldControls`."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        default_guild: bool = True,
        interaction_deadline: float | None = 3.0,
        default_timeout: float = 5.0,
        recommended_shards: int = 1,
        max_interactions: int = 20_000,
        guilds: int = 1,
        max_concurrency: int = 1,
        max_guilds_per_shard: int = 2_500,
    ) -> None:
        """``interaction_deadline``: Discord refuses callbacks after 3 s (None = never);
        ``default_timeout``: how long helpers wait for the bot; ``max_interactions``: how many
        interaction results are kept (oldest forgotten, like expired tokens).

        Shards: ``guilds`` > 1 adds guilds beside the default one, spread over shards by their
        ids (``World.build_shard_guilds``); ``recommended_shards`` is what ``GET /gateway/bot``
        answers; ``max_concurrency`` its session start limit (IDENTIFYs per 5 s — a large bot
        gets 16); an IDENTIFY whose session would hold more than ``max_guilds_per_shard``
        guilds is closed with 4011, as Discord does above 2,500."""
        self.host, self._port = host, port
        self.ids = Snowflakes()
        self.world = World(self.ids)
        self.app = self.world.add_app(token, "giftcord", APPLICATION_ID)
        if default_guild:
            self.world.build_default_guild()
        if guilds > 1:
            self.world.build_shard_guilds(guilds)
        self.commands = CommandRegistry(self.ids)
        self.gateway = Gateway(self)
        self.interaction_deadline = interaction_deadline
        self.default_timeout = default_timeout
        self.recommended_shards = recommended_shards
        self.max_concurrency = max_concurrency
        self.max_guilds_per_shard = max_guilds_per_shard
        self.max_interactions = max_interactions
        self.interactions: dict[int, InteractionResult] = {}
        self.by_token: dict[str, InteractionResult] = {}
        self.attachments: dict[int, Attachment] = {}
        self.unexpected: list[Unexpected] = []
        self.rejections: list[Rejection] = []
        self.route_counts: Counter[str] = Counter()
        self.edit_rate_limit: EditRateLimit | None = None
        self.faults = Faults()  # injected REST failures (faults.py): none unless a test adds one
        self.changed = Signal()  # any observable change; per-channel/per-interaction signals below
        self._channel_signals: dict[int, Signal] = {}
        self._message_watchers: list[Callable[[Message], None]] = []
        self._patches: list[DiscordPyPatch] = []
        self._runner: web.AppRunner | None = None

    # --- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> DiscordStandIn:
        self._runner = web.AppRunner(
            build_app(self, self.gateway.handle),
            access_log=None,
            shutdown_timeout=1.0,
            handle_signals=False,
        )
        await self._runner.setup()
        # A deep backlog: 1,000 concurrent interactions mean ~1,000 concurrent connects.
        site = web.TCPSite(self._runner, self.host, self._port, backlog=2048, reuse_address=True)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        for patch in self._patches:
            patch.undo()
        self._patches.clear()
        if self._runner is not None:
            await self.gateway.close_all()
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordStandIn:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self._port}"

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` / ``GIFTCORD_DISCORD__API_BASE`` must be."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """What ``DiscordWebSocket.DEFAULT_GATEWAY`` / ``GIFTCORD_DISCORD__GATEWAY_URL`` must be."""
        return f"ws://{self.host}:{self._port}/"

    @property
    def resume_gateway_url(self) -> str:
        # A different path than the initial gateway, so a test can prove RESUME used it.
        return f"ws://{self.host}:{self._port}/resume"

    @property
    def token(self) -> str:
        return self.app.token

    def patch_discord_py(self) -> DiscordPyPatch:
        """Redirect discord.py (in this process) here; undone by ``.undo()``, ``with`` or ``stop()``."""
        patch = DiscordPyPatch(self.api_base, self.gateway_url)
        self._patches.append(patch)
        return patch

    def add_application(self, token: str, name: str = "baseline") -> Application:
        """A second bot (own token, id, commands) in every guild, e.g. a benchmark baseline."""
        return self.world.add_app(token, name)

    # --- world ----------------------------------------------------------------------------------
    def channel(self, channel_id: int) -> Channel:
        return self.world.channels[channel_id]

    def message(self, message_id: int) -> Message:
        return self.world.messages[message_id]

    def messages(self, channel_id: int) -> list[Message]:
        """What the bot has posted in a channel and that still exists (incl. interaction replies)."""
        channel = self.world.channels.get(channel_id)  # a removed channel has no live messages
        return [] if channel is None else [m for m in channel.log if not m.deleted]

    def user(
        self,
        user_id: int,
        *,
        app: Application | None = None,
        guild_id: int = GUILD_ID,
        channel_id: int | None = None,
        locale: str = "en-US",
    ) -> SimulatedUser:
        """A member at a client, in ``channel_id`` (default: the guild's #general)."""
        return SimulatedUser(
            self,
            user_id,
            app=app or self.app,
            guild_id=guild_id,
            channel_id=channel_id or self.general_channel(guild_id),
            locale=locale,
        )

    def general_channel(self, guild_id: int = GUILD_ID) -> int:
        if guild_id == GUILD_ID:
            return GENERAL
        return next(c.id for c in self.guild(guild_id).channels.values() if c.name == "general")

    @property
    def guild_ids(self) -> list[int]:
        """Every guild, in the order they were made (the default guild first)."""
        return list(self.world.guilds)

    def guilds_of_shard(self, shard_id: int, shard_count: int) -> list[int]:
        """The guilds Discord routes to ``shard_id`` of ``shard_count``."""
        return [g for g in self.world.guilds if (g >> 22) % shard_count == shard_id]

    # --- commands -------------------------------------------------------------------------------
    def register_commands(
        self,
        commands: list[dict[str, Any]],
        *,
        guild_id: int | None = None,
        app: Application | None = None,
    ) -> list[dict[str, Any]]:
        """What the bot's PUT would do: e.g. ``[c.to_dict(tree) for c in tree.get_commands()]``."""
        stored = self.commands.put((app or self.app).id, guild_id, commands)
        self.changed.notify()
        return stored

    def synced_commands(
        self, *, guild_id: int | None = None, app: Application | None = None
    ) -> list[dict[str, Any]]:
        return self.commands.list((app or self.app).id, guild_id)

    # --- interactions ---------------------------------------------------------------------------
    def register(self, result: InteractionResult) -> None:
        self.interactions[result.id] = result
        self.by_token[result.token] = result
        while len(self.interactions) > self.max_interactions:
            old = self.interactions.pop(next(iter(self.interactions)))
            self.by_token.pop(old.token, None)

    async def deliver(
        self,
        result: InteractionResult,
        *,
        wait: bool = True,
        timeout: float | None = None,  # noqa: ASYNC109
        wait_deferred: bool = True,
        wait_followups: int = 0,
    ) -> InteractionResult:
        """Send a prepared interaction on the gateway and (by default) wait for the bot's answer:
        the callback, then (``wait_deferred``) a deferred placeholder's completion, then
        ``wait_followups`` follow-up messages."""
        if result.sent_at is None:
            result.sent_at = time.perf_counter()
        result.deliveries += 1
        await self.gateway.dispatch_interaction(result.app, result.guild_id, result.payload)
        if not wait:
            return result
        await result.wait_for(
            lambda r: r.attempts, timeout=timeout, what="the bot's interaction callback"
        )
        first = result.attempts[0]
        if not first.accepted:
            raise InteractionFailed(
                f"the bot's answer was refused: {first.status} code {first.code} "
                f"(body {first.body!r})",
                first,
            )
        if wait_deferred and result.type == 5:
            await result.wait_for(
                lambda r: r.answer is not None and not r.answer.loading,
                timeout=timeout,
                what="the deferred response to be completed",
            )
        if wait_followups:
            await result.wait_for_followups(wait_followups, timeout=timeout)
        return result

    async def redeliver(self, result: InteractionResult) -> InteractionResult:
        """Send the SAME payload again (a gateway redelivery): same id, same token. Does not wait;
        use ``result.wait_for_attempts(n)`` / ``wait_for`` to see what the bot did with it."""
        await self.deliver(result, wait=False)
        return result

    # --- observation ----------------------------------------------------------------------------
    def message_payload(self, msg: Message) -> dict[str, Any]:
        guild = self.world.guilds.get(msg.guild_id) if msg.guild_id is not None else None
        return payloads.message(msg, self.world.users[msg.author_id], self.base_url, guild=guild)

    def message_changed(self, msg: Message, by: InteractionResult | None = None) -> None:
        """Wake everyone who may wait on this message: its channel, the interaction it answers and
        the interaction that changed it (a click edits a message another interaction created)."""
        for att in msg.attachments:
            self.attachments[att.id] = att
        signal = self._channel_signals.get(msg.channel_id)
        if signal is not None:
            signal.notify()
        owner = (
            self.interactions.get(msg.interaction_id) if msg.interaction_id is not None else None
        )
        for result in (owner, by):
            if result is not None:
                result.signal.notify()
        for watcher in list(self._message_watchers):
            watcher(msg)
        self.changed.notify()

    def watch_messages(self, watcher: Callable[[Message], None]) -> Callable[[], None]:
        """Call ``watcher(msg)`` on every message the bot creates, edits or deletes, ephemeral
        ones included (``msg.interaction_user_id`` is the one member who sees those). Returns the
        function that stops watching. For live views such as the sandbox's web client."""
        self._message_watchers.append(watcher)
        return lambda: self._message_watchers.remove(watcher)

    def visible_messages(self, channel_id: int, user_id: int) -> list[Message]:
        """A channel as one member's client shows it, oldest first: every live message, plus the
        ephemeral replies meant for that member (which are in no channel log)."""
        return [
            m
            for m in self.world.messages.values()
            if m.channel_id == channel_id
            and not m.deleted
            and (not m.ephemeral or m.interaction_user_id == user_id)
        ]

    def record_unexpected(self, kind: str, detail: str) -> None:
        self.unexpected.append(Unexpected(kind, detail))

    def record_rejection(self, method: str, path: str, exc: DiscordError) -> None:
        self.rejections.append(Rejection(method, path, exc.status, exc.code, exc.message))

    def assert_no_unexpected(self) -> None:
        if self.unexpected:
            raise AssertionError(
                "unexpected requests/frames:\n"
                + "\n".join(f"{u.kind}: {u.detail}" for u in self.unexpected)
            )

    @property
    def message_edit_count(self) -> int:
        """How many message edits the bot attempted (channel + webhook PATCHes, 429s included)."""
        return sum(self.route_counts[r] for r in EDIT_ROUTES)

    def rate_limit_edits(
        self, limit: int = 5, window: float = 5.0, retry_after: float | None = None
    ) -> None:
        """From now on, more than ``limit`` edits per channel per ``window`` s answer 429."""
        self.edit_rate_limit = EditRateLimit(limit, window, retry_after)

    @property
    def rate_limited_count(self) -> int:
        return sum(1 for r in self.rejections if r.status == 429)

    async def wait_until(
        self,
        predicate: Callable[[], T],
        *,
        timeout: float | None = None,  # noqa: ASYNC109
        what: str = "a condition",
    ) -> T:
        """Wait until ``predicate()`` is truthy; re-checked on every change the stand-in sees and
        every 10 ms (so it may also look at the bot's own state)."""
        return await self.changed.wait_until(
            predicate, timeout or self.default_timeout, what, poll=0.01
        )

    async def wait_for_message(
        self,
        channel_id: int,
        predicate: Callable[[Message], bool] | None = None,
        *,
        contains: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> Message:
        """The first live message in the channel matching ``predicate`` and containing ``contains``
        (content or embed text), waiting for posts and edits."""

        def find() -> Message | None:  # (None = keep waiting)
            for m in self.messages(channel_id):
                if (predicate is None or predicate(m)) and (contains is None or contains in m.text):
                    return m
            return None

        signal = self._channel_signals.setdefault(channel_id, Signal())
        return await signal.wait_until(
            find,
            timeout or self.default_timeout,
            f"a message in channel {channel_id} containing {contains!r}",
            lambda: repr([m.text[:120] for m in self.messages(channel_id)][-5:]),
        )


__all__ = ["DiscordPyPatch", "DiscordStandIn", "Rejection", "StandInError", "Unexpected"]
