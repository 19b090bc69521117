"""The clustering stage against a store: the clusterer's state as store rows, and the
stories table kept in step with it in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable

from marsad.cluster.online import Clusterer
from marsad.cluster.storylines import StorylineConfig, update_storylines
from marsad.cluster.terms import ClusterConfig
from marsad.dates import parse_published
from marsad.dates.infer import infer_published
from marsad.model import Article, Story
from marsad.store.base import Store

FINGERPRINT_KEY = "cluster_state"


def cluster_current(store: Store, config: ClusterConfig | None = None) -> bool:
    """Whether the store's story state was made by this version, config and background."""
    return store.get_state(FINGERPRINT_KEY) == Clusterer(config).fingerprint().encode()


def cluster_reset(store: Store, config: ClusterConfig | None = None) -> None:
    """Forget the story state and the stories, ready to cluster every stored article again."""
    store.cluster_clear()
    store.line_clear()
    store.delete_stories([s.id for s in store.stories()])
    store.set_state(FINGERPRINT_KEY, Clusterer(config).fingerprint().encode())


def update_stories(
    store: Store,
    articles: Iterable[Article],
    config: ClusterConfig | None = None,
    lines: StorylineConfig | None = None,
) -> list[Story]:
    """Cluster new articles into the store's stories; the stories that changed.

    One transaction: the clusterer's rows, the changed stories and their storylines are
    written together. A state made with another config is discarded and every stored
    article is clustered again.
    """
    config = config or ClusterConfig()
    articles = list(articles)
    with store.transaction():
        if not cluster_current(store, config):  # made by another config: from every stored article
            cluster_reset(store, config)
            articles = store.with_all_stored(articles)
        clusterer = Clusterer(config, state=store)
        touched = clusterer.add(articles, fetch=lambda ids: store.articles(ids))
        stories = [s for sid in sorted(touched) if (s := clusterer.story(sid))]
        if gone := sorted(touched - {s.id for s in stories}):
            store.delete_stories(gone)
        store.save_stories(stories)
        record_inferred(store, stories, gone)
        update_storylines(store, touched, lines, span=config.window)
    return stories


def record_inferred(store: Store, stories: list[Story], gone: list[str]) -> None:
    """The inferred publish days of the undated articles of changed stories, as rows."""
    store.inferred_drop([*gone, *(s.id for s in stories)])
    undated = store.cluster_undated([s.id for s in stories])
    for story_id, ids in undated.items():
        members = store.cluster_members(story_id)
        days = [d for e in members if e.published and (d := parse_published(e.published))]
        found = infer_published(list(store.articles(ids)), days)
        store.inferred_put(
            story_id, [(aid, x.published, x.basis, x.evidence) for aid, x in found.items()]
        )
