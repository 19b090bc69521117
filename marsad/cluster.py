"""Online story clustering: in publish-time order, each article joins the closest open story
or starts a new one.

An article is a bag of stems with its title and lead paragraph weighted up (news puts the
happening there), weighted by IDF: document frequencies counted over the stream so far, on
top of a shipped background table for Arabic terms, so that IDF is sound from the first
article on. A story is the centroid of its articles of the last `window_hours`; an article
joins the story whose centroid is most similar when that cosine reaches `threshold`.

The state is a function of the time-ordered article sequence alone. A batch that brings
articles older than the newest clustered one rolls back to the oldest of them and replays
that suffix, so any split into batches gives the same stories as one batch.

The state lives in a `ClusterState`: the store's rows (`marsad.store.state`) during ingest,
read per window and written per step in the ingest's transaction, or `MemoryClusterState`
for evaluation. Only the window an article is compared with is ever in memory.
"""

from __future__ import annotations

import bisect
import gzip
import json
import math
import re
import warnings
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from marsad.arabic import stems
from marsad.model import Article, Story, content_hash
from marsad.store.base import Store
from marsad.store.state import Entry

FINGERPRINT_KEY = "cluster_state"
STATE_VERSION = 3
BACKGROUND = Path(__file__).with_name("data") / "background_df.tsv.gz"
# Stems of this sentence identify the stemmer the background table was counted with.
PROBE = "وقالت الحكومة إن المستشفيات استقبلت المصابين بعد الانفجارات في العاصمتين أمس"
TITLE_WEIGHT = 3.0  # a title stem counts as three body occurrences
LEAD_WEIGHT = 1.0  # the first paragraph counts twice: once as lead, once as body


@dataclass(frozen=True)
class ClusterConfig:
    """`threshold`: cosine between an article and a story centroid needed to join it.
    Lower merges more; 0.3 sits in the plateau where both the labelled ANT window and ECB+
    (English) are near their best (`python eval/stories.py --sweep`).

    `window_hours`: a story is open to an article published within this time of one of its
    articles, and its centroid is made of those recent articles (stories may drift).
    """

    threshold: float = 0.3
    window_hours: float = 48.0

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        if self.window_hours <= 0:
            raise ValueError(f"window_hours must be positive, got {self.window_hours}")

    @property
    def window(self) -> float:
        return self.window_hours * 3600.0

    @property
    def keep(self) -> float:
        """Seconds of article vectors kept in the state: a rollback of up to one window
        needs the window before it, so late articles rarely send us back to the store."""
        return 2.0 * self.window


def timestamp(published: str | None) -> float:
    """Seconds since the epoch (naive times are UTC); undated articles sort last."""
    if not published:
        return math.inf
    try:
        moment = datetime.fromisoformat(published)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    except (ValueError, OverflowError):
        return math.inf


def article_terms(article: Article) -> Counter[str]:
    """Weighted stem counts: title and lead count more, as they name the happening."""
    counts: Counter[str] = Counter(stems(article.body))
    paragraphs = article.paragraphs
    for term in stems(paragraphs[0]) if paragraphs else ():
        counts[term] += LEAD_WEIGHT
    for term in stems(article.title):
        counts[term] += TITLE_WEIGHT
    return counts


def stemmer_fingerprint() -> str:
    return content_hash(" ".join(stems(PROBE)))


_LATIN = re.compile("[a-z]")


def covered(term: str) -> bool:
    """Terms the Arabic background speaks for: Arabic words and numbers, not Latin words."""
    return _LATIN.search(term) is None


@dataclass(frozen=True)
class Background:
    """Document frequencies of stems over a large Arabic news corpus.

    Added to the stream's own counts, they give sound IDF from the first article on: a
    stream that has seen thirty articles cannot tell a story's own words from everyday ones.
    """

    id: str
    n_docs: int
    df: dict[str, int]


@lru_cache(maxsize=1)
def background() -> Background:
    """The shipped table (built by `eval/stories.py --build-background`), or an empty one."""
    if not BACKGROUND.exists():
        return Background("none", 0, {})
    with gzip.open(BACKGROUND, "rt", encoding="utf-8") as f:
        head = f.readline()
        df = {term: int(n) for term, n in (line.rstrip("\n").split("\t") for line in f)}
    header = json.loads(head)
    if header["stems"] != stemmer_fingerprint():
        warnings.warn(f"{BACKGROUND.name} was counted with other stems: rebuild it", stacklevel=2)
    return Background(content_hash(head), header["n_docs"], df)


Fetch = Callable[[list[str]], Iterable[Article]]
Terms = dict[str, float]


class ClusterState(Protocol):
    """The clusterer's log, vectors and document frequencies (see `marsad.store.state`)."""

    def cluster_known(self, ids: Sequence[str]) -> set[str]: ...

    def cluster_from(self, key: tuple[float, str]) -> list[Entry]: ...

    def cluster_before(self, key: tuple[float, str]) -> Entry | None: ...

    def cluster_since(self, at: float, key: tuple[float, str]) -> list[Entry]: ...

    def cluster_vectors(self, ids: Sequence[str]) -> dict[str, tuple[str, Terms]]: ...

    def cluster_df(self, terms: Sequence[str]) -> dict[str, int]: ...

    def cluster_docs(self) -> int: ...

    def cluster_apply(
        self,
        removed: Sequence[str],
        added: Sequence[tuple[Entry, str, Terms]],
        df_delta: Counter[str],
        n_docs: int,
        prune_before: float | None,
    ) -> None: ...

    def cluster_members(self, story: str) -> list[Entry]: ...


class MemoryClusterState:
    """The clusterer's state in memory (evaluation, tests); ingest keeps it as store rows."""

    def __init__(self) -> None:
        self.log: list[Entry] = []
        self.keys: list[tuple[float, str]] = []
        self.ats: list[float] = []
        self.vectors: dict[str, tuple[str, Terms]] = {}
        self.df: Counter[str] = Counter()
        self.n_docs = 0
        self.members: dict[str, list[Entry]] = defaultdict(list)
        self.ids: set[str] = set()

    def cluster_known(self, ids: Sequence[str]) -> set[str]:
        return {i for i in ids if i in self.ids}

    def cluster_from(self, key: tuple[float, str]) -> list[Entry]:
        return self.log[bisect.bisect_left(self.keys, key) :]

    def cluster_before(self, key: tuple[float, str]) -> Entry | None:
        i = bisect.bisect_left(self.keys, key)
        return self.log[i - 1] if i else None

    def cluster_since(self, at: float, key: tuple[float, str]) -> list[Entry]:
        end = bisect.bisect_left(self.keys, key)
        return self.log[bisect.bisect_left(self.ats, at, 0, end) : end]

    def cluster_vectors(self, ids: Sequence[str]) -> dict[str, tuple[str, Terms]]:
        return {i: self.vectors[i] for i in ids if i in self.vectors}

    def cluster_df(self, terms: Sequence[str]) -> dict[str, int]:
        return {t: self.df[t] for t in terms if t in self.df}

    def cluster_docs(self) -> int:
        return self.n_docs

    def cluster_apply(
        self,
        removed: Sequence[str],
        added: Sequence[tuple[Entry, str, Terms]],
        df_delta: Counter[str],
        n_docs: int,
        prune_before: float | None,
    ) -> None:
        cut = len(self.log) - len(removed)  # a rollback removes a suffix of the log
        for entry in self.log[cut:]:
            self.members[entry.story].pop()
            if not self.members[entry.story]:
                del self.members[entry.story]
            self.vectors.pop(entry.id, None)
            self.ids.discard(entry.id)
        del self.log[cut:], self.keys[cut:], self.ats[cut:]
        for entry, title, terms in added:
            self.log.append(entry)
            self.ids.add(entry.id)
            self.keys.append(entry.key())
            self.ats.append(entry.at)
            self.members[entry.story].append(entry)
            self.vectors[entry.id] = (title, terms)
        self.df.update(df_delta)
        self.n_docs = n_docs
        if prune_before is not None:
            for entry in self.log[: bisect.bisect_left(self.ats, prune_before)]:
                self.vectors.pop(entry.id, None)

    def cluster_members(self, story: str) -> list[Entry]:
        return list(self.members.get(story, ()))

    def assignments(self) -> dict[str, str]:
        return {e.id: e.story for e in self.log}

    def story_ids(self) -> list[str]:
        return list(self.members)


@dataclass
class _Vector:
    title: str
    terms: list[str]
    ids: np.ndarray  # int64 term ids of this session's vocabulary
    weights: np.ndarray  # float64 raw weights (no IDF: IDF moves with the stream)


class Clusterer:
    """The online clusterer over a `ClusterState` (see module docstring).

    Each `add` is a session: the window of articles it compares with, their vectors and
    the document frequencies of their terms are read from the state, the step is written
    back in one `cluster_apply`.
    """

    def __init__(self, config: ClusterConfig | None = None, state: ClusterState | None = None):
        self.config = config or ClusterConfig()
        self.state: ClusterState = state if state is not None else MemoryClusterState()
        self.background = background()

    def fingerprint(self) -> str:
        """What the state depends on: another value means the state is rebuilt."""
        return json.dumps(
            {"version": STATE_VERSION, "config": asdict(self.config), "bg": self.background.id},
            sort_keys=True,
        )

    # --- public -----------------------------------------------------------------------
    def add(self, articles: Iterable[Article], fetch: Fetch | None = None) -> set[str]:
        """Cluster new articles (already known ids are skipped); the ids of stories touched.

        `fetch` returns stored articles by id: needed only when a late article rolls back
        to articles whose vectors the state has pruned.
        """
        given = {a.id: a for a in articles}
        known = self.state.cluster_known(list(given))
        new = [a for aid, a in given.items() if aid not in known]
        if not new:
            return set()
        session = _Session(self)
        start = min((timestamp(a.published), a.id) for a in new)
        suffix = self.state.cluster_from(start)
        pending = {a.id: (a.published, a.outlet) for a in new}
        pending.update({e.id: (e.published, e.outlet) for e in suffix})
        before = self.state.cluster_before(start)
        last_at = before.at if before else None
        first_at = start[0] if start[0] < math.inf else (last_at or 0.0)
        window = deque(self.state.cluster_since(first_at - self.config.window, start))
        vectors = session.vectors(new, [e.id for e in suffix] + [e.id for e in window], fetch)
        n_docs = self.state.cluster_docs()
        for entry in suffix:  # roll back: the suffix is replayed with the new articles
            session.count(vectors[entry.id], -1)
            n_docs -= 1
        touched = {e.story for e in suffix}
        added: list[tuple[Entry, str, Terms]] = []
        for aid in sorted(pending, key=lambda i: (timestamp(pending[i][0]), i)):
            published, outlet = pending[aid]
            vec = vectors[aid]
            session.count(vec, +1)
            n_docs += 1
            ts = timestamp(published)
            at = ts if ts < math.inf else (last_at if last_at is not None else 0.0)
            while window and window[0].at < at - self.config.window:
                window.popleft()
            story, title = session.best(vec, window, vectors, n_docs)
            if story is None:
                story, title = "s-" + content_hash(aid)[:12], vec.title
            entry = Entry(aid, ts, at, published, outlet, story, title)
            window.append(entry)
            added.append(
                (entry, vec.title, dict(zip(vec.terms, vec.weights.tolist(), strict=True)))
            )
            touched.add(story)
            last_at = at
        prune = None if last_at is None else last_at - self.config.keep
        self.state.cluster_apply([e.id for e in suffix], added, session.delta, n_docs, prune)
        return touched

    def story(self, story_id: str) -> Story | None:
        entries = self.state.cluster_members(story_id)
        if not entries:
            return None
        dated = [e.published for e in entries if e.ts < math.inf]
        return Story(
            id=story_id,
            title=entries[-1].title,
            article_ids=[e.id for e in entries],
            outlets=sorted({e.outlet for e in entries if e.outlet}),
            start=dated[0] if dated else None,
            end=dated[-1] if dated else None,
        )

    def story_ids(self) -> list[str]:
        return self.state.story_ids()  # type: ignore[attr-defined]

    def assignments(self) -> dict[str, str]:
        """Article id -> story id, for evaluation (in-memory state)."""
        return self.state.assignments()  # type: ignore[attr-defined]


class _Session:
    """One `add`: a vocabulary of the terms met, their document frequencies (stored counts
    plus this session's changes) and background counts, as arrays for vector scoring."""

    def __init__(self, clusterer: Clusterer) -> None:
        self.config = clusterer.config
        self.state = clusterer.state
        self.background = clusterer.background
        self.vocab: dict[str, int] = {}
        self.df = np.zeros(0, dtype=np.int64)
        self.bg_df = np.zeros(0, dtype=np.int64)
        self.bg_n = np.zeros(0, dtype=np.int64)
        self.delta: Counter[str] = Counter()

    def vectors(
        self, new: list[Article], logged: list[str], fetch: Fetch | None
    ) -> dict[str, _Vector]:
        """Vectors of the new articles and of logged ones (stored, else from `fetch`)."""
        raw: dict[str, tuple[str, Terms]] = {a.id: _raw(a) for a in new}
        stored = self.state.cluster_vectors([i for i in dict.fromkeys(logged) if i not in raw])
        raw.update(stored)
        if missing := [i for i in logged if i not in raw]:
            if fetch is None:
                raise LookupError(f"{len(missing)} clustered articles are needed again; pass fetch")
            raw.update({a.id: _raw(a) for a in fetch(missing)})
            if still := [i for i in missing if i not in raw]:
                raise LookupError(f"articles not found in the store: {still[:5]}")
        self._register({t for _, terms in raw.values() for t in terms})
        return {
            aid: _Vector(
                title,
                list(terms),
                np.fromiter((self.vocab[t] for t in terms), np.int64, len(terms)),
                np.fromiter(terms.values(), float, len(terms)),
            )
            for aid, (title, terms) in raw.items()
        }

    def _register(self, terms: set[str]) -> None:
        fresh = sorted(t for t in terms if t not in self.vocab)
        if not fresh:
            return
        stored = self.state.cluster_df(fresh)
        base = len(self.vocab)
        for i, term in enumerate(fresh):
            self.vocab[term] = base + i
        bg = self.background
        self.df = np.r_[self.df, [stored.get(t, 0) + self.delta[t] for t in fresh]].astype(np.int64)
        self.bg_df = np.r_[self.bg_df, [bg.df.get(t, 0) if covered(t) else 0 for t in fresh]]
        self.bg_n = np.r_[self.bg_n, [bg.n_docs if covered(t) else 0 for t in fresh]]
        self.bg_df, self.bg_n = self.bg_df.astype(np.int64), self.bg_n.astype(np.int64)

    def count(self, vec: _Vector, sign: int) -> None:
        self.df[vec.ids] += sign
        for term in vec.terms:
            self.delta[term] += sign

    def _idf(self, ids: np.ndarray, n_docs: int) -> np.ndarray:
        docs = n_docs + self.bg_n[ids] + 1
        return np.log(docs / (self.df[ids] + self.bg_df[ids] + 1)) + 1.0

    def best(
        self, q: _Vector, window: Iterable[Entry], vectors: dict[str, _Vector], n_docs: int
    ) -> tuple[str | None, str]:
        """The story whose centroid of window articles is closest to `q`, with its new title."""
        window = list(window)
        if not window or not len(q.ids):
            return None, q.title
        vecs = [vectors[e.id] for e in window]
        lengths = np.array([len(v.ids) for v in vecs])
        owner = np.repeat(np.arange(len(vecs)), lengths)
        terms = np.concatenate([v.ids for v in vecs])
        weights = np.concatenate([v.weights for v in vecs])
        unit = _unit(weights * self._idf(terms, n_docs), owner)
        stories = list(dict.fromkeys(e.story for e in window))
        index = {s: i for i, s in enumerate(stories)}
        member_story = np.array([index[e.story] for e in window])
        entry_story = member_story[owner]
        n_stories, n_terms = len(stories), len(self.vocab)

        qdense = np.zeros(n_terms)
        qdense[q.ids] = _unit(q.weights * self._idf(q.ids, n_docs), np.zeros(len(q.ids), int))
        dots = np.bincount(entry_story, unit * qdense[terms], minlength=n_stories)
        # |centroid| >= sqrt(size) for non-negative unit vectors: a cheap upper bound first.
        size = np.bincount(member_story, minlength=n_stories)
        hopeful = np.flatnonzero(dots / np.sqrt(size) >= self.config.threshold)
        if not len(hopeful):
            return None, q.title
        mask = np.isin(entry_story, hopeful)
        cell = entry_story[mask] * n_terms + terms[mask]
        cells, inverse = np.unique(cell, return_inverse=True)
        centroid = np.bincount(inverse, unit[mask])
        norms = np.sqrt(np.bincount(cells // n_terms, centroid**2, minlength=n_stories))
        scores = dots[hopeful] / norms[hopeful]
        best = int(np.argmax(scores))
        if scores[best] < self.config.threshold:
            return None, q.title
        chosen = int(hopeful[best])
        # Title: the member (the newcomer included) closest to the new centroid.
        cdense = qdense.copy()
        in_story = entry_story == chosen
        np.add.at(cdense, terms[in_story], unit[in_story])
        closeness = np.bincount(owner[in_story], unit[in_story] * cdense[terms[in_story]])
        candidates = [(closeness[i], vecs[i].title) for i in np.flatnonzero(member_story == chosen)]
        candidates.append((float(qdense @ cdense), q.title))
        # Titled members first (a page may print none). Rounded: two members are always tied,
        # and the earliest must win whatever the summation order (term ids differ between
        # sessions that saw batches differently).
        return stories[chosen], max(candidates, key=lambda c: (bool(c[1]), round(c[0], 9)))[1]


def _raw(article: Article) -> tuple[str, Terms]:
    return article.title, dict(article_terms(article))


def _unit(values: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Scale each owner's values to unit length."""
    norms = np.sqrt(np.bincount(owner, values * values))
    return values / np.where(norms > 0, norms, 1.0)[owner]


def cluster_current(store: Store, config: ClusterConfig | None = None) -> bool:
    """Whether the store's story state was made by this version, config and background."""
    return store.get_state(FINGERPRINT_KEY) == Clusterer(config).fingerprint().encode()


def cluster_reset(store: Store, config: ClusterConfig | None = None) -> None:
    """Forget the story state and the stories, ready to cluster every stored article again."""
    store.cluster_clear()
    store.delete_stories([s.id for s in store.stories()])
    store.set_state(FINGERPRINT_KEY, Clusterer(config).fingerprint().encode())


def update_stories(
    store: Store, articles: Iterable[Article], config: ClusterConfig | None = None
) -> list[Story]:
    """Cluster new articles into the store's stories; the stories that changed.

    One transaction: the clusterer's rows and the changed stories are written together.
    A state made with another config is discarded and every stored article is clustered
    again.
    """
    articles = list(articles)
    with store.transaction():
        if not cluster_current(store, config):
            cluster_reset(store, config)
            known = {a.id for a in articles}
            articles += [a for a in store.articles() if a.id not in known]
        clusterer = Clusterer(config, state=store)
        touched = clusterer.add(articles, fetch=lambda ids: store.articles(ids))
        stories = [s for sid in sorted(touched) if (s := clusterer.story(sid))]
        if gone := sorted(touched - {s.id for s in stories}):
            store.delete_stories(gone)
        store.save_stories(stories)
    return stories
