"""Read queries as plain functions of a sqlite3 connection (or cursor) and the clock reading.

SqliteLedger runs each one on its read connection inside one read transaction (one snapshot);
the writer calls the daily-limit sums inside its own transaction so they see the batch so far.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bot.economy import ledger as L
from bot.economy import reads as R
from bot.economy.kinds import TxnKind
from bot.economy.rules import SECONDS_PER_DAY, day_start, utc_day
from bot.storage import battle_queries, boards, codec, live_queries
from bot.storage.reading import Q, page_bounds

SYSTEM_NAMES = {
    L.SystemAccount.MINT: "system:mint",
    L.SystemAccount.GIFTS: "system:gifts",
    L.SystemAccount.ADJUST: "system:adjust",
    L.SystemAccount.PAYOUT_PENDING: "system:payout_pending",
    L.SystemAccount.PAID_OUT: "system:paid_out",
    L.SystemAccount.TREASURE_ESCROW: "system:treasure_escrow",
}


def _today(now: float) -> tuple[float, float]:
    start = day_start(utc_day(now))
    return start, start + SECONDS_PER_DAY


def account(q: Q, r: R.GetAccount, now: float) -> L.Account:
    guild_id, user_id = r.guild_id, r.user_id
    row = q.execute(
        f"SELECT {codec.ACCOUNT_COLS} FROM accounts WHERE guild_id = ? AND user_id = ?",
        (guild_id, user_id),
    ).fetchone()
    return codec.account(guild_id, user_id, row)


def spent_today(q: Q, r: R.SpentToday, now: float) -> Decimal:
    return spent_today_usd(q, r.guild_id, r.user_id, now)


def spent_today_usd(q: Q, guild_id: int, user_id: int, now: float) -> Decimal:
    """List-price USD of today's (UTC) purchases; summed as Decimal, never in SQL floats."""
    start, end = _today(now)
    rows = q.execute(
        "SELECT usd FROM txns WHERE guild_id = ? AND subject_id = ? AND kind = 'purchase'"
        " AND created_at >= ? AND created_at < ?",
        (guild_id, user_id, start, end),
    ).fetchall()
    return sum((Decimal(r[0]) for r in rows), Decimal("0"))


def cashout_requested_today(q: Q, r: R.CashoutRequestedToday, now: float) -> Decimal:
    return cashout_today_usd(q, r.guild_id, r.user_id, now)


def cashout_today_usd(q: Q, guild_id: int, user_id: int, now: float) -> Decimal:
    """Gross USD of today's cash-out requests, except rejected ones (nothing was paid)."""
    start, end = _today(now)
    rows = q.execute(
        "SELECT usd FROM payouts WHERE guild_id = ? AND user_id = ? AND state != 'rejected'"
        " AND created_at >= ? AND created_at < ?",
        (guild_id, user_id, start, end),
    ).fetchall()
    return sum((Decimal(r[0]) for r in rows), Decimal("0"))


# --- ledger views -------------------------------------------------------------------------


# Where a member's legs are (schema V2): the stored ones, and the member's side of each gift
# they sent or received (implied by the gift's row). Each is read newest first by an index.
MEMBER_LEGS = ("entries", "gift_legs_sent", "gift_legs_received")


def history(q: Q, r: R.GetHistory, now: float) -> L.Page[L.HistoryEntry]:
    guild_id, user_id, page, per_page = r.guild_id, r.user_id, r.page, r.per_page
    who = (guild_id, user_id)
    total = sum(
        q.execute(f"SELECT COUNT(*) FROM {src} WHERE guild_id = ? AND account = ?", who).fetchone()[
            0
        ]
        for src in MEMBER_LEGS
    )
    page, pages, offset = page_bounds(total, page, per_page)
    size = max(1, per_page)
    # The page is among the newest offset + size legs of each source: merge those, not the
    # member's whole ledger (a popular creator's runs to hundreds of thousands).
    legs = sorted(
        (
            leg
            for src in MEMBER_LEGS
            for leg in q.execute(
                f"SELECT txn_id, currency, amount FROM {src} WHERE guild_id = ? AND account = ?"
                " ORDER BY txn_id DESC LIMIT ?",
                (*who, offset + size),
            )
        ),
        key=lambda leg: (-leg[0], leg[1]),
    )[offset : offset + size]
    ids = sorted({leg[0] for leg in legs})
    marks = ", ".join("?" * len(ids))
    txns = {
        row[0]: row[1:]
        for row in q.execute(
            "SELECT id, kind, created_at, subject_id, counterparty_id, gift_name, count,"
            f" actor_id, reason FROM txns WHERE id IN ({marks})",
            ids,
        )
    }
    rows = [
        (txn, txns[txn][0], txns[txn][1], cur, amount, *txns[txn][2:]) for txn, cur, amount in legs
    ]
    items = []
    for txn, kind, at, cur, amount, subject, other, gift_name, count, actor, reason in rows:
        counterparty, side = None, TxnKind(kind)
        if side is TxnKind.GIFT:  # one gift row, two sides: whose history is this?
            side, counterparty = (
                (TxnKind.GIFT_SENT, other) if amount < 0 else (TxnKind.GIFT_RECEIVED, subject)
            )
        items.append(
            L.HistoryEntry(
                txn,
                side,
                at,
                L.Currency(cur),
                amount,
                counterparty,
                gift_name,
                count,
                actor,
                reason,
            )
        )
    return L.Page(items, page, pages, total)


def audit(q: Q, r: R.GetAudit, now: float) -> L.Page[L.AuditEntry]:
    guild_id, member_id, actor_id, page, per_page = (
        r.guild_id,
        r.member_id,
        r.actor_id,
        r.page,
        r.per_page,
    )
    where, args = "guild_id = ? AND actor_id IS NOT NULL", list[object]([guild_id])
    if member_id is not None:
        where += " AND subject_id = ?"
        args.append(member_id)
    if actor_id is not None:
        where += " AND actor_id = ?"
        args.append(actor_id)
    total = q.execute(f"SELECT COUNT(*) FROM txns WHERE {where}", args).fetchone()[0]
    page, pages, offset = page_bounds(total, page, per_page)
    rows = q.execute(
        "SELECT id, kind, created_at, actor_id, subject_id, currency, before, after, amount,"
        f" reason FROM txns WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?",
        (*args, max(1, per_page), offset),
    ).fetchall()
    items = [
        L.AuditEntry(
            txn,
            TxnKind(kind),
            at,
            actor,
            member,
            L.Currency(cur) if cur else None,
            before if cur else None,
            after if cur else None,
            amount,
            reason,
        )
        for txn, kind, at, actor, member, cur, before, after, amount, reason in rows
    ]
    return L.Page(items, page, pages, total)


def cashouts(q: Q, r: R.ListCashouts, now: float) -> L.Page[L.Payout]:
    guild_id, user_id, state, page, per_page = (r.guild_id, r.user_id, r.state, r.page, r.per_page)
    where, args = "guild_id = ?", list[object]([guild_id])
    if user_id is not None:
        where += " AND user_id = ?"
        args.append(user_id)
    if state is not None:
        where += " AND state = ?"
        args.append(L.PayoutState(state).value)
    total = q.execute(f"SELECT COUNT(*) FROM payouts WHERE {where}", args).fetchone()[0]
    page, pages, offset = page_bounds(total, page, per_page)
    rows = q.execute(
        f"SELECT {codec.PAYOUT_COLS} FROM payouts WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?",
        (*args, max(1, per_page), offset),
    ).fetchall()
    return L.Page([codec.payout(r) for r in rows], page, pages, total)


def cashout(q: Q, r: R.GetCashout, now: float) -> L.Payout | None:
    return payout_row(q, r.guild_id, r.payout_id)


def payout_row(q: Q, guild_id: int, payout_id: int) -> L.Payout | None:
    row = q.execute(
        f"SELECT {codec.PAYOUT_COLS} FROM payouts WHERE guild_id = ? AND id = ?",
        (guild_id, payout_id),
    ).fetchone()
    return None if row is None else codec.payout(row)


# --- creator analytics --------------------------------------------------------------------


def _first_day(days: int, now: float) -> int:
    return utc_day(now) - max(1, days) + 1


def earnings_per_day(q: Q, r: R.EarningsPerDay, now: float) -> list[L.DayEarnings]:
    guild_id, user_id, days = r.guild_id, r.user_id, r.days
    first, today = _first_day(days, now), utc_day(now)
    got = dict(
        q.execute(
            "SELECT day, diamonds_earned FROM daily_stats"
            " WHERE guild_id = ? AND user_id = ? AND day BETWEEN ? AND ?",
            (guild_id, user_id, first, today),
        ).fetchall()
    )
    return [L.DayEarnings(day, got.get(day, 0)) for day in range(first, today + 1)]


def top_gifts(q: Q, r: R.TopGifts, now: float) -> list[L.GiftTotal]:
    guild_id, user_id, days, limit = r.guild_id, r.user_id, r.days, r.limit
    rows = q.execute(
        "SELECT gift_name, SUM(count), SUM(diamonds) FROM txns"
        " WHERE guild_id = ? AND counterparty_id = ? AND kind = 'gift' AND created_at >= ?"
        " GROUP BY gift_name ORDER BY SUM(diamonds) DESC, gift_name LIMIT ?",
        (guild_id, user_id, day_start(_first_day(days, now)), limit),
    ).fetchall()
    return [L.GiftTotal(*r) for r in rows]


def top_supporters(q: Q, r: R.TopSupporters, now: float) -> list[L.SupporterTotal]:
    guild_id, user_id, days, limit = r.guild_id, r.user_id, r.days, r.limit
    rows = q.execute(
        "SELECT subject_id, SUM(diamonds) FROM txns"
        " WHERE guild_id = ? AND counterparty_id = ? AND kind = 'gift' AND created_at >= ?"
        " GROUP BY subject_id ORDER BY SUM(diamonds) DESC, subject_id LIMIT ?",
        (guild_id, user_id, day_start(_first_day(days, now)), limit),
    ).fetchall()
    return [L.SupporterTotal(*r) for r in rows]


# --- events and settings ------------------------------------------------------------------


def live_event(q: Q, r: R.GetLiveEvent, now: float) -> L.Event | None:
    guild_id = r.guild_id
    row = q.execute(
        f"SELECT {codec.EVENT_COLS} FROM events WHERE guild_id = ? AND ended_at IS NULL",
        (guild_id,),
    ).fetchone()
    return None if row is None else codec.event(row)


def events(q: Q, r: R.ListEvents, now: float) -> list[L.Event]:
    guild_id, limit = r.guild_id, r.limit
    rows = q.execute(
        f"SELECT {codec.EVENT_COLS} FROM events WHERE guild_id = ? ORDER BY id DESC LIMIT ?",
        (guild_id, limit),
    ).fetchall()
    return [codec.event(r) for r in rows]


def event(q: Q, r: R.GetEvent, now: float) -> L.Event | None:
    return event_row(q, r.guild_id, r.event_id)


def event_row(q: Q, guild_id: int, event_id: int) -> L.Event | None:
    row = q.execute(
        f"SELECT {codec.EVENT_COLS} FROM events WHERE guild_id = ? AND id = ?",
        (guild_id, event_id),
    ).fetchone()
    return None if row is None else codec.event(row)


def due_events(q: Q, r: R.DueEvents, now: float) -> list[L.Event]:
    rows = q.execute(
        f"SELECT {codec.EVENT_COLS} FROM events WHERE ended_at IS NULL AND ends_at <= ?"
        " ORDER BY ends_at",
        (now,),
    ).fetchall()
    return [codec.event(r) for r in rows]


def guild_settings(q: Q, r: R.GetGuildSettings, now: float) -> L.GuildSettings:
    return settings_row(q, r.guild_id) or L.GuildSettings(r.guild_id)


def settings_row(q: Q, guild_id: int) -> L.GuildSettings | None:
    row = q.execute(
        "SELECT guild_id, audit_channel_id, announce_channel_id, mod_role_id, public_page"
        " FROM guild_settings WHERE guild_id = ?",
        (guild_id,),
    ).fetchone()
    if row is None:
        return None
    guild_id, audit, announce, mod_role, public_page = row
    return L.GuildSettings(guild_id, audit, announce, mod_role, bool(public_page))


def export_rows(q: Q, r: R.ExportRows, now: float) -> list[dict[str, object]]:
    guild_id, days = r.guild_id, r.days
    since = 0.0 if days is None else now - max(1, days) * SECONDS_PER_DAY
    rows = q.execute(
        "SELECT e.txn_id, t.created_at, t.kind, e.account, e.currency, e.amount, t.subject_id,"
        " t.counterparty_id, t.gift_name, t.count, t.actor_id, t.reason"
        " FROM ledger_entries e JOIN txns t ON t.id = e.txn_id"
        " WHERE e.guild_id = ? AND t.created_at >= ? ORDER BY e.txn_id, e.account, e.currency",
        (guild_id, since),
    ).fetchall()
    out: list[dict[str, object]] = []
    for txn, at, kind, acct, cur, amount, subject, other, gift_name, count, actor, reason in rows:
        counterparty = None
        if kind == "gift" and acct >= 0:
            counterparty = other if amount < 0 else subject
        out.append(
            {
                "txn_id": txn,
                "created_at": datetime.fromtimestamp(at, tz=UTC).isoformat(timespec="seconds"),
                "kind": kind,
                "account": SYSTEM_NAMES.get(acct, acct),
                "currency": cur,
                "amount": amount,
                "counterparty": counterparty,
                "gift": gift_name,
                "count": count,
                "actor": actor,
                "reason": reason,
            }
        )
    return out


# --- treasure boxes ---------------------------------------------------------------------------

_BOX_COLS = (
    "id, guild_id, dropper_id, coins, openers, created_at, ends_at, state, channel_id,"
    " message_id, txn_id, returned, announced"
)


def _boxes(q: Q, rows: list[Any]) -> list[L.TreasureBox]:
    """Boxes with their openers (in the order they opened) and shares."""
    out = []
    for bid, gid, dropper, coins, openers, created, ends, state, chan, msg, txn, back, done in rows:
        opens = q.execute(
            "SELECT user_id, share FROM treasure_opens WHERE box_id = ? ORDER BY seq", (bid,)
        ).fetchall()
        ids, shares = tuple(u for u, _ in opens), tuple(c for _, c in opens)
        head = (bid, gid, dropper, coins, openers, created, ends, L.TreasureState(state))
        out.append(L.TreasureBox(*head, chan, msg, txn, ids, shares, back, bool(done)))
    return out


def treasure_row(q: Q, guild_id: int, box_id: int) -> L.TreasureBox | None:
    rows = q.execute(
        f"SELECT {_BOX_COLS} FROM treasure_boxes WHERE guild_id = ? AND id = ?",
        (guild_id, box_id),
    ).fetchall()
    found = _boxes(q, rows)
    return found[0] if found else None


def treasure(q: Q, r: R.GetTreasure, now: float) -> L.TreasureBox | None:
    return treasure_row(q, r.guild_id, r.box_id)


def unfinished_treasures(q: Q, r: R.UnfinishedTreasures, now: float) -> list[L.TreasureBox]:
    rows = q.execute(
        f"SELECT {_BOX_COLS} FROM treasure_boxes WHERE state = 'open' OR announced = 0"
        " ORDER BY ends_at, id"
    ).fetchall()
    return _boxes(q, rows)


def opens_today(q: Q, guild_id: int, user_id: int, now: float) -> int:
    return int(
        q.execute(
            "SELECT COALESCE(MAX(opens), 0) FROM treasure_daily WHERE guild_id = ?"
            " AND user_id = ? AND day = ?",
            (guild_id, user_id, utc_day(now)),
        ).fetchone()[0]
    )


# The one generic path from `Ledger.run(read)` to its query.
READS: dict[type[Any], Callable[[Q, Any, float], Any]] = {
    R.GetAccount: account,
    R.GetRank: boards.rank,
    R.GetLeaderboard: boards.leaderboard,
    R.GetHistory: history,
    R.GetAudit: audit,
    R.SpentToday: spent_today,
    R.CashoutRequestedToday: cashout_requested_today,
    R.ListCashouts: cashouts,
    R.GetCashout: cashout,
    R.EarningsPerDay: earnings_per_day,
    R.TopGifts: top_gifts,
    R.TopSupporters: top_supporters,
    R.GetLiveEvent: live_event,
    R.ListEvents: events,
    R.GetEvent: event,
    R.DueEvents: due_events,
    R.GetGuildSettings: guild_settings,
    R.ExportRows: export_rows,
    **live_queries.READS,
    **battle_queries.READS,
    R.GetTreasure: treasure,
    R.UnfinishedTreasures: unfinished_treasures,
}
