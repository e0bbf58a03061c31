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
from collections.abc import Sequence

from bot.logs import setup_logging
from bot.settings import Settings, SettingsError, load_settings

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


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
        description="A TikTok-style gifting economy for Discord (demo coins, no real money).",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", parents=[common], help="connect to Discord and serve (default)")
    sub.add_parser("check-config", parents=[common], help="validate the configuration and exit")
    sub.add_parser("migrate", parents=[common], help="bring the database schema up to date")
    sync = sub.add_parser("sync", parents=[common], help="register the slash commands with Discord")
    sync.add_argument(
        "--guild", type=int, metavar="ID", help="sync to one server (instant) instead of globally"
    )
    sub.add_parser(
        "verify", parents=[common], help="prove the ledger invariants (safe while running)"
    )
    backup = sub.add_parser("backup", parents=[common], help="online backup of the database")
    backup.add_argument("path", metavar="PATH")
    export = sub.add_parser("export", parents=[common], help="a server's ledger as CSV")
    export.add_argument("--guild", type=int, required=True, metavar="ID")
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
