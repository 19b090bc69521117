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
"""

from __future__ import annotations

import bisect
import gzip
import json
import math
import re
import warnings
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import numpy as np

from marsad.arabic import stems
from marsad.model import Article, Story, content_hash
from marsad.store.base import Store

STATE_KEY = "cluster"
STATE_VERSION = 2
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
    except ValueError:
        return math.inf
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


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


@dataclass
class _Entry:
    """One clustered article in the log; `title` is its story's title right after it joined."""

    id: str
    published: str | None
    outlet: str | None
    story: str
    title: str


@dataclass
class _Vector:
    title: str
    terms: np.ndarray  # int64 term ids
    weights: np.ndarray  # float64 raw weights (no IDF: IDF moves with the stream)


Fetch = Callable[[list[str]], Iterable[Article]]


class Clusterer:
    """The online clusterer and its state (see module docstring)."""

    def __init__(self, config: ClusterConfig | None = None) -> None:
        self.config = config or ClusterConfig()
        self.vocab: dict[str, int] = {}
        self.background = background()
        self.df = np.zeros(1024, dtype=np.int64)  # stream document frequencies
        self.bg_df = np.zeros(1024, dtype=np.int64)  # background ones, for covered terms
        self.bg_n = np.zeros(1024, dtype=np.int64)  # background size, for covered terms
        self.n_docs = 0
        self.log: list[_Entry] = []
        self.keys: list[tuple[float, str]] = []  # log keys, sorted
        self.pos: dict[str, int] = {}  # article id -> index in the log
        self.at: list[float] = []  # effective times: undated articles take the newest date
        self.vectors: dict[str, _Vector] = {}
        self.members: dict[str, list[str]] = defaultdict(list)
        self.titles: dict[str, str] = {}

    # --- persistence ----------------------------------------------------------------
    def dumps(self) -> bytes:
        terms = list(self.vocab)  # insertion order is id order
        state = {
            "version": STATE_VERSION,
            "config": asdict(self.config),
            "background": self.background.id,
            "terms": terms,
            "df": self.df[: len(terms)].tolist(),
            "n_docs": self.n_docs,
            "log": [[e.id, e.published, e.outlet, e.story, e.title] for e in self.log],
            "vectors": {
                aid: [v.title, v.terms.tolist(), v.weights.tolist()]
                for aid, v in self.vectors.items()
            },
        }
        return zlib.compress(json.dumps(state, ensure_ascii=False).encode("utf-8"), 6)

    @classmethod
    def loads(cls, data: bytes, config: ClusterConfig | None = None) -> Clusterer | None:
        """The saved clusterer, or None when it was saved by another version or config."""
        state = json.loads(zlib.decompress(data))
        self = cls(config)
        if (state.get("version"), state.get("config"), state.get("background")) != (
            STATE_VERSION,
            asdict(self.config),
            self.background.id,
        ):
            return None
        self._ids(state["terms"])
        self.df[: len(self.vocab)] = state["df"]
        self.n_docs = state["n_docs"]
        for row in state["log"]:
            self._append(_Entry(*row))
        self.vectors = {
            aid: _Vector(title, np.array(terms, dtype=np.int64), np.array(weights))
            for aid, (title, terms, weights) in state["vectors"].items()
        }
        return self

    # --- public -----------------------------------------------------------------------
    def add(self, articles: Iterable[Article], fetch: Fetch | None = None) -> set[str]:
        """Cluster new articles (already known ids are skipped); the ids of stories touched.

        `fetch` returns stored articles by id: needed only when a late article rolls back
        further than the vectors the state keeps.
        """
        new = {a.id: a for a in articles if a.id not in self.pos}
        if not new:
            return set()
        pending = {aid: self._vector(a) for aid, a in new.items()}
        info = {aid: (a.published, a.outlet) for aid, a in new.items()}
        start = min((timestamp(a.published), a.id) for a in new.values())
        touched = self._rollback(start, pending, info, fetch)
        self._ensure_window(start, fetch)
        for aid in sorted(pending, key=lambda i: (timestamp(info[i][0]), i)):
            touched.add(self._place(aid, pending[aid], *info[aid]))
        self._prune()
        return touched

    def story(self, story_id: str) -> Story | None:
        ids = self.members.get(story_id)
        if not ids:
            return None
        entries = [self.log[self.pos[aid]] for aid in ids]
        dated = [e.published for e in entries if timestamp(e.published) < math.inf]
        return Story(
            id=story_id,
            title=self.titles[story_id],
            article_ids=list(ids),
            outlets=sorted({e.outlet for e in entries if e.outlet}),
            start=dated[0] if dated else None,
            end=dated[-1] if dated else None,
        )

    def story_ids(self) -> list[str]:
        return [sid for sid, ids in self.members.items() if ids]

    def assignments(self) -> dict[str, str]:
        """Article id -> story id, for evaluation."""
        return {e.id: e.story for e in self.log}

    # --- the algorithm ----------------------------------------------------------------
    def _vector(self, article: Article) -> _Vector:
        counts = article_terms(article)
        ids = self._ids(counts)
        return _Vector(
            article.title, np.array(ids, dtype=np.int64), np.fromiter(counts.values(), float)
        )

    def _ids(self, terms: Iterable[str]) -> list[int]:
        """Term ids, adding unseen terms with their background counts."""
        ids = []
        for term in terms:
            i = self.vocab.get(term)
            if i is None:
                i = self.vocab[term] = len(self.vocab)
                self._grow(i + 1)
                if covered(term):
                    self.bg_n[i] = self.background.n_docs
                    self.bg_df[i] = self.background.df.get(term, 0)
            ids.append(i)
        return ids

    def _place(self, aid: str, vec: _Vector, published: str | None, outlet: str | None) -> str:
        """Count the article into the document frequencies, then join or found a story."""
        self.df[vec.terms] += 1
        self.n_docs += 1
        ts = timestamp(published)
        at = ts if ts < math.inf else (self.at[-1] if self.at else 0.0)
        first = bisect.bisect_left(self.at, at - self.config.window)
        story, title = self._best(vec, self.log[first:])
        if story is None:
            story, title = "s-" + content_hash(aid)[:12], vec.title
        self.vectors[aid] = vec
        self._append(_Entry(aid, published, outlet, story, title))
        return story

    def _best(self, q: _Vector, window: list[_Entry]) -> tuple[str | None, str]:
        """The story whose centroid of window articles is closest to `q`, with its new title."""
        if not window or not len(q.terms):
            return None, q.title
        vecs = [self.vectors[e.id] for e in window]
        lengths = np.array([len(v.terms) for v in vecs])
        owner = np.repeat(np.arange(len(vecs)), lengths)
        terms = np.concatenate([v.terms for v in vecs])
        unit = _unit(np.concatenate([v.weights for v in vecs]) * self._idf(terms), owner)
        stories = list(dict.fromkeys(e.story for e in window))
        index = {s: i for i, s in enumerate(stories)}
        member_story = np.array([index[e.story] for e in window])
        entry_story = member_story[owner]
        n_stories = len(stories)

        qdense = np.zeros(len(self.vocab))
        qdense[q.terms] = _unit(q.weights * self._idf(q.terms), np.zeros(len(q.terms), int))
        dots = np.bincount(entry_story, unit * qdense[terms], minlength=n_stories)
        # |centroid| >= sqrt(size) for non-negative unit vectors: a cheap upper bound first.
        size = np.bincount(member_story, minlength=n_stories)
        hopeful = np.flatnonzero(dots / np.sqrt(size) >= self.config.threshold)
        if not len(hopeful):
            return None, q.title
        mask = np.isin(entry_story, hopeful)
        cell = entry_story[mask] * len(self.vocab) + terms[mask]
        cells, inverse = np.unique(cell, return_inverse=True)
        centroid = np.bincount(inverse, unit[mask])
        norms = np.sqrt(np.bincount(cells // len(self.vocab), centroid**2, minlength=n_stories))
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
        # and the earliest must win whatever the summation order (term ids differ between runs
        # that saw batches differently).
        return stories[chosen], max(candidates, key=lambda c: (bool(c[1]), round(c[0], 9)))[1]

    def _idf(self, terms: np.ndarray) -> np.ndarray:
        docs = self.n_docs + self.bg_n[terms] + 1
        return np.log(docs / (self.df[terms] + self.bg_df[terms] + 1)) + 1.0

    # --- log bookkeeping ----------------------------------------------------------------
    def _append(self, entry: _Entry) -> None:
        ts = timestamp(entry.published)
        self.log.append(entry)
        self.keys.append((ts, entry.id))
        self.pos[entry.id] = len(self.log) - 1
        self.at.append(ts if ts < math.inf else (self.at[-1] if self.at else 0.0))
        self.members[entry.story].append(entry.id)
        self.titles[entry.story] = entry.title

    def _rollback(
        self,
        start: tuple[float, str],
        pending: dict[str, _Vector],
        info: dict[str, tuple[str | None, str | None]],
        fetch: Fetch | None,
    ) -> set[str]:
        """Undo every article at or after `start`; they join `pending` to be replayed."""
        cut = bisect.bisect_left(self.keys, start)
        suffix = self.log[cut:]
        if not suffix:
            return set()
        self._load_vectors([e.id for e in suffix], fetch)
        for entry in reversed(suffix):
            vec = self.vectors.pop(entry.id)
            self.df[vec.terms] -= 1
            self.n_docs -= 1
            pending[entry.id] = vec
            info[entry.id] = (entry.published, entry.outlet)
            self.members[entry.story].pop()
            del self.pos[entry.id]
        del self.log[cut:], self.keys[cut:], self.at[cut:]
        touched = {e.story for e in suffix}
        for story in touched:
            if self.members[story]:
                self.titles[story] = self.log[self.pos[self.members[story][-1]]].title
            else:
                del self.members[story], self.titles[story]
        return touched

    def _ensure_window(self, start: tuple[float, str], fetch: Fetch | None) -> None:
        at = start[0] if start[0] < math.inf else (self.at[-1] if self.at else 0.0)
        first = bisect.bisect_left(self.at, at - self.config.window)
        self._load_vectors([e.id for e in self.log[first:]], fetch)

    def _load_vectors(self, ids: list[str], fetch: Fetch | None) -> None:
        missing = [aid for aid in ids if aid not in self.vectors]
        if not missing:
            return
        if fetch is None:
            raise LookupError(f"{len(missing)} clustered articles are needed again; pass fetch")
        for article in fetch(missing):
            self.vectors[article.id] = self._vector(article)
        if still := [aid for aid in missing if aid not in self.vectors]:
            raise LookupError(f"articles not found in the store: {still[:5]}")

    def _prune(self) -> None:
        if not self.at:
            return
        first = bisect.bisect_left(self.at, self.at[-1] - self.config.keep)
        for entry in self.log[:first]:
            self.vectors.pop(entry.id, None)

    def _grow(self, size: int) -> None:
        if size > len(self.df):
            self.df, self.bg_df, self.bg_n = (
                np.concatenate([a, np.zeros(max(size, len(a)), dtype=np.int64)])
                for a in (self.df, self.bg_df, self.bg_n)
            )


def _unit(values: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Scale each owner's values to unit length."""
    norms = np.sqrt(np.bincount(owner, values * values))
    return values / np.where(norms > 0, norms, 1.0)[owner]


def update_stories(
    store: Store, articles: Iterable[Article], config: ClusterConfig | None = None
) -> list[Story]:
    """Cluster new articles into the store's stories; the stories that changed.

    Loads the clusterer from the store's state, replays from the oldest new article when it
    is older than what was clustered, saves changed stories and the new state. A state made
    with another config is discarded and every stored article is clustered again.
    """
    config = config or ClusterConfig()
    articles = list(articles)
    saved = store.get_state(STATE_KEY)
    clusterer = Clusterer.loads(saved, config) if saved else None
    gone: set[str] = set()
    if clusterer is None:
        if saved:  # other config or version: start over from everything stored
            gone = {s.id for s in store.stories()}
            known = {a.id for a in articles}
            articles += [a for a in store.articles() if a.id not in known]
        clusterer = Clusterer(config)
    touched = clusterer.add(articles, fetch=lambda ids: store.articles(ids))
    stories = [s for sid in sorted(touched) if (s := clusterer.story(sid))]
    gone |= touched - {s.id for s in stories}
    gone -= set(clusterer.story_ids())
    if gone:
        store.delete_stories(sorted(gone))
    store.save_stories(stories)
    store.set_state(STATE_KEY, clusterer.dumps())
    return stories
