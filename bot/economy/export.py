"""The ledger as CSV — one writer for `python -m bot export` and `/mod export`."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TextIO

# The columns of a ledger export (`ExportRows`), in order: the CLI's file and `/mod export`'s
# attachment name them even when there are no rows.
LEDGER_COLUMNS = (
    "txn_id",
    "created_at",
    "kind",
    "account",
    "currency",
    "amount",
    "counterparty",
    "gift",
    "count",
    "actor",
    "reason",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    text = str(value)
    # A reason typed by a moderator must not run as a formula when the file is opened in a
    # spreadsheet (CSV injection); numbers stay numbers.
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def write_csv(
    rows: Sequence[Mapping[str, object]], out: TextIO, columns: Sequence[str] = ()
) -> int:
    """Header (`columns`, then the rest of the rows' keys, first-seen order) + one line per row.
    Pass `columns` so that an export with no rows still names its columns.
    Returns the number of data rows."""
    header: list[str] = list(columns)
    for row in rows:
        for key in row:
            if key not in header:
                header.append(key)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(row.get(key)) for key in header])
    return len(rows)


def export_csv(rows: Sequence[Mapping[str, object]], columns: Sequence[str] = ()) -> bytes:
    """The CSV as UTF-8 bytes, for an attachment."""
    buffer = io.StringIO(newline="")
    write_csv(rows, buffer, columns)
    return buffer.getvalue().encode("utf-8")
