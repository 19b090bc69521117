"""What the clusterer compares: weighted stem bags, IDF from a shipped background table,
publish times as seconds."""

from __future__ import annotations

import gzip
import json
import math
import re
import warnings
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from marsad.arabic import stems
from marsad.extract.teasers import DATELINE
from marsad.model import Article, content_hash

BACKGROUND = Path(__file__).parents[1] / "data" / "background_df.tsv.gz"
# Stems of this sentence identify the stemmer the background table was counted with.
PROBE = "وقالت الحكومة إن المستشفيات استقبلت المصابين بعد الانفجارات في العاصمتين أمس"
TITLE_WEIGHT = 3.0  # a title stem counts as three body occurrences
LEAD_WEIGHT = 1.0  # the first paragraph counts twice: once as lead, once as body


@dataclass(frozen=True)
class ClusterConfig:
    """`threshold`: cosine between an article and a story centroid needed to join it.
    Lower merges more; 0.3 sits in the plateau where both the labelled ANT window and ECB+
    (English) are near their best (`python eval/stories.py --sweep`).

    `window_hours`: a story's centroid is made of its articles of this last stretch of time,
    and the stream's own document frequencies are counted over the same window.

    `core_threshold`, `core_size`: a story is one happening, so a newcomer must also be
    close to how the story began (the centroid of its first `core_size` articles), not only
    to its recent centroid: a story that drifts joins nothing new. A story is open to
    newcomers while its first article is inside the window (stories are short-lived;
    longer affairs are storylines of several stories).

    `size_penalty`: a story of n articles needs `threshold + size_penalty * ln(n)` of a
    newcomer. Large stories draw the loosely related (and hold most same-story pairs);
    0.03 keeps the ANT window's B³ and cuts them (`python eval/archive.py`).

    `member_threshold`, `member_share`: off at 0. Otherwise a newcomer must also reach this
    cosine with `member_share` of the story's members (1.0: every member, complete link).
    Stories become single developments (the Skripal affair's accusation and the Kremlin's
    denial apart), stricter than the ANT window's gold: `eval/configs/complete_link.toml`
    (0.3, every member) raises the strictly judged precision of same-story pairs 0.65 →
    0.75 and lowers the window's B³ 0.946 → 0.89 (docs/evaluation.md).
    """

    threshold: float = 0.3
    window_hours: float = 48.0
    core_threshold: float = 0.2
    core_size: int = 3
    size_penalty: float = 0.03
    member_threshold: float = 0.0
    member_share: float = 1.0

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        if not 0.0 <= self.core_threshold <= 1.0:
            raise ValueError(f"core_threshold must be in [0, 1], got {self.core_threshold}")
        if not 0.0 <= self.member_threshold <= 1.0:
            raise ValueError(f"member_threshold must be in [0, 1], got {self.member_threshold}")
        if not 0.0 < self.member_share <= 1.0:
            raise ValueError(f"member_share must be in (0, 1], got {self.member_share}")
        if self.size_penalty < 0:
            raise ValueError(f"size_penalty must be at least 0, got {self.size_penalty}")
        if self.core_size < 1:
            raise ValueError(f"core_size must be at least 1, got {self.core_size}")
        if self.window_hours <= 0:
            raise ValueError(f"window_hours must be positive, got {self.window_hours}")

    @property
    def window(self) -> float:
        return self.window_hours * 3600.0


def timestamp(published: str | None) -> float:
    """Seconds since the epoch (naive times are UTC); undated articles sort last."""
    if not published:
        return math.inf
    try:
        moment = datetime.fromisoformat(published)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    except (ValueError, OverflowError):
        return math.inf


def body_text(article: Article) -> str:
    """The body without its dateline («دبي، الإمارات العربية المتحدة (CNN)--»): it says
    where a page comes from, not what happened."""
    return DATELINE.sub("", article.body.lstrip(), count=1)


def without_outlet(counts: Counter[str], article: Article) -> Counter[str]:
    """The counts without the stems of the article's outlet's own name."""
    for term in stems(article.outlet or ""):
        counts.pop(term, None)
    return counts


def article_terms(article: Article) -> Counter[str]:
    """Weighted stem counts: title and lead count more, as they name the happening. The
    dateline and the outlet's name carry no weight."""
    body = body_text(article)
    counts: Counter[str] = Counter(stems(body))
    lead = body.split("\n\n", 1)[0]
    for term in stems(lead):
        counts[term] += LEAD_WEIGHT
    for term in stems(article.title):
        counts[term] += TITLE_WEIGHT
    return without_outlet(counts, article)


def stemmer_fingerprint() -> str:
    return content_hash(" ".join(stems(PROBE)))


_LATIN = re.compile("[a-z]")


def covered(term: str) -> bool:
    """Terms the Arabic background speaks for: Arabic words and numbers, not Latin words."""
    return _LATIN.search(term) is None


@dataclass(frozen=True)
class Background:
    """Document frequencies of stems over a large Arabic news corpus.

    Added to the stream's own counts, they give sound IDF from the first article on: a
    stream that has seen thirty articles cannot tell a story's own words from everyday ones.
    """

    id: str
    n_docs: int
    df: dict[str, int]


@lru_cache(maxsize=1)
def background() -> Background:
    """The shipped table (built by `eval/stories.py --build-background`), or an empty one."""
    if not BACKGROUND.exists():
        return Background("none", 0, {})
    with gzip.open(BACKGROUND, "rt", encoding="utf-8") as f:
        head = f.readline()
        df = {term: int(n) for term, n in (line.rstrip("\n").split("\t") for line in f)}
    header = json.loads(head)
    if header["stems"] != stemmer_fingerprint():
        warnings.warn(f"{BACKGROUND.name} was counted with other stems: rebuild it", stacklevel=2)
    return Background(content_hash(head), header["n_docs"], df)


@lru_cache(maxsize=1 << 18)
def background_idf(term: str) -> float:
    """IDF from the shipped background table alone: fixed, so what is weighted by it (a
    storyline signature, a story's developments) changes only with its own articles."""
    bg = background()
    seen = bg.df.get(term, 0) if covered(term) else 0
    return math.log((bg.n_docs + 1) / (seen + 1)) + 1.0
