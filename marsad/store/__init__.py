"""Storage behind a tiny interface; `open_store` picks the backend from the location."""

from __future__ import annotations

from pathlib import Path

from marsad.store.base import Store
from marsad.store.sqlite import SQLiteStore

DEFAULT_DB = "marsad.db"


def open_store(location: str | Path = DEFAULT_DB) -> Store:
    """A store for `location`: a SQLite file path (or ":memory:")."""
    return SQLiteStore(location)


__all__ = ["DEFAULT_DB", "Store", "SQLiteStore", "open_store"]
