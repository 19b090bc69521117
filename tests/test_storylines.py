"""Storylines: stories of one affair linked over weeks, on both backends, in any order."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from marsad.cli import main
from marsad.cluster import StorylineConfig, storyline, storylines, update_stories
from marsad.model import Article, Extraction, Page, content_hash
from marsad.store import open_store

# Invented news: a conflict in «وادي السيل» over nine days (three happenings, two outlets
# each), a date festival, and the valley again a month later (too far to be linked).
NEWS = [
    # (happening, outlet, published, title, body)
    ("clash", "صدى", "2025-04-01T08:00", "اشتباكات عنيفة بين الجيش ومسلحي الجبهة في وادي السيل",
     "اندلعت اشتباكات عنيفة بين الجيش ومسلحي الجبهة في وادي السيل شمال البلاد فجر الثلاثاء.\n\n"
     "وقال مصدر عسكري إن مسلحي الجبهة هاجموا مواقع الجيش قرب بلدة القرن في وادي السيل."),
    ("clash", "الأفق", "2025-04-01T11:00", "قتلى في معارك الجيش ومسلحي الجبهة بوادي السيل",
     "قتل 12 شخصا في معارك بين الجيش ومسلحي الجبهة في وادي السيل الثلاثاء.\n\n"
     "وأفاد سكان بأن الاشتباكات تركزت حول بلدة القرن في وادي السيل."),
    ("town", "صدى", "2025-04-05T09:00", "الجيش يستعيد بلدة القرن في وادي السيل من مسلحي الجبهة",
     "أعلن الجيش استعادة بلدة القرن في وادي السيل بعد معارك مع مسلحي الجبهة.\n\n"
     "وانسحب مسلحو الجبهة إلى التلال المحيطة بوادي السيل بحسب بيان الجيش."),
    ("town", "النهار", "2025-04-05T13:00", "مسلحو الجبهة ينسحبون من بلدة القرن بوادي السيل",
     "انسحب مسلحو الجبهة من بلدة القرن في وادي السيل بعد هجوم للجيش.\n\n"
     "وقال قائد في الجيش إن قواته تلاحق مسلحي الجبهة في تلال وادي السيل."),
    ("truce", "الأفق", "2025-04-09T10:00", "هدنة بين الجيش ومسلحي الجبهة في وادي السيل",
     "أعلن الجيش ومسلحو الجبهة هدنة في وادي السيل برعاية أممية الأربعاء.\n\n"
     "وتنص الهدنة على وقف القتال حول بلدة القرن في وادي السيل وفتح ممرات للسكان."),
    ("truce", "صدى", "2025-04-09T15:00", "الأمم المتحدة ترعى هدنة في وادي السيل",
     "رعت الأمم المتحدة هدنة بين الجيش ومسلحي الجبهة في وادي السيل.\n\n"
     "وقال المبعوث الأممي إن الهدنة تشمل بلدة القرن ووادي السيل كله."),
    ("dates", "النهار", "2025-04-05T10:00", "مهرجان التمور يفتتح أبوابه في واحة النخيل",
     "افتتح مهرجان التمور في واحة النخيل بمشاركة مئات المزارعين.\n\n"
     "ويعرض المزارعون في مهرجان التمور أصنافا نادرة من تمور واحة النخيل."),
    ("dates", "الأفق", "2025-04-05T18:00", "أصناف نادرة في مهرجان التمور بواحة النخيل",
     "يعرض مهرجان التمور في واحة النخيل أصنافا نادرة من التمور.\n\n"
     "وقال منظمو مهرجان التمور إن آلاف الزوار قصدوا واحة النخيل."),
    ("later", "صدى", "2025-05-20T09:00", "اشتباكات جديدة بين الجيش ومسلحي الجبهة في وادي السيل",
     "تجددت الاشتباكات بين الجيش ومسلحي الجبهة في وادي السيل رغم الهدنة.\n\n"
     "وقال مصدر عسكري إن مسلحي الجبهة هاجموا بلدة القرن في وادي السيل."),
    ("later", "الأفق", "2025-05-20T12:00", "انهيار الهدنة في وادي السيل",
     "انهارت الهدنة في وادي السيل مع تجدد المعارك بين الجيش ومسلحي الجبهة.\n\n"
     "وأفاد سكان بأن القتال عاد إلى محيط بلدة القرن في وادي السيل."),
]  # fmt: skip


def articles() -> list[Article]:
    return [Article(content_hash(t), 0, t, b, p, o) for _, o, p, t, b in NEWS]


def happening() -> dict[str, str]:
    return {a.id: h for a, (h, *_) in zip(articles(), NEWS, strict=True)}


def ingest(store, batch: list[Article], lines: StorylineConfig | None = None) -> None:
    for a in batch:
        store.add_extraction(Extraction(Page(a.title, "text", f"{a.page_id}.txt"), [a]))
    update_stories(store, batch, lines=lines)


def lines_of(store) -> dict[frozenset[str], str | None]:
    """Each story's happenings -> its storyline (as the set of happenings it links)."""
    what = happening()
    line_members: dict[str, set[str]] = {}
    stories = store.stories()
    for s in stories:
        if s.storyline:
            line_members.setdefault(s.storyline, set()).update(what[a] for a in s.article_ids)
    return {
        frozenset(what[a] for a in s.article_ids): (
            ",".join(sorted(line_members[s.storyline])) if s.storyline else None
        )
        for s in stories
    }


def test_an_affair_links_its_stories_and_nothing_else(store):
    ingest(store, articles())
    got = lines_of(store)
    assert set(got) == {frozenset({h}) for h in happening().values()}  # one story each
    assert got[frozenset({"clash"})] == "clash,town,truce"
    assert got[frozenset({"town"})] == got[frozenset({"truce"})] == "clash,town,truce"
    assert got[frozenset({"dates"})] is None  # a story alone has no storyline
    assert got[frozenset({"later"})] is None  # six weeks after the truce: too far
    (line,) = storylines(store)
    assert [s.start[:10] for s in line.stories] == ["2025-04-01", "2025-04-05", "2025-04-09"]
    assert line.size == 6 and line.id == line.stories[0].id
    assert storyline(store, line.id).to_dict() == line.to_dict()
    assert storyline(store, "nope") is None


def test_storylines_do_not_depend_on_batches_or_order(store_url):
    arts = articles()
    with open_store(":memory:") as one:
        ingest(one, arts)
        expected = lines_of(one)
    rng = random.Random(3)
    for trial in range(3):
        order = arts[:]
        rng.shuffle(order)
        with open_store(store_url if trial == 0 else ":memory:") as store:
            for k in range(0, len(order), 3):
                ingest(store, order[k : k + 3])
            assert lines_of(store) == expected, trial


def test_a_bridging_story_links_two_that_are_too_far_apart(store):
    arts = articles()
    bridge = [a for a, (h, *_) in zip(arts, NEWS, strict=True) if h == "town"]
    near = StorylineConfig(gap_days=4.5)  # clash→town→truce are 4 days apart, clash→truce 8
    ingest(store, [a for a in arts if a not in bridge], near)
    assert lines_of(store)[frozenset({"clash"})] is None
    assert lines_of(store)[frozenset({"truce"})] is None
    ingest(store, bridge, near)
    assert lines_of(store)[frozenset({"clash"})] == "clash,town,truce"
    # Another storyline config relinks every story (here: the same storylines).
    update_stories(store, [], lines=StorylineConfig(gap_days=9.0))
    assert lines_of(store)[frozenset({"truce"})] == "clash,town,truce"
    assert lines_of(store)[frozenset({"later"})] is None


def test_cli_and_json_show_storylines(tmp_path):
    db = str(tmp_path / "s.db")
    with open_store(db) as store:
        ingest(store, articles())
        line = storylines(store)[0]
    runner = CliRunner()
    out = runner.invoke(main, ["storylines", "--db", db])
    assert out.exit_code == 0 and f"{line.id}  [3 stories, 6 articles]" in out.output
    out = runner.invoke(main, ["storyline", line.id, "--db", db, "--json"])
    assert out.exit_code == 0
    shown = json.loads(out.output)
    assert [s["start"][:10] for s in shown["stories"]] == ["2025-04-01", "2025-04-05", "2025-04-09"]
    assert {o for s in shown["stories"] for o in s["outlets"]} == {"صدى", "الأفق", "النهار"}
    out = runner.invoke(main, ["stories", "--db", db, "--json"])
    listed = [json.loads(x) for x in out.output.splitlines()]
    assert sum(s["storyline"] == line.id for s in listed) == 3
    out = runner.invoke(main, ["storyline", "nope", "--db", db])
    assert out.exit_code != 0 and "no storyline 'nope'" in out.output
    # Who said what in one of its stories.
    out = runner.invoke(main, ["claims", line.id, "--db", db, "--json"])
    claims = [json.loads(x) for x in out.output.splitlines()]
    assert out.exit_code == 0 and claims and {c["modality"] for c in claims} <= {
        "done", "planned", "expected", "denied", "conditional"}
    text = runner.invoke(main, ["claims", line.id, "--db", db]).output
    assert claims[0]["id"] in text and "2025-04-01" in text
    assert any(c["speakers"] for c in claims)  # «وقال مصدر عسكري»
    for claim in claims:  # who is credited, and the figures given («قتل 12 شخصا»)
        if claim["speakers"]:
            assert f"← {'، '.join(claim['speakers'])}" in text
        for figure in (f for x in claim["sentences"] for f in x["figures"]):
            assert f"{figure['role'] or figure['counts']} {figure['value']}" in text


@pytest.fixture
def client(tmp_path):
    from fastapi.testclient import TestClient

    from marsad.api import create_app

    db = str(tmp_path / "s.db")
    with open_store(db) as store:
        ingest(store, articles())
    return TestClient(create_app(db))


def test_api_and_web_serve_storylines(client):
    listed = client.get("/api/storylines").json()
    assert listed["total"] == 1
    line = listed["items"][0]
    assert len(line["stories"]) == 3 and line["size"] == 6
    one = client.get(f"/api/storylines/{line['id']}")
    assert one.status_code == 200 and one.json() == line
    assert client.get("/api/storylines/nope").status_code == 404
    story = client.get(f"/api/stories/{line['stories'][1]['id']}").json()
    assert story["storyline"] == line["id"]
    page = client.get(f"/storylines/{line['id']}")
    assert page.status_code == 200 and page.text.count('class="title"') == 3
    assert "2025-04-05" in page.text and "النهار" in page.text
    assert f'href="/storylines/{line["id"]}"' in client.get(f"/stories/{line['id']}").text
    assert client.get("/storylines").status_code == 200
    assert client.get("/storylines/nope").status_code == 404


def test_the_site_has_an_icon(client):
    r = client.get("/favicon.ico", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/static/favicon.svg"
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.text.startswith("<svg")


def test_story_lists_filter_by_size_and_storyline(client, tmp_path):
    line = client.get("/api/storylines").json()["items"][0]["id"]
    items = client.get("/api/stories", params={"storyline": line, "limit": 100}).json()["items"]
    assert len(items) == 3 and {s["storyline"] for s in items} == {line}
    big = client.get("/api/stories", params={"min_size": 2, "limit": 100}).json()
    assert big["total"] == 5 and all(s["size"] >= 2 for s in big["items"])
    assert client.get("/api/stories", params={"min_size": 3}).json()["total"] == 0
    db = str(tmp_path / "c.db")
    with open_store(db) as store:
        ingest(store, articles())
    out = CliRunner().invoke(main, ["stories", "--db", db, "--json", "--storyline", line])
    assert out.exit_code == 0 and len(out.output.splitlines()) == 3
    out = CliRunner().invoke(main, ["stories", "--db", db, "--json", "--min-size", "3"])
    assert out.exit_code == 0 and out.output == ""
