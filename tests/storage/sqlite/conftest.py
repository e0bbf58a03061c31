"""SQLite-only tests (files, faults, crash): the `ledger` fixture is the SQLite one here."""

from __future__ import annotations

import pytest


@pytest.fixture
def backend() -> str:
    return "sqlite"
