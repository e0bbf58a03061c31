"""`python -m bot run` freezes the start-up state out of the garbage collector once READY, and
leaves CPython's thresholds as they are (bot/collector.py says why)."""

from __future__ import annotations

import gc

from bot.collector import freeze_start_up_state


def test_the_start_up_state_is_frozen_out_of_later_collections() -> None:
    try:
        freeze_start_up_state()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == 700  # CPython's: higher ones grew the soak's RSS
    finally:
        gc.unfreeze()
