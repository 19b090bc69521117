"""Storylines: the long-running affairs that link stories over weeks.

A story is one happening and lives at most a window; a storyline (the Yemen war, the Iran
nuclear deal, the Khashoggi affair) is a run of stories about one affair. Each story gets a
signature: the top terms of its articles' centroid, weighted by the shipped background IDF
alone (stable: it does not move with the stream, so a signature changes only with its
story). Two stories are linked when their signatures' cosine reaches `threshold` and one
starts within `gap_days` of the other's end; a storyline is a connected component of the
links, named after its earliest story. A story alone is no storyline.

Signatures, links and storyline names are store rows, written in the transaction that
changed the stories; the candidates of a story come from an index on (term, start) within
its time range (the heaviest third of each signature is indexed: two stories at the
threshold share some of their heaviest terms), so the cost of a story is its
neighbourhood, not the store.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from marsad.cluster.terms import background_idf
from marsad.model import Story, Storyline
from marsad.store.base import Store

FINGERPRINT_KEY = "storylines"
VERSION = 2
DAY = 86400.0
SEEN_MAX = 20_000  # signatures kept in memory while one transaction relinks stories


@dataclass(frozen=True)
class StorylineConfig:
    """`threshold`: cosine between two stories' signatures to link them (0.5 let one
    bridging story chain daily market reports into the Syrian war on ANT; at 0.6 the
    largest storylines are one affair each: `python eval/archive.py`). `gap_days`: the most
    time between one story's end and the next one's start. `terms`: signature size."""

    threshold: float = 0.6
    gap_days: float = 10.0
    terms: int = 30

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        if self.gap_days < 0:
            raise ValueError(f"gap_days must be at least 0, got {self.gap_days}")
        if self.terms < 1:
            raise ValueError(f"terms must be at least 1, got {self.terms}")

    @property
    def index_terms(self) -> int:
        """Terms of a signature under the candidate index: two stories at the threshold
        share some of their heaviest terms, and fewer index rows are fewer pages written."""
        return max(1, self.terms // 3)

    def fingerprint(self) -> bytes:
        return json.dumps({"version": VERSION, **asdict(self)}, sort_keys=True).encode()


@dataclass
class Signature:
    story: str
    start: float
    end: float
    terms: dict[str, float]  # unit length over the kept terms


def signature(story: str, members: list[tuple[float, dict[str, float]]], size: int) -> Signature:
    """From (time, raw term weights) of the story's articles."""
    centroid: dict[str, float] = {}
    for _, terms in members:
        weighted = {t: w * background_idf(t) for t, w in terms.items()}
        norm = math.sqrt(sum(v * v for v in weighted.values())) or 1.0
        for t, v in weighted.items():
            centroid[t] = centroid.get(t, 0.0) + v / norm
    top = sorted(centroid.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
    norm = math.sqrt(sum(v * v for _, v in top)) or 1.0
    times = [t for t, _ in members]
    return Signature(story, min(times), max(times), {t: v / norm for t, v in top})


def storylines_current(store: Store, config: StorylineConfig) -> bool:
    return store.get_state(FINGERPRINT_KEY) == config.fingerprint()


def update_storylines(
    store: Store, stories: Iterable[str], config: StorylineConfig | None = None,
    span: float = 2 * DAY,
) -> set[str]:
    """Bring signatures, links and storyline names up to date for these changed (or
    deleted) stories; the stories whose storyline changed. `span`: the longest a story
    lasts (the clusterer's window), which bounds the time range searched."""
    config = config or StorylineConfig()
    with store.transaction():
        if not storylines_current(store, config):
            store.line_clear()
            store.set_state(FINGERPRINT_KEY, config.fingerprint())
            stories = store.cluster_story_ids()
        affected: set[str] = set()
        seen: dict[str, tuple[float, float, dict[str, float]]] = {}  # signatures read
        for story in sorted(set(stories)):
            if len(seen) > SEEN_MAX:  # a rebuild of every story: memory stays bounded
                seen.clear()
            affected |= _relink(store, story, config, span, seen)
        return _rename(store, affected)


def _relink(
    store: Store, story: str, config: StorylineConfig, span: float,
    seen: dict[str, tuple[float, float, dict[str, float]]],
) -> set[str]:
    """Recompute one story's signature and links; the stories whose links changed.
    `seen` holds the signatures read so far in this transaction (neighbouring stories are
    candidates of each other again and again)."""
    before = store.line_neighbours([story])
    store.line_drop(story)
    seen.pop(story, None)
    entries = store.cluster_members(story)
    if not entries:  # the story is gone
        return before | {story}
    vectors = store.cluster_vectors([e.id for e in entries])
    members = [(e.at, vectors[e.id][1]) for e in entries if e.id in vectors]
    if not members:
        return before | {story}
    sig = signature(story, members, config.terms)
    index = list(sig.terms)[: config.index_terms]  # the heaviest first
    store.line_put(sig.story, sig.start, sig.end, sig.terms, index)
    seen[story] = (sig.start, sig.end, sig.terms)
    reach = config.gap_days * DAY
    candidates = [s for s in store.line_candidates(index, sig.start - reach - span,
                                                   sig.end + reach) if s != story]  # fmt: skip
    unread = [s for s in candidates if s not in seen]
    seen.update((other, (start, stop, terms))
                for other, start, stop, terms in store.line_signatures(unread))  # fmt: skip
    links = []
    for other in candidates:
        start, stop, terms = seen[other]
        if max(0.0, start - sig.end, sig.start - stop) > reach:
            continue
        score = sum(w * terms.get(t, 0.0) for t, w in sig.terms.items())
        if score >= config.threshold:
            links.append((other, score))
    store.line_link(story, links)
    return before | {s for s, _ in links} | {story}


def _rename(store: Store, affected: set[str]) -> set[str]:
    """Name the components of the affected stories after their earliest story."""
    changed: set[str] = set()
    done: set[str] = set()
    for story in sorted(affected):
        if story in done:
            continue
        component, frontier = {story}, [story]
        while frontier:
            found = store.line_neighbours(frontier) - component
            component |= found
            frontier = sorted(found)
        done |= component
        changed |= store.line_name(component)
    return changed


def storylines(store: Store) -> list[Storyline]:
    """Every storyline, the largest (in articles) first."""
    members: dict[str, list[Story]] = {}
    for story in store.stories():
        if story.storyline:
            members.setdefault(story.storyline, []).append(story)
    lines = [Storyline(line, sorted(s, key=_when)) for line, s in members.items()]
    return sorted(lines, key=lambda line: (-line.size, line.start or "", line.id))


def storyline(store: Store, line_id: str) -> Storyline | None:
    ids = store.storylines(line_id).get(line_id)
    if not ids:
        return None
    return Storyline(line_id, sorted((s for i in ids if (s := store.story(i))), key=_when))


def _when(story: Story) -> tuple[str, str]:
    return (story.start or "", story.id)
