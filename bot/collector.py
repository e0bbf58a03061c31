"""The garbage collector in a long-running bot process: the start-up state frozen once READY.

CPython's cyclic collector now and then scans every object in the process, discord.py's caches
of members, channels and roles included, although those change only when Discord says so. Once
the caches are filled (READY), everything alive is moved to the permanent generation
(`gc.freeze`), so no later collection scans the start-up state again. The caches still change
and are freed as usual by reference counting; only cycles among the frozen objects would stay,
and start-up makes none that become garbage later.

Measured (docs/performance.md): in `benchmarks.e2e` the collector had taken about half of the
process's CPU. Collecting the young generation less often (every 10,000 or 50,000 new objects
instead of 700) was faster still, but every discord.py interaction is a reference cycle (an
`Interaction` and its `InteractionResponse` point at each other), and with the higher
thresholds the 10-minute soak's RSS kept growing after warm-up (149 -> 162 MB, against
145 -> 147 MB with the defaults): the thresholds stay CPython's.

`python -m bot run` freezes once READY; `benchmarks.e2e` does the same to its one process, so
its two bots run as they would in their own processes.
"""

from __future__ import annotations

import gc


def freeze_start_up_state() -> None:
    """After READY: collect once, then keep what survives out of every later collection."""
    gc.collect()
    gc.freeze()
