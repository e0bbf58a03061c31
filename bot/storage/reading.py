"""What every read query shares: what it reads from, and how a page of a list is bounded."""

from __future__ import annotations

import sqlite3

Q = sqlite3.Connection | sqlite3.Cursor


def page_bounds(total: int, page: int, per_page: int) -> tuple[int, int, int]:
    """(page, pages, offset): a page past the end shows the last one; an empty list has one."""
    per_page = max(1, per_page)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    return page, pages, (page - 1) * per_page
