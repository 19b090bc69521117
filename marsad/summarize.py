"""Extractive multi-document summary of a story, every sentence cited to all who state it.

Candidates are claims (marsad.claims), so a sentence four outlets carry is one candidate that
cites all four. A candidate is scored by how many sources state it, how close it is to the
story's centroid and how near an article's lead it sits; maximal marginal relevance then picks
sentences that do not repeat each other (nor announce what a picked sentence reports done),
and the picks are read with what happened first, what is announced after, each in publish
order.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from marsad import arabic
from marsad.claims import Claim, article_sentences, sentence_keys
from marsad.modality import modality
from marsad.model import Article

Vector = dict[str, float]


@dataclass(frozen=True)
class SummaryConfig:
    """Length, filters and score weights (defaults: docs/summary.md)."""

    sentences: int = 6  # summary length; 5-8 reads well for a news story
    min_tokens: int = 6  # shorter lines are labels, subheads or fragments
    label_tokens: int = 12  # an unpunctuated line shorter than this is a label, not a statement
    min_topic: float = 0.35  # cosine with the centroid, relative to the best candidate's
    redundancy: float = 0.5  # candidates this similar to a picked one say the same thing
    diversity: float = 0.3  # MMR: weight of the similarity penalty against the score
    support_weight: float = 0.45  # share of the story's sources that state it
    topic_weight: float = 0.35  # centrality: cosine with the story centroid
    lead_weight: float = 0.2  # 1 / (1 + sentence index): news put the happening first

    def __post_init__(self) -> None:
        if self.sentences < 1:
            raise ValueError(f"SummaryConfig.sentences must be >= 1, got {self.sentences}")
        for name in ("min_topic", "redundancy", "diversity"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"SummaryConfig.{name} must be in [0, 1], got {value}")


@dataclass
class SummarySentence:
    text: str
    article_ids: list[str]
    outlets: list[str]
    cites: list[tuple[str, str | None, int]] = field(default_factory=list)  # id, outlet, index

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "article_ids": list(self.article_ids),
            "outlets": list(self.outlets),
            "cites": [
                {"article_id": aid, "outlet": outlet, "sentence": index}
                for aid, outlet, index in self.cites
            ],
        }


_QUESTION = re.compile(r"[?؟]\s*[\"'»”)]*\s*$")
_END = re.compile(r"[.!?؟…:][\"'»”)\]]*\s*$")
_CREDIT_TAIL = re.compile(r"\(([^()]{1,40})\)\s*$")
_CAPTION_HEAD = re.compile(r"^\s*(?:\(?أرشيفية\)?|الصورة|صورة|تصوير|لقطة|فيديو)\b")


def rejection(text: str, config: SummaryConfig | None = None) -> str | None:
    """Why a sentence cannot stand in a summary (or coverage list), or None if it can.

    Questions are teasers; a line ending in a short bracketed credit (إ.ب.أ) or starting
    with «صورة» is a photo caption; a short line without a closing full stop is a label
    (subhead, dateline, related-article title), not a statement with a predicate.
    """
    config = config or SummaryConfig()
    n = len(arabic.tokens(text))
    if n < config.min_tokens:
        return "short"
    if _QUESTION.search(text):
        return "question"
    credit = _CREDIT_TAIL.search(text)
    if _CAPTION_HEAD.match(text) or (credit and len(credit.group(1).split()) <= 4):
        return "caption"
    if n < config.label_tokens and not _END.search(text):
        return "label"
    return None


def cosine(a: Vector, b: Vector) -> float:
    dot = sum(w * b[k] for k, w in a.items() if k in b)
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def centroid(articles: list[Article]) -> Vector:
    """Mean of the articles' unit key vectors: each article has one vote on the topic."""
    total: Counter[str] = Counter()
    for article in articles:
        vector: Counter[str] = Counter()
        for sentence in article_sentences(article):
            vector.update(sentence_keys(sentence))
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        for key, weight in vector.items():
            total[key] += weight / norm
    return {k: w / len(articles) for k, w in total.items()} if articles else {}


@dataclass
class _Candidate:
    claim: Claim
    text: str
    keys: Vector
    topic: float
    score: float = 0.0
    announced: bool = False  # planned or expected rather than reported (marsad.modality)


def on_topic(
    articles: list[Article], claims: list[Claim], config: SummaryConfig | None = None
) -> list[tuple[Claim, str, Vector, float]]:
    """Claims fit to show: (claim, display sentence, keys, topic cosine), in claim order.

    The display sentence is the claim's own if it passes `rejection`, else the first member
    sentence that does. Claims whose cosine with the story centroid is below `min_topic`
    of the best one are off-topic (a glued unrelated paragraph, a related-article block).
    """
    config = config or SummaryConfig()
    center = centroid(articles)
    found: list[tuple[Claim, str, Vector, float]] = []
    for claim in claims:
        texts = [claim.text, *(s for s in claim.sentences if s != claim.text)]
        text = next((t for t in texts if rejection(t, config) is None), None)
        if text is None:
            continue
        keys = sentence_keys(text)
        found.append((claim, text, keys, cosine(keys, center)))
    best = max((topic for *_, topic in found), default=0.0)
    return [f for f in found if f[3] >= config.min_topic * best]


def summarize(
    articles: list[Article], claims: list[Claim], config: SummaryConfig | None = None
) -> list[SummarySentence]:
    """The story's summary: `config.sentences` claims, in publish order, each fully cited."""
    config = config or SummaryConfig()
    if not articles:
        return []
    by_id = {a.id: a for a in articles}
    unknown = {aid for c in claims for aid, _ in c.members} - by_id.keys()
    if unknown:
        raise ValueError(f"summarize: claims cite articles not given: {sorted(unknown)[:3]}")
    n_sources = len({s for c in claims for s in c.sources}) or 1
    candidates = []
    for claim, text, keys, topic in on_topic(articles, claims, config):
        candidate = _Candidate(claim, text, keys, topic, announced=_announced(text))
        lead = max(1.0 / (1 + index) for _, index in claim.members)
        candidate.score = (
            config.support_weight * len(claim.sources) / n_sources
            + config.topic_weight * topic
            + config.lead_weight * lead
        )
        candidates.append(candidate)
    picked = _pick(candidates, config)
    # What happened before what was announced: an outcome leads, its preview (if still
    # picked) follows; each group in publish order.
    picked.sort(key=lambda c: (c.announced, _reading_order(c.claim, by_id)))
    return [_sentence(c, by_id) for c in picked]


def _announced(text: str) -> bool:
    """Whether a sentence announces or expects rather than reports (marsad.modality)."""
    return modality(text) in ("planned", "expected")


def _pick(candidates: list[_Candidate], config: SummaryConfig) -> list[_Candidate]:
    """Maximal marginal relevance, with a hard stop on near-repeats."""
    picked: list[_Candidate] = []
    left = sorted(candidates, key=lambda c: -c.score)
    while left and len(picked) < config.sentences:
        best, best_value = None, -math.inf
        for candidate in left:
            overlap = max((cosine(candidate.keys, p.keys) for p in picked), default=0.0)
            if overlap >= config.redundancy:
                continue
            if any(_stale(candidate, p, config) for p in picked if not p.announced):
                continue
            value = candidate.score - config.diversity * overlap
            if value > best_value:
                best, best_value = candidate, value
        if best is None:
            break
        left.remove(best)
        if not best.announced:  # an outcome retires the previews of its happening
            picked = [p for p in picked if not _stale(p, best, config)]
        picked.append(best)
    return picked


def _stale(preview: _Candidate, outcome: _Candidate, config: SummaryConfig) -> bool:
    """A preview of a happening whose outcome is told: at half the repeat overlap."""
    return preview.announced and cosine(preview.keys, outcome.keys) >= config.redundancy / 2


def _reading_order(claim: Claim, by_id: dict[str, Article]) -> tuple[str, int, int]:
    """Earliest publish time of an article stating it (unknown last), then position."""
    times = [by_id[aid].published for aid in claim.article_ids if by_id[aid].published]
    return (min(times) if times else "~", min(i for _, i in claim.members), -len(claim.sources))


def _sentence(candidate: _Candidate, by_id: dict[str, Article]) -> SummarySentence:
    claim = candidate.claim
    return SummarySentence(
        text=candidate.text,
        article_ids=list(claim.article_ids),
        outlets=list(claim.outlets),
        cites=[(aid, by_id[aid].outlet, index) for aid, index in claim.members],
    )
