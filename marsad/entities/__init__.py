"""Entities: Arabic named-entity mentions (tagger trained in-repo) and per-story merging.

find_mentions(text) -> [Mention(text, type, start, end)]
prefetch(texts): tag texts about to be read in one batch (a story's digest)
story_entities(articles) -> [Entity(name, type, variants, article_ids, count)]

Imported lazily, so `python -m marsad.entities.train` does not load the recognizer first.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from marsad.entities.merge import Entity, merge_mentions, story_entities
    from marsad.entities.recognize import Mention, find_mentions, prefetch

__all__ = ["Entity", "Mention", "find_mentions", "merge_mentions", "prefetch", "story_entities"]
_HOME = {
    "Entity": "merge",
    "merge_mentions": "merge",
    "story_entities": "merge",
    "Mention": "recognize",
    "find_mentions": "recognize",
    "prefetch": "recognize",
}


def __getattr__(name: str) -> object:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"marsad.entities.{_HOME[name]}"), name)
