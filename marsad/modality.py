"""What a sentence does with its claim: reports it done, announces it as planned, expects
it, denies it, or makes it conditional.

«من المقرر أن يحضر الرئيس … الاثنين» announces; «أعلن الكرملين أن بوتين سيلتقي …» plans;
«يتوقع أن …» expects; «نفى المتحدث …» denies; «إذا لم …» conditions. A preview and the
outcome it announced are then told apart (one is not evidence for the other). Cues are
matched on the normalized sentence; the first kind in `ORDER` whose cue appears wins.
"""

from __future__ import annotations

import re

from marsad.arabic import normalize
from marsad.dates.lexicon import alternation

Modality = str  # "denied" | "conditional" | "planned" | "expected" | "done"


def _cues(words: str) -> re.Pattern[str]:
    phrases = {normalize(w) for w in words.split("|")}
    # «و»/«ف» are written joined to the cue: «ومن المقرر», «ونفى», «فإذا».
    return re.compile(rf"(?<!\w)[وف]?{alternation(sorted(phrases))}(?!\w)")


_CUES: dict[str, re.Pattern[str]] = {
    "denied": _cues(
        "نفى|نفت|ينفي|تنفي|نفي|نافيا|نافية|كذب|كذبت|عار عن الصحة|غير صحيح|لا صحة|ليس صحيحا"
    ),
    "conditional": _cues("إذا|اذا|في حال|في حالة|لو|لولا|ما لم|شريطة|بشرط"),
    "planned": _cues(
        "من المقرر|من المنتظر|من المزمع|يعتزم|تعتزم|يزمع|تزمع|يخطط|تخطط|سوف|يستعد|تستعد|"
        "سيعقد|ستعقد|سيلتقي|ستلتقي|سيزور|ستزور|سيشارك|ستشارك|سيتوجه|ستتوجه|سيصل|ستصل|"
        "سيبحث|ستبحث|سيناقش|ستناقش|سيعلن|ستعلن|سيبدأ|ستبدأ|سيقوم|ستقوم|ستستضيف|سيستضيف"
    ),
    "expected": _cues(
        "يتوقع|تتوقع|من المتوقع|توقع|توقعت|يرجح|ترجح|من المرجح|يحتمل|من المحتمل|ربما|قد يكون"
    ),
}
ORDER = ("denied", "conditional", "planned", "expected")
# A preview proper: a happening scheduled ahead. The future verbs planned also takes
# («سيصبح», «ستتولى») are as often a quote's promise or a restated report (dev window).
_PREVIEW = _cues("من المقرر|من المزمع|يعتزم|تعتزم|يزمع|تزمع")


def previews(sentence: str) -> bool:
    """Whether a sentence announces a scheduled happening («من المقرر أن يفتتح …»)."""
    return modality(sentence) == "planned" and bool(_PREVIEW.search(normalize(sentence)))


def modality(sentence: str) -> Modality:
    key = normalize(sentence)
    for kind in ORDER:
        if _CUES[kind].search(key):
            return kind
    return "done"
