"""Tokens and CRF features, shaped like ANERcorp: punctuation split off, clitics attached.

Token features are computed once per distinct token string (cached); a sentence then only
joins each token's own features with its neighbours' under position prefixes.
"""

from __future__ import annotations

import re
from functools import lru_cache

from marsad.arabic import STOPWORDS, normalize, stems
from marsad.cluster import background
from marsad.entities import lexicon
from marsad.entities.cueprofile import COLUMNS, profiles
from marsad.entities.lexicon import bare_forms
from marsad.entities.wordclass import word_classes

_MARKS = "\u0610-\u061a\u064b-\u065f\u0670"
# Letter abbreviations with dots (أ.ف.ب, د.ب.أ), numbers, words with their clitics and
# diacritics, then any single other non-space character.
_TOKEN = re.compile(
    rf"(?<!\w)[\u0621-\u064a](?:\.[\u0621-\u064a])+\.?(?!\w)"
    rf"|\d+(?:[.,]\d+)*"
    rf"|(?:[^\W_]|[{_MARKS}])+"
    rf"|[^\s{_MARKS}]"
)
_LATIN = re.compile("[a-z]")
_ARABIC = re.compile("[\u0621-\u064a]")


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """(token, start, end) with offsets into `text` itself, so spans map back to the original."""
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _shape(token: str, norm: str) -> str:
    if norm.isdigit():
        return "num"
    if any(c.isdigit() for c in norm):
        return "hasnum"
    if _LATIN.search(norm):
        return "latin"
    if _ARABIC.search(norm):
        return "abbr" if "." in norm else "ar"
    return "punct"


@lru_cache(maxsize=1 << 17)
def token_features(token: str) -> tuple[str, tuple[str, ...], tuple[str, ...], str]:
    """(normalized form, own features, features a neighbour sees, word class) of a token."""
    norm = normalize(token) or token
    shape = _shape(token, norm)
    forms = bare_forms(norm) if shape == "ar" else (norm,)
    stem = (stems(token, drop_stopwords=False) or [norm])[0]
    df = background().df.get(stem, 0)
    cores = forms[1:]
    classes = word_classes()
    coarse, _, fine = next((classes[f] for f in forms if f in classes), "none").partition("/")
    cls = "cl=" + coarse
    bands = next((profiles()[f] for f in forms if f in profiles()), "")
    cues = [c + "=" + b for c, b in zip(COLUMNS, bands, strict=False)]
    gaz = []
    if any(f in lexicon.places() for f in forms):
        gaz.append("gloc")
    if any(f in lexicon.organizations() for f in forms):
        gaz.append("gorg")
    if any(f in lexicon.PERSON_CUES for f in forms):
        gaz.append("cpers")
    if any(f in lexicon.ORG_CUES for f in forms):
        gaz.append("corg")
    if any(f in lexicon.EVENT_CUES for f in forms):
        gaz.append("cevent")
    if norm in STOPWORDS:
        gaz.append("stop")
    own = [
        "b",
        "w=" + norm,
        "stem=" + stem,
        "shape=" + shape,
        "len=" + str(min(len(norm), 8)),
        "df=" + str(df.bit_length()),
        cls,
        "cf=" + fine,
        "p2=" + norm[:2],
        "p3=" + norm[:3],
        "s2=" + norm[-2:],
        "s3=" + norm[-3:],
        "s4=" + norm[-4:],
        "suf=" + lexicon.suffix_of(norm),
        *("core=" + c for c in cores),
        *("pre=" + p for p, _ in lexicon.strip_proclitics(norm)),
        *gaz,
        *cues,
    ]
    if token != norm and norm.isascii() and token[:1].isupper():
        own.append("upper")
    seen = [
        "w=" + norm,
        "stem=" + stem,
        "shape=" + shape,
        "df=" + str(df.bit_length()),
        cls,
        *("core=" + c for c in cores),
        *gaz,
        *cues,
    ]
    return norm, tuple(own), tuple(seen), cls


def _phrase_marks(norms: list[str]) -> list[list[str]]:
    """B-/I- marks where a multi-word place or organization name starts at a token."""
    marks: list[list[str]] = [[] for _ in norms]
    index = lexicon.phrase_index()
    i = 0
    while i < len(norms):
        hit = None
        for first in bare_forms(norms[i]):
            for words, kind in index.get(first, ()):
                n = len(words)
                if n > 1 and tuple(norms[i + 1 : i + n]) == words[1:]:
                    hit = (n, kind)
                    break
            if hit:
                break
        if hit:
            n, kind = hit
            marks[i].append("B-p" + kind)
            for j in range(i + 1, i + n):
                marks[j].append("I-p" + kind)
            i += n
        else:
            i += 1
    return marks


_WINDOW = ((-2, "-2:"), (-1, "-1:"), (1, "+1:"), (2, "+2:"))


def sentence_features(tokens: list[str]) -> list[list[str]]:
    """CRF attributes of every token: its own, its ±2 neighbours', and phrase-list marks."""
    feats = [token_features(t) for t in tokens]
    norms = [f[0] for f in feats]
    marks = _phrase_marks(norms)
    n = len(tokens)
    out = []
    for i, (_, own, _, _) in enumerate(feats):
        row = [*own, *marks[i]]
        for off, tag in _WINDOW:
            j = i + off
            if 0 <= j < n:
                row.extend(tag + f for f in feats[j][2])
                row.extend(tag + m for m in marks[j])
            else:
                row.append(tag + "pad")
        if i > 0:
            row.append("bi=" + norms[i - 1] + "|" + norms[i])
            row.append("cbi=" + feats[i - 1][3] + "|" + feats[i][3])
        if i + 1 < n:
            row.append("cbi+=" + feats[i][3] + "|" + feats[i + 1][3])
        out.append(row)
    return out
