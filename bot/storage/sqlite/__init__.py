"""The SQLite backend: one file in WAL mode, one process (`<db>.lock`), a group-commit writer
(storage/writer.py, shared with PostgreSQL) and a reader connection.

ledger.py: `SqliteLedger`, the port; connection.py: opening, PRAGMAs and start-up checks;
schema.py: migrations by `PRAGMA user_version`; filelock.py, file_identity.py: one process per
file, and the file deleted or replaced under a running bot; checkpointer.py: WAL checkpoints off
the writer's path.
"""

from bot.storage.sqlite.ledger import READ_SENTENCE, SqliteLedger, database_path

__all__ = ["READ_SENTENCE", "SqliteLedger", "database_path"]
