"""The segmenter: classified lines → article drafts + every dropped line with its reason.

Page structure decides, not vocabulary. An article is a header (title, maybe a dek, photo
captions, a stray marker, the title printed again, a date) followed by body paragraphs. A
later heading starts a new article only with structural evidence: its header carries a marker
or repeats the heading, or it comes after a related block and has a full body (two paragraphs
or more) whose lead restates it. A heading with one teaser sentence and an outlet credit is a
teaser item, never an article. Everything else short between paragraphs is a subhead and
stays in the body.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from marsad.arabic import normalize, stems
from marsad.extract.lines import (
    AD,
    BULLET,
    CAPTION,
    CREDIT,
    DATE,
    HEAD,
    MARKER,
    NAV,
    PARA,
    RELATED,
    RELATED_INLINE,
    ROLE,
    SHARE,
    SOURCE,
    TABLE,
    TAGS,
    Line,
)
from marsad.extract.teasers import trailing_teasers
from marsad.model import Dropped

# Kinds the segmenter assigns from context.
DUPLICATE = "duplicate"  # a body paragraph printed twice in a row
MASTHEAD = "masthead"  # outlet name, slogan and staff names around masthead role lines

# Drop reasons for kinds that are always dropped, whatever the context.
_ALWAYS = {
    MARKER: "marker",
    AD: "ad",
    SHARE: "share_footer",
    NAV: "nav",
    ROLE: "masthead",
    MASTHEAD: "masthead",
    DUPLICATE: "duplicate",
    RELATED_INLINE: "related_block",
}
_META_REASON = {
    CAPTION: "caption",
    DATE: "date_line",
    SOURCE: "source_credit",
    CREDIT: "credit",
    TAGS: "tags",
    RELATED: "related_block",
}
# Kinds that end a header zone: after them no body can belong to the heading.
_ZONE_BREAK = frozenset({RELATED, RELATED_INLINE, BULLET, TAGS, SOURCE, ROLE, NAV})
# Kinds a body run may step over (still one uninterrupted body).
_BODY_SKIP = frozenset({AD, MARKER, SHARE, DUPLICATE, TABLE})
# Share of a heading's content stems its lead paragraph must repeat to make it a new article
# after a related block (a news lead restates its headline; a teaser's neighbour does not).
LEAD_OVERLAP = 0.5
# Menu items before the title are at most this many words.
NAV_WORDS = 2
# A body made of short lines only needs more words than a menu item.
MIN_BODY_WORDS = NAV_WORDS + 1
# A header (title → captions → marker → title again → date) spans at most this many lines.
ZONE_LINES = 8
# Masthead name lines (after a role line) are at most this many words.
NAME_WORDS = 4


@dataclass
class Draft:
    """An article being assembled: its lines stay `Line`s until the page is done."""

    title: str = ""
    title_key: str = ""
    title_line: Line | None = None  # where the title was printed (None: not in this text)
    paras: list[Line] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    published: str | None = None
    # The header is past its dek: a date, caption or marker came, so a short line before the
    # first paragraph is now a photo caption, not a standfirst.
    past_dek: bool = False

    def credit(self, value: str) -> None:
        if value and value not in self.credits:
            self.credits.append(value)


@dataclass
class Segmented:
    """A page's article drafts, in page order, and every line dropped on the way."""

    drafts: list[Draft]
    dropped: list[Dropped]


def segment(lines: list[Line], title: str = "") -> Segmented:
    """Split a page's classified lines into article drafts; `title` is a title known from
    elsewhere (HTML metadata)."""
    return _Segmenter(lines, title).run()


def _mark_doubles(lines: list[Line]) -> None:
    """A short line printed twice in a row is a photo caption; a paragraph printed again
    right after itself is a duplicate."""
    for prev, line in zip(lines, lines[1:], strict=False):
        if line.text != prev.text:
            continue
        if line.kind == PARA:
            line.kind = DUPLICATE
        elif line.gap == 0 and line.kind in (HEAD, CAPTION):
            prev.kind = line.kind = CAPTION


def _mark_mastheads(lines: list[Line]) -> None:
    """Role lines (رئيس التحرير) take the name line after them and the outlet name/slogan
    lines printed right above them (no blank line between)."""
    for i, line in enumerate(lines):
        if line.kind != ROLE:
            continue
        j = i
        while j > 0 and lines[j].gap == 0 and lines[j - 1].kind == HEAD:
            lines[j - 1].kind = MASTHEAD
            j -= 1
        name = lines[i + 1] if i + 1 < len(lines) else None
        if name is not None and name.kind == HEAD and (name.words <= NAME_WORDS or name.tatweel):
            name.kind = MASTHEAD


def _mark_kickers(lines: list[Line], title_key: str) -> None:
    """With a known title, short lines printed above it (section label, breadcrumbs) are
    navigation, not a dek."""
    for k, line in enumerate(lines[:ZONE_LINES]):
        if line.kind == HEAD and _title_match(line.key, title_key):
            for above in lines[:k]:
                if above.kind == HEAD:
                    above.kind = NAV
            return


class _Segmenter:
    def __init__(self, lines: list[Line], title: str) -> None:
        _mark_doubles(lines)
        _mark_mastheads(lines)
        if title:
            _mark_kickers(lines, normalize(title))
        self.lines = lines
        self.drafts: list[Draft] = []
        self.dropped: list[Dropped] = []
        self.cur: Draft | None = None
        self.mode: str | None = None  # None, or the drop reason inside a related/tags block
        self.pending = Draft()  # metadata seen before the first article
        if title:
            self._open(title, normalize(title))

    # --- bookkeeping -----------------------------------------------------------------------
    def _drop(self, line: Line, reason: str) -> None:
        self.dropped.append(Dropped(line.no, line.text, reason))

    def _open(self, title: str, key: str, line: Line | None = None) -> Draft:
        self._close()
        draft = Draft(title, key, line, credits=list(self.pending.credits))
        draft.published = self.pending.published
        self.pending = Draft()
        self.cur, self.mode = draft, None
        return draft

    def _close(self) -> None:
        """An article needs a body: a line that is not a heading, or short lines with a few
        words between them; a stray menu word is not one."""
        cur, self.cur = self.cur, None
        if cur is None:
            return
        words = sum(line.words for line in cur.paras)
        if words >= MIN_BODY_WORDS or any(line.kind != HEAD for line in cur.paras):
            if teasers := trailing_teasers([line.text for line in cur.paras]):
                for line in cur.paras[-teasers:]:
                    self._drop(line, "trailing_teaser")
                del cur.paras[-teasers:]
            self.drafts.append(cur)
            return
        if cur.title:
            no = cur.title_line.no if cur.title_line else 0
            self.dropped.append(Dropped(no, cur.title, "no_body"))
        for line in cur.paras:
            self._drop(line, "no_body")

    def _meta(self) -> Draft | None:
        """Where metadata goes: the current article, the next one, or nowhere (in a block)."""
        if self.mode is not None:
            return None
        return self.cur if self.cur is not None else self.pending

    # --- look-ahead ------------------------------------------------------------------------
    def _body_run(self, j: int) -> tuple[int, int]:
        """(paragraphs in the uninterrupted body starting at j, index after it)."""
        run, n = 0, len(self.lines)
        while j < n and (self.lines[j].kind == PARA or self.lines[j].kind in _BODY_SKIP):
            run += self.lines[j].kind == PARA
            j += 1
        return run, j

    def _starts_article(self, i: int) -> bool | None:
        """Does the heading at i open a new article? None: it heads a teaser item.

        Evidence in its header zone (the lines before its first paragraph): a stray letter
        marker (TT) counts 2; the heading printed again, photo captions, a date and a byline
        count 1 each. Two points make a new article; a subhead over a photo has one.
        """
        lines, head = self.lines, self.lines[i]
        seen: set[str] = set()
        other_head = False
        j, zone_end = i + 1, min(len(lines), i + 1 + ZONE_LINES)
        while j < zone_end and lines[j].kind != PARA and lines[j].kind not in _ZONE_BREAK:
            line = lines[j]
            if line.kind == HEAD:
                if line.key == head.key:
                    seen.add("repeat")
                other_head |= line.key != head.key
            elif line.kind == MARKER and line.key.isalpha() and not other_head:
                seen.add("marker")
            elif line.kind in (CAPTION, DATE, CREDIT):
                seen.add(line.kind)
            j += 1
        run, end = self._body_run(j)
        if run == 0:
            return False
        if run <= 2 and end < len(lines) and lines[end].kind == CREDIT:
            return None
        if not self.cur or not self.cur.paras:
            return False  # still in the current header: a dek, not a new article
        if self.mode is not None:  # a headline in a list of headlines is a teaser
            full = run >= 2 and not other_head
            return full and ("marker" in seen or _restates(head.text, lines[j].text))
        return len(seen) + ("marker" in seen) >= 2

    # --- the walk --------------------------------------------------------------------------
    def run(self) -> Segmented:
        for i, line in enumerate(self.lines):
            kind = line.kind
            if kind in (DATE, CAPTION, MARKER) and self.cur is not None and not self.cur.paras:
                self.cur.past_dek = True
            if kind in _ALWAYS:
                self._drop(line, _ALWAYS[kind])
            elif kind == HEAD:
                self._heading(i, line)
            elif kind in (PARA, TABLE):
                self._paragraph(i, line)
            else:
                self._meta_line(i, line)
        cur = self.cur
        if not self.drafts and cur is not None and not cur.paras and cur.title_line is not None:
            # the whole text is one headline-like line: it is the text, not a title
            cur.title_line.kind = PARA
            cur.paras, cur.title, cur.title_line = [cur.title_line], "", None
        self._close()
        return Segmented(self.drafts, self.dropped)

    def _heading(self, i: int, line: Line) -> None:
        cur = self.cur
        if cur is not None and self.mode is None and _same_title(line, cur):
            self._drop(line, "repeated_title")
            return
        if cur is None and self.mode is None:
            if self._is_nav(i):
                self._drop(line, "nav")
            else:
                self._open(line.text, line.key, line)
            return
        start = self._starts_article(i)
        if start:
            self._open(line.text, line.key, line)
        elif start is None:
            self.mode = "teaser"
            self._drop(line, "teaser")
        elif self.mode is not None or cur is None:
            self._drop(line, self.mode or "teaser")
        elif cur.past_dek and not cur.paras:
            self._drop(line, "caption")  # an uncredited photo caption under the date line
        else:
            cur.paras.append(line)  # a dek or an in-article subhead

    def _is_nav(self, i: int) -> bool:
        """Before the title, a one- or two-word line run into the next short line is a menu."""
        nxt = self.lines[i + 1] if i + 1 < len(self.lines) else None
        return (
            self.lines[i].words <= NAV_WORDS
            and nxt is not None
            and nxt.kind in (HEAD, NAV)
            and nxt.gap == 0
        )

    def _paragraph(self, i: int, line: Line) -> None:
        if self.mode is not None:
            if self._body_run(i)[0] < 2:
                self._drop(line, "teaser")
                return
            self.mode = None  # the page goes on after an inserted block
        if self.cur is None:
            self._open("", "")
        assert self.cur is not None
        self.cur.paras.append(line)

    def _meta_line(self, i: int, line: Line) -> None:
        """Captions, dates, credits, tags, related headers: dropped, their metadata kept.
        Bulleted lines are headlines inside a related block, body anywhere else."""
        kind, meta = line.kind, self._meta()
        if kind == BULLET:
            if self.mode is None:
                self._paragraph(i, line)
            else:
                self._drop(line, "related_block")
            return
        self._drop(line, _META_REASON[kind])
        if kind == DATE:
            if meta is not None and meta.published is None:
                meta.published = line.value
        elif kind in (CAPTION, SOURCE, CREDIT):
            if meta is not None:
                meta.credit(line.value)
        elif kind == RELATED or (kind == TAGS and not line.value):
            self.mode = "teaser" if kind == RELATED else "tags"


def _title_match(key: str, title_key: str) -> bool:
    """The same title, or the title without a site-name suffix (`Headline | Site`)."""
    return key == title_key or (bool(key) and 2 * len(key) >= len(title_key) and key in title_key)


def _same_title(line: Line, draft: Draft) -> bool:
    """The title printed again. Before the body a suffix-free match also counts, and its
    text becomes the (cleaner) title."""
    if line.key == draft.title_key:
        return True
    if draft.paras or not _title_match(line.key, draft.title_key):
        return False
    draft.title, draft.title_key = line.text, line.key
    return True


def _restates(title: str, lead: str) -> bool:
    """A news lead repeats its own headline's content words; an unrelated paragraph does not."""
    head = set(stems(title))
    return bool(head) and len(head & set(stems(lead))) >= LEAD_OVERLAP * len(head)
