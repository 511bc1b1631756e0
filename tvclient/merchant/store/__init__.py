"""The ledger's storage: one data layer over SQLite (WAL) or PostgreSQL, schema by migrations."""

from tvclient.merchant.store.database import Database, Tx, database_url
from tvclient.merchant.store.schema import metadata

__all__ = ["Database", "Tx", "database_url", "metadata"]
