"""What each `python -m bot` command does. Every handler takes the settings built once in
`main()` and returns an exit code; a failure raises `CliFailure`, which `main()` prints as one
line — never a traceback or the token."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, cast

import aiohttp
import discord
from aiohttp import web

from bot.app import GiftcordBot, point_at_discord
from bot.collector import freeze_start_up_state
from bot.command_diff import package_change
from bot.economy.export import LEDGER_COLUMNS, write_csv
from bot.economy.ledger import Ledger
from bot.economy.text import MAX_ID
from bot.services import Services
from bot.settings import Settings
from bot.shards import make_bot
from bot.storage import SqliteLedger, StorageError, database_path, open_ledger, opening

log = logging.getLogger("giftcord.cli")

# 3: Discord could not be reached (network, DNS, discord.api_base) — worth retrying later, unlike
# 1 (a failure the output explains) and 2 (bad configuration or usage).
EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_UNREACHABLE = 0, 1, 2, 3
NO_TOKEN = (
    "no Discord token — set DISCORD_TOKEN (or [discord] token in config.toml, "
    "or GIFTCORD_DISCORD__TOKEN)"
)
BAD_TOKEN = (
    "Discord refused the token (discord.token / DISCORD_TOKEN): check it in the developer portal"
)

# The gateway's close codes for a shard setting Discord will not accept.
SHARD_REFUSALS = {
    4010: (
        "Discord refused shard {shard} (close code 4010, invalid shard): check "
        "discord.shard_count / GIFTCORD_DISCORD__SHARD_COUNT and discord.shard_ids / "
        "GIFTCORD_DISCORD__SHARD_IDS — every process must use the same count, and each shard id "
        "may be connected by one process only"
    ),
    4011: (
        "Discord requires sharding for this bot (close code 4011: too many servers for one "
        "connection): set discord.shard_count / GIFTCORD_DISCORD__SHARD_COUNT"
    ),
}


class CliFailure(Exception):
    """One line for the operator and the exit code that goes with it."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.message, self.code = message, code


@contextlib.asynccontextmanager
async def opened_ledger(settings: Settings) -> AsyncIterator[SqliteLedger]:
    """The ledger named by `[database] url`, closed afterwards; storage faults (corrupt, locked,
    read-only…) become one line."""
    try:
        ledger = await open_ledger(
            settings.database.url,
            settings.economy,
            synchronous=settings.database.synchronous,
            pool_size=settings.database.pool_size,
        )
    except StorageError as exc:
        raise CliFailure(exc.operator_detail) from None
    try:
        yield ledger
    except StorageError as exc:
        raise CliFailure(exc.operator_detail) from None
    finally:
        await ledger.close()


@contextlib.contextmanager
def storage_failures() -> Iterator[None]:
    """A StorageError (missing, foreign, corrupt, locked database…) becomes one line, exit 1."""
    try:
        yield
    except StorageError as exc:
        raise CliFailure(exc.operator_detail) from None


@contextlib.contextmanager
def discord_failures(doing: str) -> Iterator[None]:
    """A refused token, no network (a DNS failure, a closed port), an HTTP error from Discord:
    one line each, no traceback."""
    try:
        yield
    except discord.LoginFailure:
        raise CliFailure(BAD_TOKEN, EXIT_CONFIG) from None
    except aiohttp.ClientError as exc:
        raise CliFailure(
            f"could not reach Discord at {discord.http.Route.BASE} "
            f"({str(exc) or type(exc).__name__}) — check the network, DNS and discord.api_base",
            EXIT_UNREACHABLE,
        ) from None
    except discord.HTTPException as exc:
        raise CliFailure(f"Discord refused {doing}: {exc.status} {exc.text[:200]}") from None


def require_token(settings: Settings) -> str:
    if not settings.discord.token or not settings.discord.token.get_secret_value():
        raise CliFailure(NO_TOKEN, EXIT_CONFIG)
    return settings.discord.token.get_secret_value()


def build_bot(settings: Settings, ledger: Ledger) -> GiftcordBot:
    point_at_discord(settings.discord)
    return make_bot(
        Services(
            ledger,
            settings.economy,
            levels=settings.levels,
            live=settings.live,
            treasure=settings.treasure,
        ),
        settings.discord,
    )


class NoDatabase:
    """The ledger `sync` hands the cogs: it loads every cog to build the command tree but runs
    no command, so it opens no database (and creates none). Reaching for it is a bug."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"`sync` opens no database, yet ledger.{name} was used")


async def check_login(settings: Settings, token: str) -> None:
    """Log in once (GET /users/@me) without a database: `run` calls this before it creates a
    new database file, so a wrong token or no network leaves nothing behind."""
    point_at_discord(settings.discord)
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        with discord_failures("the login"):
            await http.static_login(token)
    finally:
        await http.close()


async def run(settings: Settings, _: argparse.Namespace) -> int:
    token = require_token(settings)
    with storage_failures():
        path = (
            None
            if opening.is_postgres(settings.database.url)
            else database_path(settings.database.url)
        )
    if path is not None and not os.path.exists(path):
        # An existing database is opened (and checked) first, so a corrupt, locked or read-only
        # file is reported without the network; a new one is created only once Discord has
        # accepted the token.
        await check_login(settings, token)
    async with opened_ledger(settings) as ledger:
        bot = build_bot(settings, ledger)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        runner = asyncio.create_task(bot.start(token))
        stopper = asyncio.create_task(stop.wait())
        freezer = asyncio.create_task(freeze_when_ready(bot))
        public = None
        try:
            public = await start_public_pages(settings, ledger, bot)
            with discord_failures("the login"):
                done, _pending = await asyncio.wait(
                    {runner, stopper}, return_when=asyncio.FIRST_COMPLETED
                )
                if runner in done and (error := runner.exception()) is not None:
                    raise error
            log.info("stopping: closing the Discord connection, then the database")
            return EXIT_OK
        except discord.PrivilegedIntentsRequired:
            raise CliFailure(
                "the Server Members intent is not enabled for this bot: enable it in the "
                "developer portal (Bot → Privileged Gateway Intents) or set "
                "discord.members_intent = false",
                EXIT_CONFIG,
            ) from None
        except discord.ConnectionClosed as closed:
            if (sentence := SHARD_REFUSALS.get(closed.code)) is None:
                raise
            raise CliFailure(sentence.format(shard=closed.shard_id), EXIT_CONFIG) from None
        finally:
            stopper.cancel()
            freezer.cancel()
            if public is not None:
                await public.cleanup()
            await bot.close()  # then the ledger closes, finishing every queued write
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await runner


async def freeze_when_ready(bot: GiftcordBot) -> None:
    """Once every shard is READY and the member caches are filled, keep that state out of the
    garbage collector's scans (bot/collector.py)."""
    await bot.wait_until_ready()
    freeze_start_up_state()


async def start_public_pages(
    settings: Settings, ledger: Ledger, bot: GiftcordBot
) -> web.AppRunner | None:
    """`[web] enabled`: the public leaderboard pages, served next to the bot (bot/web)."""
    if not settings.web.enabled:
        return None
    from bot.web.people import DiscordPeople
    from bot.web.public import PublicPages, start_public_server

    host, port = settings.web.host, settings.web.port
    try:
        runner = await start_public_server(PublicPages(ledger, DiscordPeople(bot)), host, port)
    except OSError as exc:
        raise CliFailure(
            f"web.port / GIFTCORD_WEB__PORT: cannot serve the public pages on {host}:{port} "
            f"({exc.strerror or exc}) — is something else using it?",
            EXIT_CONFIG,
        ) from None
    log.info("public pages: http://%s:%d/g/<server id>", host, port)
    return runner


async def check_config(settings: Settings, _: argparse.Namespace) -> int:
    # Everything `run` refuses was refused while loading the settings (one validation for
    # both); what is left to say is what they are and where they came from.
    e = settings.economy
    source = settings.config_file
    lines = [
        "configuration OK",
        f"  config file: {source.resolve() if source else 'none (defaults and environment only)'}",
        f"  discord.token: {'set (hidden)' if settings.discord.token else 'NOT SET — run needs DISCORD_TOKEN'}",
        f"  discord shards: {_shards_line(settings)}",
        f"  database.url: {opening.shown(settings.database.url)} "
        f"(synchronous={settings.database.synchronous}, pool_size={settings.database.pool_size})",
        f"  economy: {len(e.packages)} packages, {len(e.catalog())} gifts, "
        f"cap ${e.daily_spend_cap_usd}/day, {e.diamonds_per_coin} diamond/coin, "
        f"${e.usd_per_diamond}/diamond, cash-out ${e.cashout_min_usd}–${e.cashout_daily_max_usd}",
        f"  treasure: {settings.treasure.daily_opens} box opens per member per day",
    ]
    print("\n".join(lines))
    return EXIT_OK


def _shards_line(settings: Settings) -> str:
    d = settings.discord
    if d.shard_count is None:
        return "not sharded (one connection)"
    ids = d.shard_ids if d.shard_ids is not None else list(range(d.shard_count))
    return f"{ids} of {d.shard_count} (this process connects {len(ids)})"


async def migrate(settings: Settings, _: argparse.Namespace) -> int:
    async with opened_ledger(settings) as ledger:
        before, after = await ledger.migrate()
    state = f" (was {before})" if before != after else " (up to date)"
    print(f"database schema at version {after}{state}")
    return EXIT_OK


async def sync(settings: Settings, args: argparse.Namespace) -> int:
    token = require_token(settings)
    # sync never needs the database: it registers the commands and runs none of them.
    bot = build_bot(settings, cast(Ledger, NoDatabase()))
    try:
        with discord_failures("the command sync"):
            await bot.login(token)  # runs setup_hook: every cog loads, so the tree is complete
            guild = discord.Object(id=args.guild) if args.guild else None
            # What Discord has now, to say what this sync changes (the package choices).
            registered = await bot.tree.fetch_commands(guild=guild)
            if guild is not None:
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
                where = f"server {args.guild}"
            else:
                synced = await bot.tree.sync()
                where = "globally (may take up to an hour to appear)"
    finally:
        await bot.close()
    print(f"synced {len(synced)} commands {where}")
    if note := package_change(registered, synced):
        print(note)
    return EXIT_OK


# verify, backup and export read a snapshot through a read-only connection (tools.py): they
# never create, migrate or lock the database, so they are safe while the bot runs.


async def verify(settings: Settings, _: argparse.Namespace) -> int:
    with storage_failures():
        report = await opening.verify(
            settings.database.url, max_balance=settings.economy.max_balance
        )
    for key, value in report.summary.items():
        print(f"{key}: {value}")
    if report.ok:
        print("verify: OK — every invariant holds")
        return EXIT_OK
    for violation in report.violations:
        print(f"VIOLATION: {violation}")
    print(f"verify: FAILED — {len(report.violations)} violation(s)")
    return EXIT_FAILED


async def backup(settings: Settings, args: argparse.Namespace) -> int:
    dest = Path(args.path)
    if dest.exists():
        raise CliFailure(f"{dest} already exists — choose a new file name", EXIT_CONFIG)
    with storage_failures():
        await opening.backup(settings.database.url, dest)
    print(f"backup written to {dest} ({dest.stat().st_size:,} bytes, integrity check ok)")
    return EXIT_OK


async def export(settings: Settings, args: argparse.Namespace) -> int:
    if not 0 < args.guild <= MAX_ID:
        raise CliFailure(
            "--guild must be a Discord server id (a positive number below 2^63)", EXIT_CONFIG
        )
    if args.days is not None and not 1 <= args.days <= 100_000:
        raise CliFailure("--days must be between 1 and 100,000", EXIT_CONFIG)
    output = Path(args.output) if args.output else None
    if output is not None and not output.parent.is_dir():
        raise CliFailure(f"--output: the folder {output.parent} does not exist", EXIT_CONFIG)
    with storage_failures():
        rows = await opening.export_rows(
            settings.database.url, args.guild, days=args.days, now=time.time()
        )
    if output is None:
        write_csv(rows, sys.stdout, LEDGER_COLUMNS)
        return EXIT_OK
    try:
        with output.open("w", newline="", encoding="utf-8") as fh:
            write_csv(rows, fh, LEDGER_COLUMNS)
    except OSError as exc:
        raise CliFailure(f"--output: cannot write {output}: {exc.strerror}", EXIT_FAILED) from None
    print(f"exported {len(rows):,} ledger entries to {output}", file=sys.stderr)
    return EXIT_OK


async def copy_db(settings: Settings, args: argparse.Namespace) -> int:
    from bot.storage.copy import copy_db as copy

    with storage_failures():
        report = await copy(args.source, args.target, settings.economy)
    return _copied(report, opening.shown(args.target))


async def restore(settings: Settings, args: argparse.Namespace) -> int:
    from bot.storage.copy import copy_db as copy

    if not Path(args.path).is_file():
        raise CliFailure(
            f"{args.path} is not a file — name a file written by `backup`", EXIT_CONFIG
        )
    with storage_failures():
        report = await copy(args.path, settings.database.url, settings.economy)
    return _copied(report, opening.shown(settings.database.url))


def _copied(report: Any, where: str) -> int:
    total = sum(report.rows.values())
    print(
        f"copied {total:,} rows into {where}: "
        + ", ".join(f"{t} {n:,}" for t, n in report.rows.items())
    )
    print(f"balances compared: {report.accounts_compared:,} accounts, all equal")
    if not report.ok:
        side = "source" if not report.source_ok else "target"
        print(f"verify: FAILED on the {side} — run `python -m bot verify` on it")
        return EXIT_FAILED
    print("verify: OK on both")
    return EXIT_OK


async def sandbox(settings: Settings, args: argparse.Namespace) -> int:
    """giftcord in a browser against the local stand-in (bot/sandbox/app.py)."""
    from bot.sandbox.app import SandboxError, database_url, run_sandbox

    if not 0 <= args.port <= 65535:
        raise CliFailure("--port must be between 0 and 65535", EXIT_CONFIG)
    url = database_url(args.database)
    with storage_failures():
        # A PostgreSQL configured database can never be the sandbox's SQLite file.
        configured = settings.database.url
        same = not opening.is_postgres(configured) and database_path(url) == database_path(
            configured
        )
    if same:
        raise CliFailure(
            f"--database {url} is the configured database: the sandbox only uses its own "
            "(choose another file)",
            EXIT_CONFIG,
        )
    try:
        await run_sandbox(settings.economy, host=args.host, port=args.port, database=url)
    except SandboxError as exc:
        raise CliFailure(str(exc), EXIT_CONFIG) from None
    return EXIT_OK
