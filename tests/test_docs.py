"""The repository's docs cite only tests and files that exist.

`docs/reliability.md` names the test behind each promise as `tests/….py::name`. A test that is
renamed or deleted would silently leave a promise without evidence, so every citation is checked
against the test file's top-level definitions (parsed, not imported).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The README's reliability table cites tests too.
DOCS = [*sorted((REPO / "docs").glob("*.md")), REPO / "README.md"]
# `tests/storage/sqlite/test_faults.py::test_backup_is_an_openable_checked_copy`, or a bare path.
CITATION = re.compile(r"`((?:tests|bot|cogs|benchmarks)/[\w/.-]+\.(?:py|csv|md))(?:::(\w+))?`")
# `docs/economy.md` wherever the README, a doc or a code comment cites one.
DOC_PATH = re.compile(r"docs/[\w-]+\.md")


def top_level_names(path: Path) -> set[str]:
    """Functions, classes and assigned names a pytest node id can point at."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def citations() -> list[tuple[str, str, str | None]]:
    """(doc, cited path, cited name or None) for every citation in docs/ and the README."""
    found = []
    for doc in DOCS:
        for match in CITATION.finditer(doc.read_text(encoding="utf-8")):
            found.append((doc.name, match.group(1), match.group(2)))
    return found


def test_every_cited_test_and_file_exists() -> None:
    cited = citations()
    # The reliability page alone cites dozens of tests: finding almost none means the pattern
    # broke, not that the docs are clean.
    assert sum(1 for _, _, name in cited if name) >= 40, cited
    missing = []
    for doc, path, name in cited:
        target = REPO / path
        if not target.is_file():
            missing.append(f"{doc}: {path} does not exist")
        elif name and name not in top_level_names(target):
            missing.append(f"{doc}: {path} defines no {name}")
    assert not missing, "\n".join(missing)


def test_docs_the_readme_docs_and_code_mention_exist() -> None:
    code = [p for top in ("bot", "cogs", "benchmarks", "tests") for p in (REPO / top).rglob("*.py")]
    texts = [*DOCS, *code]
    mentioned = {m for t in texts for m in DOC_PATH.findall(t.read_text(encoding="utf-8"))}
    assert {"docs/economy.md", "docs/reliability.md", "docs/performance.md"} <= mentioned
    assert not [m for m in sorted(mentioned) if not (REPO / m).is_file()]
