"""CSV export building (pure): header, rows, escaping and spreadsheet-formula safety."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from bot.economy.export import export_csv


def _read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def test_header_and_rows_in_order() -> None:
    rows: list[dict[str, object]] = [
        {"txn_id": 1, "kind": "purchase", "amount": 700, "reason": None},
        {"txn_id": 2, "kind": "grant", "amount": -50, "reason": 'a "quoted", reason'},
    ]
    assert _read(export_csv(rows)) == [
        ["txn_id", "kind", "amount", "reason"],
        ["1", "purchase", "700", ""],
        ["2", "grant", "-50", 'a "quoted", reason'],
    ]


def test_union_of_keys_and_values() -> None:
    rows: list[dict[str, object]] = [{"a": 1}, {"b": Decimal("0.99"), "a": True}]
    assert _read(export_csv(rows)) == [["a", "b"], ["1", ""], ["true", "0.99"]]


def test_formula_like_text_is_neutralised_but_numbers_are_not() -> None:
    rows: list[dict[str, object]] = [{"reason": '=HYPERLINK("x")', "amount": "-15"}]
    assert _read(export_csv(rows)) == [["reason", "amount"], ['\'=HYPERLINK("x")', "-15"]]


def test_empty_export_is_an_empty_file() -> None:
    assert export_csv([]) == b"\n"
