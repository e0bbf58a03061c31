"""Operator tools: `verify` (prove the invariants of docs/reliability.md §2 on one snapshot), `backup`.

All of them open their own read-only sqlite3 connection (`connection.connect_read_only`) in a
worker thread, so they are safe while the bot runs: WAL gives the reader one consistent snapshot
and never blocks the writer; they never create, migrate or lock the database.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.economy.ledger import SystemAccount
from bot.economy.reads import ExportRows
from bot.economy.rules import diamonds_for_coins
from bot.storage.errors import StorageError, storage_error
from bot.storage.queries import export_rows as _export_rows
from bot.storage.sqlite.connection import connect_read_only, snapshot

MAX_LISTED = 50  # violations named per check; the count says how many more


@dataclass
class VerifyReport:
    violations: list[str] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.violations


def _check(report: VerifyReport, name: str, rows: Sequence[tuple[Any, ...]], fmt: str) -> None:
    for row in rows[:MAX_LISTED]:
        report.violations.append(f"{name}: " + fmt.format(*row))
    if len(rows) > MAX_LISTED:
        report.violations.append(f"{name}: … and {len(rows) - MAX_LISTED} more")


def verify_connection(conn: sqlite3.Connection, max_balance: int) -> VerifyReport:
    """Every invariant, read inside ONE read transaction (one snapshot)."""
    report = VerifyReport()
    conn.execute("BEGIN")  # deferred: the first SELECT pins the WAL snapshot for all checks
    try:
        q = conn.execute
        # The whole-file structural check start-up no longer makes (connection.open_check):
        # every page of every B-tree, read once, here where seconds are affordable.
        damage = [r[0] for r in q("PRAGMA quick_check").fetchall()]
        _check(report, "damaged file", [] if damage == ["ok"] else [(d,) for d in damage], "{0}")
        _check(
            report,
            "ledger does not balance",
            q(
                "SELECT guild_id, currency, SUM(amount) FROM ledger_entries GROUP BY guild_id, currency"
                " HAVING SUM(amount) != 0"
            ).fetchall(),
            "server {0} {1} entries sum to {2}, not 0",
        )
        _check(
            report,
            "transaction does not balance",
            q(
                "SELECT txn_id, currency, SUM(amount) FROM ledger_entries GROUP BY txn_id, currency"
                " HAVING SUM(amount) != 0"
            ).fetchall(),
            "txn {0} {1} entries sum to {2}, not 0",
        )
        sums = (
            "SELECT guild_id, account,"
            " COALESCE(SUM(CASE WHEN currency = 'coins' THEN amount END), 0) AS c,"
            " COALESCE(SUM(CASE WHEN currency = 'diamonds' THEN amount END), 0) AS d"
            " FROM ledger_entries WHERE account >= 0 GROUP BY guild_id, account"
        )
        _check(
            report,
            "balance differs from its entries",
            q(
                f"SELECT a.guild_id, a.user_id, a.coins, COALESCE(s.c, 0), a.diamonds,"
                f" COALESCE(s.d, 0) FROM accounts a LEFT JOIN ({sums}) s"
                " ON s.guild_id = a.guild_id AND s.account = a.user_id"
                " WHERE a.coins != COALESCE(s.c, 0) OR a.diamonds != COALESCE(s.d, 0)"
            ).fetchall(),
            "server {0} member {1} has {2} coins (entries say {3}) and {4} diamonds "
            "(entries say {5})",
        )
        _check(
            report,
            "entries without an account",
            q(
                f"SELECT s.guild_id, s.account, s.c, s.d FROM ({sums}) s WHERE (s.c != 0 OR"
                " s.d != 0) AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.guild_id ="
                " s.guild_id AND a.user_id = s.account)"
            ).fetchall(),
            "server {0} member {1} has entries worth {2} coins / {3} diamonds but no account",
        )
        _check(
            report,
            "balance out of range",
            q(
                "SELECT guild_id, user_id, coins, diamonds FROM accounts WHERE coins < 0"
                " OR diamonds < 0 OR coins > ?1 OR diamonds > ?1",
                (max_balance,),
            ).fetchall(),
            "server {0} member {1} has {2} coins and {3} diamonds (allowed 0 to "
            + f"{max_balance:,})",
        )
        bad_gifts = []
        # A gift's legs are implied by its row (schema V2), so the credit the balances above
        # were checked against IS `diamonds`: it must be the coins × the recorded ratio.
        gifts = q("SELECT id, amount, ratio, diamonds FROM txns WHERE kind = 'gift'").fetchall()
        for txn, coins, ratio, recorded in gifts:
            # Recompute with the same rounding the gift used: floor per gift.
            expected = diamonds_for_coins(coins, Decimal(ratio))
            if recorded != expected:
                bad_gifts.append((txn, coins, ratio, expected, recorded))
        _check(
            report,
            "gift minted the wrong diamonds",
            bad_gifts,
            "txn {0}: {1} coins × {2} should mint {3} diamonds, it minted {4}",
        )
        # An exchange burns exactly its coins × the rate it recorded, and its member legs say so.
        exchanges = q(
            "SELECT t.id, t.amount, t.ratio, t.diamonds, COALESCE(s.c, 0), COALESCE(s.d, 0)"
            " FROM txns t LEFT JOIN (SELECT txn_id,"
            " SUM(CASE WHEN currency = 'coins' THEN amount ELSE 0 END) AS c,"
            " SUM(CASE WHEN currency = 'diamonds' THEN -amount ELSE 0 END) AS d"
            " FROM entries WHERE account >= 0 GROUP BY txn_id) s ON s.txn_id = t.id"
            " WHERE t.kind = 'exchange'"
        ).fetchall()
        _check(
            report,
            "exchange moved the wrong amounts",
            [
                row
                for row in exchanges
                if row[3] != row[1] * Decimal(row[2]) or (row[4], row[5]) != (row[1], row[3])
            ],
            "txn {0}: {1} coins at {2} diamonds each should burn {1}×{2}, it recorded {3} "
            "diamonds and its legs move {4} coins / {5} diamonds",
        )
        pending = {
            g: s
            for g, s in q(
                "SELECT guild_id, SUM(diamonds) FROM payouts WHERE state = 'pending'"
                " GROUP BY guild_id"
            ).fetchall()
        }
        held = {
            g: -s
            for g, s in q(
                "SELECT guild_id, SUM(amount) FROM ledger_entries WHERE account = ?"
                " GROUP BY guild_id",
                (SystemAccount.PAYOUT_PENDING,),
            ).fetchall()
        }
        _check(
            report,
            "pending cash-outs differ from the held diamonds",
            [
                (g, pending.get(g, 0), -held.get(g, 0))
                for g in sorted(set(pending) | set(held))
                if pending.get(g, 0) != -held.get(g, 0)
            ],
            "server {0}: pending requests hold {1} diamonds, the pending account {2}",
        )
        _verify_escrow(report, q)
        # The week and month totals of closed days (storage/periods.py) are derived data: they
        # must equal the days they sum, both ways round.
        rolled = (
            "SELECT r.guild_id, r.kind, r.start_day, s.user_id, SUM(s.coins_spent),"
            " SUM(s.diamonds_earned) FROM rollups r JOIN daily_stats s ON s.guild_id = r.guild_id"
            " AND s.day BETWEEN r.start_day AND r.through_day"
            " GROUP BY r.guild_id, r.kind, r.start_day, s.user_id"
        )
        stored = (
            "SELECT guild_id, kind, start_day, user_id, coins_spent, diamonds_earned"
            " FROM period_stats"
        )
        _check(
            report,
            "period totals differ from their days",
            q(
                f"SELECT * FROM ({rolled} EXCEPT {stored})"
                f" UNION ALL SELECT * FROM ({stored} EXCEPT {rolled})"
            ).fetchall(),
            "server {0} {1} from day {2}, member {3}: {4} coins / {5} diamonds",
        )
        _check(
            report,
            "idempotency key used twice",
            q(
                "SELECT guild_id, idem_key, COUNT(*) FROM txns GROUP BY guild_id, idem_key"
                " HAVING COUNT(*) > 1"
            ).fetchall(),
            "server {0} key {1!r} appears {2} times",
        )
        for name, sql in (
            ("schema_version", "PRAGMA user_version"),
            ("servers", "SELECT COUNT(DISTINCT guild_id) FROM accounts"),
            ("accounts", "SELECT COUNT(*) FROM accounts"),
            ("transactions", "SELECT COUNT(*) FROM txns"),
            ("entries", "SELECT COUNT(*) FROM ledger_entries"),
            ("payouts", "SELECT COUNT(*) FROM payouts"),
            ("events", "SELECT COUNT(*) FROM events"),
            ("treasure_boxes", "SELECT COUNT(*) FROM treasure_boxes"),
        ):
            report.summary[name] = int(q(sql).fetchone()[0])
        report.summary["gifts"] = len(gifts)
        report.summary["violations"] = len(report.violations)
    finally:
        conn.execute("ROLLBACK")
    return report


def _verify_escrow(report: VerifyReport, q: Any) -> None:
    """Every coin ever escrowed by a treasure box is still escrowed (open boxes), split among
    its openers or returned to the dropper — to the coin."""
    escrow = SystemAccount.TREASURE_ESCROW
    _check(
        report,
        "open treasure boxes differ from the escrowed coins",
        q(
            "SELECT g, SUM(o), SUM(h) FROM (SELECT guild_id AS g, coins AS o, 0 AS h"
            " FROM treasure_boxes WHERE state = 'open' UNION ALL SELECT guild_id, 0, amount"
            " FROM ledger_entries WHERE account = ? AND currency = 'coins')"
            " GROUP BY g HAVING SUM(o) != SUM(h)",
            (escrow,),
        ).fetchall(),
        "server {0}: open boxes hold {1} coins, the escrow account {2}",
    )
    _check(
        report,
        "treasure box drop differs from its escrow",
        q(
            "SELECT b.id, b.coins, COALESCE(SUM(e.amount), 0) FROM treasure_boxes b"
            " LEFT JOIN entries e ON e.guild_id = b.guild_id AND e.account = ?"
            " AND e.txn_id = b.txn_id AND e.currency = 'coins'"
            " GROUP BY b.id HAVING COALESCE(SUM(e.amount), 0) != b.coins",
            (escrow,),
        ).fetchall(),
        "box {0}: dropped {1} coins, its drop escrowed {2}",
    )
    _check(
        report,
        "settled treasure box does not add up",
        q(
            "SELECT b.id, b.coins, COALESCE(SUM(o.share), 0), b.returned FROM treasure_boxes b"
            " LEFT JOIN treasure_opens o ON o.box_id = b.id WHERE b.state != 'open'"
            " GROUP BY b.id HAVING COALESCE(SUM(o.share), 0) + b.returned != b.coins",
        ).fetchall(),
        "box {0}: {1} coins, but its shares sum to {2} and {3} were returned",
    )


async def verify(path: str, *, max_balance: int = 10**12) -> VerifyReport:
    """Prove the ledger invariants of the database at `path` (safe while the bot runs)."""

    def run() -> VerifyReport:
        conn = connect_read_only(path)
        try:
            return verify_connection(conn, max_balance)
        except sqlite3.Error as exc:
            raise storage_error(exc, path) from exc
        finally:
            conn.close()

    return await asyncio.to_thread(run)


async def backup(path: str, dest: str | os.PathLike[str]) -> Path:
    """Copy the live database with SQLite's online backup API, then prove the copy is sound
    (`PRAGMA integrity_check` on the copy). Refuses to overwrite an existing file."""
    target = Path(dest)

    def run() -> Path:
        if target.exists():
            raise StorageError(f"{target} already exists — choose a new file name for the backup")
        if not target.parent.is_dir():
            raise StorageError(f"the folder {target.parent} does not exist — create it first")
        src = connect_read_only(path)
        try:
            dst = sqlite3.connect(str(target))
            try:
                src.backup(dst)  # pages=-1: one step, so the copy is one consistent snapshot
            finally:
                dst.close()
        except sqlite3.Error as exc:
            raise storage_error(exc, str(target)) from exc
        finally:
            src.close()
        check = sqlite3.connect(str(target))
        try:
            result = [r[0] for r in check.execute("PRAGMA integrity_check").fetchall()]
        finally:
            check.close()
        if result != ["ok"]:
            raise StorageError(f"the backup {target} failed its integrity check: {result[:5]}")
        return target

    return await asyncio.to_thread(run)


async def export_rows(
    path: str, guild_id: int, *, days: int | None, now: float
) -> list[dict[str, object]]:
    """A server's ledger entries (as the ExportRows query), read from one snapshot of the
    database at `path` without opening it for writing."""

    def run() -> list[dict[str, object]]:
        conn = connect_read_only(path)
        try:
            return snapshot(conn, _export_rows, ExportRows(guild_id, days), now)
        except sqlite3.Error as exc:
            raise storage_error(exc, path) from exc
        finally:
            conn.close()

    return await asyncio.to_thread(run)
