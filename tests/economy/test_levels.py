"""Gifter level rules (bot/economy/levels.py): thresholds at their edges, the table's
validation, and properties over any valid table."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.economy.levels import DEFAULT_THRESHOLDS, MAX_LEVEL, LevelsConfig, LevelTable
from bot.services.level_roles import roles_for

TABLE = LevelTable(DEFAULT_THRESHOLDS)


def test_default_curve_is_fifty_ascending_amounts_from_one() -> None:
    assert len(DEFAULT_THRESHOLDS) == MAX_LEVEL
    assert DEFAULT_THRESHOLDS[0] == 1
    assert all(a < b for a, b in itertools.pairwise(DEFAULT_THRESHOLDS))
    assert LevelsConfig().thresholds == list(DEFAULT_THRESHOLDS)


@pytest.mark.parametrize("n", [1, 2, 12, 49, 50])
def test_thresholds_at_their_edges(n: int) -> None:
    at = DEFAULT_THRESHOLDS[n - 1]
    assert TABLE.level(at - 1) == n - 1  # one coin below
    assert TABLE.level(at) == n  # exactly: ≥ counts
    assert TABLE.level(at + 1) == n  # one above (the next amount is further)


def test_no_level_before_any_gift_and_progress_to_the_next() -> None:
    assert TABLE.level(0) == 0
    p = TABLE.progress(0)
    assert (p.level, p.next_at, p.missing) == (0, 1, 1)
    p = TABLE.progress(14)  # level 2 (13), level 3 at 16
    assert (p.level, p.floor, p.next_at, p.missing) == (2, 13, 16, 2)
    top = TABLE.progress(DEFAULT_THRESHOLDS[-1] + 5)
    assert (top.level, top.next_at, top.missing, top.fraction) == (50, None, 0, 1.0)


def test_reached_names_the_highest_level_crossed() -> None:
    assert TABLE.reached(0, 30) == 5  # 1, 13, 16, 21, 27 ≤ 30 < 34
    assert TABLE.reached(13, 14) is None
    assert TABLE.reached(12, 13) == 2


@pytest.mark.parametrize(
    ("thresholds", "says"),
    [
        ([1, 2, 3], "exactly 50"),
        ([2, *range(3, 52)], "first amount (level 1) must be 1"),
        ([*[1, *range(3, 52)][:49], 5], "strictly ascending"),
        ([1, 1, *range(3, 51)], "strictly ascending: level 2 (1)"),
    ],
)
def test_a_bad_table_is_refused(thresholds: list[int], says: str) -> None:
    with pytest.raises(ValidationError) as err:
        LevelsConfig(thresholds=thresholds)
    assert says in str(err.value)


ascending = st.lists(
    st.integers(min_value=1, max_value=10**9), min_size=MAX_LEVEL - 1, max_size=MAX_LEVEL - 1
).map(lambda xs: [1, *(1 + sum(xs[: i + 1]) for i in range(len(xs)))])


@given(ascending, st.integers(min_value=0, max_value=10**12), st.integers(0, 10**6))
def test_level_is_the_count_of_amounts_reached(
    thresholds: list[int], spent: int, more: int
) -> None:
    table = LevelsConfig(thresholds=thresholds).table()
    level = table.level(spent)
    assert level == sum(1 for a in thresholds if spent >= a)
    assert table.level(spent + more) >= level  # never goes down
    progress = table.progress(spent)
    if progress.next_at is not None:
        assert progress.missing > 0
        assert table.level(spent + progress.missing) == level + 1
    reached = table.reached(spent, spent + more)
    assert reached == (table.level(spent + more) if table.level(spent + more) > level else None)


def test_roles_for_with_and_without_replace() -> None:
    mapping = {1: 101, 5: 105, 10: 110}
    assert roles_for(mapping, 0, 5, replace=False) == ([101, 105], [])
    assert roles_for(mapping, 0, 5, replace=True) == ([105], [101])
    assert roles_for(mapping, 5, 9, replace=True) == ([], [])
    assert roles_for(mapping, 9, 12, replace=True) == ([110], [101, 105])
