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
    # it opens as the list of its stories, each a closed fold (the demo's was 36,000 px)
    height = page.evaluate("document.documentElement.scrollHeight")
    folds = page.locator("details.fold")
    assert folds.count() == html.count('<details class="fold') > 5 and height < 2500
    page.screenshot(path=ARTIFACTS / "report-folded.png", full_page=True)
    folds.first.locator("> summary").click()
    chip = page.locator("details.fold[open] ol.summary a.chip").first
    target_id = chip.get_attribute("href").removeprefix("#")
    chip.click()
    target = page.locator(f"[id='{target_id}']")
    assert target.is_visible()  # its collapsed article opened
    assert page.evaluate("document.querySelector(':target').id") == target_id
    assert all(url.startswith("file:") for url in requests), requests
    page.screenshot(path=ARTIFACTS / "report.png")


def test_docs_render_every_operation(server, page):
    """Swagger UI draws the operations list from the OpenAPI 3.1 the app serves (4.x drew an
    empty page with "Unable to render this definition")."""
    page.goto(server + "/docs")
    operations = page.locator(".opblock")
    operations.first.wait_for(timeout=15_000)
    spec = page.request.get(server + "/openapi.json").json()
    assert operations.count() == sum(len(ops) for ops in spec["paths"].values())
    assert page.locator(".opblock-summary-path[data-path='/api/stories']").count() == 1
    assert "Unable to render" not in page.inner_text("body")
    page.screenshot(path=ARTIFACTS / "docs.png", full_page=True)


def test_story_list_bars_and_filters(server, page, monkeypatch):
    page.goto(server + "/")
    bars = page.locator("ol.stories .coverage")
    assert bars.count() == page.locator("ol.stories li").count() > 0
    big = page.locator("ol.stories .coverage:has(.seg + .seg)").first
    label = big.get_attribute("aria-label")
    widths = big.locator(".seg").evaluate_all("els => els.map(e => e.getBoundingClientRect().width)")
    # shares drawn in proportion: the label's counts over the bar's pixels
    counts = [int(n) for n in label.split(" — ")[1].replace("،", " ").split() if n.isdigit()]
    assert len(counts) == len(widths) > 1
    assert abs(widths[0] / sum(widths) - counts[0] / sum(counts)) < 0.03
    page.screenshot(path=ARTIFACTS / "coverage-list.png", full_page=True)

    monkeypatch.setattr("marsad.web.views.PER_PAGE", 1)  # the server runs in this process
    outlet = page.locator("select[name=outlet] option").nth(1).inner_text()
    page.select_option("select[name=outlet]", label=outlet)
    page.select_option("select[name=min_size]", value="2")
    page.fill("input[name=since]", "2025-01-01")
    assert page.get_attribute("input[name=since]", "placeholder") == "2025-03-10"
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/?*outlet=*")
    seen = []
    while True:
        for text in page.locator("ol.stories li small").all_inner_texts():
            assert outlet in text and int(text.split("عدد المقالات:")[1].split("·")[0]) >= 2
            seen.append(text)
        assert page.input_value("input[name=since]") == "2025-01-01"  # kept on every page
        older = page.locator("nav.pager a", has_text="الأقدم")
        if not older.count():
            break
        if len(seen) == 1:
            page.screenshot(path=ARTIFACTS / "coverage-filters.png", full_page=True)
        older.click()
        page.wait_for_url("**page=*")
    assert len(seen) > 1  # it paged
    total = int(page.inner_text("p.meta").split("عدد القصص:")[1].split("·")[0])
    assert len(seen) == total


def test_outlet_blindspots_page(server, page):
    page.goto(server + "/outlets")
    page.locator("table.outlets a").first.click()
    page.wait_for_url("**/outlets/**")
    assert page.locator("section.only h2").is_visible()
    assert page.locator("section.missed h2").is_visible()
    page.screenshot(path=ARTIFACTS / "blindspots.png", full_page=True)


def test_latin_outlet_names_keep_the_lines_order(page, tmp_path):
    """«CNN، BBC News» in an Arabic line: each name isolated, so they read right to left in
    list order and the counts and dates stay where they are written."""
    from fastapi.testclient import TestClient

    from marsad.model import Page
    from marsad.pipeline import ingest_pages

    text = ("افتتحت البلدية جسرا جديدا فوق النهر صباح اليوم بحضور المحافظ وعدد من المسؤولين. "
            "ويربط الجسر الحي الشرقي بوسط المدينة ويختصر الطريق نصف ساعة.\n")  # fmt: skip
    db = str(tmp_path / "latin.db")
    with open_store(db) as store:
        pages = [Page(f"جسر جديد فوق النهر\n\n{text}", "text", f"{o}.txt", outlet=o,
                      published="2025-07-01", url=f"https://{o.lower().replace(' ', '')}.example/a")
                 for o in ("CNN", "BBC News")]  # fmt: skip
        assert ingest_pages(pages, store).articles == 2
    page.set_content(TestClient(create_app(db)).get("/").text)
    names = page.locator("ol.stories li small bdi.outlet")
    assert names.all_inner_texts() == ["BBC News", "CNN"]
    first, second = (names.nth(i).bounding_box() for i in range(2))
    assert first["x"] > second["x"]  # the first named is the rightmost
    meta = page.locator("ol.stories li small")
    assert meta.inner_text().startswith("عدد المقالات: 2")
    count = meta.evaluate("el => { const r = document.createRange();"
                          " r.setStart(el.firstChild, 0); r.setEnd(el.firstChild, 5);"
                          " return r.getBoundingClientRect().right; }")  # fmt: skip
    assert count >= first["x"] + first["width"]  # the line still starts at the right
