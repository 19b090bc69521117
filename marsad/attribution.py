"""Who a sentence credits with what it says: the speaker of reported speech.

«وقال وزير الخارجية الروسي سيرغي لافروف إن …» credits «وزير الخارجية الروسي سيرغي لافروف»;
«ونقلت وكالة الأناضول عن مصدر عسكري قوله …» the military source, not the relaying agency;
«… بحسب وكالة رويترز» the agency; «وأضاف أن …» whoever the article named last. Claims carry
their speakers, so "who said what" reads as such, and two outlets quoting different people
are told apart. Rules over normalized tokens with their offsets into the original sentence
(kept for display); every scan is bounded by `MAX_WORDS`. Speakers are shown, not used to
align claims: outlets credit one fact to a ministry and to its spokesman (docs/summary.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from marsad.arabic import normalize
from marsad.entities.features import tokenize

MAX_WORDS = 10  # a speaker's noun phrase: «رئيس هيئة الأركان العامة الروسية فاليري غيراسيموف»
SHORT = 2  # words of a speaker that need no name finder: «الشرطة النمساوية»


def _words(text: str) -> frozenset[str]:
    return frozenset(normalize(w) for w in text.split())


_VERBS = _words(
    "قال قالت أعلن أعلنت أكد أكدت ذكر ذكرت أضاف أضافت أوضح أوضحت أفاد أفادت صرح صرحت "
    "كشف كشفت اعتبر اعتبرت أشار أشارت نفى نفت حذر حذرت دعا دعت طالب طالبت وصف وصفت "
    "كتب كتبت غرد غردت رأى رأت شدد شددت لفت لفتت تابع تابعت زعم زعمت اتهم اتهمت أبلغ "
    "أبلغت أعرب أعربت أقر أقرت رجح رجحت توقع توقعت يقول تقول يؤكد تؤكد يرى ترى "
    "خلص خلصت أوصى أوصت يشير تشير يضيف تضيف يوضح توضح"
)
_RELAY = _words("نقل نقلت نقلا")
_ACCORDING = _words("بحسب حسب وفق وفقا طبقا حسبما بحسبما")
# What ends a speaker's noun phrase: the complementizer, the time, the place or medium of
# the statement, another clause, whom it was said to.
_STOP = _words(
    "إن إنه إنها إنهم أن أنه أنها أنهم قوله قولها قولهم في على عبر خلال أمام من إلى مع عن "
    "بعد قبل اليوم أمس يوم مساء صباح الليلة السبت الأحد الاثنين الثلاثاء الأربعاء الخميس "
    "الجمعة بأن وأن وإن فإن ما الذي التي حيث كما لكن بينما لم لا فيما إذ مؤكدا مشيرا موضحا "
    "مضيفا قائلا معتبرا فيه فيها له لها عنه عنها أيضا كذلك آنذاك سابقا لاحقا مؤخرا العام "
    "الشهر الأسبوع للصحفيين للصحافيين لوكالة لقناة لصحيفة لتلفزيون للتلفزيون لإذاعة لموقع "
    "لشبكة لرويترز"
)
_SELF = _words("ذاته ذاتها نفسه نفسها")  # «المنظمة ذاتها»: the phrase ends with it
_TITLES = _words(  # words that continue a speaker after a name: «إيريك فيليبس المتحدث باسم»
    "المتحدث المتحدثة الناطق الناطقة وزير وزيرة رئيس رئيسة مدير مديرة مستشار مساعد نائب "
    "سفير مندوب مندوبة الرئيس الأمين عضو قائد زعيم مسؤول وهو وهي للأنباء"
)
_VENUES = _words(  # after «في» (its article cut): where something was said, not who said it
    "بيان تصريح تصريحات مؤتمر تغريدة تغريدات حديث مقابلة كلمة رسالة وقت اجتماع لقاء "
    "ختام اتصال حوار أعقاب منشور خطاب جلسة تقرير برنامج فيديو صفحة حساب موقع فيلم"
)
_ARTICLE = re.compile(r"^[وف]?ال")
_NAME_HEADS = _words(  # heads of a quoted name: «صحيفة "نيويورك تايمز"», «لمجموعة "البركة"»
    "صحيفة وكالة أنباء قناة موقع شبكة مجلة تلفزيون إذاعة مجموعة شركة منظمة مؤسسة حزب حركة "
    "جماعة مركز معهد جمعية"
)
_OPENS = _words("أن إن لكن ولكن كان كانت حيث إذ بينما فيما")  # a clause's subject may follow
Names = Callable[[str], Sequence[tuple[int, int]]]  # (start, end) of a sentence's names
_QUOTES = {'"', "«", "»", "“", "”"}
_CUES = _VERBS | _RELAY | _ACCORDING
_CLITIC = re.compile(r"^[وف](?=\w{2})")
_PREPOSITION = re.compile(r"^[لب](?=\w{2})")  # «لمجموعة "البركة"»
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Speaker:
    """Who is credited: `text` is the original span (`start`, `end` into the sentence);
    `kind` is how: "verb" (قال X), "relay" (نقلت … عن X), "according" (بحسب X), or
    "pronoun" (وأضاف أن …: nobody named here; `text` is then the article's last speaker
    when `speakers` could resolve it, else empty)."""

    text: str
    start: int
    end: int
    kind: str

    def to_dict(self) -> dict:
        return {"text": self.text, "kind": self.kind}


def _phrase(
    sentence: str,
    toks: list[tuple[str, int, int]],
    norms: list[str],
    i: int,
    kind: str,
    names: Names | None,
) -> Speaker | None:
    """The noun phrase starting at token i, up to a stop word, a figure, a quote or the
    end. «في» continues it unless a venue follows («ناشطون في سوريا», not «في بيان»); a
    comma continues it for a short apposition («الوزير، سيرغي لافروف،»). It ends with the
    first name inside it when a word other than a title follows: «أعلن الرئيس دونالد ترامب
    إقالة …» has its object after the subject, with no word between to say so."""
    end = i
    quoted = False
    while end < len(toks) and end - i < MAX_WORDS:
        word = norms[end]
        if word == "#":
            end += 1  # «المتحدثة باسم #الخارجية_الروسية»
            continue
        if word in _QUOTES and (end == i or _PREPOSITION.sub("", norms[end - 1]) in _NAME_HEADS):
            close = next((k for k in range(end + 1, min(len(toks), end + 5))
                          if norms[k] in _QUOTES), None)  # fmt: skip
            if close is not None:  # «صحيفة "نيويورك تايمز"», «بحسب "ديلي ميل"»: a name
                end = close + 1 + (close + 1 < len(toks) and norms[close + 1] == "للانباء")
                quoted = True  # the quotes say where the name ends: no name finder
                break
        if word == "," and end > i:
            tail = end + 1
            while tail < len(toks) and tail - end <= 4 and _WORD.match(norms[tail]) \
                    and norms[tail] not in _STOP:  # fmt: skip
                tail += 1
            if 1 < tail - end <= 5 and (tail == len(toks) or norms[tail] == ","
                                        or norms[tail] in _STOP):  # fmt: skip
                end = tail
            break
        if word == "في" and end > i and end + 1 < len(toks) and _WORD.match(norms[end + 1]) \
                and _ARTICLE.sub("", norms[end + 1]) not in _VENUES:  # fmt: skip
            end += 2
            continue
        if word in _SELF and end > i:
            end += 1
            break
        if not _WORD.match(word) or word in _STOP or word.isdigit() or word in {"ل", "ب"}:
            break  # «ل»: «قال لـ"رويترز"» names whom it was said to
        end += 1
    if end == i:
        return None
    if names is not None and end - i > SHORT and not quoted:
        end = _at_name(sentence, toks, norms, i, end, names)
    first, last = toks[i][1], toks[end - 1][2]
    if kind == "according" and norms[i][:1] == "ل" and len(norms[i]) > 3:
        first += 2 if norms[i][:2] == "لل" else 1  # «وفقا لوسائل إعلام», «وفقا للبيان»
    text = sentence[first:last]
    if sum(text.count(q) for q in _QUOTES) % 2 or text[:1] in _QUOTES:  # «الكرملين» is one token
        stripped = text.strip("".join(_QUOTES))
        first += text.index(stripped) if stripped else 0
        last = first + len(stripped)
    return Speaker(sentence[first:last], first, last, kind) if first < last else None


def _at_name(
    sentence: str, toks: list[tuple[str, int, int]], norms: list[str], i: int, end: int,
    names: Names,
) -> int:  # fmt: skip
    """Where a phrase of tokens [i, end) ends: after its first name that a word other than
    a title or another name follows."""
    spans = names(sentence)
    starts = {a for a, _ in spans}
    for t in range(i + 1, end):  # «وقال الرئيس غني لماتيس»: to whom, not who
        if norms[t][:1] == "ل" and toks[t][1] in starts:
            end = t
            break
    for _, b in sorted(spans, key=lambda span: span[1]):
        after = next((t for t in range(i, end) if toks[t][1] >= b), None)
        if after is None or toks[after - 1][2] > b or after <= i:
            continue
        if toks[after][1] not in starts and norms[after] not in _TITLES:
            return after
    return end


def _subject(
    sentence: str,
    toks: list[tuple[str, int, int]],
    norms: list[str],
    bare: list[str],
    i: int,
    names: Names | None,
    *,
    opener: bool,
) -> Speaker | None:
    """A subject written before its speech verb at i («إلا أن الولايات المتحدة شددت»,
    «وكانت الوزارة قد قالت», «الشرطة قالت»): words back to a clause opener (`opener`) or
    to the sentence start (then it must start with «ال»), none a stop word or a cue."""
    k = i - 1 if i and norms[i - 1] == "قد" else i
    first = k
    while first > 0 and k - first < MAX_WORDS - 2:
        word = norms[first - 1]
        if bare[first - 1] in _OPENS or not _WORD.match(word):
            break
        if word in _STOP or bare[first - 1] in _CUES:
            return None
        first -= 1
    if first == k:
        return None
    if opener and not (first and bare[first - 1] in _OPENS):
        return None
    if not opener and (first or not norms[first].startswith("ال")):
        return None
    return _phrase(sentence, toks[:k], norms[:k], first, "verb", names)


def speaker(sentence: str, names: Names | None = None) -> Speaker | None:
    """The speaker a sentence names, or a "pronoun" speaker (empty) for a speech verb with
    nobody named; None for narration. `names` finds the (start, end) of the person and
    organization names of a sentence; asked only for a speaker of more than `SHORT` words,
    where the subject may run into the object."""
    toks = tokenize(sentence)
    norms = [normalize(t) for t, _, _ in toks]
    bare = [w if w in _CUES else _CLITIC.sub("", w) for w in norms]  # «وقال», not «وصف»
    for i, word in enumerate(bare):
        if word in _RELAY:
            for j in range(i + 1, min(len(toks), i + 1 + MAX_WORDS + 2)):
                if norms[j] == "عن":
                    found = _phrase(sentence, toks, norms, j + 1, "relay", names)
                    if found:
                        return found
                    break
        if word in _VERBS:
            # «لكن ماتيس قال إن», «وكانت الوزارة قد قالت»: a subject after a clause opener
            # comes first; one that opens the sentence only when nothing follows the verb
            found = _subject(sentence, toks, norms, bare, i, names, opener=True)
            found = found or _phrase(sentence, toks, norms, i + 1, "verb", names)
            found = found or _subject(sentence, toks, norms, bare, i, names, opener=False)
            return found or Speaker("", 0, 0, "pronoun")
        if word in _ACCORDING:
            j = i + 1
            if j < len(toks) and norms[j] == "ل":
                j += 1  # «وفقا لـ»
            joined = word in {"حسبما", "بحسبما"}  # «حسبما أفاد»
            if joined or (j < len(toks) and norms[j] in {"ما", "لما"}):
                j += 1 if joined else 2  # «بحسب ما أفاد», «وفقا لما نشره»: past the verb,
                if j < len(toks) and norms[j] in {"به", "بها"}:  # then (به) to its doer
                    j += 1
            found = _phrase(sentence, toks, norms, j, "according", names)
            if found:
                return found
    return None


def named_spans(sentence: str) -> list[tuple[int, int]]:
    """Where the person and organization names of a sentence are (the entity tagger's), for
    `speaker`'s `names`."""
    from marsad.entities import find_mentions

    return [(m.start, m.end) for m in find_mentions(sentence)
            if m.type in ("person", "organization")]  # fmt: skip


def speakers(sentences: list[str], names: Names | None = None) -> list[Speaker | None]:
    """The speaker of each sentence of one article, a "pronoun" speaker taking the last one
    the article named before it («وأضاف أن …» after «وقال لافروف …»)."""
    out: list[Speaker | None] = []
    last: Speaker | None = None
    for sentence in sentences:
        found = speaker(sentence, names)
        if found and found.kind == "pronoun" and last is not None:
            found = Speaker(last.text, 0, 0, "pronoun")
        elif found and found.text:
            last = found
        out.append(found)
    return out
