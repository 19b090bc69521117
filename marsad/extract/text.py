"""Plain-text dumps → articles: classify every line, segment, attach page metadata."""

from __future__ import annotations

from marsad.extract.lines import Line, classify
from marsad.extract.segment import Draft, Segmented, segment
from marsad.model import Article, Extraction, Page, url_host

# Whitespace plus the invisible marks (bidi controls, zero-width) a line may be made of.
_BLANK = " \t\r\n\v\f\u00a0\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e" + (
    "\u2066\u2067\u2068\u2069\ufeff"
)


def page_lines(content: str, *, numbered: bool = True) -> list[Line]:
    """Non-blank lines, classified, with their 1-based line numbers (0 when not `numbered`,
    as for text trafilatura made) and the blank lines before each."""
    out: list[Line] = []
    gap = 0
    for no, raw in enumerate(content.splitlines(), 1):
        text = raw.strip(_BLANK)
        if text:
            out.append(classify(text, no if numbered else 0, gap))
            gap = 0
        else:
            gap += 1
    return out


def build_articles(
    page: Page, drafts: list[Draft], *, outlet: str | None = None, published: str | None = None
) -> list[Article]:
    """Drafts → Articles carrying the page's metadata; the page title only fills a first
    article that has none of its own. Where neither the page nor its markup names the
    outlet, the URL's host does (a crawl or a feed of unknown sites)."""
    page_id = page.id
    articles = []
    for position, draft in enumerate(drafts):
        title = draft.title or (page.title or "" if position == 0 else "")
        articles.append(
            Article(
                page_id=page_id,
                position=position,
                title=title.strip(),
                body="\n\n".join(line.text for line in draft.paras),
                published=draft.published or published or page.published,
                outlet=page.outlet or outlet or url_host(page.url),
                credits=list(draft.credits),
                source_id=page.source_id,
                url=page.url,
                source_path=page.source_path,
            )
        )
    return articles


def extract_text(page: Page) -> Extraction:
    """A plain-text page → one article per article printed on it, and the dropped lines.

    A record's title (JSON Lines) is the first article's title: the text's first line is
    taken as the title only when it is that title (or the page has none); otherwise a
    short first line is a lead or a dek, and stays in the body."""
    result: Segmented = segment(page_lines(page.content), page.title or "")
    return Extraction(page, build_articles(page, result.drafts), result.dropped)
