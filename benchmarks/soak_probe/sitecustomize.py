"""The soak's window into the bot process's event loop (benchmarks/soak.py), with no production
code path added for it: this directory goes first on the bot process's PYTHONPATH only when the
soak starts it, and Python imports `sitecustomize` at start-up.

With SOAK_PROBE_FILE set, every SOAK_PROBE_INTERVAL seconds (default 2) a daemon thread asks
each running asyncio loop, on its own thread (`call_soon_threadsafe`: all_tasks is not
thread-safe), to append `<unix time> <thread name> <task count>` to that file.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time

PATH = os.environ.get("SOAK_PROBE_FILE")
INTERVAL = float(os.environ.get("SOAK_PROBE_INTERVAL", "2"))


def _install(path: str) -> None:
    loops: list[asyncio.AbstractEventLoop] = []
    original = asyncio.BaseEventLoop.run_forever

    def run_forever(self: asyncio.BaseEventLoop) -> None:
        loops.append(self)  # every loop the process runs: asyncio.run's and any thread's
        try:
            original(self)
        finally:
            loops.remove(self)

    def write(loop: asyncio.AbstractEventLoop) -> None:
        tasks = asyncio.all_tasks(loop)
        names: dict[str, int] = {}
        for task in tasks:  # by coroutine: the name of what grows, when something does
            coro = task.get_coro()
            what = getattr(coro, "__qualname__", type(coro).__name__)
            names[what] = names.get(what, 0) + 1
        top = ",".join(f"{n}={c}" for n, c in sorted(names.items(), key=lambda x: -x[1])[:6])
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{time.time():.3f} {threading.current_thread().name} {len(tasks)} {top}\n")

    def sample() -> None:
        while True:
            time.sleep(INTERVAL)
            for loop in list(loops):
                if loop.is_running():
                    # RuntimeError: the loop closed between the check and the call
                    with contextlib.suppress(RuntimeError):
                        loop.call_soon_threadsafe(write, loop)

    asyncio.BaseEventLoop.run_forever = run_forever  # type: ignore[method-assign]
    threading.Thread(target=sample, name="soak-probe", daemon=True).start()


if PATH:
    _install(PATH)
