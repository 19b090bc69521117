"""Storage behind a tiny interface; `open_store` picks the backend from the location."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass(frozen=True)
class PoolConfig:
    """How a server holds its store ([pool] in the TOML config, `serve --pool-size`)."""

    size: int = 8  # PostgreSQL connections shared by the requests (they wait when all are out)

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ValueError(f"size must be at least 1, not {self.size}")


class Stores:
    """A store per request of a server: SQLite opens one in the calling thread (a SQLite
    connection belongs to its thread and opening a file is cheap); PostgreSQL lends a store
    on one of a pool's connections (marsad.store.postgres.PostgresPool)."""

    def __init__(self, location: str | Path, config: PoolConfig | None = None) -> None:
        self.location = location
        self.pool = None
        if isinstance(location, str) and location.startswith(POSTGRES_SCHEMES):
            from marsad.store.postgres import PostgresPool

            self.pool = PostgresPool(location, (config or PoolConfig()).size)

    @contextmanager
    def store(self) -> Iterator[Store]:
        if self.pool is not None:
            with self.pool.store() as store:
                yield store
            return
        store = open_store(self.location)
        try:
            yield store
        finally:
            store.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()


__all__ = [
    "DEFAULT_DB",
    "POSTGRES_SCHEMES",
    "PoolConfig",
    "Store",
    "Stores",
    "SQLiteStore",
    "open_store",
]
