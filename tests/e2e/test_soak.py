"""The soak's 2-minute version (benchmarks/soak.py): the real `python -m bot run` against the
stand-in under the mixed load — gifts (streakable and not), purchases, leaderboards,
`/diamonds stats`, moderator grants and freezes, events, LIVEs, treasure drops and opens — at a
rate kept low for CI's 2 cores. Asserted: correctness and flatness (RSS, tasks, descriptors
against minute 1), not speed; the p99 verdict stays the benchmark's, as latency on a shared
machine is not the code's.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.soak import report, soak

RATE = 5.0  # interactions per second: a fraction of one process's capacity


async def test_two_minute_soak_is_flat_and_loses_nothing(tmp_path: Path) -> None:
    result = await soak(2.0, RATE, tmp_path)
    text = report(result)
    checks = result["checks"]
    assert len(result["minutes"]) == 2, text
    assert result["errors"] == 0, text
    for name in (
        "no_errors",
        "verify_ok",
        "conservation_exact",
        "rss_flat",
        "tasks_flat",
        "fds_flat",
        "standin_saw_nothing_unexpected",
    ):
        assert checks[name], f"{name}: {text}"
    books = result["conservation"]
    assert books["gifts_acknowledged"] == books["gift_txns"] > 0, text
    kinds = result["interactions_by_kind"]
    for kind in (
        "gift_rose",
        "gift_heart",
        "buy",
        "leaderboard",
        "diamonds_stats",
        "mod_grant",
        "freeze",
        "treasure_drop",
        "treasure_open",
        "event_start",
        "event_end",
        "live_start",
        "live_end",
    ):
        assert kinds.get(kind, 0) > 0, f"no {kind} in the mix: {text}"
