"""The ledger port's implementations — SQLite (sqlite.py) and PostgreSQL (postgres/) — and the
operator tools built on them; `open_ledger` picks one by the URL (opening.py).

`bot/storage` never imports discord; app.py builds the ledger with `open_ledger` and hands the
port to the cogs.
"""

from bot.storage.errors import CorruptDatabase, StorageError
from bot.storage.opening import open_ledger
from bot.storage.sqlite import SqliteLedger, database_path
from bot.storage.tools import VerifyReport, backup, verify

__all__ = [
    "CorruptDatabase",
    "SqliteLedger",
    "StorageError",
    "VerifyReport",
    "backup",
    "database_path",
    "open_ledger",
    "verify",
]
