"""Find entity mentions in Arabic text: the shipped tagger, then agency and event rules.

The tagger (the neural one of `neural.py`, numpy only; or a CRF given a .crfsuite path) tags
sentences of ANERcorp-like tokens; spans map back to character offsets of the original
text, so a mention's `text` is exactly what the page says (clitics included).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycrfsuite

from marsad.arabic import STOPWORDS, normalize
from marsad.entities import lexicon, neural
from marsad.entities.context import context_features
from marsad.entities.features import sentence_features, token_features, tokenize
from marsad.entities.lexicon import bare_forms
from marsad.entities.silver import common_phrase

# The neural tagger (numpy at run time, `neural.py`); a .crfsuite path selects the CRF.
MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "ner_nn.npz"
CONTEXT_NAME = "ner_context.crfsuite"  # beside MODEL_PATH
TYPES = {"PERS": "person", "LOC": "place", "ORG": "organization", "MISC": "misc"}
LABELS = {**{v: k for k, v in TYPES.items()}, "event": "EVENT"}
_SENTENCE_END = frozenset(".!?؟\n")
_MAX_SENTENCE = 120  # tokens; longer runs without a full stop are cut to keep tagging linear
# COP29, كوب 29, «كوب-29»: the climate conferences, the one event family with a code name.
_COP = re.compile(r"(?<!\w)(?:كوب|COP)[ -]?\d{1,2}(?!\d)", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    """One entity mention: its original surface form and where it sits in the text."""

    text: str
    type: str  # person | place | organization | event | misc
    start: int
    end: int


@lru_cache(maxsize=1)
def _tagger() -> Callable[[list[list[str]]], list[list[str]]]:
    """Sentences of tokens -> their BIO tags with the model at MODEL_PATH (neural .npz or
    CRF .crfsuite)."""
    if not MODEL_PATH.is_file():
        raise FileNotFoundError(
            f"NER model missing: {MODEL_PATH}; run `python -m marsad.entities.nntrain`"
        )
    if MODEL_PATH.suffix == ".npz":
        return neural.Tagger(MODEL_PATH).tag
    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL_PATH))
    return lambda sentences: [tagger.tag(sentence_features(t)) for t in sentences]


@lru_cache(maxsize=1)
def _context_tagger() -> pycrfsuite.Tagger | None:
    """The second-pass model, if shipped (a model trained without one has none)."""
    path = MODEL_PATH.with_name(CONTEXT_NAME)
    if not path.is_file():
        return None
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    return tagger


def tag(tokens: list[str]) -> list[str]:
    """BIO tags (ANERcorp labels) of one sentence of tokens, read alone."""
    return tag_sentences([tokens])[0]


def tag_sentences(sentences: list[list[str]]) -> list[list[str]]:
    """BIO tags of a text's sentences: the first pass per sentence, then the second pass,
    which also sees how the first read the same words in the sentences around."""
    with neural.one_thread():
        first = [list(tags) for tags in _tag_many([tuple(toks) for toks in sentences])]
    second = _context_tagger()
    if second is None:
        return first
    extra = context_features(sentences, first)
    return [
        second.tag([r + x for r, x in zip(sentence_features(toks), e, strict=True)])
        if toks
        else []
        for toks, e in zip(sentences, extra, strict=True)
    ]


SENTENCES_CACHED = 1 << 13
_seen: dict[tuple[str, ...], tuple[str, ...]] = {}


def _tag_many(sentences: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """First-pass tags, the sentences not seen before tagged together in one batch; kept
    per sentence (a story's second pass and wire copies re-read the same ones), bounded."""
    todo = list(dict.fromkeys(s for s in sentences if s and s not in _seen))
    if todo:
        if len(_seen) + len(todo) > SENTENCES_CACHED:  # full: keep only what is asked now
            asked = {s: _seen[s] for s in sentences if s in _seen}
            _seen.clear()
            _seen.update(asked)
        _seen.update(zip(todo, map(tuple, _tagger()([list(s) for s in todo])), strict=True))
    return [_seen[s] if s else () for s in sentences]


def prefetch(texts: Iterable[str]) -> None:
    """Tag the sentences of texts about to be read, all in one batch.

    The tagger's cost is mostly per call (numpy steps over a batch), and a story's digest
    reads its articles, then its claim sentences one at a time: tagged together here first,
    those reads find their sentences kept. At most half the cache's bound is tagged.
    """
    sentences: dict[tuple[str, ...], None] = {}
    for text in texts:
        toks = tokenize(text)
        for begin, end in _sentences(toks, text):
            sentences[tuple(t for t, _, _ in toks[begin:end])] = None
        if len(sentences) >= SENTENCES_CACHED // 2:
            break  # the rest is tagged when read
    with neural.one_thread():
        _tag_many(list(sentences)[: SENTENCES_CACHED // 2])


def forget() -> None:
    """Drop the tagged sentences kept (a cold measurement)."""
    _seen.clear()


def spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """(first, last + 1, label) token spans of a BIO sequence; a stray I- opens a span."""
    out: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, t in enumerate([*tags, "O"]):
        kind = t[2:]
        if start >= 0 and (t == "O" or t.startswith("B-") or kind != label):
            out.append((start, i, label))
            start = -1
        if t != "O" and start < 0:
            start, label = i, kind
    return out


def _sentences(toks: list[tuple[str, int, int]], text: str) -> list[tuple[int, int]]:
    """Token ranges of sentences: cut after full stops and at line breaks."""
    out, begin = [], 0
    for i, (tok, _, end) in enumerate(toks):
        nxt = toks[i + 1][1] if i + 1 < len(toks) else len(text)
        if tok in _SENTENCE_END or "\n" in text[end:nxt] or i + 1 - begin >= _MAX_SENTENCE:
            out.append((begin, i + 1))
            begin = i + 1
    if begin < len(toks):
        out.append((begin, len(toks)))
    return out


def _listed(norms: list[str], i: int) -> tuple[int, str]:
    """(length, kind) of the longest listed place or organization name at token i."""
    for first in bare_forms(norms[i]):
        for words, kind in lexicon.phrase_index().get(first, ()):
            if tuple(norms[i + 1 : i + len(words)]) == words[1:]:
                return len(words), kind
    return 0, ""


def _with_rules(norms: list[str], found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Listed agencies are organizations whatever the CRF says, and a listed place name of
    several words is taken whole (ناغورني قره باغ, not ناغورني قره); a cue word before a
    name makes an event (اتفاقية باريس); a "person" right after مدينة، بلدة، محافظة ... is
    a place (مدينة مرسى الزين)."""
    by_start = {s: (s, e, k) for s, e, k in found}
    i = 0
    while i < len(norms):
        n, kind = _listed(norms, i)
        overlap = [x for x in by_start.values() if x[0] < i + n and x[1] > i]
        force = kind == "org" and not any(x[:2] == (i, i + n) and x[2] == "ORG" for x in overlap)
        if kind == "loc" and n > 1:
            force = all(x[2] == "LOC" and i <= x[0] and x[1] <= i + n for x in overlap)
        if force:
            for x in overlap:
                del by_start[x[0]]
            by_start[i] = (i, i + n, "ORG" if kind == "org" else "LOC")
        i += max(n, 1)
    covered = {i for s, e, _ in by_start.values() for i in range(s, e)}
    for s, e, k in sorted(by_start.values()):
        cue = s - 1
        if (
            k in ("MISC", "ORG", "LOC")
            and cue >= 0
            and cue not in covered
            and any(f in lexicon.EVENT_CUES for f in bare_forms(norms[cue]))
            and not _has_preposition(norms[s])
        ):
            del by_start[s]
            by_start[cue] = (cue, e, "EVENT")
        elif k == "MISC" and any(f in lexicon.EVENT_CUES for f in bare_forms(norms[s])):
            by_start[s] = (s, e, "EVENT")
        elif k == "PERS" and cue >= 0 and _place_noun(norms[cue]):
            by_start[s] = (s, e, "LOC")
    return sorted(by_start.values())


def _place_noun(norm: str) -> bool:
    return not lexicon.PLACE_NOUNS.isdisjoint(bare_forms(norm))


def _has_preposition(norm: str) -> bool:
    """بالقاهرة, للأمم: a preposition with the article, so the word is not a name's genitive."""
    return norm.startswith(("بال", "لل", "كال", "وبال", "فبال", "وال", "فال"))


Phrases = dict[str, list[tuple[tuple[str, ...], str]]]
# Second halves of compound given names (نصر الله, صلاح الدين): not family names.
NAME_PARTS = frozenset(map(normalize, "الله الدين الرحمن الرحيم الحق".split()))


def _index(known: Mapping[str, str]) -> tuple[Phrases, frozenset[str]]:
    """Known names by first word (longest first), and the family names of known people.

    A family name (the last word of a known person's name, four letters or more) is known
    on its own too, as a person whatever else it was tagged: the story's بوتين after its
    فلاديمير بوتين.
    """
    phrases = {tuple(name.split()): LABELS[kind] for name, kind in known.items() if kind in LABELS}
    families = frozenset(
        w[-1]
        for w, lab in phrases.items()
        if lab == "PERS" and len(w) > 1 and len(w[-1]) > 3 and w[-1] not in NAME_PARTS
    )
    for family in families:
        phrases[(family,)] = "PERS"
    index: Phrases = {}
    for words, label in phrases.items():
        if words:
            index.setdefault(words[0], []).append((words, label))
    for entries in index.values():
        entries.sort(key=lambda e: len(e[0]), reverse=True)
    return index, families


def _given_name_at(words: list[str], norms: list[str], i: int) -> bool:
    """Is token i a given name before a family name? Only where a title, a nationality
    adjective, نظيره or مع announces it: (الرئيس الأذربيجاني، | نظيره | مع) إلهام علييف."""
    norm = norms[i]
    if len(norm) < 3 or not norm.isalpha() or norm in STOPWORDS or words[i].startswith("ال"):
        return False
    j = i - 1 if i < 1 or norms[i - 1] not in {",", "،"} else i - 2
    if j < 0:
        return False
    forms = bare_forms(norms[j])
    return any(
        f in lexicon.PERSON_CUES
        or f.startswith("نظير")
        or f == "مع"
        or (f.startswith("ال") and f.endswith("ي"))
        for f in forms
    )


def _with_known(
    words: list[str],
    norms: list[str],
    found: list[tuple[int, int, str]],
    index: Phrases,
    families: frozenset[str],
) -> list[tuple[int, int, str]]:
    """Tag what the story already knows where the CRF missed it (or cut it short).

    A known family name alone (علييف) takes the name-like word before it along, so
    إلهام علييف is not read as a bare علييف when only حيدر علييف was recognized.
    """
    out = list(found)
    i = 0
    while i < len(norms):
        hit = next(
            (
                (i, i + len(name), label, name)
                for first in bare_forms(norms[i])
                for name, label in index.get(first, ())
                if tuple(norms[i + 1 : i + len(name)]) == name[1:]
            ),
            None,
        )
        if hit is None:
            i += 1
            continue
        s, e, label, name = hit
        if (
            len(name) == 1
            and name[0] in families
            and s > 0
            and norms[s] == name[0]
            and not any(a <= s - 1 < b for a, b, _ in out)
            and _given_name_at(words, norms, s - 1)
        ):
            s -= 1
        inside = any(a <= s and e <= b for a, b, _ in out)
        crossing = any(a < e and s < b and not (s <= a and b <= e) for a, b, _ in out)
        if not inside and not crossing:
            out = [x for x in out if x[1] <= s or x[0] >= e] + [(s, e, label)]
        i = e
    return sorted(out)


_LOWER_LATIN = re.compile("[a-z]")


def _cased(words: list[str]) -> bool:
    """A span with a lower-case Latin word is not a name: the model reads Arabic, and on
    English text it runs spans over whole clauses (Reuters reported that ...)."""
    return not any(_LOWER_LATIN.match(w) for w in words)


def _common(name: str) -> bool:
    """Common words the CRF took for a name once are not looked for in the rest of the
    text: one slip on الاتفاق would tag its every occurrence."""
    return not lexicon.listed(name) and common_phrase(name)


def find_mentions(text: str, known: Mapping[str, str] | None = None) -> list[Mention]:
    """Entity mentions in `text`, in order, with offsets into `text` (not normalized).

    Names the CRF finds somewhere in the text are looked for everywhere in it (it often
    misses a name in one sentence and finds it in the next). `known` adds names from outside,
    normalized name → type (a story's other articles); it wins over the text's own reading.
    """
    if not isinstance(text, str):
        raise TypeError(f"find_mentions expects str, got {type(text).__name__}")
    toks = tokenize(text)
    tagged = []
    own: dict[str, Counter[str]] = {}
    ranges = _sentences(toks, text)
    sentences = [[t for t, _, _ in toks[begin:end]] for begin, end in ranges]
    for (begin, _), words, tags in zip(ranges, sentences, tag_sentences(sentences), strict=True):
        norms = [token_features(w)[0] for w in words]
        found = [x for x in _with_rules(norms, spans(tags)) if _cased(words[x[0] : x[1]])]
        tagged.append((begin, words, norms, found))
        for s, e, label in found:
            name = " ".join(norms[s:e])
            if len(name) > 2 and name not in STOPWORDS and not _common(name):
                own.setdefault(name, Counter())[TYPES.get(label, "event")] += 1
    mine = {name: kinds.most_common(1)[0][0] for name, kinds in own.items()}
    index, families = _index({**mine, **(known or {})})
    out: list[Mention] = []
    for begin, words, norms, found in tagged:
        for s, e, label in _with_known(words, norms, found, index, families):
            a, b = toks[begin + s][1], toks[begin + e - 1][2]
            out.append(Mention(text[a:b], TYPES.get(label, "event"), a, b))
    cops = [Mention(m.group(), "event", m.start(), m.end()) for m in _COP.finditer(text)]
    out = [x for x in out if not any(c.start < x.end and x.start < c.end for c in cops)]
    return sorted(out + cops, key=lambda m: m.start)
