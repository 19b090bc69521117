"""PostgreSQL search: the analysed words as a tsvector with a GIN index, and BM25 in SQL.

PostgreSQL has no BM25 (ts_rank is not one), so ranking mirrors SQLite FTS5's bm25() term
for term: the same "phrases" (each form of a query word; each quoted phrase), the same
IDF clamp, column weights and document length (the token count FTS5 would see), giving the
same order on both backends. A document's tsvector holds each word's forms and its canonical
form (prefixed "~", for phrases) at the word's position, the title's words first, so a
position says the field. Document frequencies come from the GIN index at query time, so there
are no term-statistics tables to maintain.
"""

from __future__ import annotations

from marsad import search

MAX_POS = 16383  # the largest tsvector position
MAX_POSITIONS = 256  # positions one lexeme keeps per document


def _lexeme(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(title: search.Analyzed, body: search.Analyzed) -> str:
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


def _alternative(alt: search.Term | search.Phrase) -> str:
    if isinstance(alt, search.Term):
        return "(" + " | ".join(map(_lexeme, alt.forms)) + ")"
    return "(" + " <-> ".join(_lexeme("~" + c) for c in alt.canon) + ")"


def tsquery(query: search.Query) -> str:
    """tsquery literal: lexemes quoted, so no user input is read as tsquery syntax."""
    return " & ".join("(" + " | ".join(map(_alternative, clause)) + ")" for clause in query.clauses)


def phrases(query: search.Query) -> list[list[str]]:
    """The BM25 phrases of a query, as FTS5 counts them: one per form of a word, one per
    quoted phrase."""
    out: list[list[str]] = []
    for alt in (a for clause in query.clauses for a in clause):
        if isinstance(alt, search.Term):
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


def search_params(query: search.Query, limit: int, offset: int) -> dict:
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
        "wt": search.TITLE_WEIGHT,
        "k1": search.K1,
        "b": search.B,
        "limit": limit,
        "offset": offset,
    }
