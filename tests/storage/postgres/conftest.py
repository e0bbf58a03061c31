"""PostgreSQL-only tests: the `ledger` fixture is the PostgreSQL one here."""

from __future__ import annotations

import pytest


@pytest.fixture
def backend() -> str:
    return "postgres"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/storage/postgres/" in item.nodeid and "no_server" not in item.keywords:
            item.add_marker(pytest.mark.postgres)
