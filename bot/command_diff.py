"""What `python -m bot sync` changed in Discord's copy of the commands that an operator should
hear about: the `/coins buy package:` choices, which come from `[economy] packages`.

Discord keeps the choices it was last given; members see only those. After the configured
packages change, the bot refuses every stale choice until the commands are synced again — so
`sync` compares what Discord had registered before with what it has now and says so."""

from __future__ import annotations

from collections.abc import Sequence

from discord import app_commands

PACKAGE_PATH = ("coins", "buy", "package")


def package_choices(commands: Sequence[app_commands.AppCommand]) -> list[str] | None:
    """The `/coins buy package:` choice names registered in `commands` (None: not there)."""
    top, sub, option = PACKAGE_PATH
    for command in commands:
        if command.name != top:
            continue
        for group in command.options:
            if isinstance(group, app_commands.AppCommandGroup) and group.name == sub:
                for arg in group.options:
                    if isinstance(arg, app_commands.Argument) and arg.name == option:
                        return [c.name for c in arg.choices]
    return None


def package_change(
    before: Sequence[app_commands.AppCommand], after: Sequence[app_commands.AppCommand]
) -> str | None:
    """One line when the package choices Discord shows differ from before (None: unchanged, or
    this is the first sync and there was nothing to compare with)."""
    old, new = package_choices(before), package_choices(after)
    if old is None or old == new:
        return None
    return (
        f"/coins buy package choices changed to match [economy] packages: Discord had "
        f"{', '.join(old) or 'none'}; now {', '.join(new or []) or 'none'}"
    )
