"""The search model: how an article is analyzed for the index and what a query is.

Below the stores and the search over them (`marsad.search`): every store indexes with
`analyze` and answers a `Query` with `Filters`, and a saved search checks new articles with
`matches`, without a store. See `marsad.search` for why a word is indexed as a set of forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from marsad.arabic import MAX_WORD_CHARS, STOPWORDS, stems, tokens
from marsad.model import Article

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


@dataclass(frozen=True)
class Filters:
    """Restrictions a store applies next to the match (days are inclusive, ISO dates)."""

    outlet: str | None = None
    since: str | None = None
    until: str | None = None
    story_id: str | None = None
