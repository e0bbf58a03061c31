"""giftcord's command line: `python -m bot [--config PATH] COMMAND` (also the `giftcord` script).

Commands: run (default) · check-config · migrate · sync [--guild ID] · verify · backup PATH ·
export --guild ID [--days N] [--output FILE]. Exit codes: 0 fine, 1 a failure the output
explains (a broken invariant, an unreadable database), 2 bad configuration or usage, 3 Discord
could not be reached (commands_cli.EXIT_UNREACHABLE).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import textwrap
from collections.abc import Sequence

from bot.logs import setup_logging
from bot.settings import Settings, SettingsError, load_settings

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


EPILOG = """\
environment:
  DISCORD_TOKEN               the bot token (run and sync need it; overrides [discord] token)
  GIFTCORD_CONFIG             the config file to read (like --config)
  GIFTCORD_<SECTION>__<KEY>   any setting, e.g. GIFTCORD_DATABASE__URL=sqlite:///giftcord.db;
                              a list or table as JSON: GIFTCORD_ECONOMY__PACKAGES='[...]'

exit codes:
  0  done
  1  a failure the output explains: verify found violations, the database can't be used,
     Discord refused a request
  2  bad configuration or usage: a bad setting, a missing or refused token, a bad argument,
     a backup PATH that already exists
  3  Discord could not be reached (no network, DNS, a wrong discord.api_base): retry later
"""

# (name, one-line help in the command list, description in the command's own --help)
COMMANDS = {
    "run": (
        "connect to Discord and serve (default)",
        "Connect to Discord and serve the slash commands until SIGINT or SIGTERM. Migrates the "
        "database first. Does not register the commands: run `sync` once for that.",
    ),
    "check-config": (
        "validate the configuration and exit",
        "Load the configuration exactly as `run` does, refuse what `run` would refuse, and show "
        "which config file was read and the economy's main numbers. The token is never shown.",
    ),
    "migrate": (
        "bring the database schema up to date",
        "Apply any pending schema migrations to [database] url (run also does this at start).",
    ),
    "sync": (
        "register the slash commands with Discord",
        "Register the slash commands with Discord — once after installing, and again after "
        "changing [economy] packages (the /coins buy choices). Says when those choices change.",
    ),
    "verify": (
        "prove the ledger invariants (safe while running)",
        "Prove the ledger's invariants on one consistent snapshot: every server's books "
        "balance, no balance is negative or above the maximum, every gift minted the right "
        "diamonds, every idempotency key is used once. Exit 1 names every violation.",
    ),
    "backup": (
        "online backup of the database",
        "Copy the database with SQLite's online backup (safe while the bot runs), then check "
        "the copy's integrity. PATH must not exist yet: a backup never overwrites a file.",
    ),
    "export": (
        "a server's ledger as CSV",
        "Write one server's ledger entries as CSV, to standard output or --output FILE.",
    ),
    "copy-db": (
        "copy the ledger into an empty database (SQLite <-> PostgreSQL)",
        "Copy every giftcord table from SOURCE_URL into the empty TARGET_URL (sqlite:///file.db "
        "or postgresql://user:password@host/db), then verify both and compare every balance. "
        "Refuses a target that holds data or that a running bot has open.",
    ),
    "restore": (
        "load a backup file into the empty configured database",
        "Load a `backup` file (either backend's format) into the empty database named by "
        "[database] url, then verify it and compare every balance with the file.",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="config.toml to read (default: $GIFTCORD_CONFIG, else ./config.toml if present)",
    )
    parser = argparse.ArgumentParser(
        prog="giftcord",
        description="A TikTok-style gifting economy for Discord (demo coins, no real money).\n"
        "With no COMMAND: run.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    made = {
        name: sub.add_parser(
            name,
            parents=[common],
            help=short,
            description=textwrap.fill(long, 79),
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        for name, (short, long) in COMMANDS.items()
    }
    made["sync"].add_argument(
        "--guild", type=int, metavar="ID", help="sync to one server (instant) instead of globally"
    )
    made["backup"].add_argument(
        "path", metavar="PATH", help="the backup file to create; it must not exist yet"
    )
    made["copy-db"].add_argument("source", metavar="SOURCE_URL", help="the database to copy")
    made["copy-db"].add_argument("target", metavar="TARGET_URL", help="an empty database")
    made["restore"].add_argument("path", metavar="PATH", help="a file written by `backup`")
    export = made["export"]
    export.add_argument("--guild", type=int, required=True, metavar="ID", help="the server's id")
    export.add_argument("--days", type=int, metavar="N", help="only the last N days")
    export.add_argument("--output", metavar="FILE", help="write here instead of standard output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings(getattr(args, "config", None))
    except SettingsError as exc:
        print(f"giftcord: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    setup_logging(settings)
    from bot import commands_cli  # after logging: it imports discord.py and the store

    handlers = {
        "run": commands_cli.run,
        "check-config": commands_cli.check_config,
        "migrate": commands_cli.migrate,
        "sync": commands_cli.sync,
        "verify": commands_cli.verify,
        "backup": commands_cli.backup,
        "export": commands_cli.export,
        "copy-db": commands_cli.copy_db,
        "restore": commands_cli.restore,
    }
    try:
        return asyncio.run(handlers[command](settings, args))
    except commands_cli.CliFailure as failure:
        print(f"giftcord: {failure.message}", file=sys.stderr)
        return failure.code
    except KeyboardInterrupt:
        return EXIT_OK


def _entry() -> None:
    sys.exit(main())


__all__ = ["Settings", "main"]

if __name__ == "__main__":
    _entry()
