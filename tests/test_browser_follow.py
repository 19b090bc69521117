"""The follow and changes views in a real headless Chromium: day 1 of the demo, follow the
flood story with its button, day 2 arrives, the story list marks it «جديد», the changes page
lists its new articles and claims, unfollowing from there empties the list, and a search
saved from the search page is listed there. Screenshots
go to $MARSAD_ARTIFACTS (default test-artifacts/)."""

from __future__ import annotations

import pytest
from test_browser import ARTIFACTS, CHROMIUM, serving, sync_api  # skips without Chromium
from test_follow import day_two, flood_story, manifest

from marsad.pipeline import ingest
from marsad.store import open_store


@pytest.fixture
def server(tmp_path):
    """Day 1 of the demo served on a free port; yields (url, store path, day-2 manifest)."""
    db = str(tmp_path / "follow.db")
    with open_store(db) as store:
        ingest([manifest(tmp_path, "day1", lambda r: not day_two(r))], store)
    for url in serving(db):
        yield url, db, manifest(tmp_path, "day2", day_two)


def test_follow_a_story_then_see_what_changed(server):
    url, db, day2 = server
    with open_store(db) as store:
        sid, before = flood_story(store).id, set(flood_story(store).article_ids)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_context(viewport={"width": 1100, "height": 900}, locale="ar").new_page()
        page.goto(f"{url}/changes")  # the visit «جديد» counts from
        assert page.locator("section .empty").count() == 2  # no follows, no changes
        page.goto(f"{url}/stories/{sid}")
        button = page.locator("button.follow")
        assert button.inner_text() == "متابعة"
        with page.expect_navigation():
            button.click()
        page.wait_for_selector("button.follow.on")
        assert "متابَعة" in page.locator("button.follow").inner_text()
        page.screenshot(path=ARTIFACTS / "follow-story.png")

        with open_store(db) as store:
            ingest([day2], store)
            now = flood_story(store)
        page.goto(url + "/")
        row = page.locator("ol.list li", has=page.locator(f"a[href='/stories/{now.id}']"))
        assert row.locator(".new").inner_text() == "جديد"
        page.screenshot(path=ARTIFACTS / "story-list-new.png")

        page.click("header a[href='/changes']")
        page.wait_for_url("**/changes")
        change = page.locator("li.change")
        assert change.count() == 1
        assert now.title in change.locator("a.title").inner_text()
        fresh = len(set(now.article_ids) - before)
        assert change.locator("li", has_text="مقال:").count() == fresh
        assert change.locator("li.claim").count() > 0
        page.screenshot(path=ARTIFACTS / "changes.png", full_page=True)

        page.goto(url + "/")  # the visit to /changes was remembered: nothing is new now
        assert page.locator(".new").count() == 0

        page.goto(f"{url}/changes")
        with page.expect_navigation():  # the button reloads the page
            page.click("button.unfollow")
        assert page.locator("ol.follows").count() == 0

        page.goto(f"{url}/search?q=السيول")  # a saved search, from the search page
        page.click("button.follow[data-kind=search]")
        page.wait_for_selector("button.follow.on")
        page.goto(f"{url}/changes")
        assert "بحث محفوظ: السيول" in page.locator("ol.follows").inner_text()
        browser.close()
