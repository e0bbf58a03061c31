"""What each `python -m bot` command does. Every handler takes the settings built once in
`main()` and returns an exit code; a failure raises `CliFailure`, which `main()` prints as one
line — never a traceback or the token."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import discord

from bot.app import GiftcordBot, point_at_discord
from bot.command_diff import package_change
from bot.economy.export import write_csv
from bot.economy.reads import ExportRows
from bot.services import Services
from bot.settings import Settings
from bot.storage import SqliteLedger, StorageError, open_ledger

log = logging.getLogger("giftcord.cli")

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2
NO_TOKEN = (
    "no Discord token — set DISCORD_TOKEN (or [discord] token in config.toml, "
    "or GIFTCORD_DISCORD__TOKEN)"
)
BAD_TOKEN = (
    "Discord refused the token (discord.token / DISCORD_TOKEN): check it in the developer portal"
)


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
            settings.database.url, settings.economy, synchronous=settings.database.synchronous
        )
    except StorageError as exc:
        raise CliFailure(exc.operator_detail) from None
    try:
        yield ledger
    except StorageError as exc:
        raise CliFailure(exc.operator_detail) from None
    finally:
        await ledger.close()


def require_token(settings: Settings) -> str:
    if not settings.discord.token or not settings.discord.token.get_secret_value():
        raise CliFailure(NO_TOKEN, EXIT_CONFIG)
    return settings.discord.token.get_secret_value()


def build_bot(settings: Settings, ledger: SqliteLedger) -> GiftcordBot:
    point_at_discord(settings.discord)
    return GiftcordBot(Services(ledger, settings.economy), settings.discord)


async def run(settings: Settings, _: argparse.Namespace) -> int:
    token = require_token(settings)
    async with opened_ledger(settings) as ledger:
        bot = build_bot(settings, ledger)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        runner = asyncio.create_task(bot.start(token))
        stopper = asyncio.create_task(stop.wait())
        try:
            done, _pending = await asyncio.wait(
                {runner, stopper}, return_when=asyncio.FIRST_COMPLETED
            )
            if runner in done and (error := runner.exception()) is not None:
                raise error
            log.info("stopping: closing the Discord connection, then the database")
            return EXIT_OK
        except discord.LoginFailure:
            raise CliFailure(BAD_TOKEN, EXIT_CONFIG) from None
        except discord.PrivilegedIntentsRequired:
            raise CliFailure(
                "the Server Members intent is not enabled for this bot: enable it in the "
                "developer portal (Bot → Privileged Gateway Intents) or set "
                "discord.members_intent = false",
                EXIT_CONFIG,
            ) from None
        finally:
            stopper.cancel()
            await bot.close()  # then the ledger closes, finishing every queued write
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await runner


async def check_config(settings: Settings, _: argparse.Namespace) -> int:
    # Everything `run` refuses was refused while loading the settings (one validation for
    # both); what is left to say is what they are and where they came from.
    e = settings.economy
    source = settings.config_file
    lines = [
        "configuration OK",
        f"  config file: {source.resolve() if source else 'none (defaults and environment only)'}",
        f"  discord.token: {'set (hidden)' if settings.discord.token else 'NOT SET — run needs DISCORD_TOKEN'}",
        f"  database.url: {settings.database.url} (synchronous={settings.database.synchronous})",
        f"  economy: {len(e.packages)} packages, {len(e.catalog())} gifts, "
        f"cap ${e.daily_spend_cap_usd}/day, {e.diamonds_per_coin} diamond/coin, "
        f"${e.usd_per_diamond}/diamond, cash-out ${e.cashout_min_usd}–${e.cashout_daily_max_usd}",
    ]
    print("\n".join(lines))
    return EXIT_OK


async def migrate(settings: Settings, _: argparse.Namespace) -> int:
    async with opened_ledger(settings) as ledger:
        before, after = await ledger.migrate()
    state = f" (was {before})" if before != after else " (up to date)"
    print(f"database schema at version {after}{state}")
    return EXIT_OK


async def sync(settings: Settings, args: argparse.Namespace) -> int:
    token = require_token(settings)
    async with opened_ledger(settings) as ledger:
        bot = build_bot(settings, ledger)
        try:
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
        except discord.LoginFailure:
            raise CliFailure(BAD_TOKEN, EXIT_CONFIG) from None
        except discord.HTTPException as exc:
            raise CliFailure(
                f"Discord refused the command sync: {exc.status} {exc.text[:200]}"
            ) from None
        finally:
            await bot.close()
    print(f"synced {len(synced)} commands {where}")
    if note := package_change(registered, synced):
        print(note)
    return EXIT_OK


async def verify(settings: Settings, _: argparse.Namespace) -> int:
    async with opened_ledger(settings) as ledger:
        report = await ledger.verify()
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
    async with opened_ledger(settings) as ledger:
        await ledger.backup(dest)
    print(f"backup written to {dest} ({dest.stat().st_size:,} bytes, integrity check ok)")
    return EXIT_OK


async def export(settings: Settings, args: argparse.Namespace) -> int:
    if args.days is not None and args.days < 1:
        raise CliFailure("--days must be at least 1", EXIT_CONFIG)
    async with opened_ledger(settings) as ledger:
        rows = await ledger.run(ExportRows(args.guild, days=args.days))
    if args.output:
        with open(args.output, "w", newline="", encoding="utf-8") as fh:
            write_csv(rows, fh)
        print(f"exported {len(rows):,} ledger entries to {args.output}", file=sys.stderr)
    else:
        write_csv(rows, sys.stdout)
    return EXIT_OK
