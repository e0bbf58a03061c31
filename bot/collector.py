"""The garbage collector, tuned for a long-running bot process.

CPython's cyclic collector scans the young objects every 700 new container objects, and now and
then every object in the process, discord.py's caches of members, channels and messages
included. A `/gift` makes a few hundred such objects (the gateway payload, discord.py's models,
the answer, the ledger's plan), nearly all freed at once by reference counting. At the default
thresholds the collector took about half of the process's CPU in `benchmarks.e2e`
(docs/performance.md). So:

- the young generation is collected every 50,000 new objects instead of 700: the garbage that
  only the cyclic collector can free (reference cycles) waits a little longer, a few MB at most;
- once the caches are filled (READY), everything alive is moved to the permanent generation
  (`gc.freeze`), so no later collection scans the start-up state again. The caches still
  change and are freed as usual by reference counting; only cycles among the frozen objects
  would stay, and start-up makes none that become garbage later.

`python -m bot run` applies both; `benchmarks.e2e` does the same to its one process, so its two
bots run as they would in their own processes.
"""

from __future__ import annotations

import gc

YOUNG_EVERY = 50_000  # new container objects between young collections (CPython's default: 700)
MIDDLE_EVERY = 20  # young collections between middle ones (default 10)
OLD_EVERY = 10  # middle collections between full ones (default 10; CPython also waits for growth)


def tune_collector() -> None:
    gc.set_threshold(YOUNG_EVERY, MIDDLE_EVERY, OLD_EVERY)


def freeze_start_up_state() -> None:
    """After READY: collect once, then keep what survives out of every later collection."""
    gc.collect()
    gc.freeze()
