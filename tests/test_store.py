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


@pytest.fixture(params=["memory", "file"])
def store(request, tmp_path):
    s = open_store(":memory:" if request.param == "memory" else tmp_path / "sub" / "m.db")
    yield s
    s.close()


def test_add_is_atomic_and_idempotent(store):
    ex = extraction("صفحة أولى")
    assert store.add_extraction(ex) is True
    assert store.add_extraction(ex) is False
    assert store.counts()["pages"] == 1
    assert store.counts()["articles"] == 2
    assert store.drop_counts() == {"caption": 2, "marker": 1}
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


def test_file_store_persists(tmp_path):
    path = tmp_path / "m.db"
    with open_store(path) as s:
        s.add_extraction(extraction("باقية"))
    with open_store(path) as s:
        assert s.counts()["articles"] == 2
