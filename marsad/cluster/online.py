"""The online clusterer: each article, in publish-time order, joins the story of the window
whose centroid is closest, or founds one.

A late article is placed where its time puts it, and the articles after it are placed
again only while they could come out differently: an article's placement depends on the
articles of the window before it alone (their vectors, stories and document frequencies),
so once a whole window after the last change comes out as before, everything later does
too, and the replay stops. A late page costs what it changes, whatever the store's size.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace

import numpy as np

from marsad.cluster.memory import ClusterState, MemoryClusterState, Terms
from marsad.cluster.terms import Background, ClusterConfig, article_terms, background, covered
from marsad.cluster.terms import timestamp as _timestamp
from marsad.model import Article, Story, content_hash
from marsad.store.state import Entry

STATE_VERSION = 6
Fetch = Callable[[list[str]], Iterable[Article]]
PAGE = 128  # log entries read at a time while replaying


def _key(article: Article) -> tuple[float, str]:
    return (_timestamp(article.published), article.id)


@dataclass
class _Vector:
    title: str
    terms: list[str]
    ids: np.ndarray  # int64 term ids of this session's vocabulary
    weights: np.ndarray  # float64 raw weights (no IDF: IDF moves with the window)
    terms_list: list[int]  # the same ids, for the window's index


class Clusterer:
    """The online clusterer over a `ClusterState` (see module docstring).

    Each `add` is a session: the windows it compares with and their vectors are read from
    the state, and the changed log entries are written back in one `cluster_apply`. The
    result is a function of the set of articles, not of how they were split into calls.
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

    def add(self, articles: Iterable[Article], fetch: Fetch | None = None) -> set[str]:
        """Cluster new articles (already known ids are skipped); the ids of stories touched.

        `fetch` returns stored articles by id, for vectors the state does not hold.
        """
        given = {a.id: a for a in articles}
        known = self.state.cluster_known(list(given))
        new = sorted((a for aid, a in given.items() if aid not in known), key=_key)
        return _Replay(self, new, fetch).run() if new else set()

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


class _Replay:
    """One `add`: a merge of the new articles into the log from the oldest of them on,
    placing again the logged articles whose window changed, until nothing can change."""

    def __init__(self, clusterer: Clusterer, new: list[Article], fetch: Fetch | None) -> None:
        self.config = clusterer.config
        self.state = clusterer.state
        self.new = new
        self.window = _Window(clusterer.config, clusterer.background, clusterer.state, fetch)

    def run(self) -> set[str]:
        span, state, window = self.config.window, self.state, self.window
        start = _key(self.new[0])
        before = state.cluster_before(start)
        last_at = before.at if before else None
        window.load(_at(start[0], last_at) - span, start)
        window.adopt([a.id for a in self.new])
        cursor = _Cursor(state, start, window.prefetch)
        changed_at = -math.inf
        written: dict[str, Entry] = {}
        vectors: list[tuple[str, str, Terms]] = []
        touched: set[str] = set()
        i = 0
        while True:
            nxt = self.new[i] if i < len(self.new) else None
            entry = cursor.peek()
            if entry is not None and (nxt is None or entry.key() < _key(nxt)):
                at = _at(entry.ts, last_at)
                if at == entry.at and at - span > changed_at:  # its window is as before
                    if nxt is None:
                        break  # and so is everything after it
                    jump = self._jump(nxt, at)
                    if jump is not None:
                        cursor.seek(_key(nxt))
                        last_at = jump
                        continue
                    cursor.pop()
                    window.push(entry)
                    last_at = at
                    continue
                cursor.pop()
                story, title = window.place(entry.id, at)
                again = replace(entry, at=at, story=story, title=title)
                if again != entry:
                    changed_at = at
                    written[entry.id] = again
                    touched |= {entry.story, story}
                window.push(again, counted=True)
                last_at = at
            elif nxt is not None:
                i += 1
                ts = _timestamp(nxt.published)
                at = _at(ts, last_at)
                window.made(nxt)
                story, title = window.place(nxt.id, at)
                entry = Entry(nxt.id, ts, at, nxt.published, nxt.outlet, story, title)
                written[nxt.id] = entry
                vec = window.vectors[nxt.id]
                vectors.append(
                    (nxt.id, vec.title, dict(zip(vec.terms, vec.weights.tolist(), strict=True)))
                )
                touched.add(story)
                changed_at = at
                window.push(entry, counted=True)
                last_at = at
            else:
                break
        state.cluster_apply(sorted(written.values(), key=Entry.key), vectors)
        return touched

    def _jump(self, nxt: Article, at: float) -> float | None:
        """When the log is as before from here up to the next new article's window, start
        that window afresh from the state (the entries in between cannot change); the time
        of the entry before that article, or None when there is nothing to skip."""
        key = _key(nxt)
        before = self.state.cluster_before(key)
        if before is None:
            return None
        nxt_at = _at(key[0], before.at)
        if nxt_at - self.config.window <= at:
            return None
        self.window.load(nxt_at - self.config.window, key)
        return before.at


def _at(ts: float, last_at: float | None) -> float:
    """The time an entry counts at: its own, or (undated) the newest one before it."""
    return ts if ts < math.inf else (last_at if last_at is not None else 0.0)


class _Cursor:
    """The logged entries from a key on, read a page at a time (`prefetch` is told each
    page's ids: their vectors are about to be needed)."""

    def __init__(
        self, state: ClusterState, key: tuple[float, str], prefetch: Callable[[list[str]], None]
    ) -> None:
        self.state, self.prefetch = state, prefetch
        self.seek(key)

    def seek(self, key: tuple[float, str], inclusive: bool = True) -> None:
        self.page: deque[Entry] = deque(self.state.cluster_from(key, PAGE, inclusive))
        self.more = len(self.page) == PAGE
        self.prefetch([e.id for e in self.page])

    def peek(self) -> Entry | None:
        return self.page[0] if self.page else None

    def pop(self) -> Entry:
        entry = self.page.popleft()
        if not self.page and self.more:
            self.seek(entry.key(), inclusive=False)
        return entry


class _Window:
    """The articles of the last `window_hours` before the one being placed: their vectors
    and document frequencies over this session's vocabulary, and the scoring."""

    def __init__(
        self, config: ClusterConfig, bg: Background, state: ClusterState, fetch: Fetch | None
    ) -> None:
        self.config, self.background, self.state, self.fetch = config, bg, state, fetch
        self.entries: deque[Entry] = deque()
        self.vectors: dict[str, _Vector] = {}
        # The index of the window: term id -> the window articles that have it, and
        # story -> its window articles, oldest first.
        self.postings: defaultdict[int, set[str]] = defaultdict(set)
        self.members: dict[str, deque[str]] = {}
        self.placed: dict[str, tuple[int, str]] = {}  # window article -> (arrival, story)
        # Stories whose first article is in the window: the ones that take newcomers.
        self.open: set[str] = set()
        self.arrivals = 0
        self.vocab: dict[str, int] = {}
        self.df = np.zeros(0, dtype=np.int64)
        self.ldf = np.zeros(0)  # log(df + background df + 1), kept with df: IDF's costly part
        self.bg_df = np.zeros(0, dtype=np.int64)
        self.bg_n = np.zeros(0, dtype=np.int64)

    # --- membership -------------------------------------------------------------------
    def load(self, since: float, key: tuple[float, str]) -> None:
        """Start afresh with the logged entries counted at `since` or later before `key`."""
        for entry in self.entries:
            self.vectors.pop(entry.id, None)
        self.entries.clear()
        self.postings.clear()
        self.members.clear()
        self.placed.clear()
        self.open.clear()
        self.df[:] = 0
        self.ldf = np.log(self.bg_df + 1.0)
        entries = self.state.cluster_since(since, key)
        self.prefetch([e.id for e in entries])
        for entry in entries:
            self.push(entry)

    def push(self, entry: Entry, counted: bool = False) -> None:
        """Append an entry (its terms are counted unless `place` counted them already)."""
        vec = self._vector(entry.id)
        if not counted:
            self._count(vec, +1)
        self.entries.append(entry)
        for term in vec.terms_list:
            self.postings[term].add(entry.id)
        if entry.story not in self.members:
            self.members[entry.story] = deque()
            if entry.story == "s-" + content_hash(entry.id)[:12]:
                self.open.add(entry.story)  # its first article: it takes newcomers
        self.members[entry.story].append(entry.id)
        self.placed[entry.id] = (self.arrivals, entry.story)
        self.arrivals += 1

    def _slide(self, at: float) -> None:
        """Drop the entries counted before the window of `at`, and their vectors: the
        replay goes forward, they are not needed again."""
        while self.entries and self.entries[0].at < at - self.config.window:
            entry = self.entries.popleft()
            vec = self.vectors.pop(entry.id)
            self._count(vec, -1)
            for term in vec.terms_list:
                self.postings[term].discard(entry.id)
            del self.placed[entry.id]
            members = self.members[entry.story]
            members.popleft()
            self.open.discard(entry.story)  # an open story's oldest is its first article
            if not members:
                del self.members[entry.story]

    def _count(self, vec: _Vector, sign: int) -> None:
        self.df[vec.ids] += sign  # a vector's term ids are distinct
        self.ldf[vec.ids] = np.log(self.df[vec.ids] + self.bg_df[vec.ids] + 1.0)

    # --- vectors ----------------------------------------------------------------------
    def made(self, article: Article) -> None:
        if article.id not in self.vectors:
            self.vectors[article.id] = self._make(article.title, dict(article_terms(article)))

    def adopt(self, ids: list[str]) -> None:
        """Take the vectors already stored for new articles (ingest makes them where the
        page is extracted); the others are made from the article."""
        raw = self.state.cluster_vectors(ids)
        self.vectors.update(zip(raw, self._make_many(list(raw.values())), strict=True))

    def prefetch(self, ids: list[str]) -> None:
        if missing := [i for i in ids if i not in self.vectors]:
            self._load(missing)

    def _vector(self, aid: str) -> _Vector:
        if aid not in self.vectors:
            self.prefetch([aid, *(e.id for e in self.entries)])
        return self.vectors[aid]

    def _load(self, ids: list[str]) -> None:
        raw = self.state.cluster_vectors(ids)
        if missing := [i for i in ids if i not in raw]:
            if self.fetch is None:
                raise LookupError(f"{len(missing)} clustered articles are needed again; pass fetch")
            raw.update({a.id: (a.title, dict(article_terms(a))) for a in self.fetch(missing)})
            if still := [i for i in missing if i not in raw]:
                raise LookupError(f"articles not found in the store: {still[:5]}")
        self.vectors.update(zip(raw, self._make_many(list(raw.values())), strict=True))

    def _make(self, title: str, terms: Terms) -> _Vector:
        return self._make_many([(title, terms)])[0]

    def _make_many(self, items: list[tuple[str, Terms]]) -> list[_Vector]:
        """Vectors over this session's vocabulary; new terms get the next ids in the order
        they first appear (the same ids one call per vector would give)."""
        vocab = self.vocab
        fresh = list(dict.fromkeys(t for _, terms in items for t in terms if t not in vocab))
        if fresh:
            base = len(vocab)
            vocab.update((t, base + i) for i, t in enumerate(fresh))
            bg = self.background
            known = [covered(t) for t in fresh]
            self.df = np.r_[self.df, np.zeros(len(fresh), dtype=np.int64)]
            self.bg_df = np.r_[self.bg_df, np.array(
                [bg.df.get(t, 0) if k else 0 for t, k in zip(fresh, known, strict=True)],
                dtype=np.int64)]  # fmt: skip
            self.bg_n = np.r_[self.bg_n, np.where(known, bg.n_docs, 0).astype(np.int64)]
            self.ldf = np.r_[self.ldf, np.log(self.bg_df[base:] + 1.0)]
        out = []
        for title, terms in items:
            ids = [vocab[t] for t in terms]
            weights = np.fromiter(terms.values(), float, len(terms))
            out.append(_Vector(title, list(terms), np.array(ids, dtype=np.int64), weights, ids))
        return out

    # --- scoring ----------------------------------------------------------------------
    def place(self, aid: str, at: float) -> tuple[str, str]:
        """Story and story title of the article counted at `at` (counted into the window's
        document frequencies; `push` it next)."""
        self._slide(at)
        self.prefetch([aid])  # the window's own vectors are held
        vec = self.vectors[aid]
        self._count(vec, +1)
        story, title = self._best(vec, len(self.entries) + 1)
        if story is None:
            return "s-" + content_hash(aid)[:12], vec.title
        return story, title

    def _core_close(
        self, qdense: np.ndarray, rows: np.ndarray, unit: np.ndarray, terms: np.ndarray
    ) -> bool:
        """Is the newcomer close enough to the centroid of the story's first articles (the
        vector entries `rows`)?"""
        cell, inverse = np.unique(terms[rows], return_inverse=True)
        centroid = np.bincount(inverse, unit[rows])
        norm = float(np.sqrt(centroid @ centroid))
        return norm > 0 and float(qdense[cell] @ centroid) / norm >= self.config.core_threshold

    def _members_close(
        self, members: range, owner: np.ndarray, unit: np.ndarray, qdense: np.ndarray,
        terms: np.ndarray,
    ) -> bool:  # fmt: skip
        """Does the newcomer reach `member_threshold` with `member_share` of the story's
        `members` (vector indices; off at 0)? Complete link: stricter stories, one
        development each."""
        limit = self.config.member_threshold
        if limit <= 0:
            return True
        rows = (owner >= members.start) & (owner < members.stop)
        dots = np.bincount(owner[rows], unit[rows] * qdense[terms[rows]], minlength=members.stop)
        return float(np.mean(dots[members.start :] >= limit)) >= self.config.member_share

    def _idf(self, ids: np.ndarray, n_docs: int) -> np.ndarray:
        """log((n + background n + 1) / (df + background df + 1)) + 1: the background's n
        is one of two values (covered terms or not), so only their two logs are taken."""
        covered_n = math.log(n_docs + self.background.n_docs + 1.0)
        other_n = math.log(n_docs + 1.0)
        return np.where(self.bg_n[ids] > 0, covered_n, other_n) - self.ldf[ids] + 1.0

    def _best(self, q: _Vector, n_docs: int) -> tuple[str | None, str]:
        """The story whose centroid of window articles is closest to `q`, with its new title.

        Only stories that share one of `q`'s heavy terms are scored: for a non-negative
        centroid c, cos(q, c) <= |q restricted to the shared terms|, so a story sharing
        only the light tail (norm below the threshold) cannot reach it. The candidates come
        from the window's index, and the cost is theirs, not the window's.
        """
        if not self.entries or not len(q.ids):
            return None, q.title
        qunit = _unit(q.weights * self._idf(q.ids, n_docs), np.zeros(len(q.ids), int))
        order = np.argsort(qunit)  # lightest first
        tail = np.cumsum(qunit[order] ** 2) < (self.config.threshold * (1 - 1e-9)) ** 2
        heavy = [q.terms_list[i] for i in order[int(tail.sum()) :].tolist()]
        postings = self.postings
        sharing = set().union(*(postings[t] for t in heavy if t in postings))
        if not sharing:
            return None, q.title
        placed = self.placed
        # In window order, as the sums' order (and so the ties) must not depend on the index.
        joinable = {placed[a][1] for a in sharing} & self.open
        firsts = sorted(placed[self.members[s][0]] for s in joinable)
        stories = [story for _, story in firsts]
        if not stories:
            return None, q.title
        member_ids = [a for s in stories for a in self.members[s]]
        vecs = [self.vectors[a] for a in member_ids]
        lengths = np.array([len(v.ids) for v in vecs])
        owner = np.repeat(np.arange(len(vecs)), lengths)
        terms = np.concatenate([v.ids for v in vecs])
        weights = np.concatenate([v.weights for v in vecs])
        unit = _unit(weights * self._idf(terms, n_docs), owner)
        member_story = np.repeat(np.arange(len(stories)), [len(self.members[s]) for s in stories])
        entry_story = member_story[owner]
        n_stories, n_terms = len(stories), len(self.vocab)

        qdense = np.zeros(n_terms)
        qdense[q.ids] = qunit
        dots = np.bincount(entry_story, unit * qdense[terms], minlength=n_stories)
        # |centroid| >= sqrt(size) for non-negative unit vectors: a cheap upper bound first.
        size = np.bincount(member_story, minlength=n_stories)
        need = self.config.threshold + self.config.size_penalty * np.log(size)
        hopeful = np.flatnonzero(dots / np.sqrt(size) >= need)
        if not len(hopeful):
            return None, q.title
        mask = np.isin(entry_story, hopeful)
        cell = entry_story[mask] * n_terms + terms[mask]
        cells, inverse = np.unique(cell, return_inverse=True)
        centroid = np.bincount(inverse, unit[mask])
        norms = np.sqrt(np.bincount(cells // n_terms, centroid**2, minlength=n_stories))
        scores = dots[hopeful] / norms[hopeful]
        # The best story the newcomer is also close to the core of (its first articles:
        # the first `core_size` members, which lead the story's run of vector entries).
        first = np.r_[0, np.cumsum(size)[:-1]]
        chosen = -1
        for best in np.argsort(-scores, kind="stable").tolist():
            if scores[best] < self.config.threshold:
                break
            k = int(hopeful[best])
            if scores[best] < need[k]:  # a big story asks more of a newcomer
                continue
            members = range(int(first[k]), int(first[k] + size[k]))
            if not self._members_close(members, owner, unit, qdense, terms):
                continue
            core = (owner >= first[k]) & (owner < first[k] + self.config.core_size)
            if self.config.core_threshold <= 0 or self._core_close(qdense, core, unit, terms):
                chosen = k
                break
        if chosen < 0:
            return None, q.title
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


def _unit(values: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Scale each owner's values to unit length."""
    norms = np.sqrt(np.bincount(owner, values * values))
    return values / np.where(norms > 0, norms, 1.0)[owner]
