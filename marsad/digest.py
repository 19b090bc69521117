"""What each story says, as one dict per story: the contract behind `digest.json`, the REST
API's story digest, the HTML report and the web UI (docs/digest.md).

The per-story work is pure over the story's articles (sentence alignment first, then the
summary, timeline, facts and coverage all read the same claims); only reading the articles and
their duplicate pairs touches the store.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from marsad.attribution import Speaker, named_spans, speakers
from marsad.claims import Claim, ClaimsConfig, align, article_sentences
from marsad.cluster.developments import DevelopmentsConfig, developments
from marsad.dates import find_dates
from marsad.dates.infer import infer_published, with_inferred
from marsad.dates.zones import ZoneConfig, in_local_time
from marsad.entities import prefetch, story_entities
from marsad.facts import Facts, FactsConfig, compare, quantities
from marsad.modality import modality
from marsad.model import Article, DuplicatePair, Story, content_hash
from marsad.store import Store
from marsad.summarize import SummaryConfig, summarize
from marsad.timeline import timeline


@dataclass(frozen=True)
class DigestConfig:
    timeline_entries: int = 30  # the best-supported dated entries, shown in date order
    claims: ClaimsConfig = field(default_factory=ClaimsConfig)
    summary: SummaryConfig = field(default_factory=SummaryConfig)
    facts: FactsConfig = field(default_factory=FactsConfig)
    zones: ZoneConfig = field(default_factory=ZoneConfig)
    developments: DevelopmentsConfig = field(default_factory=DevelopmentsConfig)

    def __post_init__(self) -> None:
        if self.timeline_entries < 1:
            raise ValueError("timeline_entries must be at least 1")


def _duplicate(pair: DuplicatePair) -> dict:
    return {
        "a": pair.a,
        "b": pair.b,
        "kind": pair.kind,
        "similarity": round(pair.similarity, 3),
        "added_a": list(pair.added_a),
        "added_b": list(pair.added_b),
    }


def describe(
    story: Story,
    articles: list[Article],
    pairs: list[DuplicatePair],
    config: DigestConfig | None = None,
) -> dict:
    """The digest of one story from its articles and duplicate pairs (no store access)."""
    config = config or DigestConfig()
    articles, inferred, claims, facts = _aligned(articles, config)
    members = {a.id for a in articles}
    said = Speakers(articles)
    summary = [s.to_dict() for s in summarize(articles, claims, config.summary)]
    for item in summary:  # who each summary sentence's citations credit
        item["speakers"] = said.named((c["article_id"], c["sentence"]) for c in item["cites"])
    return {
        **story.to_dict(),
        "claims": claim_records(story.id, claims, articles, said),
        "inferred_published": [
            {"article_id": aid, **inferred[aid].to_dict()} for aid in sorted(inferred)
        ],
        "summary": summary,
        "entities": [e.to_dict() for e in story_entities(articles)],
        "timeline": [
            e.to_dict() for e in timeline(articles, claims, limit=config.timeline_entries)
        ],
        "facts": facts.to_dict(),
        "coverage": facts.coverage_dicts(),
        "duplicates": [_duplicate(p) for p in pairs if p.a in members and p.b in members],
        "developments": [d.to_dict() for d in developments(articles, config.developments)],
    }


def _aligned(
    articles: list[Article], config: DigestConfig
) -> tuple[list[Article], dict, list[Claim], Facts]:
    """What claims and facts stand on: the articles with inferred days (relative dates need
    a day to resolve; stamps in the writer's zone, not GMT's), those days, the aligned
    claims, and the facts compared over them."""
    articles = in_local_time(articles, config.zones)
    inferred = infer_published(articles)
    articles = with_inferred(articles, inferred)
    claims = align(articles, config.claims)
    # the articles again, though a batch has warmed them: asked for, they survive a cache
    # clear (without them 300 ANT stories took 7 % longer)
    prefetch([a.text for a in articles] + [s for c in claims for s in (c.text, *c.sentences)])
    return articles, inferred, claims, compare(articles, claims, config=config.facts,
                                               summary=config.summary)  # fmt: skip


def story_claims(
    store: Store, story: Story, config: DigestConfig | None = None
) -> tuple[list[dict], list[dict]]:
    """The story's claim records and conflicts, as its digest gives them: from the kept
    digest when it is current, else aligned now without the rest of the digest (what an
    ingest asks of each followed story it changes, marsad.follow)."""
    pairs = store.duplicates(story.article_ids)
    if (kept := store.cached_digest(story.id, digest_key(story, pairs, config))) is not None:
        return kept["claims"], kept["facts"]["conflicts"]
    articles, _, claims, facts = _aligned(list(store.articles(story.article_ids)),
                                          config or DigestConfig())  # fmt: skip
    return claim_records(story.id, claims, articles), facts.to_dict()["conflicts"]


class Speakers:
    """Who each sentence of a story's articles credits (`marsad.attribution`), computed per
    article on first use: «وأضاف» takes its article's last named speaker."""

    def __init__(self, articles: list[Article]) -> None:
        self._by_id = {a.id: a for a in articles}
        self._said: dict[str, list] = {}

    def of(self, article_id: str, index: int) -> Speaker | None:
        if article_id not in self._said:
            sentences = article_sentences(self._by_id[article_id])
            self._said[article_id] = speakers(sentences, names=named_spans)
        said = self._said[article_id]
        return said[index] if index < len(said) else None

    def named(self, sentences: Iterable[tuple[str, int]]) -> list[str]:
        """The distinct speakers named for these sentences, in order."""
        found = (self.of(aid, index) for aid, index in sentences)
        return list(dict.fromkeys(who.text for who in found if who and who.text))


def claim_records(
    story_id: str, claims: list[Claim], articles: list[Article], said: Speakers | None = None
) -> list[dict]:
    """Every claim of a story, as `digest.json` and `marsad claims` give it: its stating
    sentences (each sentence listed in exactly one claim, the first that holds it; a compound
    sentence stating several claims still counts for each in `article_ids`), their date
    mentions resolved against their article's day, who each credits (`marsad.attribution`,
    «وأضاف» resolved within its article), the figures each gives with what they count, the
    claim's speakers and its modality."""
    by_id = {a.id: a for a in articles}
    said = said or Speakers(articles)
    listed: set[tuple[str, int]] = set()
    out = []
    for claim in claims:
        first_article, first_index = claim.members[0]
        sentences = []
        for (aid, index), text in zip(claim.members, claim.sentences, strict=True):
            if (aid, index) in listed:
                continue
            listed.add((aid, index))
            who = said.of(aid, index)
            sentences.append({
                "article_id": aid,
                "index": index,
                "text": text,
                "dates": [{"surface": m.text, "date": m.value}
                          for m in find_dates(text, by_id[aid].published)],
                "speaker": who.to_dict() if who and who.text else None,
                "figures": [{"value": q.label, "counts": q.noun, "role": q.role}
                            for q in quantities(text)],
            })  # fmt: skip
        out.append({
            "id": "c-" + content_hash(f"{story_id}\x00{first_article}\x00{first_index}")[:12],
            **claim.to_dict(),
            "modality": modality(claim.text),
            "speakers": said.named((x["article_id"], x["index"]) for x in sentences),
            "sentences": sentences,
        })  # fmt: skip
    return out


@lru_cache(maxsize=1)
def _code() -> str:
    """A hash of the code and shipped data digests are made with: a cached digest made by
    another version is never served."""
    root = Path(__file__).parent
    h = hashlib.blake2b(digest_size=8)
    for path in sorted([*root.rglob("*.py"), *(root / "data").glob("*")]):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def digest_key(story: Story, pairs: list[DuplicatePair], config: DigestConfig | None) -> str:
    """What a story's digest is a function of: its record, its pairs, config and code."""
    record = {k: v for k, v in story.to_dict().items() if k != "storyline"}  # see _current
    facts = [record, sorted((p.a, p.b, p.kind, p.similarity) for p in pairs)]
    text = json.dumps([_code(), repr(config or DigestConfig()), facts], ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def story_digest(store: Store, story: Story, config: DigestConfig | None = None) -> dict:
    """The story's digest, computed once per state of the story and kept in the store: a
    story page is a lookup, not minutes of alignment, until an ingest changes the story."""
    pairs = store.duplicates(story.article_ids)
    key = digest_key(story, pairs, config)
    if (cached := store.cached_digest(story.id, key)) is not None:
        return _current(cached, story)
    digest = describe(story, list(store.articles(story.article_ids)), pairs, config)
    with store.transaction():
        store.cache_digest(story.id, key, digest)
    return digest


def _current(digest: dict, story: Story) -> dict:
    """A kept digest with the story's storyline as it is now: storylines are renamed as
    other stories come and go, which changes nothing the digest says."""
    return {**digest, "storyline": story.storyline}


def build_digest(
    store: Store,
    story_ids: list[str] | None = None,
    config: DigestConfig | None = None,
    *,
    min_size: int = 1,
    workers: int = 1,
) -> dict:
    """`digest.json`: the stories (largest first, or `story_ids` in that order) and their
    articles; with `min_size`, only stories of at least that many articles (an archive's
    digest without its thousands of briefs). Unknown story ids raise KeyError naming them.

    Stories are digested independently (pure functions of their records), so `workers`
    processes share an archive's stories; the order and the result are the same."""
    if story_ids is None:
        stories = [s for s in store.stories() if s.size >= min_size]
    else:
        found = {sid: store.story(sid) for sid in story_ids}
        missing = [sid for sid, s in found.items() if s is None]
        if missing:
            raise KeyError(f"unknown story id(s): {', '.join(missing)}")
        stories = [s for s in found.values() if s is not None]
    wanted = [aid for s in stories for aid in s.article_ids]
    articles = {a.id: a for a in store.articles(wanted)}
    touching: dict[str, dict[tuple[str, str], DuplicatePair]] = defaultdict(dict)
    for pair in store.duplicates(wanted):
        touching[pair.a][pair.a, pair.b] = touching[pair.b][pair.a, pair.b] = pair
    described: dict[str, dict] = {}
    jobs, keys = [], {}
    for s in stories:
        pairs = list({key: p for a in s.article_ids for key, p in touching[a].items()}.values())
        keys[s.id] = digest_key(s, pairs, config)
        if (cached := store.cached_digest(s.id, keys[s.id])) is not None:
            described[s.id] = _current(cached, s)
        else:
            jobs.append((s, [articles[a] for a in s.article_ids if a in articles], pairs, config))
    batches = _batches(jobs, max(1, min(BATCH_ARTICLES, len(wanted) // (workers * 8) or 1)))
    if workers > 1 and len(batches) > 1:
        with ProcessPoolExecutor(workers) as pool:
            made = [d for done in pool.map(_describe_batch, batches) for d in done]
    else:
        made = [d for batch in batches for d in _describe_batch(batch)]
    with store.transaction():
        for digest in made:
            described[digest["id"]] = digest
            if "error" not in digest:
                store.cache_digest(digest["id"], keys[digest["id"]], digest)
    return {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "articles": [articles[aid].to_dict() for aid in wanted if aid in articles],
        "stories": [described[s.id] for s in stories],
    }


BATCH_ARTICLES = 128  # stories digested together: their sentences go through the tagger at once

Job = tuple[Story, list[Article], list[DuplicatePair], DigestConfig | None]


def _batches(jobs: list[Job], articles: int) -> list[list[Job]]:
    """Consecutive stories in batches of about `articles` articles (a big story alone)."""
    out: list[list[Job]] = []
    size = articles
    for job in jobs:
        if size + len(job[1]) > articles:
            out.append([])
            size = 0
        out[-1].append(job)
        size += len(job[1])
    return out


def _describe_batch(jobs: list[Job]) -> list[dict]:
    """Digests of a batch of stories, their articles tagged in one call first: an archive's
    stories are mostly one or two articles, and the tagger's cost is per call."""
    with contextlib.suppress(Exception):  # a warm-up only: each story then stands alone
        prefetch([a.text for _, articles, _, _ in jobs for a in articles])
    return [_safely(*job) for job in jobs]


def _safely(
    story: Story, articles: list[Article], pairs: list[DuplicatePair], config: DigestConfig | None
) -> dict:
    """One story's digest; a failure (a bug meeting odd text) is reported on that story, with
    its articles still listed, and the rest of the digest goes on."""
    try:
        return describe(story, articles, pairs, config)
    except Exception as exc:  # noqa: BLE001 - one story must not sink an archive's digest
        empty = {"summary": [], "entities": [], "timeline": [], "coverage": [], "duplicates": [],
                 "claims": [], "inferred_published": [], "developments": []}  # fmt: skip
        facts = {"shared": [], "unique": [], "conflicts": []}
        error = f"digest failed: {type(exc).__name__}: {exc}"
        return {**story.to_dict(), **empty, "facts": facts, "error": error}
