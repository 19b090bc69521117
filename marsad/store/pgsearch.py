"""PostgreSQL search: a postings table for words, a tsvector with a GIN index for phrases.

PostgreSQL has no BM25 (ts_rank is not one), so ranking mirrors SQLite FTS5's bm25() term
for term: the same "phrases" (each form of a query word; each quoted phrase), the same
IDF clamp, column weights and document length (the token count FTS5 would see), giving the
same order on both backends.

Queries of words only (nearly all) read `search_postings`: per form, blocks of packed
(doc, title count, body count, doc length) rows, one block per form per transaction that
indexed articles. The postings of the query's forms are scored with numpy: no document is
read, so a word in 10,000 articles costs a few hundred kilobytes, not 10,000 vectors.
N and the token total live in `search_stats`, kept in the same transaction.

Queries with a phrase use the tsvector: each word's forms and its canonical form (prefixed
"~") at the word's position, the title's words first, so a position says the field, and BM25
is computed in SQL (SEARCH_SQL) over the candidates the GIN index finds.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable

import numpy as np

from marsad.query import K1, TITLE_WEIGHT, Analyzed, B, Phrase, Query, Term

MAX_POS = 16383  # the largest tsvector position
MAX_POSITIONS = 256  # positions one lexeme keeps per document


def _lexeme(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(title: Analyzed, body: Analyzed) -> str:
    """tsvector literal of an article: forms and "~"-prefixed canonical forms at their word
    positions, the title first; the body starts after a gap (no phrase spans both)."""
    positions: dict[str, list[str]] = {}
    start = 1
    for field in (title, body):
        for i, (word_forms, canon) in enumerate(zip(field.forms, field.canon, strict=True)):
            pos = str(min(start + i, MAX_POS))
            for form in word_forms:
                positions.setdefault(form, []).append(pos)
            positions.setdefault("~" + canon, []).append(pos)
        start += len(field.canon) + 1
    return " ".join(
        f"{_lexeme(lex)}:{','.join(pos[:MAX_POSITIONS])}" for lex, pos in positions.items()
    )


def _alternative(alt: Term | Phrase) -> str:
    if isinstance(alt, Term):
        return "(" + " | ".join(map(_lexeme, alt.forms)) + ")"
    return "(" + " <-> ".join(_lexeme("~" + c) for c in alt.canon) + ")"


def tsquery(query: Query) -> str:
    """tsquery literal: lexemes quoted, so no user input is read as tsquery syntax."""
    return " & ".join("(" + " | ".join(map(_alternative, clause)) + ")" for clause in query.clauses)


def phrases(query: Query) -> list[list[str]]:
    """The BM25 phrases of a query, as FTS5 counts them: one per form of a word, one per
    quoted phrase."""
    out: list[list[str]] = []
    for alt in (a for clause in query.clauses for a in clause):
        if isinstance(alt, Term):
            out += [[form] for form in alt.forms]
        else:
            out.append(["~" + c for c in alt.canon])
    return out


# Candidates match the whole tsquery (GIN) and the filters. Only the query's lexemes of a
# candidate are unnested: setweight marks them, ts_filter keeps them (both in C), so the cost
# per candidate does not grow with its length. A position up to `tlen` is in the title. A
# phrase instance is a start position where each of its words sits at start + its index.
SEARCH_SQL = """
WITH q AS (
  SELECT * FROM unnest(%(j)s::int[], %(i)s::int[], %(lex)s::text[], %(n)s::int[])
    AS q(j, i, lexeme, n)),
ph AS (SELECT * FROM unnest(%(pj)s::int[], %(ptsq)s::tsquery[]) AS ph(j, tsq)),
stats AS MATERIALIZED (
  SELECT count(*)::float8 AS n_docs, coalesce(avg(len), 1)::float8 AS avgdl FROM search_docs),
idf AS MATERIALIZED (
  SELECT ph.j, greatest(ln((s.n_docs - c.hits + 0.5) / (c.hits + 0.5)), 1e-6) AS idf
  FROM ph CROSS JOIN stats s
  CROSS JOIN LATERAL (SELECT count(*)::float8 AS hits FROM search_docs d WHERE d.vec @@ ph.tsq) c),
cand AS MATERIALIZED (
  SELECT d.article_id, d.len, d.tlen, d.vec FROM search_docs d{joins}
  WHERE d.vec @@ %(tsq)s::tsquery{where}),
hits AS (
  SELECT c.article_id, c.tlen, q.j, q.i, q.n, p.pos
  FROM cand c
  CROSS JOIN LATERAL unnest(ts_filter(setweight(c.vec, 'A', %(lex)s::text[]), '{{a}}')) u
  JOIN q ON q.lexeme = u.lexeme
  CROSS JOIN LATERAL unnest(u.positions) AS p(pos)),
inst AS (
  SELECT article_id, j, pos - i AS start, max(tlen) AS tlen, max(n) AS n,
         count(DISTINCT i) AS found
  FROM hits GROUP BY article_id, j, pos - i),
freq AS (
  SELECT article_id, j, sum(CASE WHEN start <= tlen THEN %(wt)s ELSE 1 END)::float8 AS f
  FROM inst WHERE found = n GROUP BY article_id, j),
ranked AS (
  SELECT c.article_id,
         coalesce(sum(idf.idf * f.f * (%(k1)s + 1)
                  / (f.f + %(k1)s * (1 - %(b)s + %(b)s * c.len / s.avgdl))), 0) AS score
  FROM cand c CROSS JOIN stats s
  LEFT JOIN freq f ON f.article_id = c.article_id LEFT JOIN idf ON idf.j = f.j
  GROUP BY c.article_id
  ORDER BY score DESC, c.article_id
  LIMIT %(limit)s OFFSET %(offset)s)
SELECT r.article_id, r.score, sa.story_id
FROM ranked r LEFT JOIN story_articles sa ON sa.article_id = r.article_id
ORDER BY r.score DESC, r.article_id
"""


def search_params(query: Query, limit: int, offset: int) -> dict:
    """Parameters of SEARCH_SQL for a query."""
    j, i, lex, n, ptsq = [], [], [], [], []
    for pj, phrase in enumerate(phrases(query)):
        for pi, lexeme in enumerate(phrase):
            j.append(pj)
            i.append(pi)
            lex.append(lexeme)
            n.append(len(phrase))
        ptsq.append(" <-> ".join(map(_lexeme, phrase)))
    return {
        "j": j,
        "i": i,
        "lex": lex,
        "n": n,
        "pj": list(range(len(ptsq))),
        "ptsq": ptsq,
        "tsq": tsquery(query),
        "wt": TITLE_WEIGHT,
        "k1": K1,
        "b": B,
        "limit": limit,
        "offset": offset,
    }


# --- postings (queries of words) ------------------------------------------------------------

POSTING = np.dtype([("doc", "<i4"), ("title", "<i4"), ("body", "<i4"), ("len", "<i4")])


class Postings:
    """Postings of the articles indexed in the open transaction, one block per form, written
    by `rows()` at its end (one row per form and transaction, not per form and article)."""

    def __init__(self) -> None:
        self.forms: dict[str, array] = {}
        self.docs = self.tokens = 0

    def add(self, doc: int, title: Analyzed, body: Analyzed) -> None:
        counts: dict[str, list[int]] = {}
        for column, field in enumerate((title, body)):
            for word_forms in field.forms:
                for form in word_forms:
                    counts.setdefault(form, [0, 0])[column] += 1
        length = title.length + body.length
        for form, (in_title, in_body) in counts.items():
            self.forms.setdefault(form, array("i")).extend((doc, in_title, in_body, length))
        self.docs += 1
        self.tokens += length

    def rows(self) -> Iterable[tuple[str, bytes]]:
        """(form, packed postings) for COPY into search_postings."""
        for form, flat in self.forms.items():
            yield form, np.frombuffer(flat, dtype=np.intc).astype("<i4").tobytes()

    def clear(self) -> None:
        self.forms, self.docs, self.tokens = {}, 0, 0


def words_only(query: Query) -> bool:
    """Whether the postings can answer the query (phrases need positions)."""
    return all(isinstance(alt, Term) for clause in query.clauses for alt in clause)


def rank(
    query: Query,
    blocks: dict[str, list[bytes]],
    n_docs: int,
    tokens: int,
    allowed: np.ndarray | None,
    k: int,
) -> list[tuple[int, float]]:
    """(doc, score) of the matching documents that can be among the best `k`: every one
    scoring at least the k-th best score, so ties at the cut can be ordered by article id.

    `blocks` holds the packed postings of each form of the query, `allowed` the documents the
    filters let through (None: all). Scores add each phrase's BM25 term in phrase order, as
    FTS5 does, so equal inputs give bit-equal scores."""
    postings = {f: np.frombuffer(b"".join(bs), dtype=POSTING) for f, bs in blocks.items()}
    size = 1 + max((int(p["doc"].max()) for p in postings.values() if len(p)), default=0)
    keep = np.ones(size, dtype=bool)
    if allowed is not None:
        keep[:] = False
        keep[allowed[allowed < size]] = True
    for clause in query.clauses:  # every clause must match: any form of any of its words
        hit = np.zeros(size, dtype=bool)
        for alt in clause:
            for form in alt.forms:  # type: ignore[union-attr]
                if form in postings:
                    hit[postings[form]["doc"]] = True
        keep &= hit
    found = np.flatnonzero(keep)
    if not len(found):
        return []
    avgdl = tokens / n_docs
    score = np.zeros(size)
    for (form,) in phrases(query):
        p = postings.get(form)
        if p is None or not len(p):
            continue
        idf = math.log((n_docs - len(p) + 0.5) / (len(p) + 0.5))  # libm's, as SQLite's
        if idf <= 0.0:
            idf = 1e-6
        f = TITLE_WEIGHT * p["title"] + 1.0 * p["body"]
        length = p["len"].astype(float)
        score[p["doc"]] += idf * (
            (f * (K1 + 1.0)) / (f + K1 * (1 - B + B * length / avgdl))
        )
    scores = score[found]
    if len(found) > k:
        cut = np.partition(scores, len(found) - k)[len(found) - k]
        found, scores = found[scores >= cut], scores[scores >= cut]
    return list(zip(found.tolist(), scores.tolist(), strict=True))
