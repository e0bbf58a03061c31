"""The SQLite → PostgreSQL rewrites the shared SQL relies on (dialect.py), and the schema kept
in step with SQLite's. No server needed."""

from __future__ import annotations

import pytest

from bot.storage.postgres import schema as pg_schema
from bot.storage.postgres.dialect import translate
from bot.storage.sqlite import schema as sqlite_schema
from bot.storage.steps import _credit_sql

pytestmark = pytest.mark.no_server


def test_placeholders_follow_sqlite_numbering() -> None:
    assert translate("SELECT ? , ?2, ?, ?1 WHERE x = '?'") == "SELECT $1 , $2, $3, $1 WHERE x = '?'"


def test_an_unaliased_subquery_gets_an_alias_and_an_empty_list_matches_nothing() -> None:
    got = translate("SELECT r FROM (SELECT a FROM (SELECT 1 AS a)) WHERE r IN ()")
    assert got == "SELECT r FROM (SELECT a FROM (SELECT 1 AS a) AS _s2) AS _s1 WHERE r IN (NULL)"
    assert translate("SELECT * FROM (SELECT 1) g") == "SELECT * FROM (SELECT 1) g"


def test_an_upsert_names_the_existing_row_by_its_table() -> None:
    got = translate(_credit_sql("coins", True))
    assert "SET coins = accounts.coins + excluded.coins" in got
    assert "WHERE accounts.coins + excluded.coins <= $7 AND accounts.frozen = 0" in got
    assert got.endswith("RETURNING coins, coins_spent")  # the gifter level's input too


def test_the_postgresql_schema_is_at_the_sqlite_schema_version() -> None:
    """copy-db maps one schema onto the other table by table: a new SQLite migration needs its
    PostgreSQL twin (bot/storage/postgres/schema.py) at the same number."""
    assert pg_schema.LATEST == sqlite_schema.LATEST
