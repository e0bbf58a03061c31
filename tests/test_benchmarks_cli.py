"""The benchmarks stay runnable: each module imports and answers --help (speed itself is
measured by `python -m benchmarks.*`, never asserted in tests)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "module",
    [
        "benchmarks.ledger",
        "benchmarks.e2e",
        "benchmarks.e2e_profile",
        "benchmarks.scale",
        "benchmarks.treasure",
        "benchmarks.shards",
        "benchmarks.soak",
    ],
)
def test_benchmark_modules_answer_help(module: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "--quick" in proc.stdout
    assert "--json" in proc.stdout
