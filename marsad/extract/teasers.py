"""Trailing teasers: the leads of other articles a page prints after its body.

Seen in CNN Arabic records: 826 of ANT's 3,507 end with up to five leads of other CNN
articles (found by matching them against the corpus's own leads; `eval/teasers.py`). Each
is a news lead standing alone. Body paragraphs after the first almost always open with a
connective (و، ف، كما، إلا أن …); a lead opens bare and names its day («أعلن …،
الثلاثاء، …») or carries a dateline («دبي، الإمارات العربية المتحدة (CNN)--»).

The rule: a trailing run of two or more bare paragraphs, its first one and at least half of
them in lead form, is dropped; so is a single trailing paragraph with its own dateline. The
body keeps at least `KEEP` paragraphs.
"""

from __future__ import annotations

import re

from marsad.arabic import normalize
from marsad.dates.lexicon import WEEKDAY, alternation

KEEP = 2
LEAD_WORDS = 20  # a lead names its day within its first words
# «place، country (Outlet)--» at the start of a paragraph.
DATELINE = re.compile(
    r"^(?:[^()\n.:\s]+(?:[ \u00a0،,]+[^()\n.:\s]+){0,4}[ \u00a0]*)?"  # up to five words
    r"\(\s*[^()\n:]{2,30}\)\s*[-\u2013\u2014]+\s*"  # (Outlet)--
)
_CONNECTIVES = (
    "ثم|لكن|الا|بينما|كما|اما|حيث|اذ|بل|غير ان|بيد|علما|مشيرا|مشيره|مضيفا|مضيفه|موضحا|موضحه|"
    "لافتا|لافته|يذكر|يشار|يأتي|جاء ذلك|من جهته|من جهتها|من جهه|من جانبه|من جانبها|"
    "في المقابل|في غضون|في الاثناء|في سياق|في هذا|على صعيد|الى ذلك|بدوره|بدورها|بحسب|وفق|حسب|"
    "هذا|هذه|ذلك|تلك|كان|كانت"
)
# Words whose first letter is و or ف of their own, often a lead's first word (normalized).
_OWN_WAW = "زير|زار|فد|فاه|صل|قع|افق|اشنطن|كال|لي|لاي|سائل|حد|جه|ضع|جد|عد|قف|ثيق|رد|رث|طن"
_OWN_FA = "ي|از|رض|رنس|شل|تح|ريق|لسطين|نزويل|يسبوك|يفا|يلم|يروس|كر|هد|ند"
# A connective opens the paragraph (after quotes, dashes, stars): «و» or «ف» as a prefix,
# or a connective word.
_CONNECTIVE = re.compile(
    r"^[\s(\-\u2013\u2014*]*(?:[\"'«“]|"
    rf"و(?!(?:{_OWN_WAW})(?:\s|$|[اهتين]))\w|ف(?!(?:{_OWN_FA})(?:\s|$|[اهتين]))\w"
    rf"|{alternation(sorted(_CONNECTIVES.split('|')))}(?:\s|،|,|$))"
)
_APPOSITION = re.compile(r"^\S+\s+(?:\S+\s+){0,3}\S+,\s+\S+(?:\s+\S+){0,5},")
_DAY = re.compile(rf"(?:^|\s)(?:يوم\s+)?(?:ال)?{WEEKDAY}(?=[\s،,.]|$)")


def lead_form(text: str) -> bool:
    """A paragraph written as a news lead: a dateline, its day named early, or a speaker in
    apposition right after the verb («قال خالد الفالح، وزير الطاقة، إن …»)."""
    if DATELINE.match(text):
        return True
    words = normalize(text).split()[:LEAD_WORDS]
    return bool(_DAY.search(" ".join(words)) or _APPOSITION.match(" ".join(words[:12])))


def bare(text: str) -> bool:
    """Opens without a connective, as a lead does and a continuing paragraph does not."""
    return _CONNECTIVE.match(normalize(text)) is None


def trailing_teasers(paragraphs: list[str]) -> int:
    """How many paragraphs at the end are other articles' leads (0 when none)."""
    run = 0
    for text in reversed(paragraphs[KEEP:]):
        if not bare(text):
            break
        run += 1
    while run:
        tail = paragraphs[len(paragraphs) - run :]
        leads = [lead_form(p) for p in tail]
        if run >= 2 and leads[0] and 2 * sum(leads) >= run:
            return run
        if run == 1 and DATELINE.match(tail[0]):
            return 1
        run -= 1
    return 0
