"""Duplicates and wire copies: which articles carry the same text, and what each added."""

from marsad.dedup.align import Alignment, align
from marsad.dedup.index import DedupConfig, DuplicateIndex
from marsad.dedup.stage import duplicate_groups, find_duplicates

__all__ = [
    "Alignment",
    "DedupConfig",
    "DuplicateIndex",
    "align",
    "duplicate_groups",
    "find_duplicates",
]
