"""End to end on the demo corpus: pages in, the gold stories out, whatever the batch split."""

import shutil
from pathlib import Path

import pytest

from marsad.demo import DEMO_MANIFEST, load_labels
from marsad.pipeline import catch_up, ingest
from marsad.store import open_store

LABELS = load_labels()


def gold_story(article) -> str:
    """Gold story label of an extracted demo article, found by its page file and position."""
    path = Path(article.source_path.rsplit(":", 1)[0]).name
    key = f"{path}#{article.source_id}" if path == "records.jsonl" else path
    return LABELS["pages"][key]["articles"][article.position]["story"]


def partition(store) -> set[frozenset[str]]:
    return {
        frozenset(gold_story(a) + "|" + a.id for a in store.articles(s.article_ids))
        for s in store.stories()
    }


def gold_partition(store) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for a in store.articles():
        groups.setdefault(gold_story(a), set()).add(gold_story(a) + "|" + a.id)
    return {frozenset(g) for g in groups.values()}


def manifest_lines() -> list[str]:
    return DEMO_MANIFEST.read_text(encoding="utf-8").splitlines()


def write_manifest(tmp_path: Path, name: str, lines: list[str]) -> Path:
    """A manifest of these lines beside a copy of the demo pages (manifests stay confined
    to their folder)."""
    shutil.copytree(DEMO_MANIFEST.parent, tmp_path, dirs_exist_ok=True)
    out = tmp_path / name
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def test_demo_yields_the_gold_stories():
    with open_store(":memory:") as store:
        report = ingest([DEMO_MANIFEST], store)
        assert report.failures == []
        assert report.articles == sum(len(p["articles"]) for p in LABELS["pages"].values())
        assert partition(store) == gold_partition(store)
        assert all(
            s.title for s in store.stories() if s.size > 1
        )  # untitled pages don't name stories
        assert report.duplicates >= 2  # the exact copy and the wire copy


@pytest.mark.parametrize("split", [5, 14, 20])
def test_batches_give_the_same_stories_as_one_run(tmp_path, split):
    lines = manifest_lines()
    # Later-filed pages first, then the rest: the second batch reaches back in time.
    first = write_manifest(tmp_path, "first.jsonl", lines[split:])
    whole = write_manifest(tmp_path, "all.jsonl", lines)
    with open_store(tmp_path / "two.db") as two, open_store(":memory:") as one:
        ingest([first], two)
        again = ingest([whole], two)
        assert again.known_pages == len(lines) - split - 1 + 4  # records.jsonl is 4 pages
        ingest([whole], one)
        as_ids = lambda s: {frozenset(x.article_ids) for x in s.stories()}  # noqa: E731
        assert as_ids(two) == as_ids(one)
        assert len(two.duplicates()) == len(one.duplicates())


def test_manifest_gives_metadata_but_page_text_wins():
    with open_store(":memory:") as store:
        ingest([DEMO_MANIFEST], store)
        by_file = {Path(a.source_path).name: a for a in store.articles() if a.position == 0}
    for name, page in LABELS["pages"].items():
        if name in by_file:
            article = by_file[name]
            assert article.outlet == page["outlet"], name
            stated = page["articles"][0]["published"]
            assert (article.published or "")[:16] == (stated or page["filed"]), name


def test_changed_config_rebuilds_stateful_stages(tmp_path):
    from marsad.cluster import ClusterConfig
    from marsad.config import Config
    from marsad.dedup import DedupConfig

    with open_store(tmp_path / "m.db") as store:
        ingest([DEMO_MANIFEST], store)
        first = len(store.duplicates())
        changed = Config(dedup=DedupConfig(shingle=2), cluster=ClusterConfig(threshold=0.35))
        report = ingest([DEMO_MANIFEST], store, changed)  # nothing new: state still checked later
        assert report.new_pages == 0
        extra = tmp_path / "extra.txt"
        extra.write_text(
            "خبر قصير جديد عن افتتاح مكتبة عامة في الحي الشرقي من المدينة.\n\n"
            "وقالت البلدية إن المكتبة تضم عشرة آلاف كتاب وقاعة للأطفال.",
            encoding="utf-8",
        )
        ingest([extra], store, changed)
        with open_store(":memory:") as fresh:
            ingest([DEMO_MANIFEST, extra], fresh, changed)
            assert {(p.a, p.b) for p in store.duplicates()} == {
                (p.a, p.b) for p in fresh.duplicates()
            }
            as_ids = lambda st: {frozenset(x.article_ids) for x in st.stories()}  # noqa: E731
            assert as_ids(store) == as_ids(fresh)
        assert first >= 2


def test_workers_change_nothing(tmp_path):
    """Two extraction workers give the stories and pairs of the stages working from the
    stored articles alone (a rebuild)."""

    def state(store):
        stories = sorted((s.id, s.title, tuple(s.article_ids)) for s in store.stories())
        return stories, sorted((p.a, p.b, p.kind, p.similarity) for p in store.duplicates())

    with open_store(tmp_path / "m.db") as store:
        ingest([DEMO_MANIFEST], store, workers=2)
        pooled = state(store)
        store.set_state("cluster_state", b"another config")
        store.set_state("dedup_index", b"another config")
        assert catch_up(store) == store.counts()["articles"]
        assert state(store) == pooled
