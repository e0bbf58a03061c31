"""The import boundaries that keep giftcord's layers apart, checked from the source.

Every module is parsed with `ast`, never imported: a forbidden import inside a function, under
`if TYPE_CHECKING:` or behind a relative `from ..storage import x` counts as much as one at the
top. To add a rule, add a row to BOUNDARIES.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# (package folder, module prefixes nothing in it may import). A prefix forbids itself and its
# sub-modules: "bot.ui" forbids `bot.ui` and `bot.ui.embeds`, not `bot.uix`.
BOUNDARIES: list[tuple[str, tuple[str, ...]]] = [
    # The domain is pure: no Discord, no database driver, no layer above it.
    (
        "bot/economy",
        (
            "discord",
            "aiosqlite",
            "asyncpg",
            "sqlite3",
            "bot.storage",
            "bot.services",
            "bot.ui",
            "bot.app",
            "cogs",
        ),
    ),
    # Storage executes the domain's writes; it knows nothing of Discord or of who calls it.
    ("bot/storage", ("discord", "bot.services", "bot.ui", "bot.app", "cogs")),
    # Cogs and rendering reach the ledger only through the port in bot.economy.
    ("cogs", ("bot.storage",)),
    ("bot/ui", ("bot.storage",)),
    # The stand-in is a Discord, not a part of the bot: it knows discord.py's wire, never giftcord.
    (
        "bot/sandbox/standin",
        ("bot.economy", "bot.storage", "bot.services", "bot.ui", "bot.app", "cogs"),
    ),
    # The public pages read through the ledger port, like the cogs.
    ("bot/web", ("bot.storage", "bot.sandbox", "cogs")),
    # The sandbox drives the bot through the stand-in; only its runner opens a database.
    ("bot/sandbox", ("bot.storage",)),
]
# (file, forbidden prefix) pairs allowed all the same, each with its reason.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("bot/sandbox/app.py", "bot.storage"): "the sandbox opens its own database (open_ledger), "
    "as `run` does in commands_cli: the one place in bot/sandbox",
}


@dataclass(frozen=True)
class Violation:
    path: str  # relative to the scanned root
    line: int
    imported: str
    forbidden: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.imported} (forbidden: {self.forbidden})"


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(root: Path, path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) for every import in the file. `from a import b` yields
    both `a` and `a.b`, since b may be a sub-module (`from bot import storage`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    this = module_name(root, path).split(".")
    package = this if path.name == "__init__.py" else this[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: level 1 is this package, each more level one up
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and _call_name(node.func) in ("importlib.import_module", "import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return ""


def is_under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def modules_of(root: Path, package: str) -> list[Path]:
    return sorted(p for p in (root / package).rglob("*.py") if "__pycache__" not in p.parts)


def violations(root: Path, package: str, forbidden: tuple[str, ...]) -> list[Violation]:
    out: list[Violation] = []
    for path in modules_of(root, package):
        rel = path.relative_to(root).as_posix()
        seen: set[tuple[int, str]] = set()  # `from bot.storage import a, b`: one report per line
        for line, module in imported_modules(root, path):
            for prefix in forbidden:
                if is_under(module, prefix) and (line, prefix) not in seen:
                    seen.add((line, prefix))
                    out.append(Violation(rel, line, module, prefix))
    return sorted(out, key=lambda v: (v.path, v.line))


@pytest.mark.parametrize(("package", "forbidden"), BOUNDARIES, ids=[b[0] for b in BOUNDARIES])
def test_no_module_crosses_its_boundary(package: str, forbidden: tuple[str, ...]) -> None:
    # A package folder that moved or emptied must fail here, not pass by scanning nothing.
    assert modules_of(REPO, package), f"{package}/ has no modules to check: update BOUNDARIES"
    found = [
        v for v in violations(REPO, package, forbidden) if (v.path, v.forbidden) not in EXCEPTIONS
    ]
    assert not found, f"{package} must not import {', '.join(forbidden)}:\n" + "\n".join(
        map(str, found)
    )


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_checker_catches_every_form_of_a_forbidden_import(tmp_path: Path) -> None:
    for pkg in ("bot", "bot/economy", "bot/economy/sub", "bot/storage", "cogs"):
        write(tmp_path, f"{pkg}/__init__.py", "")
    write(
        tmp_path,
        "bot/economy/sub/bad.py",
        "\n".join(
            [
                "from __future__ import annotations",  # 1
                "import discord.ext.commands",  # 2
                "from ...storage import sqlite",  # 3: bot.storage, relative
                "from bot import services",  # 4: a sub-module by name
                "from typing import TYPE_CHECKING",  # 5
                "if TYPE_CHECKING:",  # 6
                "    import aiosqlite",  # 7
                "def later():",  # 8
                "    import importlib",  # 9
                "    return importlib.import_module('cogs.gifting')",  # 10
                "from bot.economy import money, rules",  # 11: allowed
                "import discordant",  # 12: allowed, only a shared prefix
                "from bot.uix import x",  # 13: allowed, not bot.ui
                "from . import sibling",  # 14: allowed, bot.economy.sub.sibling
            ]
        ),
    )
    write(tmp_path, "bot/economy/clean.py", "from decimal import Decimal\n")
    forbidden = next(f for p, f in BOUNDARIES if p == "bot/economy")

    found = violations(tmp_path, "bot/economy", forbidden)

    assert [(v.line, v.forbidden) for v in found] == [
        (2, "discord"),
        (3, "bot.storage"),
        (4, "bot.services"),
        (7, "aiosqlite"),
        (10, "cogs"),
    ]
    assert str(found[0]) == (
        "bot/economy/sub/bad.py:2 imports discord.ext.commands (forbidden: discord)"
    )
    assert str(found[1]) == "bot/economy/sub/bad.py:3 imports bot.storage (forbidden: bot.storage)"


def test_relative_imports_in_a_package_init_resolve_from_that_package(tmp_path: Path) -> None:
    # In bot/ui/__init__.py, `.` is bot.ui itself and `..` is bot.
    write(tmp_path, "bot/__init__.py", "")
    write(tmp_path, "bot/ui/__init__.py", "from .format import x\nfrom ..storage import sqlite\n")
    write(tmp_path, "bot/ui/format.py", "from .. import storage\n")
    found = violations(tmp_path, "bot/ui", ("bot.storage", "bot.ui.format"))
    assert [str(v) for v in found] == [
        "bot/ui/__init__.py:1 imports bot.ui.format (forbidden: bot.ui.format)",
        "bot/ui/__init__.py:2 imports bot.storage (forbidden: bot.storage)",
        "bot/ui/format.py:1 imports bot.storage (forbidden: bot.storage)",
    ]
