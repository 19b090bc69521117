"""Extraction quality: boilerplate lines on the labelled demo pages, main text on scrapinghub.

    python eval/extraction.py            # tables
    python eval/extraction.py --json     # the same numbers as JSON

(a) Demo pages (marsad/demo/pages + labels.json): line-level precision/recall/F1 of removing
    boilerplate (a line counts as removed when it is in no article title or body), 4-way line
    label accuracy, article-count and boundary accuracy, and must_contain/must_not_contain
    checks for HTML/JSONL pages.
(b) scrapinghub/article-extraction-benchmark: shingle P/R/F1 against `articleBody`, computed
    as its evaluate.py does (\\w+ tokens, 4-token shingles with counts, per-page TP/FP/FN
    normalised to sum 1, precision and recall averaged over pages, F1 of the two averages),
    for marsad and for plain `trafilatura.extract` run in the same process.
(c) ANT (real Arabic news, already clean): the same shingle scores of our articles against
    the record text, as text pages and rendered into a plain news page (nav, article, related
    list, footer). Recall under 1 is real text we wrongly removed.
"""

from __future__ import annotations

import argparse
import gzip
import html as htmllib
import itertools
import json
import re
import statistics
import sys
from collections import Counter
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.extract import extract  # noqa: E402
from marsad.extract.segment import segment  # noqa: E402
from marsad.extract.text import page_lines  # noqa: E402
from marsad.model import Article, Page  # noqa: E402
from marsad.read import read  # noqa: E402

DEMO = ROOT / "marsad" / "demo"
SCRAPINGHUB = ROOT.parent / "shared" / "data" / "extraction" / "scrapinghub"
ANT = ROOT.parent / "shared" / "data" / "ant" / "ant_v2.1.jsonl.gz"
TEASERS = ROOT / "eval" / "data" / "ant_teasers.json"  # gold trailing teasers (eval/teasers.py)
TRAFILATURA_PUBLISHED_F1 = 0.958  # the benchmark README's number for trafilatura

# --- (b) scrapinghub ---------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)
Tpfpfn = tuple[float, float, float]


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    toks = _WORD.findall(text or "")
    return Counter(tuple(toks[i : i + n]) for i in range(max(1, len(toks) - n + 1)) if toks)


def shingle_match(true: str, pred: str) -> Tpfpfn:
    """One page's TP/FP/FN over 4-token shingles, normalised so every page weighs the same."""
    t, p = _shingles(true), _shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _ratio(tp: float, other: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == other == 0 else tp / (tp + other)


def prf(pages: list[Tpfpfn]) -> dict[str, float]:
    """Benchmark averaging: mean per-page precision and recall, F1 of the means."""
    p = statistics.mean(_ratio(tp, fp, fp, fn) for tp, fp, fn in pages if tp + fp > 0)
    r = statistics.mean(_ratio(tp, fn, fp, fn) for tp, fp, fn in pages if tp + fn > 0)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r), "pages": len(pages)}


def scrapinghub_scores(path: Path = SCRAPINGHUB, *, plain: bool = True) -> dict[str, dict]:
    """marsad (first article's body) and, if `plain`, trafilatura.extract on every page."""
    truth = json.loads((path / "ground-truth.json").read_text(encoding="utf-8"))
    ours: list[Tpfpfn] = []
    theirs: list[Tpfpfn] = []
    for key, item in truth.items():
        with gzip.open(path / "html" / f"{key}.html.gz", "rt", encoding="utf-8") as f:
            html = f.read()
        gold = item.get("articleBody", "")
        ex = extract(Page(html, "html", key, url=item.get("url")))
        ours.append(shingle_match(gold, ex.articles[0].body if ex.articles else ""))
        if plain:
            theirs.append(shingle_match(gold, trafilatura.extract(html, include_comments=False)))
    scores = {"marsad": prf(ours)}
    if plain:
        scores["trafilatura"] = prf(theirs)
    return scores


# --- (c) ANT ------------------------------------------------------------------------------


def ant_records(n: int, path: Path = ANT) -> list[dict]:
    """n records spread evenly over the corpus (every outlet and month)."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        lines = f.readlines()
    step = max(1, len(lines) // n)
    return [json.loads(line) for line in itertools.islice(lines, 0, None, step)][:n]


def render_html(record: dict) -> str:
    """A plain news page around one ANT record: menu, article, related list, footer."""
    esc = htmllib.escape
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


def article_text(record: dict, teasers: int) -> str:
    """A record's text without the other articles' leads printed after it (eval/teasers.py)."""
    lines = [line for line in record["text"].split("\n") if line.strip()]
    return "\n".join(lines[: len(lines) - teasers])


def ant_scores(n_text: int = 2000, n_html: int = 200) -> dict[str, dict]:
    """Kept text vs the clean record text: text pages, and HTML for marsad and trafilatura."""
    records = ant_records(max(n_text, n_html))
    teasers = json.loads(TEASERS.read_text(encoding="utf-8"))
    text, ours, theirs = [], [], []
    for i, r in enumerate(records):
        clean = article_text(r, teasers.get(r["id"], 0))
        if i < n_text:
            ex = extract(Page(r["text"], "text", "ant", title=r["title"]))
            text.append(shingle_match(clean, "\n\n".join(a.body for a in ex.articles)))
        if i < n_html:
            page = render_html(r)
            ex = extract(Page(page, "html", "ant"))
            ours.append(shingle_match(clean, ex.articles[0].body if ex.articles else ""))
            plain = trafilatura.extract(page, include_comments=False)
            theirs.append(shingle_match(clean, plain))
    return {"marsad text": prf(text), "marsad html": prf(ours), "trafilatura html": prf(theirs)}


# --- (a) demo pages ----------------------------------------------------------------------

REMOVED = {"meta", "boilerplate"}


def _line_labels(content: str) -> dict[int, tuple[str, int | None]]:
    """What we did with every non-blank line: (title|body|removed, article index)."""
    result = segment(page_lines(content))
    out: dict[int, tuple[str, int | None]] = {d.line_no: ("removed", None) for d in result.dropped}
    for index, draft in enumerate(result.drafts):
        if draft.title_line is not None:
            out[draft.title_line.no] = ("title", index)
        for line in draft.paras:
            out[line.no] = ("body", index)
    return out


def _demo_pages(demo: Path) -> dict[str, Page]:
    """Demo pages by their labels key: file name, or `file#id` for JSON Lines records."""
    pages = {}
    for page in read([demo / "pages"]):
        if isinstance(page, Page):
            name = Path(page.source_path.rsplit(":", 1)[0]).name
            pages[f"{name}#{page.source_id}" if name.endswith(".jsonl") else name] = page
    return pages


def _same_meta(art: Article, gold: dict) -> dict[str, bool]:
    published = art.published[:16] if art.published else None
    return {
        "title": art.title == (gold.get("title") or ""),
        "published": published == gold.get("published"),
        "credits": set(art.credits) == set(gold.get("credits") or []),
    }


def demo_scores(demo: Path = DEMO) -> dict[str, float]:
    """Line-level boilerplate P/R/F1 and article boundaries on the labelled text pages;
    article metadata on all pages; containment checks on the HTML/JSONL ones."""
    labels = json.loads((demo / "labels.json").read_text(encoding="utf-8"))["pages"]
    pages = _demo_pages(demo)
    lines = Counter[str]()  # tp/fp/fn of "removed", label and boundary hits
    meta = Counter[str]()
    checks = Counter[str]()
    for name, spec in labels.items():
        page, gold = pages[name], spec.get("articles", [])
        arts = extract(page).articles
        checks["pages"] += 1
        checks["count_ok"] += len(arts) == len(gold)
        for art, want in zip(arts, gold, strict=False):
            for field, ok in _same_meta(art, want).items():
                meta[field] += ok
            meta["articles"] += 1
            text = art.text
            for s in want.get("must_contain") or []:
                checks["contain"] += 1
                checks["contain_ok"] += s in text
            for s in want.get("must_not_contain") or []:
                checks["contain"] += 1
                checks["contain_ok"] += s not in text
        if spec.get("lines"):
            _score_lines(page.content, spec["lines"], lines)
    p = lines["tp"] / (lines["tp"] + lines["fp"]) if lines["tp"] + lines["fp"] else 1.0
    r = lines["tp"] / (lines["tp"] + lines["fn"]) if lines["tp"] + lines["fn"] else 1.0
    return {
        "pages": checks["pages"],
        "labelled_lines": lines["all"],
        "boilerplate_precision": p,
        "boilerplate_recall": r,
        "boilerplate_f1": 2 * p * r / (p + r) if p + r else 0.0,
        "line_label_accuracy": lines["label_ok"] / max(1, lines["all"]),
        "boundary_accuracy": lines["bound_ok"] / max(1, lines["kept"]),
        "article_count_accuracy": checks["count_ok"] / max(1, checks["pages"]),
        "title_accuracy": meta["title"] / max(1, meta["articles"]),
        "published_accuracy": meta["published"] / max(1, meta["articles"]),
        "credits_accuracy": meta["credits"] / max(1, meta["articles"]),
        "containment_checks": checks["contain"],
        "containment_accuracy": checks["contain_ok"] / max(1, checks["contain"]),
    }


def _score_lines(content: str, gold: list, tally: Counter[str]) -> None:
    """Removed-vs-kept confusion, title/body/removed label hits and article boundaries."""
    ours = _line_labels(content)
    for line_no, label, article in gold:
        got, got_article = ours.get(line_no, ("removed", None))
        want = "removed" if label in REMOVED else label
        tally["all"] += 1
        tally["tp"] += want == got == "removed"
        tally["fp"] += got == "removed" != want
        tally["fn"] += want == "removed" != got
        tally["label_ok"] += got == want
        if want != "removed":
            tally["kept"] += 1
            tally["bound_ok"] += got_article == article


# --- report ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args(argv)
    report: dict[str, object] = {}
    if (DEMO / "labels.json").is_file():
        report["demo"] = demo_scores()
    if (SCRAPINGHUB / "ground-truth.json").is_file():
        report["scrapinghub"] = scrapinghub_scores()
        report["scrapinghub"]["trafilatura (published)"] = {"f1": TRAFILATURA_PUBLISHED_F1}
    if ANT.is_file():
        report["ant"] = ant_scores()
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    if "demo" in report:
        print("demo pages (labelled lines and articles)")
        for key, value in report["demo"].items():
            cell = f"{value:.3f}" if isinstance(value, float) else str(value)
            print(f"  {key:<26} {cell}")
    for key, heading in (
        ("scrapinghub", "scrapinghub article-extraction-benchmark (shingle P/R/F1 vs articleBody)"),
        ("ant", "ANT records, real Arabic news (shingle P/R/F1 vs the record text)"),
    ):
        if key not in report:
            continue
        print(f"\n{heading}")
        print(f"  {'extractor':<26} {'precision':>9} {'recall':>9} {'F1':>9}")
        for name, s in report[key].items():
            cells = [f"{s[k]:.3f}" if k in s else "" for k in ("precision", "recall", "f1")]
            print(f"  {name:<26} {cells[0]:>9} {cells[1]:>9} {cells[2]:>9}")
    if not report:
        print("no evaluation data found (marsad/demo/labels.json, ../shared/data/extraction)")


if __name__ == "__main__":
    main()
