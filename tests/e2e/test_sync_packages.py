"""`python -m bot sync` as an operator runs it: it reads what Discord has registered first and
says when the `/coins buy package:` choices change with `[economy] packages` (issue 16 item 4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.sandbox.standin import GUILD_ID, DiscordStandIn
from tests.e2e.proc import bot_env, run_cli

FETCH_ROUTE = "GET /applications/{application_id}/guilds/{guild_id}/commands"


def registered_packages(standin: DiscordStandIn) -> list[Any]:
    coins = next(c for c in standin.synced_commands(guild_id=GUILD_ID) if c["name"] == "coins")
    buy = next(o for o in coins["options"] if o["name"] == "buy")
    package = next(o for o in buy["options"] if o["name"] == "package")
    return [c["value"] for c in package["choices"]]


async def test_sync_says_when_the_package_choices_change(
    standin: DiscordStandIn, tmp_path: Path
) -> None:
    env = bot_env(standin, tmp_path / "giftcord.db")
    sync = ("sync", "--guild", str(GUILD_ID))

    first = await run_cli(*sync, env=env, cwd=tmp_path)
    assert first.returncode == 0, str(first)
    assert registered_packages(standin) == [70, 350, 700, 1400, 3500, 7000, 17500]
    assert "package choices" not in first.stdout  # nothing registered before: nothing to compare

    unchanged = await run_cli(*sync, env=env, cwd=tmp_path)
    assert unchanged.returncode == 0, str(unchanged)
    assert "package choices" not in unchanged.stdout

    custom = {
        **env,
        "GIFTCORD_ECONOMY__PACKAGES": '[{"coins": 100, "usd": "1.00"}, {"coins": 500, "usd": "4.50"}]',
    }
    changed = await run_cli(*sync, env=custom, cwd=tmp_path)
    assert changed.returncode == 0, str(changed)
    note = next(line for line in changed.stdout.splitlines() if "package choices" in line)
    assert "Discord had 70 coins — $0.99, 350 coins — $4.99" in note, note
    assert note.endswith("now 100 coins — $1.00, 500 coins — $4.50"), note
    assert registered_packages(standin) == [100, 500]
    assert standin.route_counts[FETCH_ROUTE] == 3  # every sync read Discord's copy first
