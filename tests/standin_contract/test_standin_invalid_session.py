"""Contract: op 9 INVALID_SESSION as Discord sends it, through the real discord.py 2.7 client.

d=false: the session is gone. discord.py closes with 1000 and IDENTIFYs anew (this bot skips
the 5-second pause); a new READY with a new session id and the guild's GUILD_CREATE follow;
nothing of the old session is replayed (a RESUME of it is refused); an interaction that came
while there was no session never reaches the bot. d=true: discord.py RESUMEs the same session
and what was dispatched meanwhile is replayed.
"""

from __future__ import annotations

import aiohttp
import pytest

from bot.sandbox.standin import ALICE, BOB, DiscordStandIn
from bot.sandbox.standin.errors import InteractionUndelivered
from tests.standin_contract.contract_bot import ContractBot


async def resume_answer(standin: DiscordStandIn, session_id: str) -> dict[str, object]:
    """What the gateway answers a RESUME of `session_id` (a raw client, not discord.py)."""
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(standin.resume_gateway_url + "?v=10&encoding=json") as ws,
    ):
        hello = await ws.receive_json(timeout=5)
        assert hello["op"] == 10
        resume = {"token": standin.token, "session_id": session_id, "seq": 0}
        await ws.send_json({"op": 6, "d": resume})
        answer: dict[str, object] = await ws.receive_json(timeout=5)
        return answer


async def test_invalid_session_false_makes_a_new_session_and_loses_the_gap(
    synced: ContractBot, standin: DiscordStandIn
) -> None:
    [old] = standin.gateway.sessions.values()
    before = await standin.user(ALICE).invoke("dup")
    assert before.content == "call 1"

    assert await standin.gateway.invalidate_sessions(resumable=False) == [old.id]
    assert old.id not in standin.gateway.sessions  # gone on Discord's side at once
    lost = standin.user(ALICE).prepare("dup")
    with pytest.raises(InteractionUndelivered):
        await standin.deliver(lost)
    newcomer = await standin.add_member(username="gapjoiner")  # no session to send the event to

    await standin.wait_until(
        lambda: standin.gateway.connections[-1].kind == "identify" and synced.is_ready(),
        what="a fresh IDENTIFY after op 9 d=false",
    )
    await standin.gateway.wait_for_sessions(1)
    [new] = standin.gateway.sessions.values()
    assert new.id != old.id
    assert standin.gateway.connections[-1].session_id == new.id
    assert standin.gateway.resume_count == 0  # identified, never resumed
    assert [c.close_code for c in standin.gateway.connections[:-1]] == [1000]  # discord.py's close

    after = await standin.user(BOB).invoke("dup")
    assert after.content == "call 1"
    assert standin.gateway.undelivered == [lost.id]
    assert lost.attempts == []  # the bot never saw it: nothing answered it
    assert synced.calls[lost.id] == 0
    # The new GUILD_CREATE carries the member who joined in the gap; the event itself was lost.
    guild = synced.get_guild(standin.guild().id)
    assert guild is not None
    assert guild.get_member(newcomer.user.id) is not None
    assert ("member_join", newcomer.user.id) not in synced.events
    # Nothing of the old session can be replayed: Discord refuses its RESUME with d=false.
    assert await resume_answer(standin, old.id) == {"op": 9, "d": False, "s": None, "t": None}


async def test_invalid_session_true_resumes_and_replays_the_gap(
    synced: ContractBot, standin: DiscordStandIn
) -> None:
    [session] = standin.gateway.sessions.values()
    assert await standin.gateway.invalidate_sessions(resumable=True) == [session.id]
    # Sent before the client is back: buffered in the session, replayed on RESUME.
    r = await standin.user(ALICE).invoke("dup")
    assert r.content == "call 1"
    await standin.gateway.wait_for_resumes(1)
    assert standin.gateway.connections[-1].kind == "resume"
    assert standin.gateway.connections[-1].session_id == session.id
    assert standin.gateway.connections[0].close_code == 4000  # discord.py's resumable close
    assert list(standin.gateway.sessions) == [session.id]
    await standin.wait_until(lambda: ("resumed", None) in synced.events, what="on_resumed")
    assert standin.gateway.undelivered == []
    assert synced.calls[r.id] == 1
