"""A redelivered interaction (Discord sent the same INTERACTION_CREATE twice) is answered once and
logs no incident, for every kind of reply: plain, paginated, with a file. The harness fails a
test on any logged ERROR, so passing means the second delivery was recognised as a redelivery."""

import pytest

from bot.sandbox.standin import ALICE, BOB, MODERATOR


@pytest.mark.parametrize(
    ("user", "command", "options"),
    [
        (ALICE, "gifts", {}),
        (ALICE, "help", {}),
        (ALICE, "balance", {}),
        (ALICE, "leaderboard", {"board": "creators", "period": "all"}),
        (ALICE, "history", {}),
        (BOB, "diamonds stats", {"days": 7}),
        (MODERATOR, "mod audit", {}),
    ],
)
async def test_redelivered_read_commands_answer_once(harness, user, command, options) -> None:
    result = harness.user(user).prepare(command, **options)
    await harness.standin.deliver(result)
    first = result.message
    assert first is not None
    await harness.standin.redeliver(result)
    attempts = await result.wait_for_attempts(2)
    assert [a.accepted for a in attempts] == [True, False]
    assert attempts[1].code == 40060  # Discord: already acknowledged — the first answer stands
    assert result.message.id == first.id
