"""Ingest on a Dask LocalCluster: the stories of one process, partitions resumed after a crash."""

import shutil
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from click.testing import CliRunner  # noqa: E402

from marsad import scale  # noqa: E402
from marsad.cli import main  # noqa: E402
from marsad.demo import DEMO_MANIFEST  # noqa: E402
from marsad.model import Failure, Page  # noqa: E402
from marsad.pipeline import IngestReport, ingest  # noqa: E402
from marsad.read import read  # noqa: E402
from marsad.store import open_store  # noqa: E402

SHARDS = 4


@pytest.fixture(scope="module")
def cluster():
    """Two one-thread worker processes, as small as a cluster gets."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, **scale.LOCAL) as local:
        yield local


@pytest.fixture
def client(cluster):
    """A client joining the running scheduler by its tcp:// address (as a real cluster)."""
    with scale.connect(cluster.scheduler_address) as joined:
        yield joined


@pytest.fixture
def shards(tmp_path) -> tuple[Path, list[Path]]:
    """The demo corpus as one manifest and as SHARDS manifests dealt round-robin, so every
    shard spans the corpus's days and each story is spread over shards."""
    shutil.copytree(DEMO_MANIFEST.parent, tmp_path / "demo")
    whole = tmp_path / "demo" / DEMO_MANIFEST.name
    lines = whole.read_text(encoding="utf-8").splitlines()
    parts = []
    for k in range(SHARDS):
        parts.append(tmp_path / "demo" / f"shard-{k}.jsonl")
        parts[-1].write_text("\n".join(lines[k::SHARDS]) + "\n", encoding="utf-8")
    return whole, parts


def stories(store) -> set[tuple[frozenset[str], str]]:
    return {(frozenset(s.article_ids), s.title) for s in store.stories()}


def state(store) -> tuple:
    pairs = sorted((p.a, p.b, p.kind) for p in store.duplicates())
    return stories(store), pairs, store.counts()


def test_cluster_gives_the_stories_of_one_process(client, shards, tmp_path, store_url):
    whole, parts = shards
    with open_store(tmp_path / "one.db") as one, open_store(store_url) as many:
        alone = ingest([whole], one)
        report = scale.ingest_cluster(parts, many, client)
        assert state(many) == state(one)
        assert len(stories(one)) > 5 and any(len(ids) > 2 for ids, _ in stories(one))
        assert (report.pages, report.new_pages, report.articles, report.duplicates) == (
            alone.pages,
            alone.new_pages,
            alone.articles,
            alone.duplicates,
        )
        again = scale.ingest_cluster(parts, many, client)
        assert (again.pages, again.known_pages, again.new_pages) == (alone.pages, alone.pages, 0)
        assert state(many) == state(one)


def test_a_crash_loses_only_the_partition_being_stored(client, shards, tmp_path, monkeypatch):
    whole, parts = shards
    with open_store(tmp_path / "one.db") as one:
        ingest([whole], one)
        expected = state(one)
    db = tmp_path / "dask.db"
    with open_store(db) as store:
        done = store.partition_done
        calls = []

        def crash_on_third(key: str, path: str, pages: int) -> None:
            calls.append(path)
            if len(calls) == 3:
                raise KeyboardInterrupt  # a kill while the third partition is being stored
            done(key, path, pages)

        monkeypatch.setattr(store, "partition_done", crash_on_third)
        with pytest.raises(KeyboardInterrupt):
            scale.ingest_cluster(parts, store, client, in_flight=1)
    with open_store(db) as store:
        stored = [Path(p) for p in calls[:2]]
        assert store.counts()["pages"] == sum(map(_pages_in, stored))  # the third rolled back
        resumed = scale.ingest_cluster(parts, store, client)
        assert resumed.resumed > 0  # the two stored partitions' queue, worked off first
        assert resumed.known_pages == sum(map(_pages_in, stored))
        assert state(store) == expected


def _pages_in(shard: Path) -> int:
    return sum(isinstance(page, Page) for page in read([shard]))


def test_a_failed_task_fails_its_file_and_is_tried_again(tmp_path):
    class Lost:
        def result(self):
            raise RuntimeError("worker lost")

    report = IngestReport()
    with open_store(tmp_path / "m.db") as store:
        scale._store_partition(store, tmp_path / "a.jsonl", "a|1|2", Lost(), report)
        assert report.failures == [
            Failure(str(tmp_path / "a.jsonl"), "cluster task failed: RuntimeError: worker lost")
        ]
        assert store.failures() == report.failures
        assert store.partition_pages("a|1|2") is None


def test_cli_dask_local(shards, tmp_path):
    whole, parts = shards
    db = str(tmp_path / "cli.db")
    args = ["ingest", *map(str, parts), "--db", db, "--dask", "local", "--workers", "1"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "new" in result.output and "stories updated" in result.output
    with open_store(tmp_path / "one.db") as one, open_store(db) as many:
        ingest([whole], one)
        assert stories(many) == stories(one)
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert " 0 new" in again.output


def test_unreachable_scheduler_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(scale, "CONNECT_TIMEOUT", "1s")
    with pytest.raises(scale.ClusterError, match="cannot reach the Dask scheduler at tcp://"):
        scale.connect("tcp://127.0.0.1:9")


def test_without_the_extra_the_error_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as when not installed
    with pytest.raises(scale.ClusterError, match=r"pip install 'marsad\[cluster\]'"):
        scale.connect("local")
