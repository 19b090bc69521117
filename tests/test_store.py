
import pytest

from marsad.model import Article, Dropped, DuplicatePair, Extraction, Failure, Page, Story
from marsad.store import open_store


def extraction(text: str, n_articles: int = 2, path: str = "p.txt") -> Extraction:
    page = Page(content=text, kind="text", source_path=path, outlet="صدى")
    articles = [
        Article(
            page_id=page.id,
            position=i,
            title=f"عنوان {i}",
            body=f"فقرة أولى {i}\n\nفقرة ثانية",
            published=f"2025-03-1{i}T09:00",
            outlet="صدى",
            credits=["إ.ب.أ"],
        )
        for i in range(n_articles)
    ]
    drops = [
        Dropped(1, "TT", "marker"),
        Dropped(3, "صورة (إ.ب.أ)", "caption"),
        Dropped(4, "صورة (إ.ب.أ)", "caption"),
    ]
    return Extraction(page, articles, drops)


def test_add_is_atomic_and_idempotent(store):
    ex = extraction("صفحة أولى")
    assert store.add_extraction(ex) is True
    assert store.add_extraction(ex) is False
    assert store.counts()["pages"] == 1
    assert store.counts()["articles"] == 2
    assert store.drop_counts() == {"caption": 2, "marker": 1}
    assert store.dropped(ex.page.id) == ex.dropped
    assert store.dropped("nope") == []
    got = list(store.articles())
    assert [a.id for a in got] == [a.id for a in ex.articles]
    assert got[0] == ex.articles[0]
    assert store.article(ex.articles[1].id) == ex.articles[1]
    assert store.article("nope") is None


def test_failures_are_kept_and_cleared_on_success(store):
    store.add_failure(Failure("p.txt", "empty file"))
    store.add_failure(Failure("q.txt", "binary file"))
    assert [f.source_path for f in store.failures()] == ["p.txt", "q.txt"]
    store.add_extraction(extraction("نص", path="p.txt"))
    assert store.failures() == [Failure("q.txt", "binary file")]


def test_duplicates_stories_and_state(store):
    pair = DuplicatePair("a-0", "b-0", "near", 0.8, ["جملة"], [], ["إضافة"])
    store.add_duplicates([pair, DuplicatePair("c-0", "d-0", "exact", 1.0)])
    assert store.duplicates(["b-0"]) == [pair]
    assert len(store.duplicates()) == 2

    s1 = Story("s-1", "قمة", ["a-0", "b-0", "e-0"], ["صدى", "النهار"], "2025-03-10", "2025-03-11")
    s2 = Story("s-2", "فيضان", ["c-0"], ["صدى"], "2025-03-12", "2025-03-12")
    store.save_stories([s1, s2])
    assert store.stories() == [s1, s2]
    s1b = Story("s-1", "قمة", ["a-0"], ["صدى"], "2025-03-10", "2025-03-10")
    store.save_stories([s1b])
    assert store.story("s-1") == s1b
    store.delete_stories(["s-2"])
    assert store.stories() == [s1b]

    assert store.get_state("cluster") is None
    store.set_state("cluster", b"\x00\x01")
    assert store.get_state("cluster") == b"\x00\x01"


def test_store_persists_and_reopens(store_url):
    with open_store(store_url) as s:
        s.add_extraction(extraction("باقية"))
        s.set_state("k", b"\xff" * 3)
    with open_store(store_url) as s:  # schema creation on open is idempotent
        assert s.counts()["articles"] == 2
        assert s.get_state("k") == b"\xff\xff\xff"


def test_story_of_and_membership_moves(store):
    store.save_stories([Story("s-1", "قمة", ["a-0", "b-0"], ["صدى"], "2025-03-10", None)])
    assert store.story_of("a-0").id == "s-1"
    assert store.story_of("z-0") is None
    store.save_stories([Story("s-2", "قمة", ["b-0"], ["صدى"], None, None)])
    assert store.story_of("b-0").id == "s-2"
    # a story without a start sorts before dated ones of the same size, as in SQLite
    store.save_stories([Story("s-1", "قمة", ["a-0"], ["صدى"], "2025-03-10", None)])
    assert [s.id for s in store.stories()] == ["s-2", "s-1"]


def test_articles_order_by_time_then_id_undated_last(store):
    texts = ["ب", "أ", "ج"]
    times = ["2025-03-12", None, "2025-03-11T08:00"]
    for text, when in zip(texts, times, strict=True):
        ex = extraction(text, n_articles=1, path=f"{text}.txt")
        ex.articles[0].published = when
        store.add_extraction(ex)
    got = [a.published for a in store.articles()]
    assert got == ["2025-03-11T08:00", "2025-03-12", None]
    ids = [a.id for a in store.articles()]
    assert [a.id for a in store.articles(reversed(ids))] == ids


def test_unicode_and_failures_replace(store):
    store.add_failure(Failure("x.txt", "old reason"))
    store.add_failure(Failure("x.txt", "سبب جديد"))
    assert store.failures() == [Failure("x.txt", "سبب جديد")]


def test_demo_pipeline_on_postgresql_matches_sqlite(pg_cluster):
    """The whole pipeline on PostgreSQL gives exactly the SQLite result."""
    from marsad.demo import DEMO_MANIFEST
    from marsad.pipeline import ingest

    def snapshot(location: str) -> tuple:
        with open_store(location) as s:
            ingest([DEMO_MANIFEST], s)
            return (
                s.counts(),
                list(s.articles()),
                s.stories(),
                s.duplicates(),
                s.drop_counts(),
                {a.page_id: s.dropped(a.page_id) for a in s.articles()},
                s.failures(),
            )

    pg, lite = snapshot(pg_cluster.new_url()), snapshot(":memory:")
    assert pg[0]["stories"] > 1 and pg[0]["duplicates"] > 0
    for got, want in zip(pg, lite, strict=True):
        assert got == want


def test_nul_in_text_is_stored_and_looked_up_without_error(store):
    ex = extraction("صفحة", n_articles=1)
    ex.articles[0].outlet = "صدى\x00"
    store.add_extraction(ex)
    assert store.article("x\x00y") is None
    assert store.story_of("x\x00y") is None and store.dropped("x\x00") == []
    assert next(store.articles()).outlet in {"صدى\x00", "صدى\ufffd"}  # PostgreSQL text has no NUL


def test_a_partition_is_done_with_its_pages_or_not_at_all(store):
    """A cluster ingest's partition row commits (or rolls back) with the pages it stores."""
    with pytest.raises(KeyboardInterrupt), store.transaction():
        store.add_extraction(extraction("صفحة من الجزء الأول", path="a.jsonl:1"))
        store.partition_done("a.jsonl|10|1", "a.jsonl", 1)
        raise KeyboardInterrupt
    assert store.partition_pages("a.jsonl|10|1") is None
    assert store.counts()["pages"] == 0
    with store.transaction():
        store.add_extraction(extraction("صفحة من الجزء الأول", path="a.jsonl:1"))
        store.partition_done("a.jsonl|10|1", "a.jsonl", 1)
    store.partition_done("a.jsonl|10|1", "a.jsonl", 1)  # recorded twice: still one row
    assert store.partition_pages("a.jsonl|10|1") == 1
    assert store.partition_pages("a.jsonl|10|2") is None  # the file changed since


def test_a_store_of_an_older_marsad_gets_the_newest_tables(store_url):
    with open_store(store_url) as store:
        store.add_extraction(extraction("صفحة قديمة"))
        with store.transaction():
            store._run("DROP TABLE partitions")  # as marsad before cluster ingests left it
    with open_store(store_url) as store:
        assert store.partition_pages("a|1|2") is None
        assert store.counts()["pages"] == 1
