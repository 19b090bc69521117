"""Sentence alignment of two copies: what they share and what each one added.

Copies are rarely split into the same sentences (one outlet merges two sentences, drops a
full stop, adds a dateline), so after exact matching of normalized sentences, a sentence
still counts as shared when most of its word pairs occur anywhere in the other text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from marsad import arabic


@dataclass
class Alignment:
    shared: list[str] = field(default_factory=list)  # in a's wording and order
    added_a: list[str] = field(default_factory=list)
    added_b: list[str] = field(default_factory=list)


def _bigrams(toks: list[str]) -> set[tuple[str, str]]:
    return set(zip(toks, toks[1:], strict=False))


class _Side:
    """Sentences of one copy with their normalized keys and word pairs."""

    def __init__(self, text: str) -> None:
        self.sentences = arabic.sentences(text)
        self.tokens = [arabic.tokens(s) for s in self.sentences]
        self.keys = [" ".join(t) for t in self.tokens]
        self.bigrams = set().union(*(_bigrams(t) for t in self.tokens))

    def covered(self, i: int, other: _Side, fuzzy: float) -> bool:
        """Is sentence i carried by `other`, perhaps lightly edited or re-split?"""
        pairs = _bigrams(self.tokens[i])
        return len(pairs) >= 2 and len(pairs & other.bigrams) >= fuzzy * len(pairs)

    def split(self, other: _Side, exact: Counter[str], fuzzy: float) -> tuple[list[str], list[str]]:
        """This side's sentences as (carried by `other`, only here); `exact` = common keys."""
        left = exact.copy()
        carried: list[str] = []
        own: list[str] = []
        for i, key in enumerate(self.keys):
            if not key:
                continue
            if left[key] > 0:
                left[key] -= 1
                carried.append(self.sentences[i])
            elif self.covered(i, other, fuzzy):
                carried.append(self.sentences[i])
            else:
                own.append(self.sentences[i])
        return carried, own


@lru_cache(maxsize=1024)
def _side(text: str) -> _Side:
    """Cached: a dispatch is aligned with each of its copies, which arrive close together."""
    return _Side(text)


def align(a: str, b: str, fuzzy: float = 0.8) -> Alignment:
    """Shared sentences of `a` and `b`, and the sentences only one of them has.

    A sentence is shared when its normalized tokens equal a sentence of the other text, or
    when at least `fuzzy` of its word pairs (bigrams) occur in the other text. Sentences
    that tokenize to nothing (bare punctuation) are skipped.
    """
    sa, sb = _side(a), _side(b)
    exact = Counter(sa.keys) & Counter(sb.keys)
    shared, added_a = sa.split(sb, exact, fuzzy)
    _, added_b = sb.split(sa, exact, fuzzy)
    return Alignment(shared, added_a, added_b)
