"""The ledger as CSV — one writer for `python -m bot export` and `/mod export`."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import TextIO

DEFAULT_COLUMNS = (
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


def write_csv(rows: Sequence[Mapping[str, object]], out: TextIO) -> int:
    """Write `rows` with a header (their keys, in order; a fixed header when there are none).
    Returns the number of data rows."""
    columns = list(rows[0].keys()) if rows else list(DEFAULT_COLUMNS)
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return len(rows)


def csv_text(rows: Sequence[Mapping[str, object]]) -> str:
    buf = io.StringIO()
    write_csv(rows, buf)
    return buf.getvalue()
