"""The SQLite schema as an ordered list of migrations, keyed by `PRAGMA user_version`.

Migration N (1-based) takes the database from version N-1 to N. Never edit a released step:
append a new one. Money columns are INTEGER; USD is TEXT holding a Decimal (never REAL).
"""

from __future__ import annotations

import sqlite3

V1 = """
CREATE TABLE accounts (
    guild_id          INTEGER NOT NULL,
    user_id           INTEGER NOT NULL,
    coins             INTEGER NOT NULL DEFAULT 0 CHECK (coins >= 0),
    diamonds          INTEGER NOT NULL DEFAULT 0 CHECK (diamonds >= 0),
    lifetime_diamonds INTEGER NOT NULL DEFAULT 0 CHECK (lifetime_diamonds >= 0),
    coins_spent       INTEGER NOT NULL DEFAULT 0 CHECK (coins_spent >= 0),
    gifts_sent        INTEGER NOT NULL DEFAULT 0 CHECK (gifts_sent >= 0),
    frozen            INTEGER NOT NULL DEFAULT 0,
    age_confirmed     INTEGER NOT NULL DEFAULT 0,
    country           TEXT,
    payout_method     TEXT,
    departed          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;
-- all-time leaderboards straight from the account columns
CREATE INDEX accounts_gifters ON accounts (guild_id, coins_spent DESC)
    WHERE coins_spent > 0 AND departed = 0;
CREATE INDEX accounts_creators ON accounts (guild_id, lifetime_diamonds DESC)
    WHERE lifetime_diamonds > 0 AND departed = 0;

-- one row per operation; (guild_id, idem_key) is the exactly-once guarantee
CREATE TABLE txns (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    idem_key        TEXT NOT NULL,
    kind            TEXT NOT NULL,
    created_at      REAL NOT NULL,
    actor_id        INTEGER,          -- the moderator, for moderator actions only
    subject_id      INTEGER,          -- the member the operation is about (the sender of a gift)
    counterparty_id INTEGER,          -- the recipient of a gift
    currency        TEXT,
    amount          INTEGER,          -- coins of a gift or purchase, the amount of an adjustment
    diamonds        INTEGER,          -- diamonds a gift credited
    before          INTEGER,
    after           INTEGER,
    gift_name       TEXT,
    count           INTEGER,
    ratio           TEXT,             -- diamonds per coin used for this gift (Decimal as text)
    usd             TEXT,             -- list price of a purchase (Decimal as text)
    reason          TEXT,
    event_id        INTEGER,
    result          TEXT NOT NULL,    -- JSON of the result a replay returns
    UNIQUE (guild_id, idem_key)
);
CREATE INDEX txns_audit ON txns (guild_id, id) WHERE actor_id IS NOT NULL;
CREATE INDEX txns_audit_actor ON txns (guild_id, actor_id, id) WHERE actor_id IS NOT NULL;
CREATE INDEX txns_audit_member ON txns (guild_id, subject_id, id) WHERE actor_id IS NOT NULL;
-- `/diamonds stats` (top gifts / supporters of one creator over N days) reads only that
-- creator's gifts in the window instead of every txn of the server (~590 ms at 1M rows).
CREATE INDEX txns_received ON txns (guild_id, counterparty_id, created_at) WHERE kind = 'gift';
CREATE INDEX txns_purchases ON txns (guild_id, subject_id, created_at) WHERE kind = 'purchase';
CREATE INDEX txns_time ON txns (created_at);

-- double entry: every txn's entries sum to zero per currency (system accounts are negative ids).
-- WITHOUT ROWID with the account first: the table is its own history index, one B-tree insert
-- per entry (a gift's system-account entries land on the hot right edge of their range).
CREATE TABLE entries (
    guild_id INTEGER NOT NULL,
    account  INTEGER NOT NULL,
    txn_id   INTEGER NOT NULL REFERENCES txns (id),
    currency TEXT NOT NULL CHECK (currency IN ('coins', 'diamonds')),
    amount   INTEGER NOT NULL,
    PRIMARY KEY (guild_id, account, txn_id, currency)
) WITHOUT ROWID;

CREATE TABLE daily_stats (
    guild_id        INTEGER NOT NULL,
    day             INTEGER NOT NULL,  -- days since the epoch, UTC
    user_id         INTEGER NOT NULL,
    coins_spent     INTEGER NOT NULL DEFAULT 0,
    diamonds_earned INTEGER NOT NULL DEFAULT 0,
    gifts           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, day, user_id)
) WITHOUT ROWID;

CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    started_at    REAL NOT NULL,
    ends_at       REAL NOT NULL,
    ended_at      REAL,
    goal          INTEGER,
    bonus_percent INTEGER NOT NULL DEFAULT 0,
    channel_id    INTEGER,
    message_id    INTEGER,
    started_by    INTEGER NOT NULL,
    diamonds      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX events_guild ON events (guild_id, id);
-- last line of defence for "one live event per server"
CREATE UNIQUE INDEX events_one_live ON events (guild_id) WHERE ended_at IS NULL;

CREATE TABLE event_stats (
    event_id        INTEGER NOT NULL REFERENCES events (id),
    user_id         INTEGER NOT NULL,
    coins_spent     INTEGER NOT NULL DEFAULT 0,
    diamonds_earned INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, user_id)
) WITHOUT ROWID;

CREATE TABLE payouts (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    diamonds   INTEGER NOT NULL CHECK (diamonds > 0),
    usd        TEXT NOT NULL,        -- gross, rounded down to cents (Decimal as text)
    method     TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    created_at REAL NOT NULL,
    decided_at REAL,
    decided_by INTEGER,
    reason     TEXT,
    txn_id     INTEGER NOT NULL
);
CREATE INDEX payouts_state ON payouts (guild_id, state, id);
CREATE INDEX payouts_user ON payouts (guild_id, user_id, created_at);

CREATE TABLE guild_settings (
    guild_id            INTEGER PRIMARY KEY,
    audit_channel_id    INTEGER,
    announce_channel_id INTEGER,
    mod_role_id         INTEGER
);
"""

# The lean write path: a gift is one txns row. Its four double-entry legs (the sender's coins to
# the gifts account, the minted diamonds from there to the recipient) are implied by that row
# (bot.economy.plan.implied_legs), so they are no longer stored; `ledger_entries` is every leg,
# stored or implied, and is what verify and export read. A gift now writes one row and three
# index entries of its own (sent, received by id, received by time) instead of a row, four
# entries rows and one index entry.
V2 = """
DELETE FROM entries WHERE txn_id IN (SELECT id FROM txns WHERE kind = 'gift');
-- a member's gifts, each side in txn order: the history of a member reads these (newest first);
-- txns_received (by time) stays for `/diamonds stats`
CREATE INDEX txns_gifts_sent ON txns (guild_id, subject_id, id) WHERE kind = 'gift';
CREATE INDEX txns_gifts_received ON txns (guild_id, counterparty_id, id) WHERE kind = 'gift';
-- The legs a gift's row implies (bot.economy.plan.implied_legs), one view per side: a member's
-- history reads the two member sides in index order; verify and export read them all.
CREATE VIEW gift_legs_sent (guild_id, account, txn_id, currency, amount) AS
    SELECT guild_id, subject_id, id, 'coins', -amount FROM txns
    WHERE kind = 'gift' AND amount != 0;
CREATE VIEW gift_legs_received (guild_id, account, txn_id, currency, amount) AS
    SELECT guild_id, counterparty_id, id, 'diamonds', diamonds FROM txns
    WHERE kind = 'gift' AND diamonds != 0;
CREATE VIEW gift_legs_system (guild_id, account, txn_id, currency, amount) AS
    SELECT guild_id, -2, id, 'coins', amount FROM txns WHERE kind = 'gift' AND amount != 0
    UNION ALL SELECT guild_id, -2, id, 'diamonds', -diamonds FROM txns
    WHERE kind = 'gift' AND diamonds != 0;
-- week and month totals of the closed days (storage/periods.py), so a board reads one row
-- per member plus the days since the roll-up
CREATE TABLE period_stats (
    guild_id        INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('week', 'month')),
    start_day       INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    coins_spent     INTEGER NOT NULL DEFAULT 0,
    diamonds_earned INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, kind, start_day, user_id)
) WITHOUT ROWID;
CREATE TABLE rollups (
    guild_id    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    start_day   INTEGER NOT NULL,
    through_day INTEGER NOT NULL,  -- the last day of the period summed into period_stats
    PRIMARY KEY (guild_id, kind, start_day)
) WITHOUT ROWID;
CREATE VIEW ledger_entries (guild_id, account, txn_id, currency, amount) AS
    SELECT guild_id, account, txn_id, currency, amount FROM entries
    UNION ALL SELECT * FROM gift_legs_sent
    UNION ALL SELECT * FROM gift_legs_system
    UNION ALL SELECT * FROM gift_legs_received;
"""

# TikTok LIVE and gifter levels. A LIVE stores no figures of its own: its gifts are the gift rows
# to its member between its LIVE_START and LIVE_END records (txns_gifts_received answers them in
# index order), so a gift to a LIVE creator writes nothing more than any other gift.
V3 = """
CREATE TABLE lives (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    title      TEXT,
    channel_id INTEGER,
    message_id INTEGER,               -- the LIVE card
    started_at REAL NOT NULL,
    ends_at    REAL NOT NULL,         -- started_at + [live] max_hours
    ended_at   REAL,
    start_txn  INTEGER NOT NULL,      -- the LIVE_START record: its gifts have larger txn ids
    end_txn    INTEGER                -- the LIVE_END record: its gifts have smaller txn ids
);
-- last line of defence for "one LIVE per member"
CREATE UNIQUE INDEX lives_one_per_member ON lives (guild_id, user_id) WHERE ended_at IS NULL;
CREATE INDEX lives_due ON lives (ends_at) WHERE ended_at IS NULL;
CREATE TABLE level_roles (
    guild_id INTEGER NOT NULL,
    level    INTEGER NOT NULL CHECK (level BETWEEN 1 AND 50),
    role_id  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, level)
) WITHOUT ROWID;
"""


# Treasure boxes (`/treasure drop`): the box holds its coins on the escrow system account (-7)
# until it is split among its openers or returned. One row per (box, member) is the "opens
# once" guarantee; `opened` is the counted guard that lets exactly `openers` in; the daily cap is
# a counter row per (server, member, day) raised by a guarded upsert, so it holds with any
# number of writers (a count of rows would not, under PostgreSQL's read committed).
V4 = """
CREATE TABLE treasure_boxes (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    dropper_id INTEGER NOT NULL,
    coins      INTEGER NOT NULL CHECK (coins > 0),
    openers    INTEGER NOT NULL CHECK (openers BETWEEN 1 AND coins),
    opened     INTEGER NOT NULL DEFAULT 0 CHECK (opened BETWEEN 0 AND openers),
    created_at REAL NOT NULL,
    ends_at    REAL NOT NULL,
    state      TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'split', 'returned')),
    returned   INTEGER NOT NULL DEFAULT 0 CHECK (returned >= 0),
    settled_at REAL,
    announced  INTEGER NOT NULL DEFAULT 0,  -- 1 once the results replaced the post
    channel_id INTEGER,
    message_id INTEGER,
    txn_id     INTEGER NOT NULL
);
-- the timers and the start-up sweep read the boxes not settled, or not announced, yet
CREATE INDEX treasure_unfinished ON treasure_boxes (ends_at) WHERE state = 'open' OR announced = 0;
CREATE TABLE treasure_opens (
    box_id    INTEGER NOT NULL REFERENCES treasure_boxes (id),
    user_id   INTEGER NOT NULL,
    guild_id  INTEGER NOT NULL,
    seq       INTEGER NOT NULL,  -- 1 for the first opener …: the order shares are listed in
    opened_at REAL NOT NULL,
    share     INTEGER NOT NULL DEFAULT 0 CHECK (share >= 0),
    PRIMARY KEY (box_id, user_id)
) WITHOUT ROWID;
CREATE TABLE treasure_daily (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    day      INTEGER NOT NULL,  -- days since the epoch, UTC
    opens    INTEGER NOT NULL CHECK (opens >= 1),
    PRIMARY KEY (guild_id, user_id, day)
) WITHOUT ROWID;
"""


# `/settings set public_page:` — whether a server's leaderboards are on the web (bot/web).
V5 = "ALTER TABLE guild_settings ADD COLUMN public_page INTEGER NOT NULL DEFAULT 0;\n"


# LIVE Match battles: a battle's points are the gift rows to each creator between its
# BATTLE_START and BATTLE_END records (like a LIVE's figures), so it stores no score.
V6 = """
CREATE TABLE battles (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    challenger_id   INTEGER NOT NULL,
    opponent_id     INTEGER NOT NULL,
    challenger_live INTEGER NOT NULL,   -- each side's LIVE: its recap lists the battle
    opponent_live   INTEGER NOT NULL,
    gift_name       TEXT,               -- only this gift scores (NULL: every gift)
    minutes         INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 30),
    channel_id      INTEGER,
    message_id      INTEGER,            -- the public battle post
    started_at      REAL NOT NULL,      -- when the opponent accepted
    ends_at         REAL NOT NULL,
    ended_at        REAL,
    start_txn       INTEGER NOT NULL,   -- the BATTLE_START record: its gifts have larger ids
    end_txn         INTEGER,            -- the BATTLE_END record: its gifts have smaller ids
    CHECK (challenger_id != opponent_id)
);
CREATE INDEX battles_on ON battles (ends_at) WHERE ended_at IS NULL;
CREATE INDEX battles_of_live ON battles (guild_id, challenger_live);
CREATE INDEX battles_of_opponent_live ON battles (guild_id, opponent_live);
-- one row per member while they battle: the guard of "in no other battle", for either side
CREATE TABLE battle_fighters (
    guild_id  INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    battle_id INTEGER NOT NULL REFERENCES battles (id),
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;
"""

MIGRATIONS: list[str] = [V1, V2, V3, V4, V5, V6]
LATEST = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def apply_migrations(conn: sqlite3.Connection) -> tuple[int, int]:
    """Run every pending step, each in its own transaction with the version bump, so a crash
    mid-migration leaves the previous version intact. Returns (before, after)."""
    before = schema_version(conn)
    if before > LATEST:
        raise RuntimeError(
            f"the database schema is version {before} but this giftcord knows only up to "
            f"{LATEST}: upgrade giftcord (or restore a backup made by this version)"
        )
    for version in range(before + 1, LATEST + 1):
        # BEGIN IMMEDIATE: take the write lock first so two processes can't migrate at once.
        conn.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(conn) >= version:  # another process got here first
                conn.execute("COMMIT")
                continue
            for statement in _statements(MIGRATIONS[version - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return before, schema_version(conn)


def _statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would COMMIT our transaction)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not buf.strip():
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    return out
