"""What each `python -m bot` command does. Every handler takes the settings built once in
`main()` and returns an exit code; failures print one line, never a traceback or the token."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path

import discord

from bot.app import GiftcordBot, point_at_discord
from bot.economy.export import write_csv
from bot.services import Services
from bot.settings import Settings
from bot.storage import CorruptDatabase, StorageError, open_ledger

log = logging.getLogger("giftcord.cli")

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2
NO_TOKEN = (
    "giftcord: no Discord token — set DISCORD_TOKEN (or [discord] token in config.toml, "
    "or GIFTCORD_DISCORD__TOKEN)"
)


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"giftcord: {message}", file=sys.stderr)
    return code


async def _open(settings: Settings):
    return await open_ledger(
        settings.database.url, settings.economy, synchronous=settings.database.synchronous
    )


def _token(settings: Settings) -> str | None:
    return settings.discord.token.get_secret_value() if settings.discord.token else None


async def run(settings: Settings, _: argparse.Namespace) -> int:
    token = _token(settings)
    if not token:
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_CONFIG
    try:
        ledger = await _open(settings)
    except StorageError as exc:
        return _fail(exc.operator_detail)
    point_at_discord(settings.discord)
    bot = GiftcordBot(Services(ledger, settings.economy), settings.discord)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = asyncio.create_task(bot.start(token))
    stopper = asyncio.create_task(stop.wait())
    try:
        done, _pending = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done and runner.exception() is not None:
            raise runner.exception()  # type: ignore[misc]
        if stopper in done:
            log.info("stopping: closing the Discord connection, then the database")
        return EXIT_OK
    except discord.LoginFailure:
        return _fail(
            "Discord refused the token (discord.token / DISCORD_TOKEN): check it in the developer portal",
            EXIT_CONFIG,
        )
    except discord.PrivilegedIntentsRequired:
        return _fail(
            "the Server Members intent is not enabled for this bot: enable it in the developer "
            "portal (Bot → Privileged Gateway Intents) or set discord.members_intent = false",
            EXIT_CONFIG,
        )
    finally:
        stopper.cancel()
        await bot.close()
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await runner
        await ledger.close()


async def check_config(settings: Settings, _: argparse.Namespace) -> int:
    e = settings.economy
    lines = [
        "configuration OK",
        f"  discord.token: {'set (hidden)' if settings.discord.token else 'NOT SET — run needs DISCORD_TOKEN'}",
        f"  database.url: {settings.database.url} (synchronous={settings.database.synchronous})",
        f"  economy: {len(e.packages)} packages, {len(e.catalog())} gifts, "
        f"cap ${e.daily_spend_cap_usd}/day, {e.diamonds_per_coin} diamond/coin, "
        f"${e.usd_per_diamond}/diamond, cash-out ${e.cashout_min_usd}–${e.cashout_daily_max_usd}",
    ]
    print("\n".join(lines))
    return EXIT_OK


async def migrate(settings: Settings, _: argparse.Namespace) -> int:
    try:
        ledger = await _open(settings)
    except StorageError as exc:
        return _fail(exc.operator_detail)
    try:
        before, after = await ledger.migrate()
    finally:
        await ledger.close()
    print(
        f"database schema at version {after}"
        + (f" (was {before})" if before != after else " (up to date)")
    )
    return EXIT_OK


async def sync(settings: Settings, args: argparse.Namespace) -> int:
    token = _token(settings)
    if not token:
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_CONFIG
    try:
        ledger = await _open(settings)
    except StorageError as exc:
        return _fail(exc.operator_detail)
    point_at_discord(settings.discord)
    bot = GiftcordBot(Services(ledger, settings.economy), settings.discord)
    try:
        await bot.login(token)  # runs setup_hook: every cog loads, so the tree is complete
        if args.guild:
            guild = discord.Object(id=args.guild)
            bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
            where = f"server {args.guild}"
        else:
            synced = await bot.tree.sync()
            where = "globally (may take up to an hour to appear)"
        print(f"synced {len(synced)} commands {where}")
        return EXIT_OK
    except discord.LoginFailure:
        return _fail("Discord refused the token (discord.token / DISCORD_TOKEN)", EXIT_CONFIG)
    except discord.HTTPException as exc:
        return _fail(f"Discord refused the command sync: {exc.status} {exc.text[:200]}")
    finally:
        await bot.close()
        await ledger.close()


async def verify(settings: Settings, _: argparse.Namespace) -> int:
    try:
        ledger = await _open(settings)
    except StorageError as exc:
        return _fail(exc.operator_detail)
    try:
        report = await ledger.verify()
    finally:
        await ledger.close()
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
        return _fail(f"{dest} already exists — choose a new file name", EXIT_CONFIG)
    try:
        ledger = await _open(settings)
    except CorruptDatabase as exc:
        return _fail(exc.operator_detail)
    except StorageError as exc:
        return _fail(exc.operator_detail)
    try:
        await ledger.backup(dest)
    except StorageError as exc:
        return _fail(exc.operator_detail)
    finally:
        await ledger.close()
    print(f"backup written to {dest} ({dest.stat().st_size:,} bytes, integrity check ok)")
    return EXIT_OK


async def export(settings: Settings, args: argparse.Namespace) -> int:
    if args.days is not None and args.days < 1:
        return _fail("--days must be at least 1", EXIT_CONFIG)
    try:
        ledger = await _open(settings)
    except StorageError as exc:
        return _fail(exc.operator_detail)
    try:
        rows = await ledger.export_rows(args.guild, days=args.days)
    finally:
        await ledger.close()
    if args.output:
        with open(args.output, "w", newline="", encoding="utf-8") as fh:
            write_csv(rows, fh)
        print(f"exported {len(rows):,} ledger entries to {args.output}", file=sys.stderr)
    else:
        write_csv(rows, sys.stdout)
    return EXIT_OK
