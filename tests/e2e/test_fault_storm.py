"""Discord's bad day during a long gift storm, through the real process: 600 `/gift`s from eight
concurrent members — Roses (streakable: repeats edit one announcement to "×N combo" through the
interaction's webhook) and Heart Mes (each its own announcement) — with `/diamonds stats`
(deferred, then answered by a follow-up) alongside and level roles mapped for levels 6-13 (the
bot gives them on level-ups, with its own token), while the stand-in injects, at seeded random
points spread over the storm: 429s with `retry_after` (per route on the interaction answers,
edits and follow-ups; one global, on a role grant — Discord's global limit is the bot token's)
and 500/502/503 on the answers, the combos' webhook edits, the follow-ups and the role grants,
and one gateway drop with no close frame (discord.py RESUMEs).

Promised: every gift is charged exactly once (ledger, balances and `verify` equal the model);
every member got exactly one answer and no announcement is posted twice; every combo's
announcement ends showing its whole count; every member holds the roles of the levels reached;
the log says each fault once — one warning per 429, nothing for a retried 5xx, one line for the
RESUME — never a line per gift, never an error.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bot.economy.levels import DEFAULT_TABLE
from bot.sandbox.standin import ALICE, BOB, BOT_ROLE, CAROL, MODERATOR, DiscordStandIn, Perm
from bot.sandbox.standin.faults import CALLBACK, FOLLOWUP, Fault
from bot.sandbox.standin.results import InteractionResult
from tests.e2e.gift_stream import (
    HEART,
    ROSE,
    Gift,
    GiftStream,
    announcements,
    combo_shortfall,
    wrong_answers,
)
from tests.e2e.proc import BotProcess, alarming_lines, plain, run_cli
from tests.e2e.test_crash import read_back, seeded
from tests.e2e.test_invalid_session import RESUMED

EDIT = "PATCH /webhooks/{application_id}/{token}/messages/{message_id}"  # a combo's edit
ROLE = "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}"  # a level role (bot token)
LEVEL_ROLES = range(6, 14)  # levels with a role: members reach them all through the storm
WORKERS, TOTAL, THINK, SEED = 8, 600, 0.1, 15
# discord.py's warnings, one per 429 it meets: on an interaction's webhook (answers, edits,
# follow-ups), on a bot-token route, and the second line of a global one.
WEBHOOK_LIMITED = "is rate limited. Retrying in"
ROUTE_LIMITED = "We are being rate limited."
GLOBAL_LIMITED = "Global rate limit has been hit."
DROP = "gateway drop"
# (route, status, options): each answers one request instead of Discord's API.
FAULTS: list[tuple[str, int, dict[str, float | bool]]] = [
    (CALLBACK, 429, {"retry_after": 0.3}),
    # Discord's global limit is the bot token's: interaction answers are exempt from it.
    (ROLE, 429, {"retry_after": 0.2, "is_global": True}),
    (EDIT, 429, {"retry_after": 0.3}),
    (FOLLOWUP, 429, {"retry_after": 0.2}),
    *(
        (route, status, {})
        for route in (CALLBACK, EDIT, FOLLOWUP, ROLE)
        for status in (500, 502, 503)
    ),
]


async def chaos(standin: DiscordStandIn, stream: GiftStream, injected: list[Fault]) -> None:
    """Each fault (and the drop) armed once the storm has sent its seeded number of gifts —
    between the 30th and the 150th before the end, in a seeded random order."""
    rng = random.Random(SEED)
    steps: list[tuple[str, int, dict[str, float | bool]]] = [*FAULTS, (DROP, 0, {})]
    points = sorted(rng.randint(30, TOTAL - 150) for _ in steps)
    rng.shuffle(steps)
    for point, (route, status, options) in zip(points, steps, strict=True):
        await standin.wait_until(
            lambda: len(stream.sent) >= point or bool(stream.failures),  # noqa: B023 - awaited here
            timeout=60,
            what=f"{point} gifts sent",
        )
        if route == DROP:
            standin.gateway.drop_all()
        else:
            injected.append(standin.faults.add(route, status, **options))


async def ask_for_stats(
    standin: DiscordStandIn,
    members: list[int],
    asked: list[InteractionResult],
    done: Callable[[], bool],
) -> None:
    """`/diamonds stats` from one member after another until `done()`: each deferred, then a
    follow-up with the chart."""
    rng = random.Random(SEED + 1)
    while not done():
        r = standin.user(rng.choice(members)).prepare("diamonds stats")
        asked.append(r)
        await standin.deliver(r, timeout=20, wait_followups=1)


def level_roles_missing(
    standin: DiscordStandIn, sent: list[Gift], roles: dict[int, int]
) -> dict[int, set[int]]:
    """Per member: the level roles they should hold after `sent` but do not (or hold wrongly)."""
    spent = Counter[int]()
    for s in sent:
        spent[s.sender] += s.coins
    wrong = {}
    for uid, member in standin.guild().members.items():
        level = DEFAULT_TABLE.level(spent[uid])
        due = {r for lv, r in roles.items() if lv <= level}
        held = set(member.roles) & set(roles.values())
        if held != due:
            wrong[uid] = due ^ held
    return wrong


async def test_a_long_gift_storm_through_faults_charges_and_answers_each_gift_once(
    standin: DiscordStandIn, tmp_path: Path
) -> None:
    members = [ALICE, BOB, CAROL, *(m.user.id for m in standin.add_members(3, prefix="s"))]
    db, env = await seeded(standin, tmp_path, members)
    roles = {level: (await standin.add_role(f"Level {level}")).id for level in LEVEL_ROLES}
    # Manage Roles, and the bot's role above the level roles: Discord grants every one.
    await standin.update_role(
        BOT_ROLE, permissions=Perm.BOT_DEFAULT | Perm.MANAGE_ROLES, position=len(roles) + 50
    )
    stream = GiftStream(standin, members, SEED, (ROSE, HEART), max_count=3, think=THINK)
    injected: list[Fault] = []
    asked: list[InteractionResult] = []
    stormed = False

    def all_faults_met() -> bool:
        return len(injected) == len(FAULTS) and all(f.injected == f.times for f in injected)

    bot = await BotProcess.start(env, tmp_path)
    try:
        await bot.wait_ready(standin)
        # The first chart loads matplotlib (a second or two): out of the storm's way.
        await standin.user(BOB).invoke("diamonds stats", timeout=20, wait_followups=1)
        for level, role_id in roles.items():
            await standin.user(MODERATOR).invoke("settings level-role", level=level, role=role_id)
        log_at_storm = len(bot.lines)
        stream.start(WORKERS, limit=TOTAL)
        stats = asyncio.create_task(
            ask_for_stats(standin, members, asked, lambda: stormed and all_faults_met())
        )
        await chaos(standin, stream, injected)
        await stream.join()
        stormed = True
        await standin.wait_until(  # the follow-up faults may still wait for a chart
            lambda: all_faults_met() or stats.done(), timeout=30, what="every fault to be met"
        )
        await stats
        await standin.gateway.wait_for_resumes(1, timeout=30)
        await standin.wait_until(
            lambda: not level_roles_missing(standin, stream.sent, roles),
            timeout=30,
            what="every member to hold the roles of the levels reached",
        )
        await standin.wait_until(
            lambda: not combo_shortfall(standin, stream.sent),
            timeout=30,
            what="every combo announcement to show its whole count",
        )
        await bot.stop()
    finally:
        await bot.kill()
    assert not stream.failures, stream.failures[:3]
    assert Counter(standin.faults.log) == Counter((route, status) for route, status, _ in FAULTS)
    assert standin.gateway.resume_count == 1
    assert len(standin.gateway.sessions) == 1

    # Charged exactly once: the ledger holds every gift sent, once, and nothing else.
    sent = stream.sent
    assert len(sent) == TOTAL
    gifts, balances = read_back(db)
    assert sorted(gifts) == sorted(s.result.id for s in sent)
    for uid, expected in stream.expected_balances(sent).items():
        assert balances[uid] == expected, uid
    verify = await run_cli("verify", env=env, cwd=tmp_path)
    assert verify.returncode == 0, str(verify)
    assert "verify: OK" in verify.stdout

    # One answer each; one public post per announcement; the rest are the combos' private notes.
    for r in [s.result for s in sent] + asked:
        assert [a.accepted for a in r.attempts] == [True], r.describe()
    assert all(len(r.followups) == 1 for r in asked), [r.describe() for r in asked][:3]
    posted = [iid for iid, _ in announcements(standin)]
    assert len(posted) == len(set(posted)), "an announcement was posted twice"
    public = {s.result.id for s in sent if not s.result.ephemeral}
    assert set(posted) == public
    assert not wrong_answers(sent), wrong_answers(sent)[:3]
    assert any(s.result.ephemeral for s in sent), "no combo formed"
    assert standin.route_counts[EDIT] > 0

    # The log: one warning per 429 (two for the global one), one line for the RESUME, nothing
    # for a retried 5xx, nothing else of note — bounded by the faults, never a line per gift.
    said = [plain(line) for line in bot.lines[log_at_storm:]]
    limits = (WEBHOOK_LIMITED, ROUTE_LIMITED, GLOBAL_LIMITED)
    webhook_429s = sum(status == 429 and route != ROLE for route, status, _ in FAULTS)
    assert [sum(w in line for line in said) for w in limits] == [webhook_429s, 1, 1], said
    assert sum(RESUMED in line for line in said) == 1, "\n".join(said)
    others = [line for line in plain(bot.output).splitlines() if not any(w in line for w in limits)]
    assert alarming_lines("\n".join(others)) == []
    # (a 429 on an answer names its webhook: the interaction; counted above)
    assert not [line for line in others if any(str(s.result.id) in line for s in sent)]
    assert len(said) <= len(FAULTS) + 5, "\n".join(said)
