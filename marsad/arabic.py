"""Arabic text layer: normalization for matching, tokens, stems, sentences.

Display text is never changed; everything here produces keys for matching and indexing.
All functions are pure and work with chained `str.translate`/regex, no per-character loops.
"""

from __future__ import annotations

import re
from functools import lru_cache

import sentencex
import snowballstemmer

# Harakat, tanween, shadda, sukun, superscript alef, Quranic marks, and tatweel.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")

_FOLD = str.maketrans(
    {
        # alef forms and hamza seats
        "\u0622": "\u0627",  # آ
        "\u0623": "\u0627",  # أ
        "\u0625": "\u0627",  # إ
        "\u0671": "\u0627",  # ٱ
        "\u0624": "\u0648",  # ؤ -> و
        "\u0626": "\u064a",  # ئ -> ي
        # alef maqsura / Farsi yeh -> yaa; taa marbuta -> haa; Farsi kaf -> kaf
        "\u0649": "\u064a",
        "\u06cc": "\u064a",
        "\u0629": "\u0647",
        "\u06a9": "\u0643",
        # Arabic-Indic and Persian digits
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        # punctuation variants
        "\u060c": ",",  # ،
        "\u061b": ";",  # ؛
        "\u061f": "?",  # ؟
        "\u066b": ".",  # Arabic decimal separator
        "\u066c": ",",  # Arabic thousands separator
        "\u066a": "%",  # ٪
        "\u00ab": '"',  # «
        "\u00bb": '"',  # »
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2013": "-",
        "\u2014": "-",
        # invisible marks
        "\u200c": None,
        "\u200d": None,
        "\u200e": None,
        "\u200f": None,
        "\u061c": None,
        "\ufeff": None,
        "\u00a0": " ",
    }
)
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Matching key for Arabic text: no diacritics/tatweel, folded letters, ASCII digits."""
    return _SPACES.sub(" ", _DIACRITICS.sub("", text).translate(_FOLD)).strip().lower()


_TOKEN = re.compile(r"[\w]+", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Normalized word tokens (letters and digits), punctuation dropped."""
    return _TOKEN.findall(normalize(text).replace("_", " "))


# Function words and news filler that carry no topic, already in normalized form.
STOPWORDS = frozenset(
    normalize(w)
    for w in """
    في من الى إلى على عن مع ان أن إن لا ما لم لن قد كان كانت يكون تكون هذا هذه ذلك تلك هو هي هم
    التي الذي الذين اللذين اللتين او أو ثم بل لكن حتى اذا إذا كل بعض غير بين بعد قبل عند منذ خلال حيث
    وقال قال قالت وقالت واضاف وأضاف أضاف اضافت وأضافت واوضح وأوضح اكد أكد وأكد واشار وأشار أشار
    وذكر ذكر وذكرت ذكرت واعلن وأعلن أعلن اعلنت وأعلنت وتابع تابع كما وكان وكانت فيما وفي ومن وعلى وهو
    وهي وهذا وهذه الا إلا اي أي ايضا أيضا يوم اليوم امس أمس عام العام له لها لهم به بها بهم فيه فيها
    عليه عليها منه منها عنه عنها اليه إليه إليها اليها ولا وما ولم وقد لقد فقد ثمة هناك هنا نحو وفق وفقا
    لدى ضد دون عبر حول وسط اطار إطار بشأن بسبب جراء مثل وذلك كذلك تم وتم يتم حين بينما وبين
    the a an of to in on for and or is are was were be been by with at from that this as it its
    """.split()
)


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("arabic")


def stems(text: str, *, drop_stopwords: bool = True) -> list[str]:
    """Light stems of content words; the unit of topic matching."""
    toks = tokens(text)
    if drop_stopwords:
        toks = [t for t in toks if t not in STOPWORDS and len(t) > 1]
    return _stemmer().stemWords(toks)


# Abbreviations whose dot is not a sentence end: titles (د. م.) and agency credits (إ.ب.أ).
_ABBREV = re.compile(r"(?<![\w.])(د|م|أ|ج|ص|ق|ه|هـ|Dr|Mr|Mrs|St|[\u0621-\u064a])\.(?=\s*\S)")
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
