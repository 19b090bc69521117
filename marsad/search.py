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

from marsad.arabic import MAX_WORD_CHARS, STOPWORDS, stems, tokens
from marsad.model import Article

if TYPE_CHECKING:
    from marsad.store import Store

INDEX_VERSION = "3"  # bump when analysis changes: stores rebuild their index on open
STATE_KEY = "search_index"  # store state holding the INDEX_VERSION the index was built with
TITLE_WEIGHT = 4.0  # BM25 weight of a title hit relative to a body hit
K1, B = 1.2, 0.75  # BM25 constants (those of SQLite FTS5's bm25())
MAX_CLAUSES = 16  # AND-ed terms of a query
MAX_QUERY_CHARS = 500
MAX_PHRASE_WORDS = 12
MAX_LIMIT = 1000

_ARABIC = re.compile("[\u0621-\u064a]")
_WORD = re.compile(r"\w+")
_SUFFIXES = ("يات", "يين", "يون", "ات", "ين", "ون", "يه", "ه", "ي")


class QueryError(ValueError):
    """A query that cannot be searched (unbalanced quotes, a dangling OR, no words)."""


@lru_cache(maxsize=1 << 17)
def forms(token: str) -> frozenset[str]:
    """The indexed forms of one normalized token (see the module docstring)."""
    token = token[:MAX_WORD_CHARS]  # `tokens` cuts long words already; other callers too
    if not _ARABIC.match(token) or len(token) < 4:
        if token.isascii() and token.isalpha():
            return frozenset({token, *stems(token, drop_stopwords=False)})
        return frozenset({token})
    heads = {token}
    if token[0] in "وف":
        heads.add(token[1:])
    for head in list(heads):
        if head.startswith("ال") and len(head) >= 4:
            heads.add(head[2:])
        elif head[0] in "بلك" and len(head) >= 4:
            heads.add(head[1:])
            if head[1:3] == "ال" and len(head) >= 5:
                heads.add(head[3:])
            if head.startswith("لل"):
                heads.add(head[2:])  # ل + ال: للحكومة
    out = set(heads)
    for head in heads:
        out.update(
            head[: -len(s)] for s in _SUFFIXES if head.endswith(s) and len(head) > len(s) + 2
        )
    return frozenset(out)


@lru_cache(maxsize=1 << 17)
def canonical(token: str) -> str:
    """One form per token for phrase matching: the shortest form, stripped to a fixed point."""
    while True:
        shortest = min(forms(token), key=lambda f: (len(f), f))
        if shortest == token:
            return token
        token = shortest


def words(text: str) -> list[str]:
    """Normalized word tokens split at punctuation inside numbers (3.5 → 3, 5): the units
    both index backends see identically."""
    return [w for t in tokens(text) for w in _WORD.findall(t)]


@dataclass(frozen=True)
class Analyzed:
    """One field of an article as the index sees it: forms and the canonical form per word."""

    forms: list[frozenset[str]]
    canon: list[str]

    @classmethod
    def of(cls, text: str) -> Analyzed:
        ws = words(text)
        return cls([forms(w) for w in ws], [canonical(w) for w in ws])

    @property
    def length(self) -> int:
        """Tokens this field adds to a document's BM25 length (forms and canonical)."""
        return sum(map(len, self.forms)) + len(self.canon)


def analyze(article: Article) -> tuple[Analyzed, Analyzed]:
    """(title, body) of an article, analyzed for the index."""
    return Analyzed.of(article.title), Analyzed.of(article.body)


# --- queries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One query word: matches an indexed word sharing any of these forms."""

    forms: tuple[str, ...]


@dataclass(frozen=True)
class Phrase:
    """Consecutive words ("quoted", or one word that splits, like 3.5): canonical forms."""

    canon: tuple[str, ...]


Alternative = Term | Phrase


@dataclass(frozen=True)
class Query:
    """Clauses that must all match; each clause matches when any alternative does."""

    clauses: tuple[tuple[Alternative, ...], ...]

    def forms(self) -> frozenset[str]:
        """Every form the query looks for (what snippets mark)."""
        out: set[str] = set()
        for alt in (a for clause in self.clauses for a in clause):
            out.update(alt.forms if isinstance(alt, Term) else alt.canon)
        return frozenset(out)


_QUOTES = '"«»“”„'
_QUERY_PART = re.compile(f"[{_QUOTES}]([^{_QUOTES}]*)[{_QUOTES}]|([^\\s{_QUOTES}]+)")


def parse_query(text: str) -> Query:
    """Words (all must match), "quoted phrases", and OR between two items; stop words of
    unquoted single words are ignored unless nothing else is left."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is longer than {MAX_QUERY_CHARS} characters")
    if sum(text.count(q) for q in _QUOTES) % 2:
        raise QueryError("unbalanced quotes in query")
    items: list[tuple[Alternative, bool] | str] = []
    for m in _QUERY_PART.finditer(text):
        quoted, bare = m.group(1), m.group(2)
        if bare == "OR":
            items.append("OR")
            continue
        ws = words(quoted if quoted is not None else bare)
        if not ws:
            continue
        if len(ws) == 1:
            items.append((Term(tuple(sorted(forms(ws[0])))), quoted is None and ws[0] in STOPWORDS))
        elif len(ws) > MAX_PHRASE_WORDS:
            raise QueryError(f"a phrase has more than {MAX_PHRASE_WORDS} words")
        else:
            items.append((Phrase(tuple(canonical(w) for w in ws)), False))
    clauses: list[list[tuple[Alternative, bool]]] = []
    joining = False
    for i, item in enumerate(items):
        if item == "OR":
            if not clauses or joining or i == len(items) - 1:
                raise QueryError("OR needs a search term on each side")
            joining = True
        elif joining:
            clauses[-1].append(item)
            joining = False
        else:
            clauses.append([item])
    if not clauses:
        raise QueryError("query has no searchable words")
    content = [c for c in clauses if not all(stop for _, stop in c)] or clauses
    if len(content) > MAX_CLAUSES:
        raise QueryError(f"query has more than {MAX_CLAUSES} terms")
    return Query(tuple(tuple(alt for alt, _ in c) for c in content))


def matches(query: Query, fields: tuple[Analyzed, Analyzed]) -> bool:
    """Whether an article (its `analyze`d title and body) matches `query` as the index
    matches it: a term shares a form with a word of either field, a phrase is consecutive
    canonical forms of one. No store: a saved search tells of new articles as they come."""

    def hit(alt: Alternative) -> bool:
        if isinstance(alt, Term):
            wanted = set(alt.forms)
            return any(not wanted.isdisjoint(f) for field in fields for f in field.forms)
        n = len(alt.canon)
        return any(tuple(field.canon[i : i + n]) == alt.canon
                   for field in fields for i in range(len(field.canon) - n + 1))  # fmt: skip

    return all(any(hit(alt) for alt in clause) for clause in query.clauses)


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


@dataclass(frozen=True)
class Filters:
    """Restrictions a store applies next to the match (days are inclusive, ISO dates)."""

    outlet: str | None = None
    since: str | None = None
    until: str | None = None
    story_id: str | None = None


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
