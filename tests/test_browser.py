"""The UI in a real headless Chromium over the demo corpus: story list → story → citation chip
→ the cited sentence targeted on its article page; an Arabic search; a phone-size story page;
the offline report. Screenshots go to $MARSAD_ARTIFACTS (default test-artifacts/)."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM}", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

import uvicorn  # noqa: E402

from marsad.api import create_app  # noqa: E402
from marsad.demo import DEMO_MANIFEST  # noqa: E402
from marsad.digest import build_digest  # noqa: E402
from marsad.pipeline import ingest  # noqa: E402
from marsad.store import open_store  # noqa: E402
from marsad.web import render_report  # noqa: E402

ARTIFACTS = Path(os.environ.get("MARSAD_ARTIFACTS") or Path(__file__).parents[1] / "test-artifacts")
PHONE = {"width": 390, "height": 844}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> str:
    db = str(tmp_path_factory.mktemp("browser") / "demo.db")
    with open_store(db) as store:
        ingest([DEMO_MANIFEST], store)
    return db


@pytest.fixture(scope="module")
def server(demo_db):
    yield from serving(demo_db)


def serving(db: str):
    """`marsad serve`'s app over `db` on a free localhost port, in a thread (yields its URL)."""
    port = free_port()
    config = uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM))
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="ar")
    yield context.new_page()
    context.close()


def biggest_story_link(page):
    """The link of the story with most articles on the story list."""
    links = page.locator("ol.list li")
    sizes = [int(t.split("عدد المقالات:")[1].split("·")[0]) for t in links.all_inner_texts()]
    return links.nth(sizes.index(max(sizes))).locator("a.title")


def test_story_chip_lands_on_the_cited_sentence(server, page):
    page.goto(server + "/")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    biggest_story_link(page).click()
    page.wait_for_url("**/stories/**")
    assert page.locator("ol.summary li").count() > 0
    page.screenshot(path=ARTIFACTS / "story.png", full_page=True)

    chip = page.locator("ol.summary a.chip").first
    href = chip.get_attribute("href")
    article_id, sentence = href.removeprefix("/articles/").split("#s-")
    chip.click()
    page.wait_for_url(f"**/articles/{article_id}#s-{sentence}")
    target = page.locator(":target")
    assert target.get_attribute("id") == f"s-{sentence}"
    cited = page.request.get(f"{server}/api/articles/{article_id}").json()["sentences"]
    assert target.inner_text().strip() == cited[int(sentence)]
    background = target.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")  # highlighted
    assert target.is_visible()
    page.screenshot(path=ARTIFACTS / "article.png", full_page=True)


def test_arabic_search_with_a_clitic(server, page):
    page.goto(server + "/")
    page.fill("header input[name=q]", "والسيول")
    page.press("header input[name=q]", "Enter")
    page.wait_for_url("**/search?**")
    assert page.locator("ol.story-results li").count() > 0  # the flood story, first
    results = page.locator("ol.article-results li")
    assert results.count() > 0
    assert page.locator("ol.article-results mark").count() > 0
    page.screenshot(path=ARTIFACTS / "search.png", full_page=True)
    results.first.locator("a.title").click()
    page.wait_for_url("**/articles/**")


def test_story_page_fits_a_phone(server, browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(server + "/")
    biggest_story_link(page).click()
    page.wait_for_url("**/stories/**")
    root = "document.documentElement"
    overflow = page.evaluate(f"{root}.scrollWidth - {root}.clientWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the phone"
    page.screenshot(path=ARTIFACTS / "story-phone.png", full_page=True)
    context.close()


def test_report_opens_the_cited_article_offline(demo_db, page, tmp_path):
    with open_store(demo_db) as store:
        html = render_report(build_digest(store))
    report = tmp_path / "report.html"
    report.write_text(html, encoding="utf-8")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report.as_uri())
    chip = page.locator("ol.summary a.chip").first
    target_id = chip.get_attribute("href").removeprefix("#")
    chip.click()
    target = page.locator(f"[id='{target_id}']")
    assert target.is_visible()  # its collapsed article opened
    assert page.evaluate("document.querySelector(':target').id") == target_id
    assert all(url.startswith("file:") for url in requests), requests
    page.screenshot(path=ARTIFACTS / "report.png")
