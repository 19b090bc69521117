"""Extraction throughput: pages/s for text dumps and HTML, next to plain trafilatura.

    python bench/extract.py [--text-pages 3000] [--ant 500]

Text: the seed pages and the demo text pages, repeated (each copy made unique) to a few
thousand pages. HTML: ANT records rendered as simple news pages (nav, article, related list,
footer) and the scrapinghub benchmark pages; `trafilatura.extract` runs on the same HTML in
the same process. One core; numbers and ratios are printed, nothing is asserted.
"""

from __future__ import annotations

import argparse
import gzip
import html
import itertools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.extract import extract  # noqa: E402
from marsad.model import Page  # noqa: E402
from marsad.read import read  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def text_pages(n: int) -> list[Page]:
    """Seeds + demo text pages, cycled to n pages, each made unique by a trailing line."""
    base = [
        Page(p.read_text(encoding="utf-8"), "text", str(p))
        for p in sorted((DATA / "seeds").glob("*.txt"))
    ]
    base += [p for p in read([ROOT / "marsad" / "demo" / "pages"]) if isinstance(p, Page)]
    base = [p for p in base if p.kind == "text"]
    return [
        Page(f"{p.content}\n\n{i}", "text", p.source_path)
        for i, p in zip(range(n), itertools.cycle(base), strict=False)
    ]


def ant_records(n: int) -> list[dict]:
    path = DATA / "ant" / "ant_v2.1.jsonl.gz"
    if not path.is_file():
        return []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in itertools.islice(f, n)]


def render_html(record: dict) -> str:
    """A plain news page around one ANT record: menu, article, related list, footer."""
    esc = html.escape
    paras = "".join(f"<p>{esc(p)}</p>" for p in record["text"].split("\n") if p.strip())
    return (
        f'<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{esc(record["title"])}'
        f" | {esc(record['source'])}</title></head><body>"
        "<nav><ul><li><a href='/'>الرئيسية</a></li><li><a href='/w'>العالم</a></li>"
        "<li><a href='/e'>اقتصاد</a></li><li><a href='/s'>رياضة</a></li></ul></nav>"
        f"<main><article><h1>{esc(record['title'])}</h1>{paras}</article>"
        "<aside><h3>اقرأ أيضا</h3><ul><li><a href='/1'>عنوان خبر آخر عن الاقتصاد</a></li>"
        "<li><a href='/2'>عنوان خبر ثان عن الرياضة</a></li></ul></aside></main>"
        "<footer><p>جميع الحقوق محفوظة</p></footer></body></html>"
    )


def scrapinghub_html() -> list[str]:
    folder = DATA / "extraction" / "scrapinghub" / "html"
    out = []
    for path in sorted(folder.glob("*.html.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            out.append(f.read())
    return out


def rate(fn: Callable[[object], object], items: list) -> float:
    """Items per second of fn over items (one warm-up item first)."""
    if not items:
        return 0.0
    fn(items[0])
    start = time.perf_counter()
    for item in items:
        fn(item)
    return len(items) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--text-pages", type=int, default=3000)
    parser.add_argument("--ant", type=int, default=500, help="ANT records to render as HTML")
    args = parser.parse_args()

    texts = text_pages(args.text_pages)
    chars = sum(len(p.content) for p in texts) / max(1, len(texts))
    text_rate = rate(extract, texts)
    print(f"text dumps       {len(texts):>5} pages  {chars:,.0f} chars/page")
    print(f"  marsad         {text_rate:>9,.0f} pages/s  (aim ≥ 1,000 per core)")

    plain = lambda page: trafilatura.extract(page.content, include_comments=False)  # noqa: E731
    for name, htmls in (
        ("ANT as HTML", [render_html(r) for r in ant_records(args.ant)]),
        ("scrapinghub", scrapinghub_html()),
    ):
        if not htmls:
            print(f"{name:<16} (data not available)")
            continue
        pages = [Page(h, "html", f"{name}-{i}") for i, h in enumerate(htmls)]
        ours, theirs = rate(extract, pages), rate(plain, pages)
        print(f"{name:<16} {len(pages):>5} pages")
        print(f"  marsad         {ours:>9,.1f} pages/s")
        print(f"  trafilatura    {theirs:>9,.1f} pages/s  (plain extract)")
        print(f"  ratio          {ours / theirs:>9.2f} × trafilatura")


if __name__ == "__main__":
    main()
