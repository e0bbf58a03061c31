"""Treasure boxes' rules: the `[treasure]` settings, the limits of `/treasure drop`, and the
random split of a box among its openers.

Pure: the randomness comes in as a seed (production draws it with `secrets`, tests pass their
own), so a split is a function of its inputs and a replay or a retry splits identically.
"""

from __future__ import annotations

import itertools
import random

from pydantic import BaseModel, ConfigDict, Field

MIN_OPENERS, MAX_OPENERS, DEFAULT_OPENERS = 1, 100, 10
MIN_MINUTES, MAX_MINUTES, DEFAULT_MINUTES = 1, 60, 2


class TreasureConfig(BaseModel):
    """`[treasure]`: how many boxes one member may open per UTC day, in one server."""

    model_config = ConfigDict(extra="forbid")

    daily_opens: int = Field(default=20, ge=1, le=10_000)


def split_shares(coins: int, openers: int, seed: int) -> tuple[int, ...]:
    """`coins` split at random into `openers` shares, each at least 1, summing to `coins`.

    Uniform over every such split (stars and bars): `openers - 1` distinct cut points drawn
    from the `coins - 1` gaps between coins. `random.sample` over a `range` draws without
    building it, so a split of 10^12 coins costs no more than one of 10.
    """
    if type(coins) is not int or type(openers) is not int or openers < 1 or coins < openers:
        raise ValueError(f"cannot split {coins!r} coins among {openers!r} openers")
    cuts = sorted(random.Random(seed).sample(range(1, coins), openers - 1))
    bounds = [0, *cuts, coins]
    return tuple(b - a for a, b in itertools.pairwise(bounds))
