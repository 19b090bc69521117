"""What each story says, as one dict per story: the contract behind `digest.json`, the REST
API's story digest, the HTML report and the web UI (docs/digest.md).

The per-story work is pure over the story's articles (sentence alignment first, then the
summary, timeline, facts and coverage all read the same claims); only reading the articles and
their duplicate pairs touches the store.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from marsad.claims import ClaimsConfig, align
from marsad.entities import story_entities
from marsad.facts import FactsConfig, compare
from marsad.model import Article, DuplicatePair, Story
from marsad.store import Store
from marsad.summarize import SummaryConfig, summarize
from marsad.timeline import timeline


@dataclass(frozen=True)
class DigestConfig:
    timeline_entries: int = 30  # the best-supported dated entries, shown in date order
    claims: ClaimsConfig = field(default_factory=ClaimsConfig)
    summary: SummaryConfig = field(default_factory=SummaryConfig)
    facts: FactsConfig = field(default_factory=FactsConfig)

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
    claims = align(articles, config.claims)
    facts = compare(articles, claims, config=config.facts, summary=config.summary)
    members = {a.id for a in articles}
    return {
        **story.to_dict(),
        "summary": [s.to_dict() for s in summarize(articles, claims, config.summary)],
        "entities": [e.to_dict() for e in story_entities(articles)],
        "timeline": [
            e.to_dict() for e in timeline(articles, claims, limit=config.timeline_entries)
        ],
        "facts": facts.to_dict(),
        "coverage": facts.coverage_dicts(),
        "duplicates": [_duplicate(p) for p in pairs if p.a in members and p.b in members],
    }


def story_digest(store: Store, story: Story, config: DigestConfig | None = None) -> dict:
    articles = list(store.articles(story.article_ids))
    return describe(story, articles, store.duplicates(story.article_ids), config)


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
    jobs = [
        (
            s,
            [articles[a] for a in s.article_ids if a in articles],
            list({key: p for a in s.article_ids for key, p in touching[a].items()}.values()),
            config,
        )
        for s in stories
    ]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(workers) as pool:
            chunk = max(1, len(jobs) // (workers * 8))
            described = list(pool.map(_safely, *zip(*jobs, strict=True), chunksize=chunk))
    else:
        described = [_safely(*job) for job in jobs]
    return {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "articles": [articles[aid].to_dict() for aid in wanted if aid in articles],
        "stories": described,
    }


def _safely(
    story: Story, articles: list[Article], pairs: list[DuplicatePair], config: DigestConfig | None
) -> dict:
    """One story's digest; a failure (a bug meeting odd text) is reported on that story, with
    its articles still listed, and the rest of the digest goes on."""
    try:
        return describe(story, articles, pairs, config)
    except Exception as exc:  # noqa: BLE001 - one story must not sink an archive's digest
        empty = {"summary": [], "entities": [], "timeline": [], "coverage": [], "duplicates": []}
        facts = {"shared": [], "unique": [], "conflicts": []}
        error = f"digest failed: {type(exc).__name__}: {exc}"
        return {**story.to_dict(), **empty, "facts": facts, "error": error}
