"""The garbage collector, tuned for a long-running bot process.

CPython's cyclic collector scans the young objects every 700 new container objects, and now and
then every object in the process, discord.py's caches of members, channels and messages
included. A `/gift` makes a few hundred such objects (the gateway payload, discord.py's models,
the answer, the ledger's plan), nearly all freed at once by reference counting. At the default
thresholds the collector took about half of the process's CPU in `benchmarks.e2e`
(docs/performance.md). So:

- the young generation is collected every 10,000 new objects instead of 700. Every interaction
  is a reference cycle in discord.py (an `Interaction` and its `InteractionResponse` point at
  each other), so its objects wait for the next young collection: about 4 MB at most. (50,000
  was faster still, but its 20 MB of waiting garbage and the rare full collections showed as
  RSS growth in the 20-minute soak);
- once the caches are filled (READY), everything alive is moved to the permanent generation
  (`gc.freeze`), so no later collection scans the start-up state again. The caches still
  change and are freed as usual by reference counting; only cycles among the frozen objects
  would stay, and start-up makes none that become garbage later.

`python -m bot run` applies both; `benchmarks.e2e` does the same to its one process, so its two
bots run as they would in their own processes.
"""

from __future__ import annotations

import gc

YOUNG_EVERY = 10_000  # new container objects between young collections (CPython's default: 700)
MIDDLE_EVERY = 10  # young collections between middle ones (the default)
OLD_EVERY = 10  # middle collections between full ones (the default; CPython also waits for growth)


def tune_collector() -> None:
    gc.set_threshold(YOUNG_EVERY, MIDDLE_EVERY, OLD_EVERY)


def freeze_start_up_state() -> None:
    """After READY: collect once, then keep what survives out of every later collection."""
    gc.collect()
    gc.freeze()
