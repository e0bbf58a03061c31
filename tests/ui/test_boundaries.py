"""`bot/ui` renders and nothing else: it imports nothing of storage, the use-case layer, the cogs
or the ledger port itself — only the port's result types (and the view-models in
`bot/ui/models.py`) — and nothing that schedules work.

The line drawn: a ui module may build embeds and views, and a view may answer the interaction
it is handed (that is how a rendering reaches the member, e.g. turning a page); it never calls
the ledger, never posts to a channel, never edits another message and never schedules a task.
"""

from __future__ import annotations

import ast
from pathlib import Path

import bot.ui

UI = Path(bot.ui.__file__).parent
FORBIDDEN_MODULES = ("bot.storage", "bot.services", "bot.permissions", "cogs", "asyncio")
PORT = "bot.economy.ledger"
PORT_ONLY_NAMES = {"Ledger"}  # the Protocol: everything else in the port module is a result type


def _imports(path: Path) -> list[tuple[str, str | None]]:
    """(module, imported name or None for `import module`) for every import in a file."""
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.module, alias.name) for alias in node.names]
    return found


def test_ui_imports_no_storage_services_port_or_scheduling() -> None:
    files = sorted(UI.glob("*.py"))
    assert len(files) > 10  # the walk found the package
    offences = []
    for path in files:
        for module, name in _imports(path):
            if module.startswith(FORBIDDEN_MODULES):
                offences.append(f"{path.name}: {module}")
            if module == PORT and (name is None or name in PORT_ONLY_NAMES):
                offences.append(f"{path.name}: {module}.{name or '*'}")
    assert offences == []


def test_the_check_catches_what_it_forbids(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import asyncio\nfrom bot.economy.ledger import Ledger, Page\nfrom bot.storage import x\n"
    )
    assert _imports(sample) == [
        ("asyncio", None),
        ("bot.economy.ledger", "Ledger"),
        ("bot.economy.ledger", "Page"),
        ("bot.storage", "x"),
    ]
