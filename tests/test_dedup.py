import gzip
import itertools
import json
from itertools import islice
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHashLSH
from scipy.sparse import csr_matrix

from marsad import arabic
from marsad.dedup import (
    DedupConfig,
    DuplicateIndex,
    align,
    duplicate_groups,
    find_duplicates,
)
from marsad.dedup.index import chronological, shingle_hashes
from marsad.dedup.lsh import MemoryBuckets, MinHasher, band_buckets, optimal_bands
from marsad.demo import DEMO_DIR, load_labels
from marsad.extract import extract
from marsad.model import Article, DuplicatePair, Extraction, Page
from marsad.read import read
from marsad.store import open_store

SAUDINEWSNET = Path(__file__).parents[2] / "shared/data/saudinewsnet/saudinewsnet.jsonl.gz"

# --- our own fixtures: one wire dispatch, its copies, and look-alikes that are not copies ---
DISPATCH = [
    "افتتح وزير النقل صباح اليوم الطريق الساحلي الجديد الذي يربط مدينة الخبر بمدينة الجبيل"
    " بطول مئة وعشرين كيلومترا.",
    "وقال الوزير في كلمة خلال حفل الافتتاح إن المشروع استغرق أربع سنوات من العمل المتواصل"
    " وبلغت تكلفته نحو ثلاثة مليارات ريال.",
    "وأوضح أن الطريق يضم ستة جسور وثلاثة أنفاق ومحطات استراحة مجهزة على امتداد المسار.",
    "ومن المتوقع أن يخفض الطريق زمن الرحلة بين المدينتين من ساعتين إلى أقل من ساعة واحدة.",
    "وأشار الوزير إلى أن الوزارة تعمل على مشاريع مماثلة في المنطقة الغربية تنتهي خلال"
    " العامين المقبلين.",
]
ADDED = [
    "وعبر عدد من سكان المنطقة عن سعادتهم بافتتاح الطريق الذي طال انتظاره.",
    "وقال أحد سائقي الشاحنات إن الطريق القديم كان مزدحما طوال أيام الأسبوع.",
]
SAME_TOPIC = [
    "شهدت المنطقة الشرقية افتتاح طريق ساحلي جديد بين الخبر والجبيل بحضور وزير النقل.",
    "ويمتد الطريق على مسافة تقارب مئة وعشرين كيلومترا ويتضمن عددا من الجسور والأنفاق.",
    "وتوقع مختصون في شؤون النقل أن يسهم المشروع في تنشيط الحركة التجارية بين المدينتين.",
    "كما يتوقع أن يقلل الحوادث المرورية التي شهدها الطريق القديم في السنوات الماضية.",
]
INFLATION = (
    "أعلنت الهيئة العامة للإحصاء أن معدل التضخم السنوي تراجع في شهر يونيو إلى اثنين في"
    " المئة.\n\nوعزت الهيئة هذا التراجع إلى انخفاض أسعار النقل والمواد الغذائية مقارنة"
    " بالشهر السابق."
)
# The same body as filed under another section: diacritics, commas and spacing differ.
INFLATION_AGAIN = INFLATION.replace("أعلنت الهيئة", "أعلنتْ الهيئةُ ،").replace(" في شهر", "  في شهر")


def article(page: str, body: str | list[str], published: str | None = None) -> Article:
    text = "\n\n".join(body) if isinstance(body, list) else body
    return Article(page_id=page, position=0, title="", body=text, published=published)


def wire_copy_articles() -> tuple[Article, Article, Article]:
    """The dispatch, a later copy with a dateline edit and an added paragraph, a look-alike."""
    edited = [DISPATCH[0].replace("صباح اليوم", "صباح أمس"), *DISPATCH[1:]]
    return (
        article("wire", DISPATCH, "2025-06-05T09:00"),
        article("paper", [*edited, " ".join(ADDED)], "2025-06-05T11:30"),
        article("other", SAME_TOPIC, "2025-06-05T10:00"),
    )


def test_exact_duplicate_across_sections():
    index = DuplicateIndex()
    assert index.add(article("local", INFLATION, "2025-07-01")) == []
    (pair,) = index.add(article("latest", INFLATION_AGAIN, "2025-07-01"))
    assert (pair.a, pair.b, pair.kind, pair.similarity) == ("latest-0", "local-0", "exact", 1.0)
    assert len(pair.shared) == 2 and pair.added_a == pair.added_b == []


def test_wire_copy_with_added_paragraph():
    dispatch, copy, look_alike = wire_copy_articles()
    index = DuplicateIndex()
    assert index.add(dispatch) == []
    assert index.add(look_alike) == []  # same event, own words: not a copy
    (pair,) = index.add(copy)
    assert (pair.a, pair.b, pair.kind) == ("wire-0", "paper-0", "near")
    assert 0.9 <= pair.similarity < 1.0  # the edited dateline costs a few shingles
    assert pair.shared == DISPATCH  # lightly edited first sentence still shared
    assert pair.added_a == [] and pair.added_b == ADDED


def test_direction_follows_publication_not_arrival():
    dispatch, copy, _ = wire_copy_articles()
    copy.published = "2025-06-04T20:00"  # the longer article appeared first
    index = DuplicateIndex()
    index.add(dispatch)
    (pair,) = index.add(copy)
    assert (pair.a, pair.b) == ("paper-0", "wire-0")
    assert pair.added_a == ADDED and pair.added_b == []


def test_copies_weeks_apart_are_templates_not_copies():
    dispatch, copy, _ = wire_copy_articles()
    copy.published = "2025-06-20T11:30"
    index = DuplicateIndex()
    index.add(dispatch)
    assert index.add(copy) == []
    index = DuplicateIndex(DedupConfig(max_days=None))
    index.add(dispatch)
    assert len(index.add(copy)) == 1


def test_short_or_empty_bodies_are_never_duplicates():
    index = DuplicateIndex()
    for page in ("x", "y"):
        assert index.add(article(page, "")) == []
        assert index.add(article(page + "2", "بقلم كاتب العمود")) == []


def test_same_text_copied_by_many_stays_one_group():
    dispatch, copy, look_alike = wire_copy_articles()
    twin = article("twin", dispatch.body, "2025-06-05T09:30")
    index = DuplicateIndex()
    pairs = [p for a in (dispatch, twin, copy, look_alike) for p in index.add(a)]
    assert {(p.a, p.b, p.kind) for p in pairs} == {
        ("wire-0", "twin-0", "exact"),
        ("wire-0", "paper-0", "near"),  # only the first of an exact group is in the LSH
    }
    assert duplicate_groups(pairs) == [["paper-0", "twin-0", "wire-0"]]


def test_duplicate_groups_are_connected_components():
    pairs = [DuplicatePair("a", "b", "near", 0.9), DuplicatePair("c", "b", "exact", 1.0)]
    pairs.append(DuplicatePair("x", "y", "near", 0.7))
    assert duplicate_groups(pairs) == [["a", "b", "c"], ["x", "y"]]
    assert duplicate_groups([]) == []


def test_alignment_survives_resplit_sentences():
    first, second = (
        "أولا جملة عن افتتاح معرض الكتاب في المدينة",
        "ثانيا جملة عن دور النشر المشاركة فيه",
    )
    a, b = f"{first}. {second}.", f"{first} و{second}."  # one copy joins the two sentences
    result = align(a, b)
    assert len(result.shared) == 2 and result.added_a == result.added_b == []
    assert align(a, "نص آخر مختلف تماما عن الموضوع.").shared == []


# --- thresholds and LSH parameters --------------------------------------------------------
def test_lsh_threshold_is_the_lowest_jaccard_of_a_copy():
    config = DedupConfig(threshold=0.6, min_ratio=0.2)
    # shorter body S = 0.2 |L|, with 0.6 of it inside L: Jaccard = 0.12 / (1 + 0.2 - 0.12)
    assert config.lsh_threshold == pytest.approx(0.12 / 1.08)
    assert DedupConfig(threshold=1.0, min_ratio=1.0).lsh_threshold == 1.0


@pytest.mark.parametrize("threshold", [0.9, 0.5, 0.3, 0.11])
def test_bands_rows_match_datasketch(threshold):
    assert optimal_bands(threshold, 128) == (
        MinHashLSH(threshold=threshold, num_perm=128).b,
        MinHashLSH(threshold=threshold, num_perm=128).r,
    )


def test_derived_bands_catch_copies_at_the_threshold():
    config = DedupConfig()
    bands, rows = config.bands_rows
    assert bands * rows <= config.num_perm

    def p_candidate(s: float) -> float:
        return 1 - (1 - s**rows) ** bands

    assert p_candidate(2 * config.lsh_threshold) > 0.9
    assert p_candidate(0.01) < 0.01


def test_buckets_and_signatures_are_stable_integers():
    shingles = np.arange(1000, dtype=np.uint32) * 7919
    sig = MinHasher(128).signature(shingles)
    assert sig.dtype == np.uint32 and sig.tolist() == MinHasher(128).signature(shingles).tolist()
    assert sig.tolist() == MinHasher(128).signature(shingles, block=7).tolist()  # blocks: same
    buckets = band_buckets(sig, 6, 2)
    assert [b >> 32 for b in buckets] == list(range(6)) and all(b >= 0 for b in buckets)
    state = MemoryBuckets()
    state.dedup_add("x", "k", buckets)
    assert state.dedup_candidates(buckets[:1]) == {"x"} and state.dedup_seen(["x", "y"]) == {"x"}


def test_minhash_estimates_jaccard():
    rng = np.random.default_rng(0)
    a = np.unique(rng.integers(0, 1 << 32, 3000, dtype=np.uint64)).astype(np.uint32)
    b = np.r_[a[:1500], np.unique(rng.integers(0, 1 << 32, 1500, dtype=np.uint64))].astype(np.uint32)
    hasher = MinHasher(256)
    estimate = np.mean(hasher.signature(a) == hasher.signature(np.unique(b)))
    true = np.intersect1d(a, b).size / np.union1d(a, b).size
    assert abs(estimate - true) < 0.06


def test_shingles_are_stable_and_order_sensitive():
    toks = arabic.tokens(DISPATCH[0])
    assert shingle_hashes(toks, 3).tolist() == shingle_hashes(list(toks), 3).tolist()
    assert len(shingle_hashes(toks, 3)) == len(toks) - 2
    assert set(shingle_hashes(toks[::-1], 3).tolist()).isdisjoint(shingle_hashes(toks, 3).tolist())
    assert shingle_hashes(toks[:2], 3).size == 0


# --- persistence: store-backed, incremental ---------------------------------------------
def stored(store, *articles: Article) -> list[Article]:
    for a in articles:
        page = Page(content=a.body, kind="text", source_path=f"{a.page_id}.txt")
        a.page_id = page.id
        store.add_extraction(Extraction(page, [a]))
    return list(articles)


def test_find_duplicates_is_incremental_and_persistent():
    dispatch, copy, look_alike = wire_copy_articles()
    with open_store(":memory:") as store:
        first = stored(store, dispatch, look_alike)
        assert find_duplicates(store, first) == []
        assert store.dedup_seen([a.id for a in first]) == {a.id for a in first}
        later = stored(store, copy, article("sec1", INFLATION), article("sec2", INFLATION_AGAIN))
        pairs = find_duplicates(store, later)  # the dispatch comes from the stored state
        assert {(p.a, p.b, p.kind) for p in pairs} == {
            (dispatch.id, copy.id, "near"),
            (later[1].id, later[2].id, "exact"),
        }
        assert sorted(store.duplicates(), key=lambda p: p.a) == sorted(pairs, key=lambda p: p.a)
        assert find_duplicates(store, [*first, *later]) == []  # re-run adds nothing
        assert len(store.duplicates()) == 2


def test_a_config_that_changes_the_keys_rebuilds_the_index():
    dispatch, copy, _ = wire_copy_articles()
    with open_store(":memory:") as store:
        first = stored(store, dispatch)
        find_duplicates(store, first)
        rows = store.counts()
        lenient = DedupConfig(threshold=0.59, fuzzy=0.7, max_days=None)  # same bands: kept
        assert find_duplicates(store, first, lenient) == []
        (pair,) = find_duplicates(store, stored(store, copy), DedupConfig(shingle=4))
        assert (pair.a, pair.b) == (dispatch.id, copy.id)  # rebuilt: the dispatch indexed again
        assert store.counts()["duplicates"] == 1 and rows["duplicates"] == 0


# --- the demo corpus: its labelled pairs, found through extraction ------------------------
def test_demo_corpus_pairs_are_the_labelled_ones():
    def key(a: str, b: str, kind: str) -> tuple:
        return (kind, a, b) if kind == "near" else (kind, frozenset((a, b)))  # exact: same time

    pages = [p for p in read([DEMO_DIR]) if isinstance(p, Page)]
    articles = sorted((a for p in pages for a in extract(p).articles), key=chronological)
    ref = {a.id: f"{Path(a.source_path).name}#{a.position}" for a in articles}
    index = DuplicateIndex()
    found = {key(ref[p.a], ref[p.b], p.kind) for a in articles for p in index.add(a)}
    assert found == {key(d["a"], d["b"], d["kind"]) for d in load_labels()["duplicates"]}


# --- real data: a bounded SaudiNewsNet sample ----------------------------------------------
@pytest.mark.skipif(not SAUDINEWSNET.exists(), reason="shared SaudiNewsNet data not available")
def test_saudinewsnet_sample_matches_brute_force():
    with gzip.open(SAUDINEWSNET, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in islice(f, 1000)]
    articles = [
        Article(f"s{i:04d}", 0, r["title"], r["content"], r["date_extracted"], r["source"])
        for i, r in enumerate(rows)
    ]
    config = DedupConfig()
    index = DuplicateIndex(config)
    found = duplicate_groups(p for a in articles for p in index.add(a))
    group_of = {x: i for i, g in enumerate(found) for x in g}

    # Brute force over all pairs (a same token sequence is a containment of 1 too; the
    # sample spans one morning, so max_days does not apply).
    toks = [arabic.tokens(a.body) for a in articles]
    keep = [i for i, t in enumerate(toks) if len(t) >= config.min_tokens]
    shingles = [shingle_hashes(toks[i], config.shingle) for i in keep]
    _, columns = np.unique(np.concatenate(shingles), return_inverse=True)
    rows = np.repeat(np.arange(len(keep)), [s.size for s in shingles])
    incidence = csr_matrix((np.ones(rows.size), (rows, columns)))
    common = (incidence @ incidence.T).tocoo()
    x, y, n = common.row, common.col, common.data
    sizes = np.array([s.size for s in shingles])
    small, large = np.minimum(sizes[x], sizes[y]), np.maximum(sizes[x], sizes[y])
    copy = (x < y) & (small >= config.min_ratio * large) & (n >= config.threshold * small)
    truth = {
        (articles[keep[i]].id, articles[keep[j]].id) for i, j in zip(x[copy], y[copy], strict=True)
    }
    assert len(truth) > 20
    recalled = [a in group_of and group_of[a] == group_of.get(b) for a, b in truth]
    assert sum(recalled) >= 0.97 * len(truth)
    members = {x for g in found for x in g}
    assert members <= {x for pair in truth for x in pair}  # nothing outside the brute force


def test_pairs_do_not_depend_on_arrival_order():
    """Every order of the same articles, one call each, stores the pairs of one call: the
    earliest copy of a body stands for it, also when it arrives last."""
    dispatch, copy, look_alike = wire_copy_articles()
    twin = article("twin", dispatch.body, "2025-06-05T08:00")  # earlier than the dispatch
    late_twin = article("late", dispatch.body, "2025-06-05T12:00")
    arts = [dispatch, copy, look_alike, twin, late_twin]
    for a in arts:  # one page per article, told apart by its record id
        page = Page(content=a.body, kind="text", source_path=a.page_id, source_id=a.page_id)
        a.page_id = page.id
    name = {a.id: p for a, p in zip(arts, ("wire", "paper", "other", "twin", "late"), strict=True)}

    def pairs_of(batches) -> set:
        with open_store(":memory:") as store:
            for batch in batches:
                for a in batch:
                    page = Page(a.body, "text", name[a.id], source_id=name[a.id])
                    store.add_extraction(Extraction(page, [a]))
                find_duplicates(store, batch)
            return {(name[p.a], name[p.b], p.kind) for p in store.duplicates()}

    expected = pairs_of([arts])
    assert expected == {
        ("twin", "wire", "exact"),
        ("twin", "late", "exact"),
        ("twin", "paper", "near"),
    }
    for order in list(itertools.permutations(range(len(arts))))[::7]:
        assert pairs_of([[arts[i]] for i in order]) == expected, order


def test_candidates_outside_max_days_are_never_fetched(store):
    """A body that recurs for months (a template) is filtered by time in the index itself:
    the stored index hands out no candidate published outside max_days."""
    dispatch, copy, _ = wire_copy_articles()
    copy.published = "2025-07-20T11:30"
    fetched: list[str] = []

    def fetch(ids):
        fetched.extend(ids)
        return store.articles(ids)

    stored(store, dispatch, copy)
    with store.transaction():
        index = DuplicateIndex(fetch=fetch, state=store)
        assert index.add(dispatch) == [] and index.add(copy) == []
    assert dispatch.id not in fetched
    shingles = shingle_hashes(arabic.tokens(copy.body), 3)
    buckets = band_buckets(MinHasher(128).signature(shingles), *DedupConfig().bands_rows)
    assert dispatch.id in store.dedup_candidates(buckets)  # same buckets: time kept it out
