"""Arabic text layer: normalization for matching, tokens, stems, sentences.

Display text is never changed; everything here produces keys for matching and indexing.
All functions are pure and work with `str.translate`/regex on whole strings, or with a
cache per distinct word; there are no per-character Python loops.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import sentencex
import Stemmer  # PyStemmer: the C build of the Snowball stemmers (same stems, ~80x faster)

# Harakat, tanween, shadda, sukun, superscript alef, Quranic marks, and tatweel.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")

# Letter folds that change a word's spelling, not only its look: applied after stemming too.
_LETTERS = {
    # alef forms and hamza seats
    "\u0622": "\u0627",  # آ
    "\u0623": "\u0627",  # أ
    "\u0625": "\u0627",  # إ
    "\u0671": "\u0627",  # ٱ
    "\u0624": "\u0648",  # ؤ -> و
    "\u0626": "\u064a",  # ئ -> ي
    # alef maqsura / Farsi yeh -> yaa; taa marbuta -> haa
    "\u0649": "\u064a",
    "\u06cc": "\u064a",
    "\u0629": "\u0647",
    # Persian letters in foreign names: keheh, gaf, veh, peh, tcheh
    "\u06a9": "\u0643",
    "\u06af": "\u0643",
    "\u06a4": "\u0641",
    "\u067e": "\u0628",
    "\u0686": "\u062c",
}
_FOLD_LETTERS = str.maketrans(_LETTERS)

_FOLD = str.maketrans(
    {
        **_LETTERS,
        # Arabic-Indic and Persian digits
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        # punctuation variants
        "\u060c": ",",  # ،
        "\u061b": ";",  # ؛
        "\u061f": "?",  # ؟
        "\u06d4": ".",  # Urdu full stop
        "\u066b": ".",  # Arabic decimal separator
        "\u066c": ",",  # Arabic thousands separator
        "\u066a": "%",  # ٪
        **dict.fromkeys("\u00ab\u00bb\u201c\u201d\u201e\u201f\u2039\u203a", '"'),
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4", "'"),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        # invisible marks: zero-width, direction marks and embeddings, BOM
        **dict.fromkeys("\u200b\u200c\u200d\u200e\u200f\u061c\ufeff", None),
        **dict.fromkeys("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069", None),
    }
)
# Everything `normalize` folds except the spelling folds, which `stems` applies after stemming.
_FOLD_GLYPHS = {k: v for k, v in _FOLD.items() if chr(k) not in _LETTERS}
_SPACES = re.compile(r"\s+")


def _compat(text: str) -> str:
    """NFKC: presentation forms (ﻻ, ﺍﻟ) and fullwidth or ligature characters to plain letters."""
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def _hamza_seat(text: str) -> str:
    """«مسئول، شئون» (Egypt) and «مسؤول، شؤون» (Gulf, Levant) are one word: before و the seat
    is written either way, so ئو takes the ؤو spelling before both fold to letters."""
    return text.replace("\u0626\u0648", "\u0624\u0648")


def normalize(text: str) -> str:
    """Matching key for Arabic text: no diacritics/tatweel, folded letters, ASCII digits."""
    plain = _hamza_seat(_DIACRITICS.sub("", _compat(text)))
    return _SPACES.sub(" ", plain.translate(_FOLD)).strip().lower()


# A word longer than this (a base64 blob, a key held down, a run of one letter with no
# spaces) is cut to its first MAX_WORD_CHARS characters for matching and indexing, so every
# word costs bounded work and cache memory. No Arabic or English word comes near it. Not a
# config setting: the index, queries, duplicates and stories must all cut at the same length.
MAX_WORD_CHARS = 64
_LONG_WORD = re.compile(rf"(?<!\w)(\w{{{MAX_WORD_CHARS}}})\w+")
# Decimal and grouped numbers stay one token (3.5, 1,200); otherwise runs of word characters.
_TOKEN = re.compile(r"\d+(?:[.,]\d+){1,15}|\w+")


def _words(text: str) -> list[str]:
    """Tokens of prepared text: long words cut to MAX_WORD_CHARS, `_` is not a letter."""
    text = text.replace("_", " ")
    toks = _TOKEN.findall(text)
    if toks and max(map(len, toks)) > MAX_WORD_CHARS:  # rare: only then pay for the cut
        toks = _TOKEN.findall(_LONG_WORD.sub(r"\1", text))
    return toks


def tokens(text: str) -> list[str]:
    """Normalized word tokens (letters and digits), punctuation dropped."""
    return _words(normalize(text))


_STOP_BASE = """
    في من الى إلى على عن مع ان أن إن لا ما لم لن قد كان كانت يكون تكون هذا هذه ذلك تلك هو هي هم
    التي الذي الذين اللذين اللتين او أو ثم بل لكن حتى اذا إذا كل بعض غير بين بعد قبل عند
    منذ خلال حيث
    قال قالت أضاف اضافت أوضح أكد أشار ذكر ذكرت أعلن أعلنت تابع كما فيما أنه أنها إنه إنها
    الا إلا اي أي ايضا أيضا يوم اليوم امس أمس عام العام له لها لهم به بها بهم فيه فيها
    عليه عليها منه منها عنه عنها اليه إليه إليها اليها لقد ثمة هناك هنا نحو وفق وفقا
    لدى ضد دون عبر حول وسط اطار إطار بشأن بسبب جراء مثل كذلك تم يتم حين بينما
    the a an of to in on for and or is are was were be been being by with at from that this
    these those as it its he she they them his her their we our you your i not no but if
    has have had do does did will would can could may might should also than then there
    which who whom what when where while after before about into over said says
"""
# Function words and news filler that carry no topic, in normalized form, also with the
# conjunctions و/ف glued on (وقال، فيما، وفي) as Arabic writes them.
STOPWORDS = frozenset(
    form
    for w in map(normalize, _STOP_BASE.split())
    for form in ((w,) if w.isascii() else (w, "و" + w, "ف" + w))
)


@lru_cache(maxsize=1)
def _stemmers() -> tuple[Stemmer.Stemmer, Stemmer.Stemmer]:
    return Stemmer.Stemmer("arabic"), Stemmer.Stemmer("english")


# و/ف before the article: Snowball keeps any word starting وا/فا whole, so والحكومة would
# not meet الحكومة; dropping the conjunction first lets both reach the same stem.
_CONJ_ARTICLE = re.compile("^[\u0648\u0641](?=\u0627\u0644..)")


@lru_cache(maxsize=1 << 17)
def _stem(word: str) -> str:
    """Stem of one lightly normalized word (taa marbuta and alef maqsura still there)."""
    arabic, english = _stemmers()
    if word.isascii():
        return english.stemWord(word) if word.isalpha() else word
    return arabic.stemWord(_CONJ_ARTICLE.sub("", word)).translate(_FOLD_LETTERS)


def stems(text: str, *, drop_stopwords: bool = True) -> list[str]:
    """Light stems of content words; the unit of topic matching.

    Snowball's Arabic stemmer reads ة and ى as suffix letters, so it gets the text before
    those letters are folded; its stems are folded afterwards to match `normalize`.
    """
    light = _SPACES.sub(
        " ", _hamza_seat(_DIACRITICS.sub("", _compat(text))).translate(_FOLD_GLYPHS)
    )
    toks = _words(light.lower())
    if not drop_stopwords:
        return [_stem(t) for t in toks]
    return [s for s in map(_content_stem, toks) if s is not None]


@lru_cache(maxsize=1 << 17)
def _content_stem(word: str) -> str | None:
    """The stem of a content word, None for a stopword or a single letter (one cache
    lookup per token in running text instead of a fold, a set test and a stem)."""
    if len(word) < 2 or word.translate(_FOLD_LETTERS) in STOPWORDS:
        return None
    return _stem(word)


# Abbreviations whose dot is not a sentence end: titles (د. م.) and agency credits (إ.ب.أ).
_ABBREV = re.compile(r"(?<!\w)(د|م|أ|ج|ص|ق|ه|هـ|Dr|Mr|Mrs|Ms|St|Jr|[\u0621-\u064a])\.(?=\s*\S)")
_SHIELD = "\ue000"  # private-use char: the segmenter does not see a dot


def sentences(text: str) -> list[str]:
    """Sentences of a text, keeping «…» quotes, (إ.ب.أ) credits and titles like د. intact."""
    out: list[str] = []
    for para in text.split("\n"):
        para = para.strip()
        if not para:
            continue
        shielded = _ABBREV.sub(lambda m: m.group(1) + _SHIELD, para)
        for s in sentencex.segment("ar", shielded):
            s = s.strip().replace(_SHIELD, ".")
            if s:
                out.append(s)
    return out
