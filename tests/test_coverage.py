"""Who covered a story: outlet shares, blindspots, and the story filters the UI, the API and the
CLI share (`Window`), on both backends over the demo corpus."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from click.testing import CliRunner

from marsad.cli import main
from marsad.coverage import blindspot, coverage
from marsad.model import UNNAMED, Story
from marsad.store import open_store
from marsad.web import views
from marsad.web.queries import Window


def story(sid: str, outlets: list[str], start: str = "2025-03-01", **kw: object) -> Story:
    return Story(sid, sid, [f"{sid}-{i}" for i in range(len(outlets))], sorted(set(outlets)),
                 start, kw.pop("end", start), **kw)  # fmt: skip


def test_coverage_counts_each_outlets_articles():
    c = coverage(["a", "b", "c", "d", "e"], {"a": "Y", "b": "X", "c": "Y", "d": None})
    assert c.counts == (("Y", 2), (UNNAMED, 2), ("X", 1))  # the most first; no outlet: unnamed
    assert (c.size, c.outlets) == (5, 3)
    assert c.describe() == f"Y 2، {UNNAMED} 2، X 1"


def test_blindspots_are_stories_only_it_covered_and_ones_others_did():
    stories = [
        story("alone", ["A", "A"]),
        story("shared", ["A", "B"]),
        story("two", ["B", "C"]),
        story("one-other", ["B"]),
        story("three", ["B", "C", "D"]),
    ]
    spots = blindspot(stories, "A")
    assert [s.id for s in spots.only] == ["alone"]
    assert [s.id for s in spots.missed] == ["three", "two"]  # the most covered first
    assert [s.id for s in blindspot(stories, "A", others=3).missed] == ["three"]
    assert [s.id for s in blindspot(stories, "B").only] == ["one-other"]


def test_window_filters_stories_by_outlet_days_size_and_storyline():
    stories = [
        story("march", ["A"], "2025-03-01"),
        story("spring", ["A", "B"], "2025-03-30", end="2025-04-02", storyline="l1"),
        story("may", ["B", "B", "C"], "2025-05-10", storyline="l1"),
        story("undated", ["C"], None),
    ]

    def ids(**kw: object) -> list[str]:
        return [s.id for s in Window(**kw).stories(stories)]

    assert ids() == ["march", "spring", "may", "undated"]
    assert ids(outlet="A") == ["march", "spring"]
    assert ids(min_size=2) == ["spring", "may"]
    assert ids(min_size=3) == ["may"]
    assert ids(storyline="l1", outlet="C") == ["may"]
    assert ids(since=dt.date(2025, 4, 1)) == ["spring", "may"]  # a span overlapping the days
    assert ids(until=dt.date(2025, 3, 31)) == ["march", "spring"]
    assert ids(since=dt.date(2025, 4, 3), until=dt.date(2025, 5, 9)) == []


# --- over the demo, on both backends (conftest's demo store and client) --------------------


@pytest.fixture(scope="module")
def demo(demo_db) -> tuple[list[Story], dict[str, str | None]]:
    with open_store(demo_db) as store:
        return store.stories(), {a.id: a.outlet for a in store.articles()}


def busiest(stories: list[Story]) -> str:
    counts: dict[str, int] = {}
    for s in stories:
        for o in s.outlets:
            counts[o] = counts.get(o, 0) + 1
    return max(counts, key=lambda o: (counts[o], o))


def spotted(stories: list[Story]) -> str:
    """An outlet that has stories only it covered, and missed some that others covered."""
    return next(o for o in sorted({o for s in stories for o in s.outlets})
                if blindspot(stories, o).only and blindspot(stories, o).missed)  # fmt: skip


def test_api_and_cli_filter_stories_alike(client, demo, demo_db):
    stories, outlet_of = demo
    outlet, since = busiest(stories), "2025-06-01"
    expected = {s.id for s in stories
                if outlet in s.outlets and s.size >= 2 and (s.end or s.start or "") >= since}  # fmt: skip
    assert 0 < len(expected) < len(stories)
    params = {"outlet": outlet, "min_size": 2, "since": since, "limit": 100}
    got = client.get("/api/stories", params=params).json()
    assert got["total"] == len(expected) and {s["id"] for s in got["items"]} == expected
    for item in got["items"]:  # each outlet's articles, the most first, summing to the size
        counts = list(item["outlet_articles"].values())
        assert sum(counts) == item["size"] and counts == sorted(counts, reverse=True)
        assert item["outlet_articles"][outlet] == sum(
            outlet_of[a] == outlet for a in item["article_ids"]
        )
    detail = client.get(f"/api/stories/{got['items'][0]['id']}").json()
    assert detail["outlet_articles"] == got["items"][0]["outlet_articles"]
    args = ["stories", "--db", demo_db, "--json", "--outlet", outlet, "--min-size", "2",
            "--since", since]  # fmt: skip
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    assert {json.loads(line)["id"] for line in out.output.splitlines()} == expected
    until = CliRunner().invoke(main, ["stories", "--db", demo_db, "--until", "1999-01-01"])
    assert until.exit_code == 0 and until.output == ""


def test_api_and_cli_list_an_outlets_blindspots(client, demo, demo_db):
    stories, _ = demo
    outlet = spotted(stories)
    only = {s.id for s in stories if s.outlets == [outlet]}
    missed = {s.id for s in stories if outlet not in s.outlets and len(s.outlets) >= 2}
    assert only and missed
    got = client.get(f"/api/outlets/{outlet}/blindspot", params={"limit": 100}).json()
    assert (got["only_total"], got["missed_total"]) == (len(only), len(missed))
    assert {s["id"] for s in got["only"]} == only and {s["id"] for s in got["missed"]} == missed
    assert client.get("/api/outlets/nobody/blindspot").status_code == 404
    out = CliRunner().invoke(main, ["blindspot", outlet, "--db", demo_db, "--json"])
    assert out.exit_code == 0, out.output
    kinds = [json.loads(line) for line in out.output.splitlines()]
    assert {s["id"] for s in kinds if s["blindspot"] == "missed"} == missed
    out = CliRunner().invoke(main, ["blindspot", "nobody", "--db", demo_db])
    assert out.exit_code == 1 and "no story of outlet 'nobody'" in out.output


def bars(html: str) -> list[tuple[str, list[float]]]:
    """Each coverage bar's label and segment widths."""
    found = re.findall(r'<span class="coverage" role="img" aria-label="([^"]+)"[^>]*>((?:<span[^>]*></span>)*)</span>',
                       html)  # fmt: skip
    return [(label, [float(w) for w in re.findall(r"width: ([\d.]+)%", body)])
            for label, body in found]  # fmt: skip


def test_story_list_shows_each_storys_coverage(client, demo):
    stories, outlet_of = demo
    html = client.get("/?min_size=2").text
    shown = bars(html)
    assert len(shown) == sum(s.size >= 2 for s in stories)
    for label, widths in shown:
        assert abs(sum(widths) - 100) < 0.1
        size = int(re.search(r"المقالات: (\d+)", label).group(1))
        counts = [int(n) for n in re.findall(r" (\d+)(?:،|$)", label.split(" — ")[1])]
        assert sum(counts) == size and len(counts) == len(widths)
    biggest = max(stories, key=lambda s: s.size)
    page = client.get(f"/stories/{biggest.id}").text
    label, widths = bars(page)[0]
    expected = coverage(biggest.article_ids, outlet_of)
    assert label.endswith(expected.describe()) and len(widths) == expected.outlets
    assert 'class="plain legend"' in page


def test_story_list_filters_stay_across_pages(client, demo, monkeypatch):
    stories, _ = demo
    outlet = busiest(stories)
    mine = [s for s in stories if outlet in s.outlets]
    monkeypatch.setattr(views, "PER_PAGE", 2)
    first = client.get("/", params={"outlet": outlet, "until": "2025-12-31"})
    assert first.status_code == 200
    later = re.search(r'<a href="(/\?[^"]*page=2[^"]*)">', first.text).group(1)
    query = parse_qs(urlsplit(later.replace("&amp;", "&")).query)
    assert query == {"outlet": [outlet], "until": ["2025-12-31"], "page": ["2"]}
    second = client.get(unquote(later.replace("&amp;", "&")))
    titles = re.findall(r'<a class="title" href="/stories/([^"]+)"', first.text + second.text)
    assert len(titles) == 4 and set(titles) <= {s.id for s in mine}
    assert f"عدد القصص: {len(mine)}" in first.text
    assert f'<option selected>{outlet}</option>' in first.text  # the form keeps its values
    bad = client.get("/", params={"since": "03/10/2025"})
    assert bad.status_code == 400 and "2025-03-10" in bad.text


def test_day_fields_read_iso_days_in_any_browser_locale(client):
    for path in ("/", "/search?q=x"):
        html = client.get(path).text
        assert 'type="date"' not in html  # Chromium shows mm/dd/yyyy on an English system
        assert html.count('placeholder="2025-03-10"') == 2


def test_outlet_pages_list_its_blindspots(client, demo):
    stories, _ = demo
    outlet = spotted(stories)
    index = client.get("/outlets").text
    assert f'href="/outlets/{outlet}"' not in index  # linked url-encoded
    assert index.count("<tr><td><a href=") == len({o for s in stories for o in s.outlets})
    html = client.get(f"/outlets/{outlet}").text
    assert "إلغاء التصفية" not in html  # nothing filtered yet
    only, missed = html.split('<section class="missed">')
    ids = lambda part: set(re.findall(r'href="/stories/([^"]+)"', part))  # noqa: E731
    assert ids(only) == {s.id for s in stories if s.outlets == [outlet]}
    assert ids(missed) == {s.id for s in stories
                           if outlet not in s.outlets and len(s.outlets) >= 2}  # fmt: skip
    assert client.get("/outlets/nobody").status_code == 404
