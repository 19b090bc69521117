"""Storage behind a tiny interface; `open_store` picks the backend from the location."""

from __future__ import annotations

from pathlib import Path

from marsad.store.base import Store
from marsad.store.sqlite import SQLiteStore

DEFAULT_DB = "marsad.db"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(location: str | Path = DEFAULT_DB) -> Store:
    """A store for `location`: a `postgresql://` (or `postgres://`) URL, else a SQLite file
    path (or ":memory:")."""
    if isinstance(location, str) and location.startswith(POSTGRES_SCHEMES):
        from marsad.store.postgres import PostgresStore  # psycopg only when it is used

        return PostgresStore(location)
    return SQLiteStore(location)


__all__ = ["DEFAULT_DB", "POSTGRES_SCHEMES", "Store", "SQLiteStore", "open_store"]
