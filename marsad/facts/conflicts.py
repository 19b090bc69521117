"""Conflicts and updates: one count or one date given different values by different
sources, and whether they contradict each other (a conflict) or follow in time (an update)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from marsad import arabic
from marsad.claims import Claim, sentence_keys, source_of
from marsad.cluster import timestamp
from marsad.dates import DateMention, parse_published
from marsad.entities import Mention
from marsad.facts.model import Conflict, FactsConfig, Step, Update
from marsad.facts.quantities import around, quantities
from marsad.model import Article

DateFinder = Callable[[str, str | None], Sequence[DateMention]]
MentionFinder = Callable[[str], Sequence[Mention]]


@dataclass
class _Said:
    """One member sentence's value for a quantity or a date."""

    value: str
    low: float
    high: float
    text: str
    article: Article
    alongside: frozenset[str] = frozenset()  # every value of this kind its sentence states


def _current(
    sentence: str, published: str | None, find: DateFinder, background_days: int
) -> str | None:
    """The sentence with its date expressions blanked («27 سبتمبر» counts no September), or
    None when a date in it lies well before its article: «وفي فبراير الماضي قتل 14» or «وكانت
    الحصيلة في 24 نوفمبر 340 ألفاً» are background figures, not this story's."""
    day = parse_published(published)
    mentions = find(sentence, published)
    if day and any((day - m.last).days > background_days for m in mentions):
        return None
    return _blank(sentence, mentions)


def _blank(text: str, spans: Sequence[DateMention | Mention]) -> str:
    """`text` with the spans blanked, offsets kept."""
    for span in spans:
        text = text[: span.start] + " " * (span.end - span.start) + text[span.end :]
    return text


def number_conflicts(
    claims: list[Claim], by_id: dict[str, Article], config: FactsConfig, find: DateFinder
) -> tuple[list[Conflict], list[Update]]:
    """Same counted noun, overlapping context, values that cannot both be right; and the
    counts that changed between reports without contradicting each other (updates)."""
    # unit, about, claim context, what was said, words around the first figure, its role
    slots: list[tuple[str, str, frozenset[str], list[_Said], frozenset[str], str | None]] = []
    headings: dict[str, str] = {}
    for claim in claims:
        context = frozenset(k for k in claim.keys if k[0] != "#")  # words, not figures
        for (aid, _), sentence in zip(claim.members, claim.sentences, strict=True):
            current = _current(sentence, by_id[aid].published, find, config.background_days)
            if current is None or "توقع" in arabic.normalize(current):
                continue  # background, or a forecast («توقع المحللون خفضاً بـ25 نقطة»)
            found = quantities(current)
            labels = frozenset(q.label for q in found)
            per_unit = Counter(count for count, _ in {((q.unit, q.role), q.label) for q in found})
            for q in found:
                if per_unit[(q.unit, q.role)] > 1:
                    continue  # «75 نقطة من 28 مباراة … لعب 27 مباراة»: a table, not one count
                said = _Said(q.label, q.low, q.high, sentence, by_id[aid], labels)
                slot = next(
                    (
                        s
                        for s in slots
                        if s[0] == q.unit
                        and s[5] == q.role  # 71 on board, 40 killed, 23 injured: three counts
                        and _overlap(s[2], context - {q.unit}) >= config.context
                        # a counted noun says what is counted; a percentage needs its words
                        and (q.unit != "%" or _overlap(s[4], q.near) >= config.local)
                    ),
                    None,
                )
                if slot is None:
                    about = f"{q.noun} — {claim.text}"
                    slots.append((q.unit, about, context - {q.unit}, [said], q.near, q.role))
                    headings[about] = q.heading
                else:
                    slot[3].append(said)
    window = config.max_hours * 3600
    conflicts, updates = [], []
    for _, about, _, said, _, _ in slots:
        if conflict := _conflict(about, "number", said, window=window):
            conflicts.append(replace(conflict, heading=headings[about]))
        elif update := _update(headings[about], said):
            updates.append(update)
    return conflicts, updates


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    smaller = min(len(a), len(b))
    return len(a & b) / smaller if smaller else 0.0


_DATE_GAP = {"day": 14, "range": 14, "month": 93, "year": 732}  # days


def date_conflicts(
    claims: list[Claim],
    by_id: dict[str, Article],
    find: DateFinder,
    find_mentions: MentionFinder,
    config: FactsConfig,
) -> list[Conflict]:
    """One claim (aligned sentences) dated differently by different sources, per granularity.

    Dates further apart than `_DATE_GAP` are other happenings the sentences also mention
    (a long sentence's history: «في 4 أبريل 1992»), not a disagreement on this one's date.
    """
    found: list[Conflict] = []
    for claim in claims:
        if len(claim.sources) < 2:
            continue
        # granularity, words around each date, what each said; a date joins a slot when it
        # matches any member on both counts (same happening, date attached to the same words)
        slots: list[tuple[str, list[tuple[frozenset[str], str]], list[_Said]]] = []
        for (aid, _), sentence in zip(claim.members, claim.sentences, strict=True):
            article = by_id[aid]
            # what happened, without who: two sentences naming the same people on two days
            # («وصل النعيمي الأحد» / «عقد الملك والنعيمي الاثنين مباحثات») are two happenings
            unnamed = _blank(sentence, find_mentions(sentence))
            mentions = find(sentence, article.published)
            values = frozenset(m.value for m in mentions)
            for mention in mentions:
                first, last = mention.first.toordinal(), mention.last.toordinal()
                said = _Said(mention.value, first, last, sentence, article, values)
                before = arabic.tokens(unnamed[: mention.start])
                near = around(
                    before + arabic.tokens(unnamed[mention.end :]), len(before), len(before)
                )
                slot = next(
                    (
                        s
                        for s in slots
                        if s[0] == mention.granularity
                        and any(
                            _overlap(n, near) >= config.local and _same(u, unnamed) >= config.same
                            for n, u in s[1]
                        )
                    ),
                    None,
                )
                if slot is None:
                    slots.append((mention.granularity, [(near, unnamed)], [said]))
                else:
                    slot[1].append((near, unnamed))
                    slot[2].append(said)
        for granularity, _, values in slots:
            conflict = _conflict(claim.text, "date", values, _DATE_GAP.get(granularity, 14))
            if conflict:
                found.append(replace(conflict, heading="التاريخ"))
    return found


def _same(a: str, b: str) -> float:
    """Weighted share of the shorter sentence's keys the other has: one happening, or two
    (arrived on Sunday / leaves this evening) that a claim grouped through a long sentence."""
    ka, kb = sentence_keys(a), sentence_keys(b)
    small, big = (ka, kb) if sum(ka.values()) <= sum(kb.values()) else (kb, ka)
    total = sum(small.values())
    return sum(w for k, w in small.items() if k in big) / total if total else 0.0


def _close(a: Article, b: Article, window: float) -> bool:
    ta, tb = timestamp(a.published), timestamp(b.published)
    return math.inf in (ta, tb) or abs(ta - tb) <= window


def _conflict(
    about: str, kind: str, said: list[_Said], gap: float = math.inf, window: float = math.inf
) -> Conflict | None:
    """A conflict when two sources each state a value the other does not, and the values
    cannot both hold: their ranges do not overlap, and lie at most `gap` apart. With a
    `window` (seconds), two articles giving them must be published that close (or undated):
    a toll that grows over a week is an update."""
    by_value: dict[str, list[_Said]] = defaultdict(list)
    for s in said:
        by_value[s.value].append(s)
    if len(by_value) < 2:
        return None
    sources = {v: {source_of(s.article) for s in group} for v, group in by_value.items()}

    def clash(a: str, b: str) -> bool:
        """Both values stated, each by a source that does not state the other."""
        x, y = by_value[a][0], by_value[b][0]
        distance = max(x.low - y.high, y.low - x.high)
        if not (0 < distance <= gap and sources[a] - sources[b] and sources[b] - sources[a]):
            return False
        # a pair of statements that disagree: neither sentence also states the other value
        # («أعلن الاثنين أنه سيلتقيه في 20 مارس» does not contradict «أعلن الاثنين»), and
        # published close enough that it is no update
        return any(
            p.value not in q.alongside
            and q.value not in p.alongside
            and (window == math.inf or _close(p.article, q.article, window))
            for p in by_value[a]
            for q in by_value[b]
        )

    if not any(clash(a, b) for a in by_value for b in by_value if a < b):
        return None
    return Conflict(about, kind, [_step(value, group) for value, group in by_value.items()])


def _step(value: str, group: list[_Said]) -> Step:
    """One value with every article and outlet stating it, and when it was first said."""
    item = Step(group[0].text, [], [], value=value)
    for s in group:
        if s.article.id not in item.article_ids:
            item.article_ids.append(s.article.id)
        if s.article.outlet and s.article.outlet not in item.outlets:
            item.outlets.append(s.article.outlet)
    first = min(group, key=lambda s: timestamp(s.article.published))
    return replace(item, published=first.article.published)


def _update(heading: str, said: list[_Said]) -> Update | None:
    """A count given as different values at different times, none contradicting another
    (`_conflict` said so: a later toll, a lower bound raised, one outlet correcting
    itself), in the order the values were first published. Values first said at the same
    time are two counts, not steps; a sentence giving both values is a breakdown."""
    by_value: dict[str, list[_Said]] = defaultdict(list)
    for s in said:
        by_value[s.value].append(s)
    if len(by_value) < 2:
        return None
    steps = sorted((_step(v, group) for v, group in by_value.items()),
                   key=lambda step: timestamp(step.published))  # fmt: skip
    times = [timestamp(step.published) for step in steps]
    if math.inf in times or len(set(times)) < len(times):
        return None
    if any(p.value in q.alongside for p in said for q in said if p.value != q.value):
        return None
    if len({by_value[step.value][0].low for step in steps}) < len(steps):
        return None  # «7 على الأقل» and «7»: one count, said two ways
    ranges = [(by_value[step.value][0].low, by_value[step.value][0].high) for step in steps]
    if any(b[0] <= a[0] and a[1] <= b[1] for a, b in pairwise(ranges)):
        return None  # «87 مليون» then «عشرات الملايين»: said vaguer, not changed
    return Update("figure", heading, steps)
