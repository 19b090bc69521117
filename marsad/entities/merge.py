"""One entity per real-world name across a story's articles, whatever its spelling.

Steps: find mentions per article; take clitics off the surface form when the story (or the
place list) knows the bare name; group by normalized form; join groups with the same
consonant skeleton or a near one (rapidfuzz); then let a short form (بوتين, قره باغ) join the
one longer name it is part of. Two full person names with different first names never join;
a bare family name shared by several (علييف) joins the one the story mentions at least twice
as often as any other, and stays apart otherwise.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations, product

from rapidfuzz import fuzz, process

from marsad.arabic import STOPWORDS, normalize
from marsad.entities import lexicon
from marsad.entities.cueprofile import COLUMNS, profiles
from marsad.entities.recognize import NAME_PARTS, Mention, find_mentions
from marsad.entities.silver import common_phrase, common_word
from marsad.model import Article

_LETTER = "[\u0621-\u064a][\u0610-\u061a\u064b-\u065f\u0670\u0640]*"
_LETTERS = {k: re.compile(f"^(?:{_LETTER}){{{k}}}") for k in range(1, 5)}
# Foreign names are spelled by ear: q/k (ق/ك) and gh/kh (غ/خ) fall together, and the long
# vowels go. Emphatic letters stay apart: بريطانيا is not بورتون.
_SOUNDS = str.maketrans("قغى", "كخي", "اويءؤئ")
_ADJECTIVE_ENDS = ("ي", "يه", "يين", "يون")
_JOINERS = re.compile(r"[\s\-_.'\"ـ]+")
_TYPE_ORDER = ("person", "place", "organization", "event", "misc")


@dataclass
class Entity:
    """A story's entity: display name, its spellings, and the articles that mention it."""

    name: str
    type: str
    variants: list[str]
    article_ids: list[str]
    count: int

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "type": self.type,
            "variants": list(self.variants),
            "article_ids": list(self.article_ids),
            "count": self.count,
        }


def _token_skeleton(word: str) -> str:
    """Consonants of one normalized word: no article, no final ه, folded sounds, no vowels."""
    if word.startswith("ال") and len(word) > 4:
        word = word[2:]
    if word.endswith("ه") and len(word) > 2:
        word = word[:-1]
    return word.translate(_SOUNDS)


def _adjective(word: str) -> bool:
    """الروسي, السورية: a nationality adjective, not a name (unless a listed place)."""
    return word.startswith("ال") and word.endswith(_ADJECTIVE_ENDS) and word not in lexicon.places()


def _is_junk(key: str) -> bool:
    """Single letters, function words, bare numbers, lone adjectives and common words (a
    name in few of their ANT occurrences: الاتفاق، سعيد، عفوا رئاسيا) are not entities."""
    letters = _JOINERS.sub("", key)
    if len(letters) < 2 or key in STOPWORDS or not any(c.isalpha() for c in letters):
        return True
    if lexicon.listed(key):
        return False
    if " " not in key and (_adjective(key) or key in lexicon.CURRENCIES or _name_part(key)):
        return True
    return common_phrase(key)


def _name_part(word: str) -> bool:
    """الله, لله, الدين alone: the second half of a compound given name, not a name."""
    forms = (word, "ا" + word, *(r for _, r in lexicon.strip_proclitics(word)))  # لله: ل + الله
    return any(f in NAME_PARTS for f in forms)


def _canonical(key: str) -> str:
    """One key per place: listed variants (أمريكا → الولايات المتحدة), the article or a
    final ة on a listed name (النيبال → نيبال, سورية → سوريا)."""
    if key in lexicon.VARIANTS:
        return lexicon.VARIANTS[key]
    if key in lexicon.places() or " " in key:
        return key
    bare = key[2:] if key.startswith("ال") else ""
    alef = key[:-1] + "ا" if key.endswith("ه") else ""
    return next((other for other in (bare, alef) if other in lexicon.places()), key)


@dataclass
class _Group:
    """All mentions whose bare form normalizes to one key."""

    key: str
    words: tuple[str, ...]
    parts: tuple[str, ...]  # token skeletons
    forms: Counter[str] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)
    articles: dict[str, None] = field(default_factory=dict)
    first: int = 0

    @property
    def skeleton(self) -> str:
        return "".join(self.parts)

    @property
    def count(self) -> int:
        return sum(self.forms.values())


def _cut(surface: str, letters: int) -> str:
    """`surface` without its first `letters` letters (and the marks riding on them)."""
    return _LETTERS[letters].sub("", surface.lstrip(), count=1)


RARE = 4  # a bare form mentioned under a quarter as often as the surface is a misspelling


def _bare(surface: str, known: Counter[str], gazetteer: frozenset[str]) -> str:
    """The surface form without conjunction/preposition clitics, when the bare name is known.

    لأذربيجان → أذربيجان and للكرملين → الكرملين only if أذربيجان / الكرملين is a listed
    name or another mention of the story, not `RARE` times rarer than the surface itself:
    كاليفورنيا and فالنسيا start like clitics too, and one misspelt «ومبيو» must not turn the
    story's thirty «بومبيو» into ب + ومبيو. و also comes off a word that ends a longer name
    of the story (وفرج beside ماجد فرج; `known` holds such words behind a space).
    """
    norm = normalize(surface)
    if norm in gazetteer:
        return surface
    first, _, tail = norm.partition(" ")
    for prefix, rest in lexicon.strip_proclitics(first):
        if prefix.endswith("لل"):  # the article's alef drops after ل: للكرملين
            head, bare = "ال", "ال" + rest
        elif prefix.endswith("ال") and prefix != "ال":  # والكرملين, بالكرملين
            head, bare = "", "ال" + rest
            prefix = prefix[:-2]
        elif prefix in lexicon.NAME_PROCLITICS:
            head, bare = "", rest
        else:
            continue
        stripped = f"{bare} {tail}".strip()
        rare = prefix != "و" and known[stripped] * RARE < known[norm]  # و is rarely a name's
        joined = prefix == "و" and not tail and known[" " + stripped]  # وفرج: ماجد فرج
        if stripped in gazetteer or (known[stripped] and not rare) or joined:
            return head + _cut(surface, len(prefix))
    return surface


_FIRST_WORD = re.compile(r"^\S+\s+")


_LAST_WORD = re.compile(r"\s+\S+$")


def _untitled(surface: str) -> str:
    """Without leading titles, adjectives and common words the recognizer took in, and
    without trailing common words: الزاهرانية سلمى الدرويش, الرئيس فلاديمير بوتين, يزور
    نيمار, حماس تدين → سلمى الدرويش, فلاديمير بوتين, نيمار, حماس."""
    surface = surface.strip()
    if lexicon.listed(normalize(surface)):
        return surface
    while " " in surface:
        first = normalize(surface.split(None, 1)[0])
        cue = first in lexicon.PERSON_CUES or first in STOPWORDS
        if not (cue or _adjective(first) or common_word(first)):
            break
        surface = _FIRST_WORD.sub("", surface, count=1)
    while " " in surface and _common_tail(normalize(surface.rsplit(None, 1)[1])):
        surface = _LAST_WORD.sub("", surface, count=1)
    return surface


def _common_tail(word: str) -> bool:
    """A common word, bare or behind a preposition (بجبل): not the end of a name."""
    return common_word(word) or any(
        common_word(rest, strict=False) for prefix, rest in lexicon.strip_proclitics(word)
        if prefix in ("ب", "ل", "ك")
    )


def _groups(per_article: Sequence[tuple[str, Sequence[Mention]]]) -> list[_Group]:
    gazetteer = lexicon.places() | lexicon.organizations()
    known = Counter(normalize(m.text) for _, ms in per_article for m in ms)
    known.update(" " + w for k in list(known) if " " in k for w in k.split()[1:])  # name parts
    groups: dict[str, _Group] = {}
    order = 0
    for article_id, mentions in per_article:
        for m in mentions:
            if _is_junk(normalize(m.text)):  # عفوا رئاسيا before its words come off
                continue
            display = _bare(_untitled(m.text), known, gazetteer)
            key = _canonical(normalize(display))
            if _is_junk(key):
                continue
            words = tuple(_JOINERS.sub(" ", key).split())
            g = groups.get(key)
            if g is None:
                parts = tuple(_token_skeleton(w) for w in words)
                g = groups[key] = _Group(key, words, parts, first=order)
            g.forms[display] += 1
            g.types[m.type] += 1
            g.articles[article_id] = None
            order += 1
    return list(groups.values())


def _type(types: Counter[str]) -> str:
    return max(types, key=lambda t: (types[t], -_TYPE_ORDER.index(t)))


def _same_name(a: _Group, b: _Group) -> bool:
    """Two spellings of one name: equal or near skeletons, and no clash of first names."""
    if (
        _type(a.types) == "person" == _type(b.types)
        and len(a.parts) > 1 < len(b.parts)
        and fuzz.ratio(a.parts[0], b.parts[0]) < 80
    ):
        return False
    sa, sb = a.skeleton, b.skeleton
    if sa == sb:
        return len(sa) >= 4 or fuzz.ratio(a.key, b.key) >= 85
    return (
        min(len(sa), len(sb)) >= 6
        and _type(a.types) == _type(b.types)
        and fuzz.ratio(sa, sb) >= 90
        and (len(a.parts) == 1 or len(b.parts) == 1 or fuzz.ratio(a.parts[0], b.parts[0]) >= 90)
    )


def _part_of(short: _Group, long: _Group) -> bool:
    """`short` is a run of whole words of `long` (same words, or same skeleton if ≥ 4), of
    the same type; or, whatever the types, a name of several words that is not listed and
    that the story says no more often than `long` (سان جرمان of باريس سان جرمان)."""
    if len(short.skeleton) >= len(long.skeleton):
        return False
    fragment = len(short.words) > 1 and not lexicon.listed(short.key)
    if _type(short.types) != _type(long.types) and not (fragment and short.count <= long.count):
        return False
    n = len(long.words)
    for i in range(n):
        for j in range(i + 1, n + 1):
            if (i, j) == (0, n):
                continue
            if all(map(_adjective, short.words)):
                return False  # السورية is not a name of عفرين السورية
            if long.words[i:j] == short.words:
                return True
            run = "".join(long.parts[i:j])
            if len(run) >= 4 and run == short.skeleton:
                return True
    return False


def _run_on(g: _Group, counts: dict[tuple[str, ...], int]) -> bool:
    """Two names the recognizer ran together (دونالد ترامب جينا هاسبل): both halves are
    names the story says on their own, each at least as often (and at least twice, when
    both halves are single words: يوليا سكريبال is one name), or both are listed places
    (طهران لندن), or the second is joined by و (باوك سالونيكي وأيك أثينا). Such a group
    would bridge two entities."""
    places = lexicon.places()
    for k in range(1, len(g.words)):
        # halves as the story's keys: بريطانيا is counted under المملكة المتحدة
        head, tail = (tuple(_canonical(" ".join(h)).split()) for h in (g.words[:k], g.words[k:]))
        if " ".join(head) in places and " ".join(tail) in places:
            return True
        if tail[0].startswith("و") and head in counts and (tail[0][1:], *tail[1:]) in counts:
            return True  # باوك سالونيكي وأيك أثينا
        floor = g.count if len(head) > 1 or len(tail) > 1 else max(2, g.count)
        if counts.get(head, 0) >= floor and counts.get(tail, 0) >= floor:
            return True
    return False


class _Clusters:
    """Union-find over groups."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        self.parent[self.find(i)] = self.find(j)


def _candidate_pairs(groups: list[_Group]) -> Iterator[tuple[int, int]]:
    """Pairs that may be one name: equal skeletons, or near skeletons of 6+ letters (only
    lengths a 90 ratio allows are compared, so a big story is not quadratic in Python)."""
    by_skeleton: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        by_skeleton.setdefault(g.skeleton, []).append(i)
    for ids in by_skeleton.values():
        yield from combinations(ids, 2)
    long = sorted((s for s in by_skeleton if len(s) >= 6), key=len)
    lengths = [len(s) for s in long]
    for k, sa in enumerate(long):
        window = long[k + 1 : bisect_right(lengths, len(sa) / 0.8)]
        for sb, _, _ in process.extract(sa, window, scorer=fuzz.ratio, score_cutoff=90, limit=None):
            yield from product(by_skeleton[sa], by_skeleton[sb])


def _runs(groups: list[_Group]) -> dict[object, list[int]]:
    """Groups by each proper run of their words, and by its skeleton (4+ letters)."""
    index: dict[object, list[int]] = {}
    for gi, g in enumerate(groups):
        n = len(g.words)
        for i in range(n):
            for j in range(i + 1, n + 1):
                if (i, j) == (0, n):
                    continue
                index.setdefault(g.words[i:j], []).append(gi)
                run = "".join(g.parts[i:j])
                if len(run) >= 4:
                    index.setdefault(run, []).append(gi)
    return index


def _merge(groups: list[_Group]) -> list[list[_Group]]:
    uf = _Clusters(len(groups))
    for i, j in _candidate_pairs(groups):
        if _same_name(groups[i], groups[j]):
            uf.union(i, j)
    members: dict[int, list[int]] = {}
    for i in range(len(groups)):
        members.setdefault(uf.find(i), []).append(i)
    clusters = list(members.values())
    cluster_of = {i: c for c, ids in enumerate(clusters) for i in ids}
    count = [sum(groups[i].count for i in c) for c in clusters]
    runs = _runs(groups)
    # Short names join the one longer name they are part of; shortest first, so a chain
    # (كاراباخ → قره باغ → ناغورني قره باغ) ends in the longest.
    by_length = sorted(
        range(len(clusters)), key=lambda c: max(len(groups[i].skeleton) for i in clusters[c])
    )
    target = list(range(len(clusters)))
    for c in by_length:
        hosts = {
            cluster_of[j]
            for i in clusters[c]
            for j in {*runs.get(groups[i].words, ()), *runs.get(groups[i].skeleton, ())}
            if cluster_of[j] != c
            and target[cluster_of[j]] == cluster_of[j]
            and _part_of(groups[i], groups[j])
        }
        if not hosts:
            continue
        ranked = sorted(hosts, key=lambda d: count[d], reverse=True)
        if len(ranked) == 1 or count[ranked[0]] >= 2 * count[ranked[1]]:
            target[c] = ranked[0]
    out: dict[int, list[_Group]] = {}
    for c in range(len(clusters)):
        root = c
        while target[root] != root:
            root = target[root]
        out.setdefault(root, []).extend(groups[i] for i in clusters[c])
    return list(out.values())


def _listed_type(key: str) -> str:
    """A listed place or organization has that type whatever the recognizer said."""
    if key in lexicon.places():
        return "place"
    return "organization" if lexicon.listed(key) or key in lexicon.PLATFORMS else ""


_PLACE_CUE, _PERSON_CUE = COLUMNS.index("lc"), COLUMNS.index("pc")


def _corpus_type(names: list[tuple[str, ...]], kind: str) -> str:
    """A "person" one of whose names starts with an organization word, or with a place
    and goes on, is an organization (نادي باوك، باريس سان جرمان); one whose first word ANT
    often reads after a place cue (في، مدينة: 5 % of its occurrences or more) and hardly
    ever after a title (under 1 %) is a place (بيونغ يانغ)."""
    if kind != "person":
        return kind
    if any(w[0] in lexicon.ORG_CUES or (len(w) > 1 and w[0] in lexicon.places()) for w in names):
        return "organization"
    bands = profiles().get(max(names, key=len)[0])
    return "place" if bands and bands[_PLACE_CUE] >= "3" and bands[_PERSON_CUE] <= "1" else kind


def _letter(form: str, forms: Iterable[str]) -> bool:
    """«بي.», «سي»: one letter of an acronym (dotted, or a word of a spelt-out acronym of
    three letters or more: بي بي سي), cut off by the tokenizer."""
    bare = normalize(form).rstrip(". ")
    if len(_JOINERS.sub("", bare)) > 2:
        return False
    return form.rstrip().endswith(".") or any(
        bare in words for other in forms if len(words := normalize(other).split()) >= 3
    )


def _entity(members: list[_Group], order: dict[str, int]) -> Entity:
    forms: Counter[str] = Counter()
    types: Counter[str] = Counter()
    skeleton: dict[str, int] = {}
    for g in members:
        forms.update(g.forms)
        types.update(g.types)
        for f in g.forms:
            skeleton[f] = len(g.skeleton)
    key = normalize(max(forms, key=forms.__getitem__))
    kind = _listed_type(key) or _corpus_type([g.words for g in members], _type(types))
    if kind == "person":  # the fullest name said at least twice: فلاديمير بوتين, not بوتين
        frequent = [f for f in forms if forms[f] >= 2] or list(forms)
        name = max(frequent, key=lambda f: (skeleton[f], forms[f]))
    else:  # the usual name: عفرين, not عفرين السورية; one letter of an acronym never
        whole = [f for f in forms if not _letter(f, forms)] or list(forms)
        name = max(whole, key=lambda f: (forms[f], skeleton[f]))
    articles = {a for g in members for a in g.articles}
    return Entity(
        name=name,
        type=kind,
        variants=sorted(forms, key=lambda f: (-forms[f], f)),
        article_ids=sorted(articles, key=order.__getitem__),
        count=sum(forms.values()),
    )


def merge_mentions(per_article: Sequence[tuple[str, Sequence[Mention]]]) -> list[Entity]:
    """Entities of (article id, mentions) pairs, most mentioned first."""
    order = {a: i for i, (a, _) in enumerate(per_article)}
    groups = _groups(per_article)
    counts = {g.words: g.count for g in groups}
    clusters = _merge([g for g in groups if not _run_on(g, counts)])
    first = {id(c): min(g.first for g in c) for c in clusters}
    clusters.sort(key=lambda c: (-sum(g.count for g in c), first[id(c)]))
    entities = [e for c in clusters if not _lone_adjective(e := _entity(c, order))]
    return _into_organizations(entities, order)


def _lone_adjective(entity: Entity) -> bool:
    """«بنغالية», «موكبا»: a one-word "misc" in the form of a nationality adjective, or a
    common noun with its accusative ending, is not a name (persons and places are left:
    يوليا is a name, يولي a month)."""
    key = normalize(entity.name)
    if entity.type != "misc" or " " in key or lexicon.listed(key):
        return False
    return key.endswith(_ADJECTIVE_ENDS) or (
        key.endswith("ا") and common_word(key[:-1], strict=False)
    )


def _into_organizations(entities: list[Entity], order: dict[str, int]) -> list[Entity]:
    """A "person" or "misc" that is an organization the story names at least twice as
    often, followed by more words (باوك سالونيكي beside باوك ×13: the club with its city),
    is that organization."""
    names = {normalize(v): e for e in entities if e.type == "organization" for v in e.variants}
    kept: list[Entity] = []
    for e in entities:
        words = normalize(e.name).split()
        host = names.get(words[0]) if e.type in ("person", "misc") and len(words) > 1 else None
        if host is None or host.count < 2 * e.count:
            kept.append(e)
            continue
        host.variants += [v for v in e.variants if v not in host.variants]
        host.article_ids = sorted({*host.article_ids, *e.article_ids}, key=order.__getitem__)
        host.count += e.count
    return kept


def _vocabulary(per_article: Sequence[tuple[str, Sequence[Mention]]]) -> dict[str, str]:
    """Normalized bare names the story's articles mention, with their majority type."""
    groups = _groups(per_article)
    return {g.key: _type(g.types) for g in groups if len(g.skeleton) >= 2}


def story_entities(articles: Iterable[Article]) -> list[Entity]:
    """Entities of a story's articles (title and body), most mentioned first.

    Two passes: what one article recognizes helps find the same names in the others.
    """
    texts = [(a.id, a.text) for a in articles]
    first = [(i, find_mentions(t)) for i, t in texts]
    known = _vocabulary(first)
    return merge_mentions([(i, find_mentions(t, known)) for i, t in texts])
