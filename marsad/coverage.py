"""Who covered a story: outlets' shares of its articles, and an outlet's blindspots (stories
only it covered, stories it missed that others covered). Pure functions over stories, so the
UI, the report, the API and the CLI count the same way on every store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from marsad.model import UNNAMED, Story


@dataclass(frozen=True)
class Coverage:
    """Who covered a story: each outlet's number of its articles, the most first (articles
    without an outlet count as one unnamed source)."""

    counts: tuple[tuple[str, int], ...]

    @property
    def size(self) -> int:
        return sum(n for _, n in self.counts)

    @property
    def outlets(self) -> int:
        """Distinct outlets."""
        return len(self.counts)

    def describe(self) -> str:
        """The bar as words, for its title and screen readers: «مرفأ نت 3، نبض الساحل 1»."""
        return "، ".join(f"{outlet} {n}" for outlet, n in self.counts)


def coverage(article_ids: Iterable[str], outlet_of: Mapping[str, str | None]) -> Coverage:
    """A story's articles counted by outlet (`outlet_of`: article id -> outlet)."""
    counts = Counter(outlet_of.get(aid) or UNNAMED for aid in article_ids)
    return Coverage(tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))))


@dataclass
class Blindspot:
    """An outlet's blindspots among some stories: those only it covered, and those it missed
    that at least `others` other outlets covered (the most covered first)."""

    outlet: str
    others: int
    only: list[Story]
    missed: list[Story]


def blindspot(stories: Iterable[Story], outlet: str, others: int = 2) -> Blindspot:
    """`outlet`'s blindspots among `stories` (already filtered, e.g. by `Window.stories`)."""
    only, missed = [], []
    for s in stories:
        if s.outlets == [outlet]:
            only.append(s)
        elif outlet not in s.outlets and len(s.outlets) >= others:
            missed.append(s)
    missed.sort(key=lambda s: (-len(s.outlets), -s.size))
    return Blindspot(outlet, others, only, missed)
