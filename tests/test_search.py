"""Arabic-aware search on both backends: clitics, spelling variants, filters, snippets,
ranking, malformed queries. Texts are our own."""

import random

import pytest

from marsad.demo import DEMO_MANIFEST
from marsad.model import Article, Extraction, Page, Story
from marsad.pipeline import ingest
from marsad.query import STATE_KEY, QueryError, canonical, forms, words
from marsad.search import search, search_stories
from marsad.store import open_store

FILLER = "وتناول اللقاء سبل التعاون في مجالات عدة، وفق ما أفاد مصدر مطلع على المحادثات."
DOCS = {
    # key: (outlet, published, title, body)
    "title": (
        "صدى",
        "2025-03-10T09:00",
        "أذربيجان تستضيف مؤتمرا إقليميا للطاقة",
        f"افتتح في العاصمة باكو اليوم مؤتمر إقليمي يناقش أمن الإمدادات. {FILLER}",
    ),
    "body": (
        "الأفق",
        "2025-03-12",
        "جولة خليجية لوزير الخارجية",
        f"يبدأ وزير الخارجية غدا جولة تشمل ثلاث عواصم ثم يتوجه بعدها إلى باكو وأذربيجان"
        f" ستكون محطته الأخيرة. {FILLER}",
    ),
    "adjective": (
        "صدى",
        "2025-03-14",
        "اتفاق لنقل الغاز عبر الأنابيب",
        f"وقعت الشركة الأذربيجانية للنفط اتفاقا لنقل الغاز <عبر> خط أنابيب & محطات ضخ. {FILLER}",
    ),
    "iran-hamza": (
        "النهار",
        "2025-03-15",
        "محادثات اقتصادية في طهران",
        f"قال مسؤول في إيران إن المحادثات تناولت التبادل التجاري. {FILLER}",
    ),
    "iran-bare": (
        "النهار",
        "2025-03-16",
        "توقيع مذكرة تفاهم تجارية",
        f"أعلن مسئول حكومي في ايران توقيع مذكرة تفاهم مع وفد زائر. {FILLER}",
    ),
    "rain": (
        "الأفق",
        None,
        "أمطار غزيرة تغرق شوارع المدينة",
        f"هطلت أمطار غزيرة على المدينة وأغلقت الطرق، ولم يصدر وزير الأشغال أي بيان عن الخارجية. {FILLER}",
    ),
}


def add_docs(store) -> dict[str, str]:
    """Store every doc as its own page; returns key -> article id."""
    ids = {}
    for key, (outlet, published, title, body) in DOCS.items():
        page = Page(content=f"{title}\n{body}", kind="text", source_path=f"{key}.txt")
        article = Article(page.id, 0, title, body, published, outlet)
        store.add_extraction(Extraction(page, [article]))
        ids[key] = article.id
    return ids


@pytest.fixture
def docs(store):
    return store, add_docs(store)


def found(store, query, **kw) -> list[str]:
    return [h.article_id for h in search(store, query, **kw)]


def test_clitic_variants_find_the_same_articles(docs):
    store, ids = docs
    bare = set(found(store, "أذربيجان"))
    assert bare == {ids["title"], ids["body"], ids["adjective"]}
    for variant in ["لأذربيجان", "اذربيجان", "الأذربيجانية", "وأذربيجان", "بأذربيجان"]:
        assert set(found(store, variant)) == bare, variant


def test_hamza_and_alef_spellings_match(docs):
    store, ids = docs
    both = {ids["iran-hamza"], ids["iran-bare"]}
    assert set(found(store, "إيران")) == set(found(store, "ايران")) == both
    assert (
        set(found(store, "تفاهم تجارية")) == set(found(store, "تَفاهُم تجاريه")) == {ids["iran-bare"]}
    )
    assert set(found(store, "آمطار")) == set(found(store, "أمطار")) == {ids["rain"]}
    # «مسؤول» (Gulf, Levant) and «مسئول» (Egypt) are one word
    assert set(found(store, "مسؤول")) == set(found(store, "مسئول")) == both


def test_title_match_ranks_above_body_only_mention(docs):
    store, ids = docs
    ranked = found(store, "أذربيجان")
    assert ranked.index(ids["title"]) < ranked.index(ids["body"])
    scores = [h.score for h in search(store, "أذربيجان")]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


def test_filters(docs):
    store, ids = docs
    assert set(found(store, "أذربيجان", outlet="صدى")) == {ids["title"], ids["adjective"]}
    assert set(found(store, "أذربيجان", since="2025-03-11")) == {ids["body"], ids["adjective"]}
    assert found(store, "أذربيجان", until="2025-03-10") == [ids["title"]]
    assert found(store, "أذربيجان", since="2025-03-11", until="2025-03-13") == [ids["body"]]
    assert found(store, "أمطار", since="2025-01-01") == []  # undated is in no range
    assert (
        found(store, "أذربيجان", outlet="صدى\x00")
        == found(store, "أذربيجان", story_id="\x00")
        == []
    )
    store.save_stories(
        [Story("s-1", "طاقة", [ids["title"], ids["adjective"]], ["صدى"], None, None)]
    )
    hits = search(store, "أذربيجان", story_id="s-1")
    assert {h.article_id for h in hits} == {ids["title"], ids["adjective"]}
    assert {h.story_id for h in hits} == {"s-1"}
    assert {h.story_id for h in search(store, "إيران")} == {None}


def test_paging(docs):
    store, _ = docs
    everything = found(store, "أذربيجان")
    assert (
        found(store, "أذربيجان", limit=2) + found(store, "أذربيجان", limit=2, offset=2)
        == everything
    )
    with pytest.raises(QueryError):
        search(store, "أذربيجان", limit=0)


def test_snippet_marks_the_original_word_and_escapes_the_rest(docs):
    store, ids = docs
    hit = next(h for h in search(store, "أذربيجان") if h.article_id == ids["adjective"])
    assert "<mark>الأذربيجانية</mark>" in hit.snippet
    assert "&lt;عبر&gt;" in hit.snippet and "&amp;" in hit.snippet
    hit = next(h for h in search(store, "اذربيجان") if h.article_id == ids["body"])
    assert "<mark>وأذربيجان</mark>" in hit.snippet
    assert hit.title == DOCS["body"][2] and hit.outlet == "الأفق"
    assert hit.published == "2025-03-12"


def test_phrases_or_and_stopwords(docs):
    store, ids = docs
    assert found(store, '"وزير الخارجية"') == [ids["body"]]
    assert set(found(store, "وزير الخارجية")) == {ids["body"], ids["rain"]}
    assert set(found(store, "«لوزير الخارجية»")) == {ids["body"]}
    assert set(found(store, "أمطار OR طهران")) == {ids["rain"], ids["iran-hamza"]}
    assert set(found(store, "في أمطار")) == {ids["rain"]}  # the stop word is not required


def test_malformed_queries_give_a_clear_error(store):
    too_many = " ".join(f"كلمة{i}" for i in range(17))
    too_long_phrase = '"' + " ".join(["وزير"] * 13) + '"'
    bad = ['"أذربيجان', "OR", "أذربيجان OR", "OR أذربيجان", "أ OR OR ب", "", "!!! ؟", "أ" * 501]
    for query in [*bad, too_many, too_long_phrase]:
        with pytest.raises(QueryError):
            search(store, query)


def test_query_syntax_of_the_backends_is_never_interpreted(docs):
    store, ids = docs
    for query in ["NEAR(a b)", "title_f:x", "a AND", "NOT", "x*", "^x", "a-b", "{x}", "x:*", "!x"]:
        assert search(store, query) == [], query
    for query in ["أذربيجان'", "(أذربيجان", "أذربيجان)", "أذربيجان:", "-أذربيجان", "أذربيجان*"]:
        assert ids["title"] in found(store, query), query


def test_search_stories(docs):
    store, ids = docs
    store.save_stories(
        [
            Story("s-energy", "طاقة", [ids["title"], ids["adjective"]], ["صدى"], None, None),
            Story("s-tour", "جولة", [ids["body"]], ["الأفق"], None, None),
        ]
    )
    ranked = search_stories(store, "أذربيجان")
    assert [s.story_id for s in ranked] == ["s-energy", "s-tour"]
    assert ranked[0].matched == 2 and ranked[0].size == 2
    assert ranked[0].best.article_id == ids["title"]  # title-only match: snippet from the body top
    assert "<mark>وأذربيجان</mark>" in ranked[1].best.snippet


def test_index_is_rebuilt_for_existing_databases(store_url):
    with open_store(store_url) as s:
        ids = add_docs(s)
        if store_url.startswith("postgresql://"):
            s.db.execute("DELETE FROM search_docs")
        else:
            with s.db:
                s.db.execute("DELETE FROM search_docs")
                s.db.execute("INSERT INTO search_fts (search_fts) VALUES ('delete-all')")
        assert found(s, "إيران") == []
        s.set_state(STATE_KEY, b"0")  # as a database made before search or by an older analyzer
    with open_store(store_url) as s:
        assert set(found(s, "إيران")) == {ids["iran-hamza"], ids["iran-bare"]}
        assert s.reindex() == len(DOCS)


def test_backends_score_alike(pg_cluster):
    with open_store(pg_cluster.new_url()) as pg, open_store(":memory:") as lite:
        add_docs(pg), add_docs(lite)
        for query in ["أذربيجان", '"وزير الخارجية"', "أمطار OR إيران", "الخارجية وزير"]:
            want = [(h.article_id, round(h.score, 6)) for h in search(lite, query)]
            assert [(h.article_id, round(h.score, 6)) for h in search(pg, query)] == want


def test_backends_rank_alike_on_the_demo_corpus(pg_cluster):
    """PostgreSQL's top hits, scores and pages are SQLite's, over words of the demo titles
    alone, with a clitic, in pairs, joined by OR, in quoted phrases, and filtered."""
    with open_store(pg_cluster.new_url()) as pg, open_store(":memory:") as lite:
        ingest([DEMO_MANIFEST], lite)
        ingest([DEMO_MANIFEST], pg, chunk=4)  # many transactions: forms in several blocks
        blocks = "SELECT count(*) > count(DISTINCT form) FROM search_postings"
        assert pg.db.execute(blocks).fetchone()[0]
        titles = [a.title for a in lite.articles()]
        vocab = sorted({w for t in titles for w in words(t) if len(w) > 3})
        rng = random.Random(7)
        picked = rng.sample(vocab, 20)
        queries = picked + ["و" + w for w in picked[:8]] + ["بال" + w[2:] for w in picked[:8]]
        queries += [f"{a} {b}" for a, b in zip(picked, picked[1:8], strict=False)]
        queries += [f"{a} OR {b}" for a, b in zip(picked[8:], picked[9:14], strict=False)]
        pairs = [ws[i : i + 2] for t in titles[:6] if len(ws := words(t)) > 3 for i in (0, 2)]
        queries += [f'"{a} {b}"' for a, b in pairs]  # phrases: the tsvector path
        outlet = next(a.outlet for a in lite.articles())
        options = [{}, {"limit": 3, "offset": 2}, {"outlet": outlet}, {"since": "2025-05-01"}]
        matched = 0
        for query in queries:
            for kw in options:
                want = [(h.article_id, round(h.score, 6), h.story_id) for h in search(lite, query, **kw)]
                got = [(h.article_id, round(h.score, 6), h.story_id) for h in search(pg, query, **kw)]
                assert got == want, (query, kw)
                matched += bool(want)
        assert matched > len(queries) * 2  # most searches find something


def test_postings_roll_back_with_their_articles(store):
    add_docs(store)
    page = Page(content="زلزال يضرب الساحل", kind="text", source_path="quake.txt")
    article = Article(page.id, 0, "زلزال يضرب الساحل", f"شعر السكان بزلزال قوي. {FILLER}")
    before = [(h.article_id, h.score) for h in search(store, "أمطار")]
    with pytest.raises(RuntimeError), store.transaction():
        store.add_extraction(Extraction(page, [article]))
        raise RuntimeError("the chunk fails after the page was added")
    assert found(store, "زلزال") == []
    assert [(h.article_id, h.score) for h in search(store, "أمطار")] == before  # same N, avgdl
    store.add_extraction(Extraction(page, [article]))
    assert found(store, "زلزال") == [article.id]


def test_postgres_store_made_before_postings_is_rebuilt_on_open(pg_cluster):
    url = pg_cluster.new_url()
    with open_store(url) as s:
        ids = add_docs(s)
        # the layout before postings: search_docs without doc numbers, no postings or totals
        s.db.execute("DROP TABLE search_postings, search_stats, search_docs")
        s.db.execute(
            "CREATE TABLE search_docs (article_id TEXT PRIMARY KEY REFERENCES articles(id),"
            " len INTEGER NOT NULL, tlen INTEGER NOT NULL, vec TSVECTOR NOT NULL)"
        )
    with open_store(url) as s:
        assert set(found(s, "إيران")) == {ids["iran-hamza"], ids["iran-bare"]}
        assert s.db.execute("SELECT docs FROM search_stats").fetchone()[0] == len(DOCS)


def test_forms_and_canonical():
    variants = ["أذربيجان", "لأذربيجان", "وأذربيجان", "الأذربيجانية", "بأذربيجان"]
    keys = [forms(words(v)[0]) for v in variants]
    assert all(k & keys[0] for k in keys)
    assert canonical("للحكومه") == canonical("الحكومات") == canonical("حكومه")
    assert forms("في") == {"في"}  # short words are not stripped
    assert not forms("مصر") & forms("عصر")


def test_cli_search(tmp_path):
    import json

    from click.testing import CliRunner

    from marsad.cli import main

    db = str(tmp_path / "cli.db")
    with open_store(db) as s:
        ids = add_docs(s)
    run = CliRunner().invoke
    out = run(main, ["search", "لأذربيجان", "--db", db, "--json", "--outlet", "صدى"])
    assert out.exit_code == 0, out.output
    hits = [json.loads(line) for line in out.output.splitlines()]
    assert {h["article_id"] for h in hits} == {ids["title"], ids["adjective"]}
    assert "<mark>الأذربيجانية</mark>" in next(
        h["snippet"] for h in hits if h["article_id"] == ids["adjective"]
    )
    out = run(main, ["search", "وزير", "الخارجية", "--db", db, "--since", "2025-03-11"])
    assert out.exit_code == 0 and DOCS["body"][2] in out.output and "<mark>" not in out.output
    out = run(main, ["search", '"وزير', "--db", db])
    assert out.exit_code != 0 and "unbalanced quotes" in out.output
