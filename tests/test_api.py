"""REST API over the demo corpus: reads, the ingest endpoint, auth, limits, the OpenAPI schema,
and a bounded schemathesis fuzz run that must find no server error."""

from __future__ import annotations

import itertools
import re
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest
import schemathesis
from conftest import demo_location
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from marsad.api import create_app
from marsad.claims import article_sentences
from marsad.config import Config
from marsad.demo import DEMO_MANIFEST
from marsad.pipeline import ingest
from marsad.read import ReadConfig
from marsad.store import PoolConfig, open_store

LOCAL = ("127.0.0.1", 50000)
REMOTE = ("203.0.113.9", 50000)
FUZZ_EXAMPLES = 25

PAGE = {
    "text": (
        "افتتاح جسر الوادي الجديد\n\n"
        "افتتح وزير النقل صباح اليوم جسر الوادي الجديد الذي يربط ضفتي النهر في مدينة الريحان. "
        "وقال الوزير إن الجسر سيختصر زمن الرحلة بين الضفتين إلى عشر دقائق.\n\n"
        "وبلغت كلفة المشروع 45 مليون دينار، واستغرق بناؤه ثلاث سنوات."
    ),
    "outlet": "صدى المدائن",
    "published": "2025-07-01T10:00",
    "url": "https://example.org/bridge",
    "id": "bridge-1",
}


@pytest.fixture
def empty_db(store_url):
    return store_url


def test_stories_are_latest_first_and_page(client, demo_db):
    with open_store(demo_db) as store:
        n = len(store.stories())
    everything = client.get("/api/stories", params={"limit": 100}).json()
    assert everything["total"] == n == len(everything["items"])
    ends = [s["end"] or s["start"] or "" for s in everything["items"]]
    assert ends == sorted(ends, reverse=True)
    page = client.get("/api/stories", params={"limit": 3, "offset": 2}).json()
    assert [s["id"] for s in page["items"]] == [s["id"] for s in everything["items"][2:5]]


def test_story_filters(client):
    outlet = "مرفأ نت"
    some = client.get("/api/stories", params={"outlet": outlet, "limit": 100}).json()
    assert some["total"] > 0
    assert all(outlet in s["outlets"] for s in some["items"])
    march = client.get(
        "/api/stories", params={"since": "2025-03-01", "until": "2025-03-31", "limit": 100}
    ).json()
    assert march["total"] > 0
    assert all(s["start"][:7] <= "2025-03" <= s["end"][:7] for s in march["items"])
    assert client.get("/api/stories", params={"limit": 0}).status_code == 422


def test_story_detail_digest_and_entities(client):
    story = client.get("/api/stories").json()["items"][0]
    detail = client.get(f"/api/stories/{story['id']}").json()
    assert [a["id"] for a in detail["articles"]] != []
    assert {a["id"] for a in detail["articles"]} == set(story["article_ids"])
    digest = client.get(f"/api/stories/{story['id']}/digest").json()
    assert digest["id"] == story["id"] and digest["size"] == story["size"]
    assert set(digest) >= {"summary", "entities", "timeline", "facts", "coverage", "duplicates"}
    entities = client.get(f"/api/stories/{story['id']}/entities").json()
    assert entities == digest["entities"]
    claims = client.get(f"/api/stories/{story['id']}/claims").json()
    assert claims == digest["claims"] and claims
    assert {a for c in claims for a in c["article_ids"]} == set(story["article_ids"])


def test_every_citation_points_at_a_sentence_of_its_article(client):
    stories = client.get("/api/stories", params={"limit": 100}).json()["items"]
    multi = [s for s in stories if s["size"] > 1]
    assert multi
    checked = 0
    for story in multi:
        digest = client.get(f"/api/stories/{story['id']}/digest").json()
        for item in digest["summary"]:
            for cite in item["cites"]:
                article = client.get(f"/api/articles/{cite['article_id']}").json()
                assert 0 <= cite["sentence"] < len(article["sentences"])
                assert cite["article_id"] in story["article_ids"]
                checked += 1
    assert checked > 0


def test_articles_list_and_one_article(client, demo_db):
    listed = client.get("/api/articles", params={"limit": 5}).json()
    with open_store(demo_db) as store:
        assert listed["total"] == store.counts()["articles"]
        first = store.article(listed["items"][0]["id"])
        story = store.story_of(first.id)
    published = [a["published"] or "" for a in listed["items"]]
    assert published == sorted(published, reverse=True)
    article = client.get(f"/api/articles/{first.id}").json()
    assert article["body"] == first.body
    assert article["sentences"] == article_sentences(first)
    assert article["story_id"] == (story.id if story else None)
    outlet = client.get("/api/articles", params={"outlet": "نداء الجنوب", "limit": 100}).json()
    assert outlet["total"] > 0 and all(a["outlet"] == "نداء الجنوب" for a in outlet["items"])


def test_article_shows_what_its_page_dropped(client, demo_db):
    with open_store(demo_db) as store:
        dropped = next(
            (a, store.dropped(a.page_id)) for a in store.articles() if store.dropped(a.page_id)
        )
    article, lines = dropped
    got = client.get(f"/api/articles/{article.id}").json()["dropped"]
    assert [(d["line_no"], d["reason"]) for d in got] == [(d.line_no, d.reason) for d in lines]


def test_unknown_ids_are_404_with_a_message(client):
    for url in (
        "/api/stories/nope",
        "/api/stories/nope/digest",
        "/api/stories/nope/entities",
        "/api/stories/nope/claims",
        "/api/articles/nope",
    ):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "nope" in r.json()["detail"]


def test_nul_in_a_url_matches_nothing_on_every_backend(client):
    assert client.get("/api/stories", params={"outlet": "a\x00"}).json()["total"] == 0
    assert client.get("/api/articles/x%00y").status_code == 404
    r = client.get("/api/search", params={"q": "السيول", "outlet": "\x00"})
    assert r.status_code == 200 and r.json()["items"] == []


def test_days_are_iso_days_only(client):
    for bad in ("0", "1700000000", "2025-3-1", "yesterday"):
        assert client.get("/api/stories", params={"since": bad}).status_code == 422, bad


def test_search_finds_a_clitic_prefixed_word(client):
    r = client.get("/api/search", params={"q": "والسيول"})
    assert r.status_code == 200
    hits = r.json()["items"]
    assert hits and all("<mark>" in h["snippet"] for h in hits)
    assert client.get("/api/search", params={"q": ""}).status_code == 422


def test_search_stories_ranks_the_story_with_most_matching_articles(client):
    r = client.get("/api/search/stories", params={"q": "والسيول", "limit": 3})
    assert r.status_code == 200, r.text
    (top, *_) = r.json()["items"]
    assert "مرسى الزين" in top["title"] and top["matched"] >= 3 and top["size"] >= top["matched"]
    assert "<mark>" in top["best"]["snippet"]
    assert client.get("/api/search/stories", params={"q": '"غير مغلق'}).status_code == 400


# --- ingest, auth and limits --------------------------------------------------------------
def test_post_pages_from_localhost_without_token(empty_db):
    client = TestClient(create_app(empty_db), client=LOCAL)
    r = client.post("/api/pages", json=PAGE)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["new_pages"] == 1 and report["articles"] == 1
    assert report["records"] == [
        {
            "record": 0,
            "page_id": report["records"][0]["page_id"],
            "status": "new",
            "reason": None,
            "warnings": [],
        }
    ]
    again = client.post("/api/pages", json=[PAGE]).json()
    assert again["known_pages"] == 1 and again["records"][0]["status"] == "known"
    article = client.get("/api/articles").json()["items"][0]
    assert article["outlet"] == PAGE["outlet"] and article["source_id"] == "bridge-1"
    assert client.get("/api/stories").json()["total"] == 1
    twice = {**PAGE, "id": "bridge-2"}  # another record of the same text: a new page
    statuses = [
        r["status"] for r in client.post("/api/pages", json=[twice, twice]).json()["records"]
    ]
    assert statuses == ["new", "known"]


def test_digests_and_listings_follow_the_store_as_it_grows(empty_db):
    client = TestClient(create_app(empty_db), client=LOCAL)
    client.post("/api/pages", json=PAGE)
    story = client.get("/api/stories").json()["items"][0]
    assert client.get(f"/api/stories/{story['id']}/digest").json()["size"] == 1
    assert client.get("/api/articles").json()["total"] == 1
    second = {
        "text": (
            "وزير النقل يفتتح جسر الوادي\n\n"
            "افتتح وزير النقل جسر الوادي الجديد في مدينة الريحان صباح اليوم، ويربط الجسر ضفتي "
            "النهر. وقال الوزير إن جسر الوادي سيختصر زمن الرحلة بين الضفتين إلى عشر دقائق. "
            "وبلغت كلفة جسر الوادي 45 مليون دينار."
        ),
        "outlet": "مرفأ نت",
        "published": "2025-07-01T12:00",
    }
    assert client.post("/api/pages", json=second).json()["stories_touched"] == 1
    stories = client.get("/api/stories").json()["items"]
    assert [s["size"] for s in stories] == [2]
    digest = client.get(f"/api/stories/{stories[0]['id']}/digest").json()
    assert digest["size"] == 2 and set(digest["outlets"]) == {"صدى المدائن", "مرفأ نت"}
    assert client.get("/api/articles").json()["total"] == 2  # listings follow the store


def test_failing_records_are_reported_and_the_rest_stored(empty_db):
    config = Config(read=ReadConfig(max_page_mb=0.002))
    client = TestClient(create_app(empty_db, config=config), client=LOCAL)
    records = [
        {"text": "  \n "},
        {**PAGE, "published": "next week"},
        {"text": "سطر " * 1000},
        PAGE,
    ]
    r = client.post("/api/pages", json=records)
    assert r.status_code == 207, r.text  # some records failed, the others are stored
    got = r.json()["records"]
    assert [x["status"] for x in got] == ["failed", "new", "failed", "known"]
    assert [x["reason"] for x in got] == [
        "the page's text is blank",
        None,
        "page larger than 0.002 MB",
        None,
    ]
    # an unreadable date loses the date, not the page (as reading a file does)
    assert got[1]["warnings"] == [
        "published: unrecognised date 'next week'; the record's date is ignored"
    ]
    assert r.json()["articles"] == 1


def test_a_page_without_content_words_is_stored(empty_db):
    """Found by the fuzz run: an article of punctuation and stopwords has no terms."""
    client = TestClient(create_app(empty_db), client=LOCAL)
    r = client.post("/api/pages", json=[{"text": "<<< >>>"}, {"text": "في من على"}])
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["records"]] == ["new", "new"]


def test_writes_without_token_only_from_this_machine(empty_db):
    for host in ("127.0.0.2", "::1", "::ffff:127.0.0.1"):
        local = TestClient(create_app(empty_db), client=(host, 5000))
        assert local.post("/api/pages", json=PAGE).status_code == 200, host
    remote = TestClient(create_app(empty_db), client=REMOTE)
    r = remote.post("/api/pages", json=PAGE)
    assert r.status_code == 403 and "token" in r.json()["detail"]
    assert remote.get("/api/stories").status_code == 200  # reads stay open


def test_token_is_required_and_checked(empty_db):
    client = TestClient(create_app(empty_db, token="s3cret"), client=LOCAL)
    missing = client.post("/api/pages", json=PAGE)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = client.post("/api/pages", json=PAGE, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    ok = client.post("/api/pages", json=PAGE, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200
    remote = TestClient(create_app(empty_db, token="s3cret"), client=REMOTE)
    r = remote.post("/api/pages", json=PAGE, headers={"Authorization": "Bearer s3cret"})
    assert r.status_code == 200  # with a token, the machine does not matter


def test_body_over_the_limit_is_413(empty_db):
    client = TestClient(create_app(empty_db, max_body_mb=0.01), client=LOCAL)
    big = {**PAGE, "text": PAGE["text"] * 60}
    assert len(str(big).encode()) > 0.01 * 1024 * 1024
    assert client.post("/api/pages", json=big).status_code == 413
    assert client.post("/api/pages", json=PAGE).status_code == 200


@pytest.mark.parametrize(
    ("body", "where", "words"),
    [
        ({"text": 5}, ["body", 0, "text"], "string"),
        ({"outlet": "x"}, ["body", 0], "exactly one of 'text' or 'html'"),
        ({"text": "a", "html": "<p>a</p>"}, ["body", 0], "exactly one"),
        ({"text": None}, ["body", 0, "text"], "string"),
        ({**PAGE, "source": "x"}, ["body", 0, "source"], "not permitted"),
        ([], ["body"], "at least 1"),
        ("just text", ["body"], "list"),
    ],
)
def test_bad_records_are_422_with_where_and_why(empty_db, body, where, words):
    client = TestClient(create_app(empty_db), client=LOCAL)
    r = client.post("/api/pages", json=body)
    assert r.status_code == 422
    errors = r.json()["detail"]
    assert any(e["loc"] == where and words in e["msg"] for e in errors), errors


def test_invalid_json_is_422(empty_db):
    client = TestClient(create_app(empty_db), client=LOCAL)
    r = client.post(
        "/api/pages", content=b'{"text": ', headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422


# --- the schema and a bounded fuzz run ----------------------------------------------------
def test_openapi_schema_is_valid_and_documents_responses(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    assert {"/api/pages", "/api/stories", "/api/stories/{story_id}/digest", "/api/search"} <= set(
        paths
    )
    assert "413" in paths["/api/pages"]["post"]["responses"]
    assert "StoryDigest" in spec["components"]["schemas"]
    schemathesis.openapi.from_dict(spec).validate()  # raises on an invalid OpenAPI document
    docs = client.get("/docs")
    assert docs.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text) + re.findall(
        r"url: '([^']+)'", docs.text
    )
    assert assets and all(a.startswith("/") for a in assets), assets  # nothing from a CDN
    assert all(client.get(a).status_code == 200 for a in assets)
    # the bundled Swagger UI reads the spec's OpenAPI version (4.x renders nothing for 3.1)
    bundle = client.get(next(a for a in assets if a.endswith("swagger-ui-bundle.js"))).text
    major = int(re.search(r'PACKAGE_VERSION:"(\d+)\.', bundle).group(1))
    assert spec["openapi"].startswith("3.1") and major >= 5


@pytest.fixture(params=["sqlite", "postgresql"])
def fuzz_db(request, tmp_path_factory) -> str:
    """The demo on its own store: fuzzing posts pages."""
    return demo_location(request, tmp_path_factory)


def test_fuzz_finds_no_server_error(fuzz_db):
    """Every operation, generated requests (schema-valid and not), over a copy of the demo
    with a token: no 5xx, responses match their documented schemas and status codes.

    (schemathesis's pytest loaders do not run under pytest 9, so hypothesis drives the
    strategies directly.)"""
    db = fuzz_db
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(db, token="fuzz"))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    calls: list[str] = []

    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(mode))
        @settings(
            max_examples=FUZZ_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            calls.append(case.operation.label)
            # a query with no searchable word is a documented 400, whatever its schema says
            lenient = (
                [positive_data_acceptance] if case.operation.path.startswith("/api/search") else []
            )
            case.call_and_validate(
                headers={"Authorization": "Bearer fuzz"}, excluded_checks=lenient
            )

        try:
            check()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # nothing to break in a bare path parameter
    assert len(calls) >= len(operations) * 2 * 5


def test_serve_builds_the_app_with_the_token_from_the_environment(monkeypatch, tmp_path):
    import uvicorn
    from click.testing import CliRunner

    from marsad.cli import main

    served = {}
    monkeypatch.setattr(
        uvicorn.Server, "run", lambda self, sockets: served.update(app=self.config.app, s=sockets)
    )
    with socket.socket() as probe:  # a port free now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = str(tmp_path / "serve.db")
    result = CliRunner().invoke(
        main, ["serve", "--db", db, "--port", str(port)], env={"MARSAD_TOKEN": "from-env"}
    )
    assert result.exit_code == 0, result.output
    [sock] = served["s"]  # bound by marsad before it printed the URL
    assert sock.getsockname() == ("127.0.0.1", port) and f"127.0.0.1:{port}/" in result.output
    sock.close()
    client = TestClient(served["app"], client=LOCAL)
    assert client.post("/api/pages", json=PAGE).status_code == 401
    ok = client.post("/api/pages", json=PAGE, headers={"Authorization": "Bearer from-env"})
    assert ok.status_code == 200


def test_concurrent_requests_share_the_pooled_connections(pg_cluster):
    import psycopg

    db = pg_cluster.new_url()
    with open_store(db) as store:
        ingest([DEMO_MANIFEST], store)
    app = create_app(db, config=Config(pool=PoolConfig(size=2)))
    urls = ["/api/search?q=الشرفة", "/api/stories", "/api/search/stories?q=زاهران", "/"]
    with TestClient(app) as client:
        want = [client.get(url).text for url in urls]
        with ThreadPoolExecutor(8) as workers:
            got = list(workers.map(lambda i: client.get(urls[i % 4]).text, range(32)))
        assert got == want * 8
        stats = app.state.marsad.stores.pool.pool.get_stats()
        assert stats["connections_num"] <= 2 and stats["requests_num"] >= 36
        with psycopg.connect(db) as conn:
            sessions = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            assert conn.execute(sessions).fetchone()[0] <= 3  # the pool's two and this one
    with pytest.raises(Exception, match="closed"):  # the app's shutdown closed the pool
        app.state.marsad.stores.pool.pool.getconn()


def test_search_folds_a_page_filed_twice_into_one_hit(empty_db):
    client = TestClient(create_app(empty_db), client=LOCAL)
    copy = {**PAGE, "id": "bridge-2", "url": "https://example.org/bridge-copy"}
    assert client.post("/api/pages", json=[PAGE, copy]).status_code == 200
    hits = client.get("/api/search", params={"q": "الجسر"}).json()["items"]
    assert len(hits) == 1 and len(hits[0]["copies"]) == 1
    assert hits[0]["copies"][0] != hits[0]["article_id"]
