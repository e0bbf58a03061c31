"""The SQLite implementation of the ledger port, and the operator tools built on it.

`bot/storage` never imports discord; app.py builds the ledger with `open_ledger` and hands the
port to the cogs.
"""

from bot.storage.errors import CorruptDatabase, StorageError
from bot.storage.sqlite import SqliteLedger, database_path, open_ledger
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
