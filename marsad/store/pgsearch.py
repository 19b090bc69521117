"""PostgreSQL search: the analysed words as a tsvector with a GIN index, and BM25 in SQL.

PostgreSQL has no BM25 (ts_rank is not one), so ranking mirrors SQLite FTS5's bm25() term
for term: the same "phrases" (each form of a query word; each quoted phrase), the same
IDF clamp, column weights and document length (the token count FTS5 would see), giving the
same order on both backends. Weights mark fields: A title forms, B body forms, C title
canonical forms (prefixed "~", for phrases), D body canonical forms. Document frequencies
come from the GIN index at query time, so there are no term-statistics tables to maintain.
"""

from __future__ import annotations

from marsad import search

MAX_POS = 16383  # the largest tsvector position
MAX_POSITIONS = 256  # positions one lexeme keeps per document


def _lexeme(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(title: search.Analyzed, body: search.Analyzed) -> str:
    """tsvector literal of an article; body positions start after a gap so no phrase spans
    title and body."""
    positions: dict[str, list[str]] = {}
    start = 1
    for field, (forms_w, canon_w) in ((title, "AC"), (body, "BD")):
        for i, (word_forms, canon) in enumerate(zip(field.forms, field.canon, strict=True)):
            pos = min(start + i, MAX_POS)
            for form in word_forms:
                positions.setdefault(form, []).append(f"{pos}{forms_w}")
            positions.setdefault("~" + canon, []).append(f"{pos}{canon_w}")
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


# Candidates match the whole tsquery (GIN) and the filters. A phrase instance is a start
# position where all of the phrase's words sit at start + their index; its weight is that of
# the first word's field.
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
cand AS (
  SELECT d.article_id, d.len, d.vec, sa.story_id
  FROM search_docs d JOIN articles a ON a.id = d.article_id
  LEFT JOIN story_articles sa ON sa.article_id = d.article_id
  WHERE d.vec @@ %(tsq)s::tsquery {where}),
hits AS (
  SELECT c.article_id, q.j, q.i, q.n, p.pos, p.w
  FROM cand c CROSS JOIN LATERAL unnest(c.vec) u JOIN q ON q.lexeme = u.lexeme
  CROSS JOIN LATERAL unnest(u.positions, u.weights) AS p(pos, w)),
inst AS (
  SELECT article_id, j, max(n) AS n, count(DISTINCT i) AS found,
         max(CASE WHEN i = 0 THEN w END) AS w
  FROM hits GROUP BY article_id, j, pos - i),
freq AS (
  SELECT article_id, j, sum(CASE WHEN w IN ('A', 'C') THEN %(wt)s ELSE 1 END)::float8 AS f
  FROM inst WHERE found = n GROUP BY article_id, j)
SELECT c.article_id,
       coalesce(sum(idf.idf * f.f * (%(k1)s + 1)
                / (f.f + %(k1)s * (1 - %(b)s + %(b)s * c.len / s.avgdl))), 0) AS score,
       c.story_id
FROM cand c CROSS JOIN stats s
LEFT JOIN freq f ON f.article_id = c.article_id LEFT JOIN idf ON idf.j = f.j
GROUP BY c.article_id, c.story_id
ORDER BY score DESC, c.article_id
LIMIT %(limit)s OFFSET %(offset)s
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
