"""Date words in `arabic.normalize`d form: one copy shared by date-line parsing and date finding.

Everything here is matched against normalized text (folded alef/yaa/taa marbuta, ASCII digits,
lower case), so «أيلول», «ايلول» and «أيلولَ» are one key.
"""

from __future__ import annotations

import re

from marsad.arabic import normalize

# Gregorian months: Egyptian/Gulf, Levantine/Iraqi, Maghrebi, English.
MONTH_NAMES: dict[str, int] = {}
for _num, _names in enumerate(
    [
        "يناير|كانون الثاني|كانون ثاني|جانفي|january|jan",
        "فبراير|شباط|فيفري|february|feb",
        "مارس|اذار|march|mar",
        "ابريل|نيسان|افريل|april|apr",
        "مايو|ايار|ماي|may",
        "يونيو|يونيه|حزيران|جوان|june|jun",
        "يوليو|يوليه|تموز|جويليه|يوليوز|july|jul",
        "اغسطس|اب|اوت|غشت|august|aug",
        "سبتمبر|ايلول|شتنبر|september|sep|sept",
        "اكتوبر|تشرين الاول|تشرين اول|october|oct",
        "نوفمبر|تشرين الثاني|تشرين ثاني|نونبر|november|nov",
        "ديسمبر|كانون الاول|كانون اول|دجنبر|december|dec",
    ],
    start=1,
):
    for _name in _names.split("|"):
        MONTH_NAMES[normalize(_name)] = _num

# The Levantine/Iraqi names, which Reuters writes after the Egyptian ones: «يناير كانون الثاني».
LEVANTINE_NAMES = [
    normalize(n)
    for n in "كانون الثاني|كانون ثاني|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين الأول"
    "|تشرين أول|تشرين الثاني|تشرين ثاني|كانون الأول|كانون أول".split("|")
]

# Hijri months, with the spelling variants news uses (ذو/ذي, الآخر/الثاني, الأولى/الأول).
HIJRI_MONTH_NAMES: dict[str, int] = {}
for _num, _names in enumerate(
    [
        "محرم",
        "صفر",
        "ربيع الأول|ربيع أول",
        "ربيع الآخر|ربيع الثاني|ربيع آخر",
        "جمادى الأولى|جمادى الأول",
        "جمادى الآخرة|جمادى الثانية|جمادى الآخر",
        "رجب",
        "شعبان",
        "رمضان",
        "شوال",
        "ذو القعدة|ذي القعدة",
        "ذو الحجة|ذي الحجة",
    ],
    start=1,
):
    for _name in _names.split("|"):
        HIJRI_MONTH_NAMES[normalize(_name)] = _num

# Weekdays (without the article) to Python's `date.weekday()` (Monday = 0).
WEEKDAYS: dict[str, int] = {
    normalize(w): n for n, w in enumerate("اثنين ثلاثاء أربعاء خميس جمعة سبت أحد".split())
}

# Day ordinals as written in «الحادي عشر من سبتمبر» (days are masculine: يوم).
_ONES = "الاول الثاني الثالث الرابع الخامس السادس السابع الثامن التاسع".split()
ORDINAL_DAYS: dict[str, int] = {w: n for n, w in enumerate(_ONES, start=1)}
ORDINAL_DAYS |= {"العاشر": 10, "الحادي عشر": 11, "العشرين": 20, "الثلاثين": 30}
ORDINAL_DAYS |= {f"{w} عشر": n for n, w in enumerate(_ONES[1:], start=12)}
ORDINAL_DAYS |= {"الحادي والعشرين": 21, "الواحد والعشرين": 21, "الحادي والثلاثين": 31}
ORDINAL_DAYS |= {f"{w} والعشرين": n for n, w in enumerate(_ONES[1:], start=22)}


def alternation(words: dict[str, int] | list[str]) -> str:
    """Regex matching any of the words, as a trie: «كانون الاول|كانون الثاني» becomes
    «كانون\\s+ال(?:اول|ثاني)». The engine then tries one branch per letter instead of every
    word that starts with alef; a word that is a prefix of another («اب», «ابريل») is an
    optional tail, so the longer word wins. Spaces match any whitespace."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [
            (r"\s+" if ch == " " else re.escape(ch)) + emit(child)
            for ch, child in sorted(node.items())
            if ch
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return "(?:" + emit(trie) + ")"


MONTH = alternation(MONTH_NAMES)
LEVANTINE_MONTH = alternation(LEVANTINE_NAMES)
# Both calendars in one trie: a rule whose core starts with it lets the regex engine skip to
# a month name's first letter.
ANY_MONTH_NAME = alternation({**MONTH_NAMES, **HIJRI_MONTH_NAMES})
WEEKDAY = alternation(WEEKDAYS)
ORDINAL = alternation(ORDINAL_DAYS)


def month_number(name: str) -> int:
    """Month number of a matched (normalized) Gregorian month name, whatever its spacing."""
    return MONTH_NAMES[" ".join(name.split())]


def calendar_month(name: str) -> tuple[bool, int]:
    """(is Hijri, month number) of a matched Gregorian or Hijri month name."""
    name = " ".join(name.split())
    if name in HIJRI_MONTH_NAMES:
        return True, HIJRI_MONTH_NAMES[name]
    return False, MONTH_NAMES[name]


def ordinal_day(words: str) -> int:
    return ORDINAL_DAYS[" ".join(words.split())]
