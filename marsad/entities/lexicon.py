"""Word lists the recognizer and the merger share: clitics, cue words, agencies, places.

Country and territory names come from the CLDR data inside the installed `babel` wheel (no
download); the cue and agency lists are our own. Every entry is stored in `normalize`d form.
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale

from marsad.arabic import normalize

# Proclitic chains, longest first: conjunction, preposition, then the article (normalized).
_CHAINS = "وبال وكال وفال فبال فكال ولل فلل وال فال بال كال لل ال وب ول وك فب فل فك و ف ب ل ك"
PROCLITICS = tuple(sorted(_CHAINS.split(), key=len, reverse=True))
# Chains without the article: what comes off a name for display (الكرملين keeps its ال).
NAME_PROCLITICS = tuple(p for p in PROCLITICS if not p.endswith("ال") and p != "لل")

_SUFFIXES = tuple(sorted("ها هم هما هن كم كما نا ه ي ك ات ون ين ان يه يون يين".split(), key=len))

# Words that announce a person right after them (titles, offices).
PERSON_CUES = frozenset(
    map(
        normalize,
        """الرئيس رئيس الملك ملك الأمير أمير الشيخ الشيخة السلطان الإمام وزير وزيرة الوزير
        الوزيرة رئيسة المستشار المستشارة السفير سفير السيد السيدة الدكتور د المتحدث
        المتحدثة الناطق الجنرال اللواء العميد العقيد الفريق المشير العاهل ولي نائب النائب
        الأمين أمين المبعوث مبعوث القاضي المرشد البابا الكاردينال المطران الحاكم حاكم
        محافظ المحافظ زعيم الزعيم قائد القائد الرئيسان الرئيسين المدرب اللاعب النجم الكاتب
        الشاعر الفنان الفنانة المخرج الصحفي الصحفية مراسل مراسلة""".split(),
    )
)

# Nouns that announce a place right after them: مدينة مرسى الزين.
PLACE_NOUNS = frozenset(
    map(normalize, "مدينة المدينة عاصمة العاصمة بلدة قرية محافظة ولاية إقليم منطقة".split())
)

# Words that start or announce an organization.
ORG_CUES = frozenset(
    map(
        normalize,
        """وكالة وكالات حزب منظمة شركة وزارة مجلس هيئة جمعية اتحاد جامعة بنك مصرف صندوق
        مؤسسة لجنة حركة جبهة رابطة نقابة محكمة المحكمة البرلمان الحكومة حكومة الجيش جيش
        قوات مركز معهد نادي منتدى مجموعة تحالف الحلف حلف مكتب إدارة سلطة دائرة جهاز
        صحيفة قناة إذاعة""".split(),
    )
)

# Words that open an event name: summits, conferences, treaties, games.
EVENT_CUES = frozenset(
    map(normalize, "قمة مؤتمر اتفاقية اتفاق معاهدة منتدى بطولة دورة أولمبياد مهرجان".split())
)

# News agencies and their abbreviations as Arabic credits write them. Names that are also
# everyday words or places (معا، فارس، سبأ، قنا) are left out: they would be tagged everywhere.
AGENCIES = frozenset(
    map(
        normalize,
        """رويترز|أ.ف.ب|ا.ف.ب|فرانس برس|فرانس بريس|أ.ب|أسوشيتد برس|أسوشييتد برس|د.ب.أ|إ.ب.أ|
        تاس|إيتار تاس|ريا نوفوستي|نوفوستي|سبوتنيك|إنترفاكس|الأناضول|واس|وام|كونا|سانا|
        شينخوا|كيودو|يونهاب|إرنا|تسنيم|بترا|أ ش أ|بلومبرغ|بلومبيرغ|الأسوشيتد برس|
        أنسا|بي بي سي|سي إن إن""".split("|"),
    )
)

# Places CLDR does not list: regions and disputed areas in the news, and capitals and big
# cities under their usual Arabic spellings (our own list; spelling variants included).
EXTRA_PLACES = frozenset(
    map(
        normalize,
        """ناغورنو كاراباخ|ناغورني كاراباخ|ناغورني قره باغ|قره باغ|كاراباخ|القرم|دونباس|
        دونيتسك|لوهانسك|خيرسون|زابوريجيا|أبخازيا|أوسيتيا الجنوبية|ترانسنيستريا|كشمير|التبت|
        شينجيانغ|كردستان|إقليم كردستان|دارفور|غزة|قطاع غزة|الضفة الغربية|القدس|الجولان|سيناء|
        الشرق الأوسط|الخليج|القوقاز|آسيا الوسطى|البلقان|بحر قزوين|البحر الأسود|البحر الأحمر|
        البحر المتوسط|موسكو|باكو|يريفان|تبليسي|كييف|مينسك|أنقرة|إسطنبول|طهران|بغداد|دمشق|
        بيروت|عمان|القاهرة|السعودية|الرياض|جدة|الدوحة|أبوظبي|أبو ظبي|دبي|الكويت|المنامة|مسقط|صنعاء|
        عدن|الخرطوم|طرابلس|تونس|الجزائر|الرباط|نواكشوط|واشنطن|نيويورك|لندن|باريس|برلين|
        روما|مدريد|بروكسل|جنيف|فيينا|بكين|طوكيو|نيودلهي|إسلام آباد|كابول|أستانا|طشقند|
        بيشكك|دوشنبه|عشق آباد""".split("|"),
    )
)

# Currencies: common nouns the recognizer takes for misc names now and then.
CURRENCIES = frozenset(
    map(
        normalize,
        """دولار الدولار يورو اليورو جنيه الجنيه دينار الدينار درهم روبل الروبل ين الين ليرة
        الليرة""".split(),
    )
)

# Companies and platforms the news names every day and ANERcorp never saw (our own list):
# organizations when the recognizer finds them, not looked for by the recognizer itself.
PLATFORMS = frozenset(
    map(normalize, "فيسبوك|فيس بوك|تويتر|يوتيوب|إنستغرام|غوغل|جوجل|واتساب".split("|"))
)

# Other names of one place that share no spelling with it (our own list): the short forms
# the news uses next to CLDR's official names, normalized variant → normalized name.
_VARIANTS = {
    "الولايات المتحدة": "أمريكا|أميركا|الولايات المتحدة الأمريكية|الولايات المتحدة الأميركية",
    "المملكة المتحدة": "بريطانيا|بريطانيا العظمى",
    "روسيا": "روسيا الاتحادية|الاتحاد الروسي",
    "الإمارات": "الإمارات العربية المتحدة|دولة الإمارات",
    "السعودية": "المملكة العربية السعودية",
    "الصين": "جمهورية الصين الشعبية",
    "كوريا الشمالية": "كوريا الديمقراطية",
    "هولندا": "هولاندا",
}
VARIANTS = {
    normalize(v): normalize(name) for name, vs in _VARIANTS.items() for v in vs.split("|")
}

# Territory codes that are not places: the world, test locales, unknown region, and the two
# unions CLDR lists as territories but news treats as organizations.
_NOT_PLACES = {"001", "XA", "XB", "ZZ", "EZ", "QO"}
_ORG_TERRITORIES = {"EU", "UN"}
_PAREN = re.compile(r"\s*\([^)]*\)")


@lru_cache(maxsize=1)
def _territories() -> tuple[frozenset[str], frozenset[str]]:
    names = Locale("ar").territories
    places = set()
    orgs = set()
    for code, name in names.items():
        if code in _NOT_PLACES:
            continue
        key = normalize(_PAREN.sub("", name).replace(" - ", " "))
        (orgs if code in _ORG_TERRITORIES else places).add(key)
    return frozenset(places), frozenset(orgs)


@lru_cache(maxsize=1)
def places() -> frozenset[str]:
    """Normalized CLDR country, territory and region names in Arabic."""
    return _territories()[0] | EXTRA_PLACES


@lru_cache(maxsize=1)
def organizations() -> frozenset[str]:
    """Normalized names known to be organizations: agencies and CLDR's EU and UN."""
    return AGENCIES | _territories()[1]


def listed(name: str) -> bool:
    """Is the normalized name a listed place or organization?"""
    return name in places() or name in organizations()


def strip_proclitics(word: str) -> list[tuple[str, str]]:
    """Every (proclitic, rest) split of a normalized word that leaves at least two letters."""
    n = len(word)
    return [(p, word[len(p) :]) for p in PROCLITICS if word.startswith(p) and n > len(p) + 1]


@lru_cache(maxsize=1 << 16)
def bare_forms(norm: str) -> tuple[str, ...]:
    """The word and what it may be under its proclitics: وللكرملين → للكرملين, الكرملين, كرملين."""
    forms = [norm]
    for prefix, rest in strip_proclitics(norm):
        forms.append(rest)
        if prefix.endswith("ال") or prefix.endswith("لل"):
            forms.append("ال" + rest)
    return tuple(dict.fromkeys(forms))


def suffix_of(word: str) -> str:
    """The longest pronoun or plural suffix a normalized word ends with ('' if none)."""
    found = ""
    for s in _SUFFIXES:
        if word.endswith(s) and len(word) - len(s) > 1:
            found = s
    return found


@lru_cache(maxsize=1)
def phrase_index() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """First word → [(words, kind)], longest phrase first, for the multi-word lookups."""
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for kind, names in (("loc", places()), ("org", organizations())):
        for name in names:
            words = tuple(name.split())
            index.setdefault(words[0], []).append((words, kind))
    for entries in index.values():
        entries.sort(key=lambda e: len(e[0]), reverse=True)
    return index
