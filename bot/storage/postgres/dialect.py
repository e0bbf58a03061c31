"""The SQLite SQL the shared queries and steps are written in, as PostgreSQL reads it.

The read queries (queries.py, boards.py, periods.py), `verify` (tools.py) and most plan steps
(steps.py) are one SQL text for both backends: this module rewrites the few places where the
dialects differ, once per distinct statement (cached), so a step or query added to the SQLite
modules runs on PostgreSQL without a second copy. What it rewrites:

- placeholders: `?` and `?N` become `$N` (SQLite numbering: a bare `?` takes one more than the
  largest number so far);
- a subquery in FROM without an alias gets one (PostgreSQL 15 requires it);
- `IN ()` (an empty list, which SQLite allows) becomes `IN (NULL)`: matches nothing;
- in `ON CONFLICT … DO UPDATE`, a bare column is the existing row's (SQLite) but ambiguous with
  `excluded` (PostgreSQL): it is qualified with the table name;
- `PRAGMA user_version` / `PRAGMA quick_check` become their PostgreSQL answers.
"""

from __future__ import annotations

import re
from functools import cache

PRAGMAS = {
    "PRAGMA user_version": "SELECT COALESCE(MAX(version), 0) FROM schema_version",
    # PostgreSQL checks its pages itself (checksums, WAL); the structural check has no analogue.
    "PRAGMA quick_check": "SELECT 'ok'",
    # tools.verify_connection's one snapshot for all its checks
    "BEGIN": "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
}

_IDENT = re.compile(r"(?<![\w.$])([A-Za-z_][A-Za-z0-9_]*)(?![\w.(])")
_KEYWORDS = frozenset(
    "and or not null is in where set excluded returning case when then else end true false "
    "coalesce between like".split()
)
_AFTER_SUBQUERY = ("", ")", "where", "group", "order", "limit", "union", "except", "intersect")


@cache
def translate(sql: str) -> str:
    sql = PRAGMAS.get(sql.strip(), sql)
    sql = _placeholders(sql)
    sql = _alias_subqueries(sql)
    sql = re.sub(r"\bIN \(\s*\)", "IN (NULL)", sql)
    if "DO UPDATE SET" in sql:
        sql = _qualify_upsert(sql)
    return sql


def _placeholders(sql: str) -> str:
    out: list[str] = []
    highest = 0
    i = 0
    in_string = False
    while i < len(sql):
        ch = sql[i]
        if ch == "'":
            in_string = not in_string
        if ch == "?" and not in_string:
            j = i + 1
            while j < len(sql) and sql[j].isdigit():
                j += 1
            number = int(sql[i + 1 : j]) if j > i + 1 else highest + 1
            highest = max(highest, number)
            out.append(f"${number}")
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _alias_subqueries(sql: str) -> str:
    """`FROM (SELECT …)` followed by no alias → `FROM (SELECT …) AS _sN`."""
    out = sql
    start = 0
    n = 0
    while (at := out.find("FROM (", start)) >= 0:
        depth, j = 0, at + len("FROM ")
        while j < len(out):
            if out[j] == "(":
                depth += 1
            elif out[j] == ")":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        rest = out[j + 1 :].lstrip()
        word = re.match(r"[A-Za-z_]*|\)", rest)
        following = (word.group(0) if word else "").lower()
        if following in _AFTER_SUBQUERY:
            n += 1
            out = f"{out[: j + 1]} AS _s{n}{out[j + 1 :]}"
        start = at + len("FROM (")
    return out


def _qualify_upsert(sql: str) -> str:
    table = re.search(r"INSERT INTO (\w+)", sql)
    if table is None:
        return sql
    name = table.group(1)
    head, tail = sql.split("DO UPDATE SET", 1)
    returning = ""
    if " RETURNING " in tail:
        tail, returning = tail.split(" RETURNING ", 1)
        returning = " RETURNING " + returning
    sets, where = [*tail.split(" WHERE ", 1), ""][:2]

    def qualify(expr: str) -> str:
        return _IDENT.sub(
            lambda m: m.group(1) if m.group(1).lower() in _KEYWORDS else f"{name}.{m.group(1)}",
            expr,
        )

    assignments = []
    for part in sets.split(","):
        target, _, expr = part.partition("=")
        assignments.append(f"{target.rstrip()} = {qualify(expr.strip())}")
    out = f"{head}DO UPDATE SET " + ", ".join(a.strip() for a in assignments)
    if where:
        out += " WHERE " + qualify(where)
    return out + returning
