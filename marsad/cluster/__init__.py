"""Online story clustering: in publish-time order, each article joins the closest open story
or starts a new one.

An article is a bag of stems with its title and lead paragraph weighted up (news puts the
happening there), weighted by IDF: document frequencies of the articles of the window, on
top of a shipped background table for Arabic terms, so that IDF is sound from the first
article on. A story is the centroid of its articles of the last `window_hours`; an article
joins the story whose centroid is most similar when that cosine reaches `threshold`.

The stories are a function of the set of articles alone: an article arriving late is placed
where its time puts it and the ones after it are placed again while they could change
(`online`), so any split into batches, in any order, gives the stories of one batch.

The state lives in a `ClusterState`: the store's rows (`marsad.store.state`) during ingest,
read per window and written per step in the ingest's transaction, or `MemoryClusterState`
for evaluation. Only the windows being compared with are ever in memory.

Above stories, storylines (`storylines`) link the stories of one long-running affair.
"""

from marsad.cluster.memory import ClusterState, MemoryClusterState
from marsad.cluster.online import Clusterer
from marsad.cluster.stage import FINGERPRINT_KEY, cluster_current, cluster_reset, update_stories
from marsad.cluster.storylines import (
    StorylineConfig,
    storyline,
    storylines,
    storylines_current,
    update_storylines,
)
from marsad.cluster.terms import (
    BACKGROUND,
    Background,
    ClusterConfig,
    article_terms,
    background,
    covered,
    stemmer_fingerprint,
    timestamp,
)

__all__ = [
    "BACKGROUND",
    "FINGERPRINT_KEY",
    "Background",
    "ClusterConfig",
    "ClusterState",
    "Clusterer",
    "MemoryClusterState",
    "StorylineConfig",
    "article_terms",
    "background",
    "cluster_current",
    "cluster_reset",
    "covered",
    "stemmer_fingerprint",
    "storyline",
    "storylines",
    "storylines_current",
    "timestamp",
    "update_stories",
    "update_storylines",
]
