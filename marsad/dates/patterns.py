"""Regex fragments for date expressions, over `arabic.normalize`d text (ا for أ/إ/آ, ي for ى,
ه for ة, ASCII digits), and the word lists behind their guards. `rules.py` assembles them."""

from __future__ import annotations

import re

from marsad.arabic import normalize
from marsad.dates.lexicon import ANY_MONTH_NAME, LEVANTINE_MONTH, MONTH, WEEKDAY

# Clause ends; «أن» after «من المقرر» and its kin («على أن») opens the planned event, not a
# new clause.
PLANNED = "المقرر المتوقع المنتظر المزمع المرتقب يعتزم تعتزم".split()
BOUNDARY = re.compile(
    r"[.!?;:,¶\"()]|(?<!\w)"
    + "".join(f"(?<!{w} )" for w in [*PLANNED, "علي"])
    + r"[وفل]?(?:ان|انه|انها|بان|حيث|بينما|لكن|الذي|التي|الذين)(?!\w)"
)
FUTURE = re.compile(rf"(?<!\w)[وف]?(?P<w>سوف|(?:{'|'.join(PLANNED)})ه?|علي\s+ان|س[يتن]\w{{2,}})")
# Words that start like a future verb (سـ + ي/ت/ن) but are nouns or past verbs.
_NOT_FUTURE_WORDS = """
    سياسة سياسي سياسية سياسات سياسيين سياسيون سياسيا سيادة سيادي سيادية سيارة سيارات سيارتين
    سيد سيدة سيدات سيطرة سيطر سيطرت سيناء سيناريو سيناريوهات سيول سيوف سيرة ستون ستين ستة ستار
    ستاد ستوديو سنة سنوات سنوي سنويا سنوية سنين سنتين سنغافورة سينما سينمائي سينمائية سيبيريا
    سيدني ستوكهولم سيراليون سنجار ستراسبورغ ستيفن ستيف سيرجي سيرغي سيمون سيناتور سنودن ستالين
    سيتي سندات سنتيمتر سنت سنن سنان
"""
NOT_FUTURE = frozenset(map(normalize, _NOT_FUTURE_WORDS.split()))

E = r"(?!\w)"
POD = (
    r"(?:(?:بعد\s+)?(?:صباح|مساء|ليل|ليله|فجر|ظهر|عصر|ظهيره|ضحي)"
    r"|منتصف(?:\s+ليله?|(?=\s+الليله)))\s+"
)
PAST = r"(?:الماضي|المنصرم|الفايت)ه?"
NEXT = r"(?:المقبل|القادم)ه?"
THIS = r"(?:الجاري|الحالي)ه?"
MODS = rf"(?P<mod>{PAST}|{NEXT}|{THIS})"
ERA = r"(?:\s*(?P<era>م|ه|هجريه|هجري|للهجره)(?!\w))?"
# A stated year: «2024», «عام 2018», «من عام 1923», or relative: «من هذا العام», «(من) العام
# الماضي» («فبراير/شباط العام الماضي» is February of last year).
YEAR_REQ = (
    rf"(?:\s*,?\s*(?:(?:من\s+)?(?:ال)?(?:عام|سنه)\s+)?(?P<y>\d{{4}}){ERA}"
    rf"|\s+(?:من\s+)?(?:(?P<ythis>هذا\s+العام|هذه\s+السنه)|(?:العام|السنه)\s+(?P<ymod>{PAST}|{NEXT}|{THIS})))"
)
YEAR = rf"{YEAR_REQ}?"
YEAR_OR_MOD = rf"(?:\s+{MODS}|{YEAR})"
# A month of either calendar; a Gregorian one may carry its other name: «آب (أغسطس)»,
# «آب/أغسطس», «يناير كانون الثاني» (Reuters writes both names side by side).
ANY_MONTH = (
    rf"(?P<mon>{ANY_MONTH_NAME})"
    rf"(?:\s*\(\s*(?P<alt>{MONTH})\s*\)|\s*/\s*(?P<alt2>{MONTH})|\s+(?P<alt3>{LEVANTINE_MONTH})(?!\w))?"
)
# «اليوم», a weekday or «يوم» before an explicit date is part of its surface.
DAY_PREFIX = (
    r"(?:(?:اليوم|امس|غدا)\s*,?\s*)?"
    rf"(?:(?:{POD})?(?:يوم\s+)?ال{WEEKDAY}\s*,?\s*(?:الموافق\s+)?)?(?:يومي?\s+)?"
)
PREP = (
    r"(?<!\w)[وف]?(?:في|منذ|خلال|حتي|بحلول|قبل|بعد|مطلع|اوايل|اواخر|اواسط|منتصف|نهايه|بدايه"
    r"|اعتبارا\s+من|ابتداء\s+من)\s+"
)
# What a number counts when it is not a year: «في 2018 حالة», «منذ 1500 عام».
COUNTED = re.compile(
    r"\s*(?:%|(?:شخص|قتيل|جريح|مصاب|طفل|مدني|لاجي|مهاجر|جندي|عنصر|مسلح|معتقل|اسير|طالب|عامل"
    r"|مواطن|دولار|جنيه|ريال|درهم|دينار|يورو|ليره|طن|متر|كيلو|ميل|برميل|منزل|مبني|وحده|حاله"
    r"|اصابه|وفاه|مليون|مليار|الف|الاف|عام|سنه|يوم|ساعه|صوت|مقعد|نسمه)\w*|\w+ا(?!\w))"
)
ADVERBS = re.compile(r"\s*(?:ايضا|تقريبا|تحديدا|رسميا|مجددا|وفقا|خصوصا|حاليا|لاحقا)(?!\w)")
# «العام» after these is the adjective "general": «الأمين العام المقبل» is not next year.
GENERAL = frozenset(
    "الامين المدعي النايب المدير الراي القطاع الموتمر الاضراب الحاكم القنصل المفتش المراقب "
    "المرشد المنسق المفوض الوكيل الصالح النظام الامن الشان الوضع الاطار".split()
)
# «اليوم» in outlet names and phrases that do not mean the publish day («عالم اليوم», «ما
# يحدث اليوم»: nowadays).
# «اليوم» followed by an adjective is "the day": «اليوم العالمي», «اليوم التالي», «اليوم الأول».
# Followed by a subject it is still today: «يصادف اليوم الذكرى».
DAY_ADJECTIVES = (
    "عالمي وطني دولي اول ثاني ثالث رابع خامس سادس سابع ثامن تاسع عاشر اخير تالي سابق لاحق "
    "موعود محدد مشهود ذي واحد كامل دراسي مفتوح عادي"
).split()
TODAY = (
    "اليوم"
    + "".join(f"(?<!{w} اليوم)" for w in ("روسيا", "المصري", "ذلك", "هذا", "نفس", "يحدث"))
    + r"(?<!\bعالم اليوم)(?<!نقلا عن اليوم)"
    + rf"(?!\s+(?:نفسه|ذاته|ال(?:{'|'.join(DAY_ADJECTIVES)})(?:ه|ين)?(?!\w)))"
)
# «غدا» is also the verb "became": «غدا الأمر أكثر تعقيدا», «غدا من الصعب».
NOT_BECAME = rf"(?!\s+(?:من|اكثر|اقل)(?!\w))(?!\s+ال(?!{WEEKDAY})\w+\s+(?:اكثر|اقل|\w+ا)(?!\w))"
REL = (
    r"(?P<rel>اول\s+(?:من\s+)?امس|امس\s+الاول|بعد\s+غد|يوم\s+(?:ال)?امس|الامس|امس|البارحه"
    rf"|غدا{NOT_BECAME}|يوم\s+غد|غد(?=\s+ال{WEEKDAY})|الليله(?:\s+(?:الماضيه|المقبله))?|{TODAY}"
    r"|هذا\s+اليوم(?<!مثل هذا اليوم)(?!\s+من))"
)
