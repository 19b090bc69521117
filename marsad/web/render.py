"""The Jinja environment, display filters, the timeline chart geometry and `render_report`."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import html
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from marsad.claims import article_sentences
from marsad.coverage import Coverage, coverage
from marsad.dates.infer import span_with
from marsad.dedup import duplicate_groups
from marsad.model import Article, source_label

HERE = Path(__file__).parent
STATIC = HERE / "static"

CHART_MARGIN = dt.timedelta(days=14)
ROW = 18  # px between the chart's rows
ROW_LABEL = 48  # characters of an entry's text beside its mark
ENTITY_TYPES = {
    "person": "أشخاص",
    "place": "أماكن",
    "organization": "جهات ومنظمات",
    "event": "أحداث",
    "misc": "أخرى",
}

# What the UI calls each drop reason; the stored codes (and the API's) stay as they are.
DROP_REASONS = {
    "ad": "إعلان",
    "caption": "تعليق صورة",
    "credit": "اسم كاتب أو مصوّر",
    "date_line": "سطر التاريخ",
    "duplicate": "فقرة مكررة",
    "marker": "رمز شارد",
    "masthead": "ترويسة الموقع",
    "nav": "قائمة تنقّل",
    "no_article": "لا مقال في الصفحة",
    "no_body": "عنوان بلا نص",
    "related_block": "أخبار ذات صلة",
    "repeated_title": "عنوان مكرر",
    "share_footer": "أزرار المشاركة",
    "source_credit": "نسبة إلى مصدر",
    "tags": "وسوم",
    "teaser": "عنوان خبر آخر",
    "trailing_teaser": "عناوين أخبار أخرى",
}


def _bounds(value: str) -> tuple[dt.date, dt.date]:
    """First and last day a date of the contract's forms (YYYY, YYYY-MM, YYYY-MM-DD…) covers."""
    parts = value.strip()[:10].split("-")
    year = int(parts[0])
    if len(parts) == 1:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    month = int(parts[1])
    if len(parts) == 2:
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    day = dt.date(year, month, int(parts[2]))
    return day, day


def date_range(value: str) -> tuple[dt.date, dt.date] | None:
    """The days a timeline date covers ("A/B" is a range); None when it is not a date."""
    first, _, last = value.partition("/")
    try:
        return _bounds(first)[0], _bounds(last or first)[1]
    except (ValueError, IndexError):
        return None


def show_date(value: str | None) -> str:
    """A date or time as Arabic readers write it: «9 مارس 2025، 10:30»; ranges with a dash.
    A day never breaks across lines (no-break spaces inside it)."""
    if not value:
        return "؟"
    if "/" in value:
        first, _, last = value.partition("/")
        return f"{show_date(first)} – {show_date(last)}"
    parts = value[:10].split("-")
    try:
        if len(parts) == 1:
            return str(int(parts[0]))
        if len(parts) == 2:
            month = dt.date(int(parts[0]), int(parts[1]), 1)
            return format_date(month, "MMMM\u00a0y", locale="ar")
        text = format_date(dt.date.fromisoformat(value[:10]), "d\u00a0MMMM\u00a0y", locale="ar")
    except ValueError:
        return value
    time = value[11:16]
    return f"{text}، {time}" if time else text


def show_span(start: str | None, end: str | None, inferred: tuple[str, str] | None = None) -> str:
    """A story's time span; an end that only undated articles' inferred days give is marked
    «(مستنتج)»: no page states it."""
    (start, first_guessed), (end, last_guessed) = span_with(start, end, inferred)
    if not start and not end:
        return "بلا تاريخ"
    mark = " (مستنتج)"
    if (start or "")[:10] == (end or "")[:10]:
        return show_date(start or end) + (mark if first_guessed and last_guessed else "")
    return (f"{show_date(start)}{mark if first_guessed else ''} – "
            f"{show_date(end)}{mark if last_guessed else ''}")  # fmt: skip


def inferred_ends(story: dict) -> tuple[str, str] | None:
    """First and last inferred day of a digest story's undated articles."""
    days = sorted(x["published"] for x in story.get("inferred_published") or [])
    return (days[0], days[-1]) if days else None


def timeline_chart(
    entries: list[dict], start: str | None = None, end: str | None = None
) -> dict | None:
    """Geometry of the timeline chart in percent of its width, earliest date on the right
    (Arabic reads right to left). It spans the story's days plus a margin, so a background
    date (a record from 1987) does not squash the rest: those stay in the list only.
    None when no entry falls in the chart."""
    spans = [(e, r) for e in entries
             if not e.get("background") and (r := date_range(e["date"])) is not None]  # fmt: skip
    story = date_range(f"{start[:10]}/{end[:10]}") if start and end else None
    if story is not None:
        lo_edge, hi_edge = story[0] - CHART_MARGIN, story[1] + CHART_MARGIN
        spans = [(e, r) for e, r in spans if r[0] >= lo_edge and r[1] <= hi_edge]
    if not spans:
        return None
    lo = min(r[0] for _, r in spans)
    hi = max(r[1] for _, r in spans)
    days = max((hi - lo).days, 1)

    def x(day: dt.date) -> float:
        return round(97 - 94 * (day - lo).days / days, 2)

    rows = []
    for n, (e, (first, last)) in enumerate(spans):
        right, left = x(first), x(last)
        text = e["text"] if len(e["text"]) <= ROW_LABEL else e["text"][: ROW_LABEL - 1] + "…"
        label = _rtl(f"{format_date(first, 'd MMMM', locale='ar')}: {text}")
        # the label runs into the chart's wider side of the mark
        side = {"x": left - 1, "anchor": "end"} if right > 50 else {"x": right + 1}
        rows.append({"entry": e, "right": right, "left": left, "point": first == last,
                     "y": 38 + ROW * n, "label": label, "anchor": "start", **side})  # fmt: skip
    return {
        "rows": rows,
        "ticks": [{"x": x(day), "label": _rtl(label), "anchor": _anchor(x(day))}
                  for day, label in _ticks(lo, hi)],  # fmt: skip
        "height": 38 + ROW * len(rows),
        "left_out": len(entries) - len(rows),
    }


def _rtl(label: str) -> str:
    """A label isolated right-to-left: in the chart (drawn left to right, so that x and
    text-anchor keep their plain meaning) «13 نوفمبر 2025» would read «نوفمبر 2025 13»."""
    return f"\u2067{label}\u2069"


def _anchor(x: float) -> str:
    return "end" if x > 90 else "start" if x < 10 else "middle"


def _ticks(lo: dt.date, hi: dt.date) -> list[tuple[dt.date, str]]:
    """The axis's dated ticks: the first and last day and up to three between, evenly spaced
    days (month starts over spans of months), the year only where it is needed."""
    span = (hi - lo).days
    if span > 120:
        months = (hi.year - lo.year) * 12 + hi.month - lo.month
        step = -(-months // 4)
        inner = [dt.date(lo.year + (lo.month - 1 + k) // 12, (lo.month - 1 + k) % 12 + 1, 1)
                 for k in range(step, months, step)]  # fmt: skip
        gap = 15
    else:
        step = max(1, -(-span // 4))
        inner = [lo + dt.timedelta(days=k) for k in range(step, span, step)]
        gap = step / 2
    days = [lo, *(d for d in inner if (d - lo).days >= gap and (hi - d).days >= gap), hi]
    if hi == lo:
        days = [lo]
    one_year = lo.year == hi.year
    inner_form = "MMMM y" if span > 120 else "d MMMM" if one_year else "d MMMM y"
    return [(d, format_date(d, "d\u00a0MMMM\u00a0y" if d in (lo, hi) else inner_form, locale="ar"))
            for d in days]  # fmt: skip


_MARK = re.compile(r"(</?mark>)")


def safe_marks(snippet: str) -> Markup:
    """A search snippet as HTML where only <mark> survives: everything else is escaped,
    whether the snippet came escaped or not."""
    parts = _MARK.split(snippet)
    return Markup("").join(
        Markup(p) if _MARK.fullmatch(p) else escape(html.unescape(p)) for p in parts
    )


def percent(value: float) -> str:
    return f"{round(100 * value)}٪"


def chip_groups(cited: list, articles: dict[str, dict]) -> list[dict]:
    """Citations (cite dicts or article ids) as one chip per source: a story of 250 articles
    cites a sentence from a dozen articles of three outlets, «CNN ×6», not twelve chips. The
    chip leads to the first citing article's sentence; its title lists the articles."""
    groups: dict[str, dict] = {}
    for item in cited:
        aid, sentence = (
            (item["article_id"], item["sentence"]) if isinstance(item, dict) else (item, None)
        )
        article = articles.get(aid) or {"id": aid}
        label = (item.get("outlet") if isinstance(item, dict) else None) or source_label(article)
        group = groups.setdefault(
            label,
            {"label": label, "article_id": aid, "sentence": sentence, "count": 0, "titles": []},
        )
        group["count"] += 1
        title = article.get("title") or aid
        if article.get("published"):
            title += f" · {show_date(article['published'])}"
        group["titles"].append(title)
    return list(groups.values())


class _Pair(NamedTuple):
    a: str
    b: str


def exact_copies(article_ids: list[str], duplicates: Iterable) -> dict[str, list[str]]:
    """Listed articles that are exact copies of one listed before them, folded under it (one
    page filed twice is one entry, not two): first id -> its copies; copies are not keys.
    `duplicates`: a digest's pair dicts or the store's DuplicatePairs."""
    get = lambda d, k: d[k] if isinstance(d, dict) else getattr(d, k)  # noqa: E731
    order = {aid: i for i, aid in enumerate(article_ids)}
    pairs = [_Pair(a, b) for d in duplicates if get(d, "kind") == "exact"
             and (a := get(d, "a")) in order and (b := get(d, "b")) in order]  # fmt: skip
    groups = (sorted(g, key=order.__getitem__) for g in duplicate_groups(pairs))
    return {g[0]: g[1:] for g in groups}


def source_bdi(article: Article | dict) -> Markup:
    """The source's name isolated: a Latin name («CNN») next to Arabic text and numbers would
    otherwise reorder the line around it («عدد المقالات: 2 · CNN، BBC» reads BBC first)."""
    return Markup("<bdi>%s</bdi>") % source_label(article)


def story_coverage(article_ids: list[str], articles: dict[str, dict]) -> Coverage:
    """The coverage of a story page's or report's story, from the article dicts it shows."""
    return coverage(article_ids, {aid: a.get("outlet") for aid, a in articles.items()})


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(date=show_date, percent=percent, marks=safe_marks, source=source_bdi,
                       reason=lambda code: DROP_REASONS.get(code, code))  # fmt: skip
    env.globals.update(
        span=show_span,
        inferred_ends=inferred_ends,
        timeline_chart=timeline_chart,
        entity_types=ENTITY_TYPES,
        chip_groups=chip_groups,
        story_coverage=story_coverage,
        exact_copies=exact_copies,
    )
    return env


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return (STATIC / "style.css").read_text(encoding="utf-8")


def report_href(article_id: str, sentence: int | None = None) -> str:
    """In-page anchor of an article, or of one of its sentences, in the report."""
    return f"#a-{article_id}" if sentence is None else f"#a-{article_id}-s-{sentence}"


def _article(record: dict) -> Article:
    names = {f.name for f in dataclasses.fields(Article)}
    return Article(**{k: v for k, v in record.items() if k in names})


def numbered_paragraphs(article: Article) -> list[list[tuple[int, str]]]:
    """The article's canonical sentences with their anchor index, grouped back into the
    paragraphs that hold them (each sentence goes to the first paragraph, from the current
    one on, that contains it), so pages keep their paragraphs and citations their indexes."""
    paragraphs = article.paragraphs
    groups: list[list[tuple[int, str]]] = []
    current, shown = 0, -1
    for i, sentence in enumerate(article_sentences(article)):
        current = next(
            (k for k in range(current, len(paragraphs)) if sentence in paragraphs[k]), current
        )
        if current != shown:
            groups.append([])
            shown = current
        groups[-1].append((i, sentence))
    return groups


def render_report(digest: dict, max_stories: int = 200) -> str:
    """One self-contained HTML file (inline CSS, no fetched assets) for a `build_digest` dict:
    the `max_stories` largest stories (an archive's report stays openable; digest.json has
    them all), and the text of their articles with sentence anchors the citations point at."""
    stories = digest["stories"][:max_stories]
    shown = {aid for s in stories for aid in s["article_ids"]}
    articles = {a["id"]: a for a in digest["articles"] if a["id"] in shown}
    paragraphs = {aid: numbered_paragraphs(_article(a)) for aid, a in articles.items()}
    return (
        environment()
        .get_template("report.html")
        .render(
            digest=digest,
            stories=stories,
            articles=articles,
            paragraphs=paragraphs,
            css=stylesheet(),
            href=report_href,
            mode="report",
        )
    )
