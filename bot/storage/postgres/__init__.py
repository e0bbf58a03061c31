"""The PostgreSQL implementation of the ledger port (asyncpg): see ledger.py."""

from bot.storage.postgres.ledger import PostgresLedger

__all__ = ["PostgresLedger"]
