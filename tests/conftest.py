"""Shared store fixtures: every store test runs on SQLite (file and memory) and PostgreSQL.

PostgreSQL: ONE throwaway cluster per test session (initdb into a temp dir, unix socket in
that dir, fsync off), a fresh database per test, all removed at the end. As root (CI), the
cluster runs as the `postgres` system user because initdb refuses root. Without the server
binaries the PostgreSQL params skip with the reason.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from marsad.store import Store, open_store

PG_USER = "marsad"


def _pg_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version(path: str) -> int:
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


class PgCluster:
    """A running throwaway cluster; `new_url()` creates an empty database for one test."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        root = os.geteuid() == 0
        # As root the server runs as `postgres` (initdb refuses root), which must reach the
        # directory: /tmp, not a private TMPDIR.
        self.root = Path(tempfile.mkdtemp(prefix="marsad-pg-", dir="/tmp" if root else None))
        self.data = self.root / "data"
        self.as_user: list[str] = []
        if root:
            shutil.chown(self.root, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._names = itertools.count()
        self._run(
            "initdb", "-D", str(self.data), "-U", PG_USER, "--auth=trust", "-E", "UTF8",
            "--no-locale", "--no-sync",
        )  # fmt: skip
        opts = (
            f"-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            f" -c listen_addresses='' -c unix_socket_directories={self.root} -p 5432"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.root / "log"),
                  "-w", "start")  # fmt: skip
        self.base = f"postgresql://{PG_USER}@/%s?host={self.root}&port=5432"

    def _run(self, tool: str, *args: str) -> None:
        cmd = [*self.as_user, str(self.bindir / tool), *args]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            log = self.root / "log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr}{tail}")

    def new_url(self) -> str:
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.base % "postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE template0")
        return self.base % name

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """The session's PostgreSQL cluster (skips when no server binaries are installed)."""
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found")
    cluster = PgCluster(bindir)
    yield cluster
    cluster.stop()


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path) -> str:
    """A location for a fresh, empty store that can be opened many times (API tests):
    a SQLite file in tmp_path, or a new database on the session's PostgreSQL cluster."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_cluster").new_url()
    return str(tmp_path / "store.db")


@pytest.fixture(params=["sqlite-memory", "sqlite-file", "postgresql"])
def store(request, tmp_path) -> Iterator[Store]:
    """An open, empty store on each backend."""
    if request.param == "postgresql":
        location = request.getfixturevalue("pg_cluster").new_url()
    elif request.param == "sqlite-file":
        location = str(tmp_path / "sub" / "store.db")
    else:
        location = ":memory:"
    s = open_store(location)
    yield s
    s.close()


ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def load_eval(name: str):
    """One of the eval/ scripts as a module (their scoring functions hold the floors)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"eval_{name}", ROOT / "eval" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def demo_location(request, tmp_path_factory) -> str:
    """A store location on the backend of `request.param` holding the ingested demo."""
    from marsad.demo import DEMO_MANIFEST
    from marsad.pipeline import ingest

    if request.param == "postgresql":
        db = request.getfixturevalue("pg_cluster").new_url()
    else:
        db = str(tmp_path_factory.mktemp("api") / "demo.db")
    with open_store(db) as store:
        assert ingest([DEMO_MANIFEST], store).failures == []
    return db


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_db(request, tmp_path_factory) -> str:
    """The demo corpus on each backend, read-only for the tests that share it."""
    return demo_location(request, tmp_path_factory)


@pytest.fixture(scope="module")
def client(demo_db):
    """The API and UI over `demo_db`."""
    from fastapi.testclient import TestClient

    from marsad.api import create_app

    return TestClient(create_app(demo_db))
