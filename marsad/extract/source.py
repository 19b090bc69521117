"""Who published a page, from the page itself, when its record does not say.

A site credits its own reporting the way it credits nobody else: «"الشرق الأوسط" (موسكو)»,
«موسكو: "الشرق الأوسط"» — its name in quotes with a dateline city. Agencies
(«(أ.ف.ب)»، «رويترز») and «المصدر: …» lines credit someone else and never name the page.
A page without a name still carries its site's template: the same marker («TT») and masthead
lines («رئيس التحرير» + names) on every page of one site; `template_keys` are those lines,
normalized, for the store to group pages of one unknown site.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from marsad.arabic import normalize
from marsad.extract.lines import AGENCY
from marsad.model import Dropped, Extraction

_QUOTED = r"[«\"“](?P<{}>[^»\"”()]{{2,40}})[»\"”]"
_CITY = r"[^\W\d_][^():«»\"“”]{1,30}"
_OWN = re.compile(
    rf"^(?:{_QUOTED.format('a')}\s*[(\[]\s*{_CITY}\s*[)\]]|{_CITY}\s*[:\-–]\s*{_QUOTED.format('b')})$"
)
_LATIN_MARKER = re.compile(r"^[A-Za-z]{2,3}$")  # «TT»; a lone digit or «•» is anybody's
_TEMPLATE_REASONS = frozenset({"masthead"})


def own_outlet(dropped: list[Dropped]) -> str | None:
    """The name the page credits its own reporting to, most often; None when it credits none."""
    names: Counter[str] = Counter()
    for line in dropped:
        if line.reason != "credit":
            continue
        m = _OWN.match(line.text.strip())
        if m and not AGENCY.fullmatch(normalize(name := " ".join((m["a"] or m["b"]).split()))):
            names[name] += 1
    return names.most_common(1)[0][0] if names else None


def template_keys(dropped: list[Dropped]) -> list[str]:
    """The page's site-template lines, normalized and without digits («18-8-2024»)."""
    keys = {
        re.sub(r"\d+", "0", " ".join(normalize(line.text).split()))
        for line in dropped
        if line.reason in _TEMPLATE_REASONS
        or (line.reason == "marker" and _LATIN_MARKER.match(line.text.strip()))
    }
    return sorted(k for k in keys if len(k) >= 2)


def named(extraction: Extraction) -> Extraction:
    """The extraction with the outlet its page names itself, when the record names none."""
    if extraction.page.outlet or not extraction.articles:
        return extraction
    name = own_outlet(extraction.dropped)
    if name is None:
        return extraction
    return replace(extraction, articles=[replace(a, outlet=name) for a in extraction.articles])
