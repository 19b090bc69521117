import gzip
import json
import socket

import pytest
from click.testing import CliRunner

from marsad.cli import main
from marsad.demo import DEMO_MANIFEST
from marsad.store import open_store

PAGE = """\
افتتاح معرض الكتاب في الدوحة بمشاركة واسعة

زوار يتجولون بين أجنحة المعرض (أ.ف.ب)
زوار يتجولون بين أجنحة المعرض (أ.ف.ب)
TT

افتتح وزير الثقافة صباح السبت الدورة الجديدة من معرض الكتاب بمشاركة أكثر من خمسمئة دار نشر من ثلاثين دولة.

وقال الوزير في كلمة الافتتاح إن المعرض أصبح موعداً سنوياً ينتظره القراء والناشرون على حد سواء.

وتتضمن الدورة الحالية برنامجاً ثقافياً يضم ندوات وأمسيات شعرية وورش عمل للأطفال تستمر عشرة أيام.

كلمات دلالية: معرض الكتاب الدوحة الثقافة
"""

EMPTY_HTML = "<html><head><title>x</title></head><body><nav>الرئيسية</nav></body></html>"


@pytest.fixture
def batch(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(PAGE, encoding="utf-8")
    (d / "legacy.txt").write_bytes(PAGE.replace("الدوحة", "عمّان").encode("cp1256"))
    (d / "empty.txt").write_bytes(b"")
    (d / "binary.dat").write_bytes(bytes(range(256)) * 100)
    full = gzip.compress(PAGE.encode() * 50)
    (d / "cut.txt.gz").write_bytes(full[:200])
    (d / "nothing.html").write_text(EMPTY_HTML)
    (d / "huge.txt").write_bytes(b"x" * (11 * 1024 * 1024))
    return d


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result


def test_ingest_bad_input_batch_goes_on(batch, tmp_path):
    db = tmp_path / "m.db"
    result = run("ingest", batch, "--db", db)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "empty.txt: empty file" in out
    assert "binary.dat: binary file" in out
    assert "cut.txt.gz: truncated or corrupt gzip" in out
    assert "huge.txt: 11.0 MB is too large for one page" in out
    with open_store(db) as store:
        articles = list(store.articles())
        assert len(articles) == 2  # good.txt and the cp1256 page; the empty HTML yields none
        assert all("كلمات دلالية" not in a.body and "(أ.ف.ب)" not in a.body for a in articles)
        assert {a.title for a in articles} == {
            "افتتاح معرض الكتاب في الدوحة بمشاركة واسعة",
            "افتتاح معرض الكتاب في عمّان بمشاركة واسعة",
        }
        assert len(store.failures()) == 4
        (notice,) = store.notices()  # stored, but it says why nothing came of it
        assert notice.source_path.endswith("nothing.html")
        assert notice.message.startswith("no article found (dropped: ")
    assert "stored with notices: 1" in out and "nothing.html: no article found" in out

    again = run("ingest", batch, "--db", db)
    assert "0 new, 3 already stored" in again.output
    with open_store(db) as store:
        assert store.counts()["articles"] == 2


def test_extract_shows_dropped_lines_with_reasons(batch):
    result = run("extract", batch / "good.txt")
    assert result.exit_code == 0
    assert "=== article 0: افتتاح معرض الكتاب" in result.output
    assert "[" in result.output.split("--- dropped", 1)[1]
    as_json = json.loads(run("extract", batch / "good.txt", "--json").output)
    assert {d["reason"] for d in as_json["dropped"]}  # every dropped line has a reason
    assert "TT" in {d["text"] for d in as_json["dropped"]}


def test_articles_json_export_schema(batch, tmp_path):
    db = tmp_path / "m.db"
    run("ingest", batch, "--db", db)
    lines = run("articles", "--db", db, "--json").output.splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 2
    required = {
        "id",
        "source_id",
        "page_id",
        "source_path",
        "position",
        "title",
        "body",
        "published",
        "outlet",
        "credits",
    }
    assert all(required <= set(r) for r in records)
    assert all("أ.ف.ب" in r["credits"] for r in records)


def test_bad_config_is_a_clear_error(batch, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[read]\nmax_page_megabytes = 3\n")
    result = run("ingest", batch, "--db", tmp_path / "m.db", "--config", cfg)
    assert result.exit_code != 0
    assert "unknown key(s) in [read]: max_page_megabytes" in result.output


def test_stories_json_and_story_view(tmp_path):
    db = tmp_path / "m.db"
    run("ingest", DEMO_MANIFEST, "--db", db)
    stories = [
        json.loads(line) for line in run("stories", "--db", db, "--json").output.splitlines()
    ]
    assert stories[0]["size"] == len(stories[0]["article_ids"]) == len(stories[0]["source_ids"]) > 1
    with_copies = [s for s in stories if "duplicates:" in run("story", s["id"], "--db", db).output]
    assert with_copies  # the demo's wire copy and exact copy are shown on their story
    detail = json.loads(run("story", with_copies[0]["id"], "--db", db, "--json").output)
    assert detail["duplicate_groups"] and detail["duplicates"][0]["shared"]
    steps = [a for d in detail["developments"] for a in d["article_ids"]]
    assert sorted(steps) == sorted(detail["article_ids"])  # the developments partition it
    assert run("story", "s-nope", "--db", db).exit_code != 0


def test_digest_writes_json_and_html_and_fails_clearly_on_nothing(batch, tmp_path):
    out = tmp_path / "out"
    result = run("digest", batch, "--out", out)
    assert result.exit_code == 0, result.output
    assert "empty.txt: empty file" in result.output  # bad files named, the rest digested
    digest = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    assert len(digest["articles"]) == 2 and (out / "marsad.db").is_file()
    assert '<html lang="ar" dir="rtl">' in (out / "digest.html").read_text(encoding="utf-8")
    only_big = run("digest", batch, "--out", tmp_path / "big", "--min-size", 3)
    assert only_big.exit_code == 0, only_big.output
    big = json.loads((tmp_path / "big" / "digest.json").read_text(encoding="utf-8"))
    assert big["stories"] == [] and big["articles"] == []
    nothing = run("digest", tmp_path / "missing.txt", "--out", tmp_path / "none")
    assert nothing.exit_code == 1
    assert "missing.txt: no such file or folder" in nothing.output
    assert "no page could be read" in nothing.output


def test_repair_and_digest_of_an_existing_store(tmp_path):
    """`marsad repair` finishes queued work; `marsad digest --db` reports a store as it is."""

    db = tmp_path / "m.db"
    assert run("ingest", DEMO_MANIFEST, "--db", db, "--workers", 1).exit_code == 0
    with open_store(db) as store:
        before = sorted((s.id, tuple(s.article_ids)) for s in store.stories())
        store.set_state("cluster_state", b"made by another version")
    repaired = run("repair", "--db", db)
    assert repaired.exit_code == 0 and "processed 34 queued articles" in repaired.output
    with open_store(db) as store:
        assert sorted((s.id, tuple(s.article_ids)) for s in store.stories()) == before
    out = tmp_path / "report"
    result = run("digest", "--db", db, "--out", out, "--workers", 1)
    assert result.exit_code == 0, result.output
    assert len(json.loads((out / "digest.json").read_text())["stories"]) == len(before)
    assert run("digest", "--out", out).exit_code == 2  # neither pages nor a store


def test_a_full_disk_is_a_clear_error(tmp_path, monkeypatch):
    import sqlite3

    import marsad.pipeline

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(marsad.pipeline, "ingest", full)
    result = CliRunner().invoke(main, ["ingest", str(tmp_path), "--db", str(tmp_path / "m.db")])
    assert result.exit_code == 1
    assert "disk is full" in result.output and "run the same command again" in result.output


def test_ingest_says_what_a_folder_shares(tmp_path):
    """--outlet, --published, --url-prefix fill what pages do not state; a page's own date
    wins; a bad date is refused before anything is read."""
    folder = tmp_path / "pages"
    folder.mkdir()
    body = "وقال المتحدث إن فرق الإنقاذ انتشلت ناجين من تحت الأنقاض في المدينة صباح اليوم."
    (folder / "a.txt").write_text(f"زلزال يضرب المدينة\n\n{body}\n", encoding="utf-8")
    (folder / "b.txt").write_text(
        f"فرق الإنقاذ تواصل البحث\n\n2024-08-20\n\n{body} وأضاف أن البحث مستمر.\n", encoding="utf-8"
    )
    db = str(tmp_path / "s.db")
    args = ["ingest", str(folder), "--db", db, "--workers", "1", "--outlet", "صدى الوادي",
            "--published", "2024-08-19", "--url-prefix", "https://example.org/news/"]  # fmt: skip
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    with open_store(db) as store:
        got = {a.title: (a.outlet, a.published, a.url) for a in store.articles()}
    assert got["زلزال يضرب المدينة"] == (
        "صدى الوادي", "2024-08-19", "https://example.org/news/a.txt"
    )
    assert got["فرق الإنقاذ تواصل البحث"][1].startswith("2024-08-20")  # its own date wins
    bad = CliRunner().invoke(main, [*args[:4], "--published", "next week"])
    assert bad.exit_code == 2 and "--published" in bad.output


def test_read_commands_refuse_a_store_that_does_not_exist(tmp_path):
    """A mistyped --db is an error, not a new empty store; a folder or an unreachable server
    is a clear message, not a traceback."""
    missing = tmp_path / "typo" / "news.db"
    for args in (["stories"], ["articles"], ["storylines"], ["story", "s-1"], ["claims", "s-1"],
                 ["search", "قمة"], ["repair"], ["digest", "--out", str(tmp_path / "o")],
                 ["blindspot", "صدى"]):  # fmt: skip
        out = CliRunner().invoke(main, [*args, "--db", str(missing)])
        assert out.exit_code == 1, (args, out.output)
        assert f"no store at {missing}" in out.output, args
    assert not missing.parent.exists()
    out = CliRunner().invoke(main, ["stories", "--db", str(tmp_path)])
    assert out.exit_code == 1 and "is a folder, not a store file" in out.output
    url = "postgresql://nobody:secret@127.0.0.1:1/none"
    out = CliRunner().invoke(main, ["stories", "--db", url])
    assert out.exit_code == 1 and "cannot connect to PostgreSQL" in out.output, out.output
    assert "secret" not in out.output and "Traceback" not in out.output
    out = CliRunner().invoke(main, ["serve", "--db", url, "--pool-size", "2"])
    assert out.exit_code == 1 and "cannot connect to PostgreSQL" in out.output, out.output
    assert "secret" not in out.output and "Traceback" not in out.output


def test_pool_size_comes_from_config_or_cli(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[pool]\nsize = 0\n")
    out = CliRunner().invoke(main, ["serve", "--config", str(cfg)])
    assert out.exit_code == 1 and "[pool]: size must be at least 1, not 0" in out.output
    out = CliRunner().invoke(main, ["serve", "--pool-size", "0"])
    assert out.exit_code == 2 and "--pool-size" in out.output


def test_an_empty_folder_is_nothing_to_ingest(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = CliRunner().invoke(main, ["ingest", str(empty), "--db", str(tmp_path / "s.db")])
    assert out.exit_code == 1 and "nothing to read in" in out.output


def test_inferred_days_are_marked_in_listings(tmp_path):
    from test_sources import BODY

    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.jsonl").write_text(
        json.dumps({"id": "x1", "text": f"عنوان عن الجسر\n\n{BODY}", "outlet": "صدى المدائن",
                    "published": "2024-08-18T10:00"}, ensure_ascii=False) + "\n"
        + json.dumps({"id": "x2", "text": f"عنوان عن الجسر\n\n{BODY.replace('صباح اليوم', 'أمس الأحد')}",
                      "outlet": "مرفأ نت"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    db = tmp_path / "m.db"
    run("ingest", folder, "--db", db)
    stories = run("stories", "--db", db).output
    assert "2024-08-18T10:00 → 2024-08-19~" in stories
    listed = run("articles", "--db", db).output
    assert "2024-08-19~" in listed and "2024-08-18T10:00" in listed
    rows = [json.loads(line) for line in run("articles", "--db", db, "--json").output.splitlines()]
    (inferred,) = [r["published_inferred"] for r in rows if "published_inferred" in r]
    assert inferred["day"] == "2024-08-19" and inferred["basis"] == "story"


def test_serve_on_a_busy_port_fails_before_printing_its_url(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = ["serve", "--db", str(tmp_path / "s.db"), "--port", str(port)]
        out = CliRunner().invoke(main, args)
    assert out.exit_code == 1, out.output
    assert f"cannot serve on 127.0.0.1:{port}" in out.output and "another --port" in out.output
    assert "http://" not in out.output and "Traceback" not in out.output
    out = CliRunner().invoke(main, [*args[:3], "--host", "no-such-host.invalid"])
    assert out.exit_code == 1 and "cannot serve on no-such-host.invalid" in out.output


def test_an_unwritable_out_folder_is_a_clear_error(tmp_path):
    db = tmp_path / "s.db"
    assert CliRunner().invoke(main, ["ingest", str(DEMO_MANIFEST), "--db", str(db)]).exit_code == 0
    (tmp_path / "file").write_text("x")
    out = CliRunner().invoke(main, ["digest", "--db", str(db), "--out", str(tmp_path / "file/o")])
    assert out.exit_code == 1 and f"cannot write --out {tmp_path / 'file/o'}" in out.output
    assert out.exception is None or isinstance(out.exception, SystemExit)
