"""Claims: sentences of a story's articles grouped by what they state.

Summary, facts, coverage and the timeline all read a story through its claims, so one
statement carried by four outlets (a wire sentence, or the same fact in other words) is one
item citing all four. Sentences match exactly on normalized tokens, or when most of the
smaller one's content stems (weighted by background and story IDF) occur in the other; an
inverted index over stems keeps this near-linear, and average linking keeps one long
sentence from chaining two different statements into one claim. docs/summary.md has the
parameters and the measured quality.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from marsad import arabic
from marsad.cluster import background, covered
from marsad.model import Article


@lru_cache(maxsize=4096)
def _split(body: str) -> tuple[str, ...]:
    paragraphs = (p for p in body.split("\n\n") if p.strip())
    return tuple(s for p in paragraphs for s in arabic.sentences(p) if s.strip())


def article_sentences(article: Article) -> list[str]:
    """The canonical sentence list of an article (body only); index i is anchor `#s-<i>`."""
    return list(_split(article.body))


def source_of(article: Article) -> str:
    """Who states a sentence: the outlet, or the article itself when its outlet is unknown."""
    return article.outlet or f"article:{article.id}"


@dataclass(frozen=True)
class ClaimsConfig:
    """Thresholds of sentence matching (defaults tuned on the seed story, see docs/summary.md)."""

    threshold: float = 0.4  # IDF-weighted share of the smaller sentence's stems in the other;
    # groups merge while their mean pairwise value is this high (no chaining via one pair)
    min_shared: int = 4  # content stems two sentences must share to match without being equal
    # (60 % of the shorter one's, at least 3, when that is fewer)
    min_keys: int = 5  # sentences with fewer content stems (labels, teasers) only match exactly
    max_posting: float = 0.05  # stems in more sentences than this share (and > 10) only score
    compound: float = 1.5  # a sentence this much heavier that contains a claim's sentence
    compound_containment: float = 0.75  # to this share (re-split: A1. A2. vs A1, A2.) states it

    def __post_init__(self) -> None:
        for name in ("threshold", "max_posting", "compound_containment"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ValueError(f"ClaimsConfig.{name} must be in (0, 1], got {value}")
        if self.min_shared < 1 or self.min_keys < 1:
            raise ValueError(f"ClaimsConfig.min_shared and min_keys must be >= 1: {self}")
        if self.compound < 1.0:
            raise ValueError(f"ClaimsConfig.compound must be >= 1, got {self.compound}")


@dataclass
class Claim:
    """One statement and every sentence, article and outlet that states it."""

    text: str  # representative sentence, original text
    members: list[tuple[str, int]]  # (article_id, sentence index), reading order
    sentences: list[str]  # original text of each member, parallel to `members`
    article_ids: list[str]
    outlets: list[str]  # known outlets only
    sources: list[str]  # outlets, or `article:<id>` for articles without one
    keys: frozenset[str] = field(default_factory=frozenset)  # matching stems of `text`

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "article_ids": list(self.article_ids),
            "outlets": list(self.outlets),
        }


_NUMBER = re.compile(r"^\d+(?:[.,]\d+)*$")
_PLURAL_END = ("ات", "ان", "ين", "ون")
_PREPOSITION = ("ل", "ب", "ك")
PREFIX = 4  # letters of a key that still say which word it is, for inflections Snowball misses
PREFIX_CREDIT = 0.7  # such a near match is weaker evidence than an equal key


@lru_cache(maxsize=1 << 16)
def match_key(stem: str) -> str:
    """A coarser key than Snowball's stem, so inflections of one word meet.

    Numbers become one placeholder (two outlets giving different casualty figures still
    state the same claim; facts then flags the conflict). Snowball leaves a preposition
    (لتعزيز/تعزيز), the nisba ي (روسي/روس) and plural or dual endings (محادثا/محادث,
    اذربيجان/اذربيج) on some words: those are cut. A 3-letter stem starting with ي gets its
    dropped و back (يصل/وصل), the commonest present/past mismatch in news.
    """
    if _NUMBER.match(stem):
        return "#"
    if stem.isascii():
        return stem
    if len(stem) >= 5 and stem.startswith(_PREPOSITION):
        stem = stem[1:]
    if len(stem) >= 5 and stem.endswith(_PLURAL_END):
        stem = stem[:-2]
    while len(stem) >= 4 and stem.endswith(("ا", "ي")):  # قضايا/قضاي/قضا, روسيا/روسي/روس
        stem = stem[:-1]
    if len(stem) == 3 and stem.startswith("ي"):
        return "و" + stem[1:]
    return stem


_VALUE = re.compile(r"^[وبلف]?(\d+(?:[.,]\d+)*)$")
_NUMBER_WORDS = {
    arabic.normalize(word): str(n)
    for n, words in enumerate(
        ["", "", "اثنان اثنين اثنتان اثنتين", "ثلاثة ثلاث", "أربعة أربع", "خمسة خمس", "ستة ست",
         "سبعة سبع", "ثمانية ثماني", "تسعة تسع", "عشرة عشر"]
    )
    for word in words.split()
}  # fmt: skip  (واحد is left out: «أحد»/«واحد من» name no figure)
VALUE_WEIGHT = 1.5  # a figure both sentences give («3393 إرهابيا») is the claim's own detail


def value_key(token: str) -> str | None:
    """The key of the figure a normalized token gives («و60», «سبعه» → «#60», «#7»)."""
    match = _VALUE.match(token)
    if match:
        return "#" + match.group(1).replace(",", ".")
    word = _NUMBER_WORDS.get(token)
    if word is None and token[:1] in "وبل":
        word = _NUMBER_WORDS.get(token[1:])
    return "#" + word if word else None


@lru_cache(maxsize=1 << 16)
def root_key(key: str) -> str | None:
    """The three letters a derived form is built on, for the commonest patterns news
    paraphrases across (أصدر/صادر/إصدار → صدر, توقيف/أوقف → وقف, اعتقال → عقل); None otherwise.

    Only two derived forms meet this way: a bare three-letter key is not its own root (that
    tied the seeds' «تستغرق يومين» to other sentences and split their arrival claim).
    """
    n = len(key)
    if n == 4 and key[0] == "ا":
        return key[1:]
    if n == 4 and key[1] == "ا":
        return key[0] + key[2:]
    if n == 5 and key[0] == "ت" and key[3] == "ي":
        return key[1:3] + key[4]
    if n == 5 and key[0] == "ا" and key[3] == "ا":
        return key[1:3] + key[4]
    if n == 6 and key[0] == "ا" and key[2] == "ت" and key[4] == "ا":
        return key[1] + key[3] + key[5]
    if n == 5 and key[0] == "م" and key[3] == "و":  # مفعول
        return key[1:3] + key[4]
    if n == 4 and key[0] == "م":  # مفعل: مقتل
        return key[1:]
    return None


@lru_cache(maxsize=1 << 16)
def stem_weight(stem: str) -> float:
    """Background IDF of a stem: names and rare words weigh most, everyday words least."""
    bg = background()
    if _NUMBER.match(stem):
        return 1.0
    if not bg.n_docs or not covered(stem):
        return math.log(2.0 + bg.n_docs) / 2 if bg.n_docs else 1.0
    return math.log((bg.n_docs + 1) / (bg.df.get(stem, 0) + 1)) + 0.1


@lru_cache(maxsize=1 << 16)
def sentence_keys(text: str) -> dict[str, float]:
    """Matching keys of a sentence with their weights (the heaviest stem of each key).

    The square root of the background IDF: a name never seen in the background should
    outweigh a common verb, but not by the factor of six that would let two sentences that
    merely name the same two people match. Cached (summary and facts ask again): callers
    must not change the dict.
    """
    keys: dict[str, float] = {}
    for stem in arabic.stems(text):
        key = match_key(stem)
        keys[key] = max(keys.get(key, 0.0), math.sqrt(stem_weight(stem)))
    for token in arabic.tokens(text):
        if value := value_key(token):
            keys[value] = VALUE_WEIGHT
    return keys


@dataclass
class _Node:
    """All occurrences of one normalized sentence (a wire sentence in 40 copies is one node)."""

    text: str
    keys: dict[str, float]
    weight: float
    occurrences: list[tuple[int, int, str]] = field(default_factory=list)  # article, index, text
    heads: frozenset[str] = frozenset()  # first `PREFIX` letters of its long keys
    roots: frozenset[str] = frozenset()  # `root_key` of its derived keys


def _nodes(articles: list[Article]) -> list[_Node]:
    """Distinct sentences; key weights = background IDF x IDF among the story's sentences.

    The story's own topic words (بوتين، باكو in a story about Putin in Baku) are rare in
    the background yet in every other sentence here: they say nothing about which claim a
    sentence states, so their story IDF brings them down.
    """
    by_key: dict[str, _Node] = {}
    for a, article in enumerate(articles):
        for i, sentence in enumerate(article_sentences(article)):
            exact = " ".join(arabic.tokens(sentence))
            if not exact:
                continue
            node = by_key.get(exact)
            if node is None:
                node = by_key[exact] = _Node(sentence, sentence_keys(sentence), 0.0)
            node.occurrences.append((a, i, sentence))
    nodes = list(by_key.values())
    df = Counter(key for node in nodes for key in node.keys)
    size = len(nodes) + 1
    for node in nodes:
        node.keys = {k: w * math.log(size / df[k]) for k, w in node.keys.items()}
        node.weight = sum(node.keys.values())
        node.heads = frozenset(k[:PREFIX] for k in node.keys if len(k) >= PREFIX)
        node.roots = frozenset(r for k in node.keys if (r := root_key(k)))
    return nodes


def _scores(nodes: list[_Node], config: ClaimsConfig) -> dict[tuple[int, int], float]:
    """Similarity of node pairs that share a stem that is not everywhere in the story."""
    postings: dict[str, list[int]] = defaultdict(list)
    for n, node in enumerate(nodes):
        if len(node.keys) < config.min_keys:
            continue  # too few content words to tell one claim from another: exact match only
        for key in node.keys:
            postings[key].append(n)
    cap = max(10, int(config.max_posting * len(nodes)))
    pairs: set[tuple[int, int]] = set()
    for key, ids in postings.items():
        if len(ids) <= cap and key != "#":
            pairs.update(combinations(ids, 2))
    scores: dict[tuple[int, int], float] = {}
    for u, v in pairs:
        score = similarity(nodes[u], nodes[v], config.min_shared)
        if score:
            scores[(u, v)] = score
    return scores


def similarity(a: _Node, b: _Node, min_shared: int) -> float:
    """Weighted share of the smaller sentence's keys found in the other, in [0, 1].

    Keys equal on their first `PREFIX` letters (اوكر/اوكراني) or on their `root_key`
    (صادر/اصدر) count at `PREFIX_CREDIT`.
    """
    shared = a.keys.keys() & b.keys.keys()
    near = [
        k
        for k in a.keys.keys() - shared
        if (len(k) >= PREFIX and k[:PREFIX] in b.heads) or root_key(k) in b.roots
    ]
    # a short sentence («بوتين يصل إلى باكو في زيارة دولة») cannot share four keys
    smallest = min(len(a.keys), len(b.keys))
    if len(shared) + len(near) < min(min_shared, max(3, math.ceil(0.6 * smallest))):
        return 0.0
    smaller = min(a.weight, b.weight)
    if not smaller:
        return 0.0
    weight = sum(a.keys[k] for k in shared) + PREFIX_CREDIT * sum(a.keys[k] for k in near)
    return min(weight / smaller, 1.0)


def _groups(
    nodes: list[_Node], scores: dict[tuple[int, int], float], config: ClaimsConfig
) -> list[list[int]]:
    """Average-linkage clustering over the scored pairs (unscored pairs count 0).

    The closest pair of groups merges first, while their mean similarity is at least
    `threshold`. Two groups that hold sentences of the same article never merge: an article
    says a thing once, and its neighbouring sentences share the story's words with everything.
    """
    members = {i: [i] for i in range(len(nodes))}
    seen = {i: {a for a, _, _ in node.occurrences} for i, node in enumerate(nodes)}
    links: dict[int, dict[int, float]] = defaultdict(dict)  # group -> group -> sum of scores
    for (u, v), score in scores.items():
        links[u][v] = links[v][u] = score
    heap = [(-score, u, v) for (u, v), score in scores.items() if score >= config.threshold]
    heapq.heapify(heap)
    while heap:
        negative, u, v = heapq.heappop(heap)
        if u not in members or v not in members or seen[u] & seen[v]:
            continue
        if -negative != links[u][v] / (len(members[u]) * len(members[v])):
            continue  # stale: one side has grown since this entry was pushed
        members[u].extend(members.pop(v))
        seen[u] |= seen.pop(v)
        for other, total in links.pop(v).items():
            del links[other][v]
            if other != u:
                links[u][other] = links[other][u] = links[u].get(other, 0.0) + total
        for other, total in links[u].items():
            mean = total / (len(members[u]) * len(members[other]))
            if mean >= config.threshold:
                heapq.heappush(heap, (-mean, min(u, other), max(u, other)))
    return list(members.values())


def align(articles: list[Article], config: ClaimsConfig | None = None) -> list[Claim]:
    """Group the sentences of a story's articles into claims, in reading order.

    Two sentences state the same claim when their normalized tokens are equal, or when they
    share at least `min_shared` content stems carrying `threshold` of the smaller one's
    weight; groups then merge by average linkage at the same threshold. A sentence at
    least `compound` times heavier that contains a claim's sentence to `compound_containment`
    also states that claim (one outlet's long sentence carrying two facts another outlet
    gives separately).
    """
    config = config or ClaimsConfig()
    ids = [a.id for a in articles]
    if len(set(ids)) != len(ids):
        raise ValueError("align: the same article is listed twice")
    nodes = _nodes(articles)
    scores = _scores(nodes, config)
    groups = _groups(nodes, scores, config)
    owner = {n: g for g, group in enumerate(groups) for n in group}
    extra: dict[int, set[int]] = defaultdict(set)
    for (u, v), score in scores.items():
        if score < config.compound_containment or owner[u] == owner[v]:
            continue
        small, big = (u, v) if nodes[u].weight <= nodes[v].weight else (v, u)
        if nodes[big].weight >= config.compound * nodes[small].weight:
            extra[owner[small]].add(big)
    compound = set().union(*extra.values())
    claims = [_claim(articles, nodes, group, extra[g], compound) for g, group in enumerate(groups)]
    order = {aid: n for n, aid in enumerate(ids)}
    claims.sort(key=lambda c: (order[c.members[0][0]], c.members[0][1]))
    return claims


def _representative(
    nodes: list[_Node], group: list[int], compound: set[int], max_tokens: int = 50
) -> int:
    """The sentence that carries most of the others (weighted share of each found in it).

    A compound sentence (one that also states another claim, see `align`) and sentences
    over `max_tokens` words are chosen only when all are: they contain everything, but
    they say more than the claim.
    """
    plain = [n for n in group if n not in compound] or group
    fit = [n for n in plain if len(nodes[n].text.split()) <= max_tokens] or plain

    def carried(n: int) -> tuple[float, int]:
        keys = nodes[n].keys
        share = sum(
            sum(w for k, w in nodes[m].keys.items() if k in keys) / (nodes[m].weight or 1.0)
            for m in group
            if m != n
        )
        return share, -min(nodes[n].occurrences)[0]

    return max(fit, key=carried)


# «دبي، الإمارات العربية المتحدة (CNN) -- », «(CNN)-- », «بغداد (رويترز) - »: a dateline
# opens the article, not the statement a summary or a fact list quotes.
_AGENCIES = (
    r"CNN|AFP|Reuters|AP|رويترز|أ\.? ?ف\.? ?ب|فرانس برس|د\.? ?ب\.? ?أ"
    r"|الأناضول|واس|وام|قنا|كونا|سانا"
)
_DATELINE = re.compile(  # a place (one word, or words after a comma), the agency, a dash
    rf"^(?:[^\s.،,()]+(?:[،,]\s*[^.،,()]{{1,40}}?)?\s*)?\((?:{_AGENCIES})\)\s*[-–—:]+\s*"
)
_HASHTAG = re.compile(r"#(\w+)")


def readable(sentence: str) -> str:
    """A sentence as a reader should see it quoted: no leading dateline, hashtags as words
    («#مقاطعة_كأس_العالم» → «مقاطعة كأس العالم»). Matching still sees the original."""
    sentence = _DATELINE.sub("", sentence, count=1)
    return _HASHTAG.sub(lambda m: m.group(1).replace("_", " "), sentence).strip()


def _claim(
    articles: list[Article],
    nodes: list[_Node],
    group: list[int],
    extra: set[int],
    compound: set[int],
) -> Claim:
    best = _representative(nodes, group, compound)
    occurrences = sorted({o for n in [*group, *extra] for o in nodes[n].occurrences})
    claim = Claim(
        text=readable(nodes[best].occurrences[0][2]),
        members=[(articles[a].id, i) for a, i, _ in occurrences],
        sentences=[text for _, _, text in occurrences],
        article_ids=[],
        outlets=[],
        sources=[],
        keys=frozenset(nodes[best].keys),
    )
    for a, _, _ in occurrences:
        article = articles[a]
        for values, value in (
            (claim.article_ids, article.id),
            (claim.outlets, article.outlet),
            (claim.sources, source_of(article)),
        ):
            if value and value not in values:
                values.append(value)
    return claim
