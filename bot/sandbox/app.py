"""`python -m bot sandbox`: giftcord without Discord, in a browser.

One process runs three things on one event loop: the local Discord stand-in (the same one the
tests drive), the real bot on real discord.py connected to it, and the web page (the sandbox's
client and the public leaderboard pages) on `--host`/`--port`. Nothing needs a token or the
network, and the sandbox only ever opens its own database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import webbrowser
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import discord
from aiohttp import web

from bot.app import GiftcordBot
from bot.economy.config import EconomyConfig
from bot.economy.requests import UpdateGuildSettings
from bot.sandbox.standin import ANNOUNCE, AUDIT, GUILD_ID, DiscordStandIn, start_bot, stop_bot
from bot.sandbox.web import add_sandbox_routes
from bot.services import Services
from bot.settings import DiscordSettings

# The one module of bot/sandbox that reaches the store: the sandbox opens its own database here,
# as `run` does for the configured one (tests/test_boundaries.py allows exactly this file).
from bot.storage import StorageError, open_ledger
from bot.web.people import DiscordPeople
from bot.web.public import PublicPages, add_public_routes

log = logging.getLogger("giftcord.sandbox")
DEFAULT_DATABASE = "sqlite:///sandbox.db"
SERVER_NAME = "giftcord sandbox"


class SandboxError(Exception):
    """A start-up problem, phrased as one line for the person who ran the command."""


def database_url(given: str | None) -> str:
    """`--database`: a URL, or (a convenience) a plain file path."""
    if not given:
        return DEFAULT_DATABASE
    return given if "://" in given or given.startswith("sqlite:") else f"sqlite:///{given}"


@dataclass
class Sandbox:
    standin: DiscordStandIn
    bot: GiftcordBot
    url: str
    close: Callable[[], Awaitable[None]]  # stops everything start_sandbox started


async def start_sandbox(economy: EconomyConfig, *, host: str, port: int, database: str) -> Sandbox:
    """Start the stand-in, the bot (commands synced) and the web page; `close()` stops all."""
    standin = await DiscordStandIn(
        # The real Discord refuses answers after 3 s; a sandbox on a busy laptop should not.
        interaction_deadline=None,
        default_timeout=10.0,
    ).start()
    standin.world.guilds[GUILD_ID].name = SERVER_NAME  # the tests' world, under a friendlier name
    standin.patch_discord_py()
    cleanups: list[Callable[[], object]] = [standin.stop]

    async def stop() -> None:
        for cleanup in reversed(cleanups):
            try:
                result = cleanup()
                if asyncio.iscoroutine(result):
                    await result
            except Exception:  # keep stopping the rest; say what failed
                log.exception("sandbox: stopping %r failed", cleanup)

    try:
        try:
            ledger = await open_ledger(database, economy)
        except StorageError as exc:
            raise SandboxError(f"--database {database}: {exc.operator_detail}") from None
        cleanups.append(ledger.close)
        bot = GiftcordBot(Services(ledger, economy), DiscordSettings(guild_ready_timeout=0.5))
        task = await start_bot(bot, standin.token, timeout=30.0)
        cleanups.append(lambda: stop_bot(bot, task))
        guild = discord.Object(id=GUILD_ID)
        bot.tree.copy_global_to(guild=guild)
        await bot.tree.sync(guild=guild)  # what `python -m bot sync --guild` does
        # A fresh sandbox server posts to its announcement and audit channels (idempotent: the
        # same key on every start).
        await ledger.run(
            UpdateGuildSettings(
                GUILD_ID, audit_channel_id=AUDIT, announce_channel_id=ANNOUNCE, key="sandbox-setup"
            )
        )
        app = web.Application()
        feed = add_sandbox_routes(app, standin)
        add_public_routes(app, PublicPages(ledger, DiscordPeople(bot)))
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0, handle_signals=False)
        await runner.setup()
        # Undone last to first: the live feeds end, then the web server, the bot, the ledger.
        cleanups += [runner.cleanup, feed.close]
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as exc:
            raise SandboxError(
                f"cannot serve on {host}:{port} ({exc.strerror or exc}) — "
                "is something else using it? Pass --port to choose another."
            ) from None
        bound = runner.addresses[0][1] if port == 0 else port
    except BaseException:
        await stop()
        raise
    return Sandbox(standin, bot, f"http://{host}:{bound}/", stop)


def desktop_session() -> bool:
    """Someone at a desktop ran this: open the page for them. Never from a pipe or a test, and
    not on a bare server (there `webbrowser` could start a text browser in the terminal)."""
    graphical = sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    return graphical and sys.stdout.isatty() and sys.stdin.isatty()


async def run_sandbox(economy: EconomyConfig, *, host: str, port: int, database: str) -> None:
    """Serve until Ctrl-C (SIGINT) or SIGTERM, then stop everything cleanly."""
    sandbox = await start_sandbox(economy, host=host, port=port, database=database)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(
        f"giftcord sandbox: open {sandbox.url} in your browser "
        f"(database {database}) — press Ctrl-C to stop",
        flush=True,
    )
    if desktop_session():
        with contextlib.suppress(Exception):  # the printed URL is the fallback
            await asyncio.to_thread(webbrowser.open, sandbox.url)
    try:
        await stop.wait()
    finally:
        print("giftcord sandbox: stopping…", flush=True)
        await sandbox.close()
