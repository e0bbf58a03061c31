"""A ledger written by the first release (schema 1, `tests/fixtures/v1_ledger.sql`) upgrades in
place — at start-up and by `python -m bot migrate` — and nothing is lost: every balance, every
ledger leg (a gift's four stored entries become the ones its row implies), every history row,
the pending cash-out, the live event, the settings and every idempotency key."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from bot.economy.config import EconomyConfig
from bot.economy.ledger import Board, PayoutState, Period
from bot.economy.reads import (
    ExportRows,
    GetAccount,
    GetGuildSettings,
    GetHistory,
    GetLeaderboard,
    GetLiveEvent,
    ListCashouts,
)
from bot.economy.requests import DecideCashout, SendGift
from bot.storage import SqliteLedger
from bot.storage.sqlite.schema import LATEST
from tests.test_settings import run_cli

FIXTURE = Path(__file__).parents[2] / "fixtures" / "v1_ledger.sql"
G, MOD, ALICE, BOB, CAROL, DAVE = 1, 900, 10, 11, 12, 13
SYSTEM = {-1: "system:mint", -2: "system:gifts", -3: "system:adjust",
          -4: "system:payout_pending", -5: "system:paid_out"}  # fmt: skip


def load_v1(path: Path) -> dict[str, Any]:
    """The fixture as a database file, and what the first release's tables say is in it."""
    conn = sqlite3.connect(path)
    conn.executescript(FIXTURE.read_text(encoding="utf-8"))
    conn.execute("PRAGMA user_version = 1")
    q = conn.execute
    facts = {
        "balances": {u: (c, d) for u, c, d in q("SELECT user_id, coins, diamonds FROM accounts")},
        "legs": Counter(q("SELECT txn_id, account, currency, amount FROM entries").fetchall()),
        "per_member": dict(
            q("SELECT account, COUNT(*) FROM entries WHERE account >= 0 GROUP BY account")
        ),
        "keys": {k for (k,) in q("SELECT idem_key FROM txns")},
        "unbalanced": q(
            "SELECT guild_id, currency FROM entries GROUP BY guild_id, currency"
            " HAVING SUM(amount) != 0"
        ).fetchall(),
    }
    conn.commit()
    conn.close()
    return facts


def test_the_fixture_is_a_sound_first_release_ledger(tmp_path: Path) -> None:
    v1 = load_v1(tmp_path / "v1.db")
    assert v1["unbalanced"] == []
    assert sum(v1["legs"].values()) > 30  # every kind of row is there, gifts' stored legs too
    assert "v1-gift-rose" in v1["keys"]


async def test_start_up_upgrades_a_first_release_ledger_and_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    v1 = load_v1(path)
    ledger = await SqliteLedger.open(path, EconomyConfig())
    try:
        before, after = await ledger.migrate()
        assert (before, after) == (1, LATEST)
        report = await ledger.verify()
        assert report.ok, report.violations
        for user, (coins, diamonds) in v1["balances"].items():
            acct = await ledger.run(GetAccount(G, user))
            assert (acct.coins, acct.diamonds) == (coins, diamonds), user
        # The same legs, to the coin: stored ones kept, gifts' now implied by their rows.
        rows = await ledger.run(ExportRows(G))
        legs = Counter(
            (r["txn_id"], {v: k for k, v in SYSTEM.items()}.get(r["account"], r["account"]),
             r["currency"], r["amount"])
            for r in rows
        )  # fmt: skip
        assert legs == v1["legs"]
        for member, count in v1["per_member"].items():
            history = await ledger.run(GetHistory(G, member, per_page=100))
            assert history.total == count, member
        # Every key still answers with its first result.
        again = await ledger.run(
            SendGift(G, ALICE, BOB, key="v1-gift-rose", gift_name="Rose", count=5)
        )
        assert again.replayed
        assert (again.gift_name, again.coins) == ("Rose", 5)
        # The pending cash-out can be decided; the live event is live; settings and departures.
        [pending] = (await ledger.run(ListCashouts(G, state=PayoutState.PENDING))).items
        await ledger.run(
            DecideCashout(G, pending.id, key="after-upgrade", actor_id=MOD, approve=True, reason="")
        )
        live = await ledger.run(GetLiveEvent(G))
        assert live is not None
        assert live.name == "Summer"
        settings = await ledger.run(GetGuildSettings(G))
        assert (settings.audit_channel_id, settings.mod_role_id) == (500, 600)
        board = await ledger.run(GetLeaderboard(G, Board.GIFTERS, Period.ALL))
        assert ALICE not in {row.user_id for row in board.items}  # departed, still hidden
        assert (await ledger.verify()).ok
    finally:
        await ledger.close()


def test_migrate_upgrades_a_first_release_ledger(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    load_v1(path)
    env = {"GIFTCORD_DATABASE__URL": f"sqlite:///{path}"}
    migrated = run_cli("migrate", env=env, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert f"version {LATEST}" in migrated.stdout
    verified = run_cli("verify", env=env, cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
