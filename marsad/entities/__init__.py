"""Entities: Arabic named-entity mentions (CRF trained in-repo) and per-story merging.

find_mentions(text) -> [Mention(text, type, start, end)]
story_entities(articles) -> [Entity(name, type, variants, article_ids, count)]
"""

from marsad.entities.merge import Entity, merge_mentions, story_entities
from marsad.entities.recognize import Mention, find_mentions

__all__ = ["Entity", "Mention", "find_mentions", "merge_mentions", "story_entities"]
