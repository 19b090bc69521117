"""Arabic-aware full-text search over stored articles, ranked by BM25.

Arabic glues conjunctions, prepositions and the article to words (وأذربيجان، لأذربيجان،
الأذربيجانية), so a word is indexed as the SET of its plausible bases: the normalized surface
plus every form left after stripping a conjunction (و ف), a proclitic (ب ل ك), the article
(ال، لل) and one suffix (ية ي ات ون ين ه …). A query word matches an indexed word when their
sets share a form; the more forms they share, the more BM25 phrases match, so the exact
spelling ranks above a relative. Each store keeps the index in the transaction that adds the
articles (SQLite: FTS5; PostgreSQL: tsvector + GIN with BM25 in SQL), see docs/search.md.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING

from marsad.arabic import MAX_WORD_CHARS
from marsad.query import MAX_LIMIT, Filters, Query, QueryError, forms, parse_query, words

if TYPE_CHECKING:
    from marsad.store import Store

# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """An article that matched; `snippet` is HTML: escaped original text, matches in <mark>."""

    article_id: str
    title: str
    snippet: str
    score: float
    outlet: str | None
    published: str | None
    story_id: str | None


@dataclass(frozen=True)
class StoryHit:
    """A story ranked by its matching articles: the sum of its best three article scores."""

    story_id: str
    title: str
    size: int
    matched: int  # how many of its articles matched
    score: float
    best: Hit


def search(
    store: Store,
    query: str,
    *,
    outlet: str | None = None,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    story_id: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[Hit]:
    """Articles matching `query`, best first (BM25, title hits weigh more)."""
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise QueryError(f"limit must be 1..{MAX_LIMIT} and offset at least 0")
    parsed = parse_query(query)
    filters = Filters(outlet, _day(since, "since"), _day(until, "until"), story_id)
    return _hits(store, parsed, store.search_articles(parsed, filters, limit, offset))


def search_stories(
    store: Store,
    query: str,
    *,
    outlet: str | None = None,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    limit: int = 20,
) -> list[StoryHit]:
    """Stories whose articles match `query`, ranked by their three best article scores so a
    story several outlets cover outranks one stray mention without size alone deciding.
    Looks at the best MAX_LIMIT matching articles."""
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be 1..{MAX_LIMIT}")
    parsed = parse_query(query)
    filters = Filters(outlet, _day(since, "since"), _day(until, "until"))
    groups: dict[str, list[tuple[str, float, str | None]]] = {}
    for row in store.search_articles(parsed, filters, MAX_LIMIT, 0):
        if row[2] is not None:
            groups.setdefault(row[2], []).append(row)  # best first within each story
    scores = {sid: math.fsum(score for _, score, _ in rows[:3]) for sid, rows in groups.items()}
    ranked = sorted(scores, key=lambda sid: (-scores[sid], sid))[:limit]
    best = {h.article_id: h for h in _hits(store, parsed, [groups[sid][0] for sid in ranked])}
    out = []
    for sid in ranked:
        story = store.story(sid)
        if story is not None:
            top = best[groups[sid][0][0]]
            out.append(StoryHit(sid, story.title, story.size, len(groups[sid]), scores[sid], top))
    return out


def _hits(store: Store, query: Query, found: list[tuple[str, float, str | None]]) -> list[Hit]:
    """Hits for (article id, score, story id) rows: the articles with their snippets."""
    articles = {a.id: a for a in store.articles([aid for aid, _, _ in found])}
    wanted = query.forms()
    return [
        Hit(
            aid,
            articles[aid].title,
            snippet(articles[aid].body, wanted),
            score,
            articles[aid].outlet,
            articles[aid].published,
            sid,
        )
        for aid, score, sid in found
    ]


def _day(value: dt.date | str | None, name: str) -> str | None:
    if value is None or isinstance(value, dt.date):
        return None if value is None else value.isoformat()[:10]
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise QueryError(f"{name} must be a date like 2025-03-10, not {value!r}") from None


# --- snippets -------------------------------------------------------------------------------

# A written word with its diacritics and tatweel, as it appears in the original text.
_WRITTEN = re.compile("[\\w\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]+")
SNIPPET_WORDS = 30
_SPACES = re.compile(r"\s+")


# A written word is cut to this before analysis (the index cuts its normalized form at
# MAX_WORD_CHARS; diacritics and tatweel may make the written form longer).
_WRITTEN_CHARS = 4 * MAX_WORD_CHARS


def _written_forms(word: str) -> frozenset[str]:
    return _written_forms_cut(word[:_WRITTEN_CHARS])


@lru_cache(maxsize=1 << 16)
def _written_forms_cut(word: str) -> frozenset[str]:
    return frozenset(f for w in words(word) for f in forms(w))


def _marked(text: str, matches: list[re.Match[str]], start: int, end: int) -> str:
    out, pos = [], start
    for m in matches:
        out += [html.escape(text[pos : m.start()]), f"<mark>{html.escape(m.group())}</mark>"]
        pos = m.end()
    out.append(html.escape(text[pos:end]))
    return "".join(out)


def highlight(text: str, wanted: frozenset[str]) -> str:
    """The whole text HTML-escaped, words matching any of `wanted` forms in <mark>."""
    found = [m for m in _WRITTEN.finditer(text) if _written_forms(m.group()) & wanted]
    return _marked(text, found, 0, len(text))


def snippet(text: str, wanted: frozenset[str], size: int = SNIPPET_WORDS) -> str:
    """A window of `size` words of the original text holding the most distinct matches."""
    written = _WRITTEN.findall(text)
    if not written:
        return html.escape(text[:200])
    keys = {w: key for w in set(written) if (key := _written_forms(w) & wanted)}
    found = [i for i, w in enumerate(written) if w in keys]

    def richness(start: int) -> tuple[int, int, int]:
        inside = [keys[written[i]] for i in found if start <= i < start + size]
        return len(frozenset().union(*inside)), len(inside), -start

    start = max({max(i - size // 4, 0) for i in found} or {0}, key=richness)
    chosen = list(islice(_WRITTEN.finditer(text), start, start + size))
    a = 0 if start == 0 else chosen[0].start()
    z = chosen[-1].end()
    marks = [m for m in chosen if m.group() in keys]
    body = _SPACES.sub(" ", _marked(text, marks, a, z)).strip()  # one line, paragraphs joined
    return ("… " if a > 0 else "") + body + (" …" if z < len(text.rstrip()) else "")
