"""Counted quantities in a sentence: «12 شخصاً», «ثلاثة جنود», «عشرات المدنيين», each with
what it counts and, when the words say it, its role (the killed, the injured, …)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from marsad import arabic
from marsad.claims import match_key
from marsad.dates.lexicon import HIJRI_MONTH_NAMES, MONTH_NAMES

_UNITS = {
    "واحد": 1,
    "اثنان": 2,
    "اثنين": 2,
    "ثلاث": 3,
    "ثلاثه": 3,
    "اربع": 4,
    "اربعه": 4,
    "خمس": 5,
    "خمسه": 5,
    "ست": 6,
    "سته": 6,
    "سبع": 7,
    "سبعه": 7,
    "ثماني": 8,
    "ثمانيه": 8,
    "تسع": 9,
    "تسعه": 9,
    "عشر": 10,
    "عشره": 10,
    "مئه": 100,
    "مائه": 100,
    "الف": 1000,
}
_TENS = {
    "عشرون": 20,
    "عشرين": 20,
    "ثلاثون": 30,
    "ثلاثين": 30,
    "اربعون": 40,
    "اربعين": 40,
    "خمسون": 50,
    "خمسين": 50,
    "ستون": 60,
    "ستين": 60,
    "سبعون": 70,
    "سبعين": 70,
    "ثمانون": 80,
    "ثمانين": 80,
    "تسعون": 90,
    "تسعين": 90,
}
# Vague counts as ranges: «عشرات» is twenty to ninety-nine, not a figure an outlet got wrong.
_VAGUE = {"عشرات": (20, 99), "مئات": (200, 999), "الاف": (2000, 9999)}
_SCALE = {"الف": 1e3, "الاف": 1e3, "مليون": 1e6, "ملايين": 1e6, "مليار": 1e9, "مليارات": 1e9}
_WORDS = {**_UNITS, **_TENS}
_SKIP = frozenset({"من", "و", "الى", "او", "نحو", "حوالي"})
_YEAR_BEFORE = frozenset({"عام", "سنه", "العام", "لعام", "منذ"})
# Hedges make a figure a bound or an estimate: «أكثر من ألف» agrees with 1160.
_AT_LEAST = ("اكثر من", "ما يزيد عن", "ما يزيد على", "يزيد عن", "يزيد على", "ما لا يقل عن")
_AT_MOST = ("اقل من", "ما لا يزيد عن", "ما لا يزيد على")
_ABOUT = ("نحو", "حوالي", "قرابه", "زهاء", "ما يقارب", "ما يناهز", "يقارب", "يناهز")
_AT_LEAST_AFTER = ("علي الاقل", "او اكثر")
_PERCENT = frozenset(map(arabic.normalize, ("المئة", "المائة", "بالمئة", "بالمائة")))
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)*$")
_LOOKUP = frozenset({**_WORDS, **_VAGUE, **_SCALE})


@dataclass(frozen=True)
class Quantity:
    low: float
    high: float
    noun: str  # the counted noun as written (normalized)
    unit: str  # its matching key
    label: str  # the figure as stated: «12», «1000+» (أكثر من), «~511000» (نحو)
    near: frozenset[str] = frozenset()  # keys of the words around it: what is being counted
    before: str = ""  # the word before the figure (normalized): «أصيب 31 آخرون»

    @property
    def role(self) -> str | None:
        """What the figure counts when the words say it: the verb before a generic noun
        («أصيب 31 آخرون»: the injured) or the noun itself («40 قتيلا»)."""
        return _role(self.before) or _role(self.noun)

    @property
    def heading(self) -> str:
        return self.role or f"عدد «{self.noun}»"


def _roles(pairs: dict[str, str]) -> dict[str, str]:
    return {arabic.normalize(w): role for words, role in pairs.items() for w in words.split("|")}


_ROLES = _roles({
    "أصيب|وأصيب|أصيبوا|إصابة|مصابا|مصابين|المصابين|إصابات|جرح|وجرح|جريحا|جرحى|الجرحى|"
    "بجروح|إصابة": "عدد المصابين",
    "تقل|يقل|متنها|متن|ركاب|راكبا": "عدد الركاب",
    "قتل|وقتل|قتلوا|لقي|ولقي|مقتل|قتيلا|قتلى|القتلى|ضحية|ضحايا": "عدد القتلى",
    "توفي|وفاة|وفيات": "عدد الوفيات",
    "اعتقل|اعتقال|معتقلا|معتقلين": "عدد المعتقلين",
    "نزح|نازح|نازحا|نازحين": "عدد النازحين",
    "فقد|مفقودا|مفقودين": "عدد المفقودين",
    "مقعدا|مقعد|مقاعد": "عدد المقاعد",
    "شهرا|أشهر|شهور": "المدة (أشهر)",
    "عاما|سنة|سنوات|أعوام": "المدة (سنوات)",
    "يوما|أيام": "المدة (أيام)",
    "دولار|دولارا": "المبلغ (دولار)",
})  # fmt: skip


def _role(token: str) -> str | None:
    """The role a word names, its clitics aside («لإصابة», «وللقتلى»)."""
    for cut in (0, 1, 2):
        if (role := _ROLES.get(token[cut:])) and (
            not cut or token[:cut] in ("و", "ف", "ب", "ل", "ول", "فل", "وب")
        ):
            return role
    return None


_MONTHS = frozenset(MONTH_NAMES) | frozenset(HIJRI_MONTH_NAMES)  # «4 آذار» is a date


def _word(token: str) -> str:
    """A token without a leading conjunction و/ف or the article, for number-word lookup."""
    for prefix in ("وال", "فال", "ال", "و", "ف", "ب", "ل"):
        if token.startswith(prefix) and token[len(prefix) :] in _LOOKUP:
            return token[len(prefix) :]
    return token


@lru_cache(maxsize=1 << 14)
def quantities(text: str) -> tuple[Quantity, ...]:
    """Counted quantities in a sentence: «12 شخصاً», «ثلاثة جنود», «عشرات المدنيين», «3 مليارات
    دولار». Years (a 4-digit number after عام, or 1900-2100 with no noun) are left to dates.
    Cached: facts, conflicts and the claim records read the same sentences."""
    toks = arabic.tokens(text)
    found: list[Quantity] = []
    i = 0
    while i < len(toks):
        word = _word(toks[i])
        if _NUMBER.match(toks[i]):
            low = high = number(toks[i])
        elif word in _WORDS:
            low = high = float(_WORDS[word])
        elif word in _VAGUE:
            low, high = map(float, _VAGUE[word])
        else:
            i += 1
            continue
        year = (i > 0 and toks[i - 1] in _YEAR_BEFORE) or (1900 <= low <= 2100 and low == int(low))
        j = i + 1
        if j < len(toks) and _word(toks[j]) in _SCALE:
            low, high = low * _SCALE[_word(toks[j])], high * _SCALE[_word(toks[j])]
            j += 1
            year = False
        while j < len(toks) and toks[j] in _SKIP:
            j += 1
        date = j < len(toks) and _word(toks[j]) in _MONTHS
        if j < len(toks) and not _NUMBER.match(toks[j]) and not year and not date:
            noun, unit = toks[j], None
            if noun in _PERCENT:
                unit = "%"
            elif noun == "في" and j + 1 < len(toks) and toks[j + 1] in _PERCENT:
                noun, unit, j = "في المئة", "%", j + 1
            stem = arabic.stems(noun, drop_stopwords=False)
            if unit or stem:
                low, high, label = _hedged(
                    low, high, " ".join(toks[max(0, i - 3) : i]), toks[j + 1 : j + 3]
                )
                unit = unit or match_key(stem[0])
                before = toks[i - 1] if i > 0 else ""
                # the verb before a generic noun, or a role word just before («عدد
                # المصابين إلى 8»)
                cue = next((t for t in reversed(toks[max(0, i - 3) : i]) if _role(t)), before)
                found.append(Quantity(low, high, noun, unit, label, around(toks, i, j + 1), cue))
        i = j
    return tuple(found)


def number(token: str) -> float:
    """A figure as written: «1,500» and «2.280.000.000» group thousands, «6.25» and «1,5»
    have a decimal part (the last separator, when it is not followed by exactly three digits
    or there are several of it)."""
    seps = [c for c in token if c in ".,"]
    if not seps:
        return float(token)
    last = seps[-1]
    head, _, tail = token.rpartition(last)
    grouped = seps.count(last) > 1 or (len(tail) == 3 and last == ",")
    if grouped:
        return float(token.replace(".", "").replace(",", ""))
    return float(head.replace(".", "").replace(",", "") + "." + tail)


def _key(token: str) -> str | None:
    if _NUMBER.match(token):
        return None
    stems = arabic.stems(token)  # stop words have none
    return match_key(stems[0]) if stems else None


def around(tokens: list[str], start: int, end: int, n: int = 3) -> frozenset[str]:
    """Keys of the `n` content words either side of tokens[start:end]: «سعر الإيداع إلى 6.25»
    and «سعر الإقراض إلى 7.25» are two rates, not two values of one."""
    before = [k for t in reversed(tokens[:start]) if (k := _key(t))][:n]
    after = [k for t in tokens[end:] if (k := _key(t))][:n]
    return frozenset(before + after)


def _figure(x: float) -> str:
    """A figure as a reader writes it: «1160», «5.1121», «87 مليون», «1.5 مليار» (not 8.7e+07)."""
    for scale, word in ((1e9, "مليار"), (1e6, "مليون")):
        if x >= scale:
            return f"{round(x / scale, 3):g} {word}"
    return f"{int(x)}" if x == int(x) else f"{x:g}"


def _hedged(low: float, high: float, before: str, after: list[str]) -> tuple[float, float, str]:
    """The range a hedged figure allows (words before it, and the two after its noun), and
    how to show it."""
    shown = _figure(low) if low == high else f"{_figure(low)}-{_figure(high)}"
    if before.endswith(_AT_LEAST) or " ".join(after).startswith(_AT_LEAST_AFTER):
        return low, math.inf, f"{shown}+"
    if before.endswith(_AT_MOST):
        return 0.0, high, f"<{shown}"
    if before.endswith(_ABOUT):
        return low * 0.9, high * 1.1, f"~{shown}"
    return low, high, shown
