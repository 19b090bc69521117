import pytest

from marsad.arabic import STOPWORDS, normalize, sentences, stems, tokens


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("مُحَمَّدٌ", "محمد"),  # harakat, shadda, tanween
        ("الســـلام", "السلام"),  # tatweel
        ("أحمد إبراهيم آمال ٱلله", "احمد ابراهيم امال الله"),  # alef forms
        ("مستشفى على", "مستشفي علي"),  # alef maqsura
        ("مدرسة جميلة", "مدرسه جميله"),  # taa marbuta
        ("مسؤول رئيس", "مسوول رييس"),  # hamza seats
        ("عام ٢٠١٨ و۱۴۰۳", "عام 2018 و1403"),  # Arabic-Indic and Persian digits
        ("«قال» “هنا” ‹هناك›", '"قال" "هنا" "هناك"'),  # quote variants
        ("نعم، لا؛ لماذا؟", "نعم, لا; لماذا?"),  # Arabic punctuation
        ("٣٫٥٪", "3.5%"),  # Arabic decimal separator and percent
        ("فيديو ڤيديو گاز", "فيديو فيديو كاز"),  # Persian letters in foreign words
        ("ﻻ ﺍﻟﺴﻼﻡ", "لا السلام"),  # presentation forms
        ("كلمة\u200fكلمة\u200b", "كلمهكلمه"),  # direction marks, zero-width space
        ("  سطر\n\tآخر  ", "سطر اخر"),  # whitespace runs
        ("The VOICE", "the voice"),
    ],
)
def test_normalize(raw, key):
    assert normalize(raw) == key


def test_normalize_is_idempotent():
    text = "قالَ الرئيسُ «إنّ ٢٠١٨ عامٌ صعبٌ» – وأضاف: لا!"
    assert normalize(normalize(text)) == normalize(text)


def test_tokens_keep_numbers_whole_and_split_hashtags():
    assert tokens("ارتفع 3.5% إلى ١٬٢٠٠ نقطة #عاجل_اليوم") == [
        "ارتفع",
        "3.5",
        "الي",
        "1,200",
        "نقطه",
        "عاجل",
        "اليوم",
    ]


def test_stopwords_cover_glued_conjunctions():
    for word in ("في", "وفي", "فقال", "وأضاف", "the"):
        assert normalize(word) in STOPWORDS


def test_stems_meet_across_article_and_conjunction():
    # و before ال: Snowball alone keeps والحكومة whole; we meet الحكومة and بالحكومة.
    assert len(set(stems("الحكومة والحكومة بالحكومة للحكومة"))) == 1
    assert len(set(stems("الجيش والجيش بالجيش"))) == 1
    assert stems("قال وزير الخارجية في بيان") == stems("وقال وزير الخارجية فى بيان")


def test_stems_are_folded_and_drop_stopwords():
    got = stems("وقالت الحكومة إن المستشفى في المدينة")
    assert not {"قالت", "ان", "في"} & set(got)
    assert all(normalize(s) == s for s in got)  # same folding as normalize
    assert stems("elections voted") == ["elect", "vote"]  # Latin words: English stems


def test_sentences_keep_quotes_credits_and_titles():
    text = (
        "قال د. سامي في مؤتمر صحفي: «لن نتراجع. ولن نستسلم» ثم غادر.\n"
        "نقلت وكالة (أ.ف.ب) الخبر عن أ.د. منى. وأكدت الوزارة ذلك؟ نعم."
    )
    assert sentences(text) == [
        "قال د. سامي في مؤتمر صحفي: «لن نتراجع. ولن نستسلم» ثم غادر.",
        "نقلت وكالة (أ.ف.ب) الخبر عن أ.د. منى.",
        "وأكدت الوزارة ذلك؟",
        "نعم.",
    ]


def test_a_quote_is_never_cut_inside():
    got = sentences("صرخ أحدهم: «أين الماء؟ أين الدواء! لا شيء هنا.» وصمت الجميع.")
    assert any("«أين الماء؟ أين الدواء! لا شيء هنا.»" in s for s in got)


def test_sentences_keep_decimals_and_skip_blank_lines():
    assert sentences("ارتفع المؤشر 3.5 في المئة.\n\n\nوبلغ 1,200 نقطة.") == [
        "ارتفع المؤشر 3.5 في المئة.",
        "وبلغ 1,200 نقطة.",
    ]


def test_hamza_seat_before_waw_is_one_spelling():
    """Egyptian «مسئول، شئون» and Gulf/Levantine «مسؤول، شؤون» match; other seats keep theirs."""
    assert normalize("المسئولية") == normalize("المسؤولية")
    assert stems("مسئول شئون") == stems("مسؤول شؤون")
    assert normalize("رئيس") == "رييس" and normalize("سؤال") == "سوال"


def _words(texts) -> set[str]:
    import re

    return {w for t in texts for w in re.findall(r"\w+", t.lower())}


def test_pystemmer_gives_the_pure_python_snowball_stems():
    """The shipped tables (background DF, NER word classes) were counted with Snowball stems;
    the C build must give exactly those, on our demo corpus and on ANT when present."""
    import gzip
    import json
    from itertools import islice
    from pathlib import Path

    import snowballstemmer
    import Stemmer

    from marsad.demo import DEMO_MANIFEST

    pages = (DEMO_MANIFEST.parent / "pages").iterdir()
    texts = [p.read_bytes().decode("utf-8", errors="ignore") for p in pages]
    ant = Path(__file__).resolve().parents[2] / "shared/data/ant/ant_v2.1.jsonl.gz"
    if ant.exists():
        with gzip.open(ant, "rt", encoding="utf-8") as f:
            texts += [json.loads(line)["text"] for line in islice(f, 3000)]
    words = sorted(_words(texts))
    assert len(words) > (30_000 if ant.exists() else 1_000)
    for lang in ("arabic", "english"):
        ours, pure = Stemmer.Stemmer(lang), snowballstemmer.stemmer(lang)
        assert ours.stemWords(words) == pure.stemWords(words), lang
