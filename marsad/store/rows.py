"""Records as table rows and back: the one mapping both backends use (only SQL differs)."""

from __future__ import annotations

import json

from marsad.model import Article, DuplicatePair, Extraction, Story

ARTICLE_COLUMNS = (
    "id, page_id, position, title, body, published, outlet, credits, source_id, url, source_path"
)


def dump(values: list[str]) -> str:
    return json.dumps(values, ensure_ascii=False)


def page_row(extraction: Extraction) -> tuple:
    """(id, source_path, kind, encoding, source_id, url, outlet, published, title, n_articles)"""
    p = extraction.page
    return (
        p.id, p.source_path, p.kind, p.encoding, p.source_id, p.url, p.outlet, p.published,
        p.title, len(extraction.articles),
    )  # fmt: skip


def article_rows(extraction: Extraction) -> list[tuple]:
    """Rows in ARTICLE_COLUMNS order."""
    return [
        (
            a.id,
            a.page_id,
            a.position,
            a.title,
            a.body,
            a.published,
            a.outlet,
            dump(a.credits),
            a.source_id,
            a.url,
            a.source_path,
        )  # fmt: skip
        for a in extraction.articles
    ]


def dropped_rows(extraction: Extraction) -> list[tuple]:
    """(page_id, seq, line_no, text, reason): every dropped line, in page order."""
    page_id = extraction.page.id
    return [(page_id, i, d.line_no, d.text, d.reason) for i, d in enumerate(extraction.dropped)]


def article(row: tuple) -> Article:
    """An article from a row in ARTICLE_COLUMNS order."""
    _, page_id, position, title, body, published, outlet, credits, source_id, url, path = row
    return Article(
        page_id=page_id,
        position=position,
        title=title or "",
        body=body or "",
        published=published,
        outlet=outlet,
        credits=json.loads(credits or "[]"),
        source_id=source_id,
        url=url,
        source_path=path,
    )


def duplicate_row(p: DuplicatePair) -> tuple:
    """(a, b, kind, similarity, shared, added_a, added_b)"""
    return (p.a, p.b, p.kind, p.similarity, dump(p.shared), dump(p.added_a), dump(p.added_b))


def duplicate(row: tuple) -> DuplicatePair:
    a, b, kind, similarity, shared, added_a, added_b = row
    return DuplicatePair(
        a, b, kind, similarity, json.loads(shared), json.loads(added_a), json.loads(added_b)
    )


def story_row(s: Story) -> tuple:
    """(id, title, outlets, start, end, size)"""
    return (s.id, s.title, dump(s.outlets), s.start, s.end, s.size)


def story(row: tuple, members: list[str]) -> Story:
    """A story from (id, title, outlets, start, end, storyline) and its article ids."""
    sid, title, outlets, start, end, line = row
    return Story(sid, title, members, json.loads(outlets), start, end, line)
