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
import itertools
import sys
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eval.extraction import ANT, ant_records, render_html  # noqa: E402
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


def scrapinghub_html() -> list[str]:
    folder = DATA / "extraction" / "scrapinghub" / "html"
    out = []
    for path in sorted(folder.glob("*.html.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            out.append(f.read())
    return out


def rate(fn: Callable[[object], object], items: list, repeat: int = 1) -> float:
    """Items per second of fn over items, best of `repeat` runs (other work shares the cores)."""
    if not items:
        return 0.0
    fn(items[0])
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for item in items:
            fn(item)
        best = min(best, time.perf_counter() - start)
    return len(items) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--text-pages", type=int, default=3000)
    parser.add_argument("--ant", type=int, default=500, help="ANT records to render as HTML")
    args = parser.parse_args()

    texts = text_pages(args.text_pages)
    chars = sum(len(p.content) for p in texts) / max(1, len(texts))
    text_rate = rate(extract, texts, repeat=3)
    print(f"text dumps       {len(texts):>5} pages  {chars:,.0f} chars/page")
    print(f"  marsad         {text_rate:>9,.0f} pages/s  (aim ≥ 1,000 per core)")

    plain = lambda page: trafilatura.extract(page.content, include_comments=False)  # noqa: E731
    for name, htmls in (
        ("ANT as HTML", [render_html(r) for r in ant_records(args.ant)] if ANT.is_file() else []),
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
