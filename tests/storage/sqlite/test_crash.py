"""kill -9 under a gift storm: every acknowledged gift survives and the ledger verifies."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.economy.config import EconomyConfig
from bot.storage import SqliteLedger

DRIVER = Path(__file__).with_name("crash_driver.py")


def _storm_and_kill(path: Path, tag: str, delay: float, out: Path) -> list[str]:
    """Run the driver until it is storming, wait `delay`, SIGKILL it; return the keys it
    printed (acknowledged)."""
    with out.open("wb") as sink:
        # PYTHONPATH: the driver runs this checkout's code, whatever is installed.
        env = {**os.environ, "PYTHONPATH": str(DRIVER.parents[3])}
        proc = subprocess.Popen([sys.executable, str(DRIVER), str(path), tag], stdout=sink, env=env)
        deadline = time.monotonic() + 30
        while b"ready" not in out.read_bytes():
            assert proc.poll() is None, "the driver died before the storm"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    lines = out.read_bytes().split(b"\n")[:-1]  # a torn last line was not acknowledged
    return [ln.decode() for ln in lines if ln and ln != b"ready"]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_sigkill_loses_nothing_acknowledged(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "crash.db"
    rnd = random.Random(seed)
    acknowledged: list[str] = []
    for round_ in range(2):  # crash, restart on the same file, crash again
        acknowledged += await asyncio.to_thread(
            _storm_and_kill,
            path,
            f"s{seed}r{round_}",
            rnd.uniform(0.05, 0.8),
            tmp_path / f"out-{round_}.txt",
        )
    assert len(acknowledged) > 50

    store = await SqliteLedger.open(path, EconomyConfig())
    try:
        report = await store.verify()
        assert report.ok, report.violations
        keys = set(
            await store._read(
                lambda c: [r[0] for r in c.execute("SELECT idem_key FROM txns WHERE kind='gift'")]
            )
        )
        missing = [k for k in acknowledged if k not in keys]
        assert not missing
    finally:
        await store.close()
