"""One asyncpg connection driven from its own thread, with a cursor that reads like sqlite3's.

Why a thread: the shared queries, facts and steps (queries.py, boards.py, facts.py, steps.py)
are synchronous functions of a cursor. A `PgWorker` owns a private event loop and one asyncpg
connection in one thread; code running there calls `cursor.execute(sql, args)` and each
statement is one `run_until_complete` on that private loop — the bot's loop never blocks, and the
same function serves both backends. Rows come back as tuples; numerics that are whole numbers
(PostgreSQL's SUM of BIGINT) as ints, as SQLite returns them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.storage.errors import StorageError
from bot.storage.postgres.dialect import translate

T = TypeVar("T")
CONNECT_WAIT = 15.0  # seconds a restarting server is waited for

# SQLSTATEs after which re-running a rolled-back batch is safe and likely to succeed.
TRANSIENT_STATES = frozenset(
    {
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
        "57P01",  # admin_shutdown (server restarting)
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now (starting up)
        "08000", "08003", "08006", "08001", "08004",  # connection exceptions
    }
)  # fmt: skip


def is_transient(exc: BaseException) -> bool:
    """A fault of the connection or the server, not of one operation: the whole batch was
    rolled back (or its commit's outcome is unknown) and may be run again."""
    if isinstance(exc, (OSError, asyncpg.exceptions.ConnectionDoesNotExistError)):
        return True
    if isinstance(exc, asyncpg.InterfaceError) and "closed" in str(exc):
        return True
    return getattr(exc, "sqlstate", None) in TRANSIENT_STATES


def is_pg_error(exc: BaseException) -> bool:
    return isinstance(exc, (asyncpg.PostgresError, asyncpg.InterfaceError, OSError))


def redact(url: str) -> str:
    """`postgresql://user:***@host/db`: the password never reaches a log or a message."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "postgresql://(unparseable URL)"
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def _value(v: Any) -> Any:
    if isinstance(v, Decimal) and v == v.to_integral_value():
        return int(v)
    return v


class Result:
    def __init__(self, rows: list[tuple[Any, ...]], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._rows

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self._rows)


def _rowcount(status: bytes | str | None) -> int:
    if not status:
        return -1
    text = status.decode() if isinstance(status, bytes) else status
    last = text.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else -1


class Cursor:
    """The sqlite3-cursor subset the shared SQL code uses: execute → fetchone / fetchall /
    iteration / rowcount, and executemany. Only ever used on its worker's thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop, conn: asyncpg.Connection) -> None:
        self._loop = loop
        self.conn = conn
        self.round_trips = 0  # statements sent (benchmarks report it per batch)

    def cursor(self) -> Cursor:
        return self  # what sqlite3's connection.cursor() is to the shared code

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Result:
        self.round_trips += 1
        rows, status, _ = self._loop.run_until_complete(
            self.conn._execute(translate(sql), list(params), 0, None, return_status=True)
        )
        return Result([tuple(_value(v) for v in r) for r in rows], _rowcount(status))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.round_trips += 1  # asyncpg pipelines executemany: one round trip
        self._loop.run_until_complete(self.conn.executemany(translate(sql), rows))

    def script(self, sql: str) -> None:
        """Several statements, no parameters (migrations, TRUNCATE)."""
        self.round_trips += 1
        self._loop.run_until_complete(self.conn.execute(sql))

    def run(self, coro: Any) -> Any:
        """Any asyncpg coroutine of this connection (e.g. copy_records_to_table)."""
        self.round_trips += 1
        return self._loop.run_until_complete(coro)


class PgWorker:
    """One connection, one thread. `await worker.call(fn, *args)` runs `fn(cursor, *args)` there;
    a lost connection is reopened on the next call."""

    def __init__(self, dsn: str, name: str, *, app: str = "giftcord") -> None:
        self._dsn = dsn
        self._app = app  # application_name: "giftcord" marks a running bot (copy.py)
        self._pool = ThreadPoolExecutor(1, thread_name_prefix=name)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._cursor: Cursor | None = None
        self._closed = False

    def _ensure(self) -> Cursor:
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        if self._cursor is None or self._cursor.conn.is_closed():
            self._cursor = Cursor(self._loop, self._connect(self._loop))
        return self._cursor

    def _connect(self, loop: asyncio.AbstractEventLoop) -> asyncpg.Connection:
        """Connect; a server that is starting or shutting down (a restart) is waited for, up
        to CONNECT_WAIT seconds — a refused or unknown server is reported at once."""
        deadline = time.monotonic() + CONNECT_WAIT
        while True:
            try:
                return loop.run_until_complete(
                    asyncpg.connect(
                        self._dsn,
                        command_timeout=60,
                        server_settings={"application_name": self._app},
                    )
                )
            except (asyncpg.CannotConnectNowError, asyncpg.exceptions.ConnectionDoesNotExistError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        cur = self._ensure()
        return fn(cur, *args)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._call, fn, *args)

    def _close(self) -> None:
        if (
            self._cursor is not None
            and self._loop is not None
            and not self._cursor.conn.is_closed()
        ):
            self._loop.run_until_complete(self._cursor.conn.close(timeout=5))
        if self._loop is not None:
            self._loop.close()
        self._cursor, self._loop = None, None

    def _drop(self) -> None:
        """Forget a broken connection (terminate it without waiting)."""
        if self._cursor is not None:
            self._cursor.conn.terminate()
            self._cursor = None

    async def drop(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._pool, self._drop)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._pool, self._close)
        finally:
            self._pool.shutdown(wait=True)


def snapshot(cur: Cursor, fn: Callable[..., T], *args: Any) -> T:
    """Run `fn(cursor, *args)` in one read-only REPEATABLE READ transaction: one snapshot."""
    cur.script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        return fn(cur, *args)
    finally:
        if not cur.conn.is_closed():
            cur.script("ROLLBACK")


def connect_error(exc: BaseException, url: str) -> StorageError:
    """Why the server did not let us in, in one sentence without the password."""
    where = redact(url)
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        why = "the database does not exist — create it first (createdb)"
    elif isinstance(exc, asyncpg.InvalidPasswordError):
        why = "the server refused the user name or password"
    elif isinstance(exc, (OSError, asyncpg.CannotConnectNowError)):
        why = f"the server does not answer ({type(exc).__name__}: {exc})"
    else:
        why = f"{type(exc).__name__}: {exc}"
    return StorageError(f"database {where}: {why}")
