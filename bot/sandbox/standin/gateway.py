"""The gateway: a websocket per client connection, sessions that survive it, events routed to them.

Frames are plain JSON text (discord.py parses text frames even after asking for zlib-stream).
Every dispatch gets the session's next sequence number and is kept in the session's buffer, so a
RESUME after a dropped connection replays exactly what the client missed - including events sent
while it was disconnected. What tests do to it on purpose (closes, cuts, op 9 INVALID_SESSION)
is in gateway_controls.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import traceback
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from . import payloads
from .errors import InteractionUndelivered, NoBotConnected
from .gateway_controls import GatewayControls
from .results import Signal

if TYPE_CHECKING:
    from .server import DiscordStandIn
    from .world import Application, Guild, Member

log = logging.getLogger(__name__)

INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
CHUNK_SIZE = 1000
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


@dataclass
class Connection:
    """One websocket a client opened (what tests inspect to prove resume URLs are used)."""

    path: str
    query: dict[str, str]
    kind: str = "pending"  # "identify" / "resume" / "rejected"
    session_id: str | None = None
    close_code: int | None = None
    identified_at: float | None = None  # loop time of its IDENTIFY (tests of the client's pacing)


@dataclass
class Session:
    id: str
    app: Application
    shard: tuple[int, int] | None
    intents: int
    large_threshold: int
    seq: int = 0
    ws: web.WebSocketResponse | None = None
    resumes: int = 0
    buffer: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=20_000))

    def wants(self, guild_id: int) -> bool:
        """Discord's shard routing: (guild_id >> 22) % num_shards == shard_id."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return (guild_id >> 22) % count == shard_id

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        # No await between numbering, buffering and the (synchronous) frame write: frames leave in
        # sequence order even when many coroutines dispatch at once, without a lock.
        self.seq += 1
        text = _dumps(payloads.frame(payloads.DISPATCH, data, s=self.seq, t=event))
        self.buffer.append((self.seq, text))
        ws = self.ws
        if ws is not None and not ws.closed:
            try:
                await ws.send_str(text)
            except (ConnectionError, RuntimeError):
                self.ws = None  # dropped: the frame stays buffered for RESUME


HEARTBEAT_ACK = '{"op":11,"d":null,"s":null,"t":null}'


class Gateway(GatewayControls):
    def __init__(self, standin: DiscordStandIn) -> None:
        self.standin = standin
        self.sessions: dict[str, Session] = {}
        self.connections: list[Connection] = []
        self.sockets: set[web.WebSocketResponse] = set()
        self.signal = Signal()  # notified on identify / resume / close
        # Seconds before a HEARTBEAT_ACK is sent (0: at once, the default). On loopback an
        # instant ACK can reach discord.py's loop before its keep-alive thread has recorded the
        # send, and discord.py then logs "websocket is 41.3s behind" (the previous beat's age);
        # a real gateway is a network round trip away. Long runs (the soak) set ~50 ms.
        self.heartbeat_ack_delay = 0.0
        self._acks: set[asyncio.Task[None]] = set()
        # Sessions ended by op 9 d=false (gateway_controls.py), and the interactions that came
        # for one of them before the client identified again: Discord had nowhere to send them.
        self.invalidated: list[Session] = []
        self.undelivered: list[int] = []

    # --- routing ------------------------------------------------------------------------------
    def sessions_for(
        self, app: Application | None, guild_id: int | None = None, intent: int = 0
    ) -> list[Session]:
        return [
            s
            for s in self.sessions.values()
            if (app is None or s.app is app)
            and (guild_id is None or s.wants(guild_id))
            and (s.intents & intent) == intent
        ]

    async def dispatch_guild(
        self, guild_id: int, event: str, data: dict[str, Any], intent: int = 0
    ) -> int:
        """Send a guild event to every session (of every app) that would receive it."""
        targets = self.sessions_for(None, guild_id, intent)
        for s in targets:
            await s.dispatch(event, data)
        return len(targets)

    async def dispatch_interaction(
        self, app: Application, guild_id: int, payload: dict[str, Any]
    ) -> None:
        targets = self.sessions_for(app, guild_id)
        if not targets and any(s.app is app and s.wants(guild_id) for s in self.invalidated):
            self.undelivered.append(int(payload["id"]))
            raise InteractionUndelivered(
                f"interaction {payload['id']} was not delivered: the session of application "
                f"{app.id} was invalidated and the bot has not identified again (the member "
                "sees 'The application did not respond')"
            )
        if not targets:
            raise NoBotConnected(
                f"no gateway session for application {app.id}: start the bot first"
            )
        for s in targets:
            await s.dispatch("INTERACTION_CREATE", payload)

    # --- the websocket ------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        # No permessage-deflate: it would cost CPU on both sides for nothing on loopback.
        ws = web.WebSocketResponse(compress=False, max_msg_size=0, autoping=True, timeout=2.0)
        await ws.prepare(request)
        conn = Connection(request.path, dict(request.query))
        self.connections.append(conn)
        self.sockets.add(ws)
        session: Session | None = None
        try:
            if request.query.get("encoding", "json") != "json":
                self.standin.record_unexpected("gateway", f"encoding {request.query['encoding']}")
                await ws.close(code=4002, message=b"only encoding=json")
                return ws
            await ws.send_str(_dumps(payloads.hello()))
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    self.standin.record_unexpected("gateway", f"non-text frame {msg.type}")
                    continue
                try:
                    packet = json.loads(msg.data)
                    op, d = packet["op"], packet.get("d")
                except (ValueError, KeyError, TypeError):
                    self.standin.record_unexpected(
                        "gateway", f"undecodable frame {msg.data[:200]!r}"
                    )
                    await ws.close(code=4002, message=b"decode error")
                    break
                try:
                    session = await self._on_packet(ws, conn, session, op, d)
                except Exception:  # a stand-in bug: surface it to the test, keep the socket
                    log.exception("stand-in gateway error on op %s", op)
                    self.standin.record_unexpected(
                        "bug", f"gateway op {op}\n{traceback.format_exc()}"
                    )
        finally:
            self.sockets.discard(ws)
            if conn.close_code is None:  # (a refusal keeps the code it sent, not the echo)
                conn.close_code = ws.close_code
            if session is not None and session.ws is ws:
                session.ws = None
                if ws.close_code in (1000, 1001):
                    # A clean close ends the session (Discord invalidates it; discord.py re-identifies).
                    self.sessions.pop(session.id, None)
            self.signal.notify()
        return ws

    async def _ack_later(self, ws: web.WebSocketResponse) -> None:
        await asyncio.sleep(self.heartbeat_ack_delay)
        if not ws.closed:
            with contextlib.suppress(ConnectionError):
                await ws.send_str(HEARTBEAT_ACK)

    async def _on_packet(
        self, ws: web.WebSocketResponse, conn: Connection, session: Session | None, op: int, d: Any
    ) -> Session | None:
        if op == payloads.HEARTBEAT:
            if self.heartbeat_ack_delay > 0:
                task = asyncio.create_task(self._ack_later(ws))
                self._acks.add(task)
                task.add_done_callback(self._acks.discard)
            else:
                await ws.send_str(HEARTBEAT_ACK)
        elif op == payloads.IDENTIFY:
            if session is not None:
                await ws.close(code=4005, message=b"Already authenticated.")
                return session
            return await self._identify(ws, conn, d)
        elif op == payloads.RESUME:
            return await self._resume(ws, conn, d)
        elif op == payloads.REQUEST_MEMBERS:
            if session is None:
                await ws.close(code=4003, message=b"Not authenticated.")
            else:
                await self._request_members(session, d)
        elif op in (3, 4):  # presence / voice state updates: accepted, nothing to simulate
            pass
        else:
            self.standin.record_unexpected("gateway", f"unknown opcode {op}")
            await ws.close(code=4001, message=b"Unknown opcode.")
        return session

    async def _identify(
        self, ws: web.WebSocketResponse, conn: Connection, d: dict[str, Any]
    ) -> Session | None:
        world = self.standin.world
        app = world.apps_by_token.get(str(d.get("token", "")).removeprefix("Bot "))
        if app is None:
            conn.kind = "rejected"
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        shard = tuple(d["shard"]) if d.get("shard") else None
        guilds = [g for g in world.guilds.values() if app.bot.id in g.members]
        refusal = self._shard_refusal(app, shard, guilds)
        if refusal is not None:
            conn.kind, conn.close_code = "rejected", refusal[0]
            await ws.close(code=refusal[0], message=refusal[1])
            self.signal.notify()
            return None
        session = Session(
            secrets.token_hex(16),
            app,
            shard,
            int(d.get("intents", 0)),
            int(d.get("large_threshold", 50)),  # type: ignore[arg-type]
        )
        conn.kind, conn.session_id = "identify", session.id
        conn.identified_at = asyncio.get_running_loop().time()
        self.sessions[session.id] = session
        session.ws = ws
        guilds = [g for g in guilds if session.wants(g.id)]
        await session.dispatch(
            "READY",
            payloads.ready(
                app,
                [g.id for g in guilds],
                session.id,
                self.standin.resume_gateway_url,
                list(shard) if shard else None,
            ),
        )
        for g in guilds:
            await session.dispatch(
                "GUILD_CREATE", payloads.guild_create(g, self.initial_members(session, g))
            )
        self.signal.notify()
        return session

    def _shard_refusal(
        self, app: Application, shard: tuple[Any, ...] | None, guilds: list[Guild]
    ) -> tuple[int, bytes] | None:
        """Discord's close for an IDENTIFY it will not serve, or None (and then any dead
        session of the same shard is forgotten: the new one replaces it)."""
        if shard is not None:
            valid = (
                len(shard) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) for v in shard)
                and shard[1] >= 1
                and 0 <= shard[0] < shard[1]
            )
            if not valid:
                return 4010, b"Invalid shard."
        same = [s for s in self.sessions_for(app) if (s.shard or (0, 1)) == (shard or (0, 1))]
        if any(s.ws is not None and not s.ws.closed for s in same):
            return 4010, b"Invalid shard: this shard is already connected."
        count = shard[1] if shard is not None else 1
        mine = [g for g in guilds if shard is None or (g.id >> 22) % count == shard[0]]
        if len(mine) > self.standin.max_guilds_per_shard:
            return 4011, b"Sharding required."
        for s in same:
            self.sessions.pop(s.id, None)
        return None

    def initial_members(self, session: Session, g: Guild) -> list[Member]:
        """All members for small guilds with the members intent; else only the bot (→ chunking)."""
        me = g.members[session.app.bot.id]
        if session.intents & INTENT_GUILD_MEMBERS and len(g.members) <= session.large_threshold:
            return list(g.members.values())
        return [me]

    async def _resume(
        self, ws: web.WebSocketResponse, conn: Connection, d: dict[str, Any]
    ) -> Session | None:
        session = self.sessions.get(str(d.get("session_id")))
        token = str(d.get("token", "")).removeprefix("Bot ")
        if session is None or session.app.token != token:
            conn.kind = "rejected"
            await ws.send_str(_dumps(payloads.frame(payloads.INVALID_SESSION, False)))
            return None
        conn.kind, conn.session_id = "resume", session.id
        old, session.ws = session.ws, None
        if old is not None and old is not ws and not old.closed:
            await old.close(code=4009, message=b"Session resumed elsewhere.")
        # Replay what the client has not seen; frames dispatched meanwhile are picked up by the
        # next pass, and the socket is attached only when nothing is left (no await in between).
        sent = int(d.get("seq") or 0)
        while pending := [(s, t) for s, t in session.buffer if s > sent]:
            for seq, text in pending:
                await ws.send_str(text)
                sent = seq
        session.ws = ws
        session.resumes += 1
        await session.dispatch("RESUMED", payloads.resumed())
        self.signal.notify()
        return session

    async def _request_members(self, session: Session, d: dict[str, Any]) -> None:
        world = self.standin.world
        gids = d.get("guild_id")
        for gid in gids if isinstance(gids, list) else [gids]:
            g = world.guilds.get(int(gid or 0))
            if g is None:
                continue
            not_found: list[int] = []
            if d.get("user_ids"):
                wanted = [int(u) for u in d["user_ids"]]
                found = [g.members[u] for u in wanted if u in g.members]
                not_found = [u for u in wanted if u not in g.members]
            else:
                query = (d.get("query") or "").lower()
                limit = int(d.get("limit") or 0)
                found = [
                    m
                    for m in g.members.values()
                    if m.user.username.lower().startswith(query)
                    or (m.nick or "").lower().startswith(query)
                ]
                if limit:
                    found = found[:limit]
            count = max(1, -(-len(found) // CHUNK_SIZE))
            for i in range(count):
                chunk = found[i * CHUNK_SIZE : (i + 1) * CHUNK_SIZE]
                await session.dispatch(
                    "GUILD_MEMBERS_CHUNK",
                    payloads.members_chunk(
                        g,
                        chunk,
                        index=i,
                        count=count,
                        nonce=d.get("nonce"),
                        not_found=not_found if i == 0 else [],
                    ),
                )
