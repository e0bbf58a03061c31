"""What a test does to the gateway on purpose: close or cut the sockets, invalidate the sessions
(op 9 INVALID_SESSION), and wait for the client to RESUME or IDENTIFY again. Mixed into
``Gateway``; everything here is off unless a test calls it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import payloads
from .results import Signal

if TYPE_CHECKING:
    from aiohttp import web

    from .gateway import Connection, Session
    from .world import Application


class GatewayControls:
    sessions: dict[str, Session]
    connections: list[Connection]
    sockets: set[web.WebSocketResponse]
    signal: Signal
    invalidated: list[Session]
    sessions_for: Callable[..., list[Session]]

    async def force_close(
        self, code: int = 4000, *, app: Application | None = None, resumable: bool = True
    ) -> int:
        """Close the live sockets (4000 → discord.py RESUMEs); ``resumable=False`` forgets sessions."""
        closed = 0
        for s in self.sessions_for(app):
            ws, s.ws = s.ws, None
            if not resumable:
                self.sessions.pop(s.id, None)
            if ws is not None and not ws.closed:
                await ws.close(code=code, message=b"closed by the test")
                closed += 1
        return closed

    async def invalidate_sessions(
        self,
        *,
        resumable: bool,
        app: Application | None = None,
        shard: tuple[int, int] | None = None,
    ) -> list[str]:
        """Send op 9 INVALID_SESSION on every live session (of `app`, of `shard` = (id, count)),
        as Discord does when it ends a session on its side; the ids of the sessions told.

        ``resumable=False`` (d=false): the session is gone at once — a RESUME of it is refused,
        nothing it had buffered is ever replayed, and until the client IDENTIFYs anew (discord.py
        2.7 closes with 1000 and waits 5 s in ``before_identify_hook`` first) an interaction for
        it has nowhere to go: ``dispatch_interaction`` raises ``InteractionUndelivered``, the
        member's "The application did not respond". ``resumable=True`` (d=true): the client may
        RESUME (discord.py closes with 4000 and does at once); what is dispatched meanwhile is
        buffered and replayed, as after any resumable close."""
        told: list[str] = []
        frame = json.dumps(
            payloads.frame(payloads.INVALID_SESSION, resumable), separators=(",", ":")
        )
        for s in self.sessions_for(app):
            ws = s.ws
            if ws is None or ws.closed or (shard is not None and s.shard != shard):
                continue
            # Detached first: no dispatch may follow op 9 on this socket (the client stops
            # reading at op 9, so a frame after it would be lost even to a RESUME's numbering).
            s.ws = None
            if not resumable:
                self.sessions.pop(s.id, None)
                self.invalidated.append(s)
            await ws.send_str(frame)
            told.append(s.id)
        self.signal.notify()
        return told

    @property
    def resume_count(self) -> int:
        return sum(1 for c in self.connections if c.kind == "resume")

    async def wait_for_resumes(self, count: int = 1, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        await self.signal.wait_until(
            lambda: (
                self.resume_count >= count and all(s.ws is not None for s in self.sessions.values())
            ),
            timeout,
            f"{count} RESUME(s)",
            lambda: f"{self.connections}",
        )

    async def wait_for_sessions(self, count: int = 1, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        await self.signal.wait_until(
            lambda: sum(1 for s in self.sessions.values() if s.ws is not None) >= count,
            timeout,
            f"{count} connected session(s)",
        )

    async def close_all(self, code: int = 1001) -> None:
        for ws in list(self.sockets):
            await ws.close(code=code, message=b"stand-in stopping")

    def drop_all(self) -> None:
        """Cut every socket with no close frame: the client sees 1006 (abnormal closure), as
        when a network path dies. The sessions stay resumable, as Discord's do."""
        for ws in list(self.sockets):
            transport = ws._req.transport if ws._req is not None else None
            if transport is not None:
                transport.abort()
