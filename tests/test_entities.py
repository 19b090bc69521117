"""Entities: recognition on our own sentences, spelling variants merged per story, and the
quality floor on ANERcorp (skipped when the shared data is not there)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from marsad.entities import Entity, Mention, find_mentions, merge_mentions, story_entities
from marsad.model import Article, Page

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
ROOT = Path(__file__).resolve().parents[1]


def _article(pos: int, body: str, title: str = "") -> Article:
    return Article(page_id="p", position=pos, title=title, body=body)


def _by_variant(entities: list[Entity], form: str) -> Entity:
    hits = [e for e in entities if form in e.variants]
    assert len(hits) == 1, (form, [e.to_dict() for e in entities])
    return hits[0]


def _mentions(*items: tuple[str, str]) -> list[Mention]:
    """Mentions as the recognizer would give them; offsets only need to be consistent."""
    out, pos = [], 0
    for text, kind in items:
        out.append(Mention(text, kind, pos, pos + len(text)))
        pos += len(text) + 1
    return out


def test_mentions_keep_original_text_and_offsets():
    text = "وصل الرئيس الروسي فلاديمير بوتين، الأحد، إلى باكو في زيارة رسمية لأذربيجان."
    found = find_mentions(text)
    assert all(text[m.start : m.end] == m.text for m in found)
    kinds = {m.text: m.type for m in found}
    assert kinds.get("فلاديمير بوتين") == "person"
    assert kinds.get("باكو") == "place"
    assert kinds.get("لأذربيجان") == "place"


def test_a_name_found_once_is_found_again_in_the_same_text(monkeypatch):
    from marsad.entities import recognize

    def announced_only(tokens: tuple[str, ...]) -> tuple[str, ...]:
        """A model that finds the name only where a title announces it."""
        return tuple(
            "B-PERS" if t == "تيرتيريان" and "الأرميني" in tokens else "O" for t in tokens
        )

    monkeypatch.setattr(recognize, "_tag_many", lambda ss: [announced_only(s) for s in ss])
    text = (
        "وصل وزير الخارجية الأرميني أرارات تيرتيريان إلى موسكو صباح الثلاثاء.\n"
        "ولم يعلق تيرتيريان على ذلك. أما تيرتيريان فلم يعلق."
    )
    found = [m for m in find_mentions(text) if "تيرتيريان" in m.text]
    assert len(found) == 3 and {m.type for m in found} == {"person"}
    # the model alone misses the last two: they come from the first
    alone = find_mentions("ولم يعلق تيرتيريان على ذلك. أما تيرتيريان فلم يعلق.")
    assert not [m for m in alone if "تيرتيريان" in m.text]


def test_diacritics_and_quotes_do_not_break_spans():
    text = "وأفادت تصريحاتُ «الكرملين» بأنَّ الرئيسَ فلاديمير بوتين سيزور أرمينيا."
    found = find_mentions(text)
    assert all(text[m.start : m.end] == m.text for m in found)
    assert ("الكرملين", "organization") in {(m.text, m.type) for m in found}


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("قال مسؤول محلي لوكالة رويترز إن المحادثات ستستمر يومين.", "رويترز"),
        ("وصل الوزير إلى العاصمة صباح اليوم (أ.ف.ب)", "أ.ف.ب"),
        ("ذكرت وكالة تاس أن الوفد غادر موسكو مساء الاثنين.", "تاس"),
        ("نقلت ريا نوفوستي عن مصدر دبلوماسي قوله إن اللقاء انتهى.", "ريا نوفوستي"),
        ("صورة من الاجتماع الوزاري في أنقرة (د.ب.أ)", "د.ب.أ"),
    ],
)
def test_agencies_are_organizations(text, agency):
    assert (agency, "organization") in {(m.text, m.type) for m in find_mentions(text)}


def test_cop_code_names_are_events():
    found = find_mentions("تستضيف باكو مؤتمر كوب 29 للمناخ، بعد أن احتضنت دبي COP28.")
    events = {m.text for m in found if m.type == "event"}
    assert {"كوب 29", "COP28"} <= events
    treaty = find_mentions("وذكّر الوزير بأن اتفاقية باريس تلزم الدول بخفض الانبعاثات.")
    assert ("اتفاقية باريس", "event") in {(m.text, m.type) for m in treaty}


def test_latin_names_inside_arabic_but_no_english_clauses():
    found = {
        (m.text, m.type) for m in find_mentions("قالت شركة Apple إن هاتفها الجديد سيطرح في دبي.")
    }
    assert ("Apple", "organization") in found
    assert all(
        " " not in m.text for m in find_mentions("Reuters reported that the minister left Baku.")
    )


def test_find_mentions_rejects_non_text():
    with pytest.raises(TypeError, match="expects str"):
        find_mentions(None)  # type: ignore[arg-type]


def test_clitics_come_off_known_names_only():
    ents = merge_mentions(
        [
            ("a", _mentions(("أذربيجان", "place"), ("لأذربيجان", "place"))),
            ("b", _mentions(("وأذربيجان", "place"), ("بالكرملين", "organization"))),
            ("c", _mentions(("الكرملين", "organization"), ("فالنسيا", "place"))),
        ]
    )
    az = _by_variant(ents, "أذربيجان")
    assert (az.name, az.variants, az.count, az.article_ids) == (
        "أذربيجان",
        ["أذربيجان"],
        3,
        ["a", "b"],
    )
    kremlin = _by_variant(ents, "الكرملين")
    assert (kremlin.variants, kremlin.count) == (["الكرملين"], 2)
    assert _by_variant(ents, "فالنسيا").name == "فالنسيا"  # not ف + النسيا


def test_a_misspelt_mention_does_not_cut_the_common_form():
    """One «ومبيو» (a typo) must not read the story's «بومبيو» as ب + ومبيو; an acronym's
    letter is not the name; lone adjectives and accusative common nouns are no "misc"."""
    ents = merge_mentions(
        [
            ("a", _mentions(*[("بومبيو", "person")] * 5, ("ومبيو", "person"))),
            ("b", _mentions(("بي.", "organization"), ("بي.", "organization"),
                            ("بي بي سي", "organization"), ("بنغالية", "misc"),
                            ("موكبا", "misc"), ("يوليا", "person"))),
        ]
    )  # fmt: skip
    assert _by_variant(ents, "بومبيو").count == 5
    assert _by_variant(ents, "بي بي سي").name == "بي بي سي"
    names = {e.name for e in ents}
    assert "بنغالية" not in names and "موكبا" not in names and "يوليا" in names


def test_and_comes_off_a_word_that_ends_a_longer_name_of_the_story():
    """«وفرج» (and Faraj) is ماجد فرج when the story names him in full; a word of no longer
    name keeps its و (وليد is a name)."""
    ents = merge_mentions(
        [
            ("a", _mentions(("ماجد فرج", "person"), ("ماجد فرج", "person"))),
            ("b", _mentions(("وفرج", "person"), ("وليد", "person"))),
        ]
    )
    faraj = _by_variant(ents, "ماجد فرج")
    assert (faraj.name, faraj.count) == ("ماجد فرج", 3)
    assert "وفرج" not in {e.name for e in ents} and "وليد" in {e.name for e in ents}


def test_karabakh_spellings_are_one_place():
    ents = merge_mentions(
        [
            ("a", _mentions(("ناغورنو كاراباخ", "place"), ("قره باغ", "place"))),
            ("b", _mentions(("ناغورني قره باغ", "place"), ("كاراباخ", "place"))),
            ("c", _mentions(("قره باغ", "place"), ("أرمينيا", "place"))),
        ]
    )
    kb = _by_variant(ents, "قره باغ")
    assert set(kb.variants) == {"ناغورنو كاراباخ", "ناغورني قره باغ", "قره باغ", "كاراباخ"}
    assert kb.count == 5 and kb.type == "place"
    assert _by_variant(ents, "أرمينيا") is not kb


def test_single_name_joins_the_full_name():
    ents = merge_mentions(
        [
            ("a", _mentions(("فلاديمير بوتين", "person"), ("بوتين", "person"))),
            (
                "b",
                _mentions(("بوتين", "person"), ("وبوتين", "person"), ("فلاديمير بوتين", "person")),
            ),
        ]
    )
    putin = _by_variant(ents, "بوتين")
    assert putin.name == "فلاديمير بوتين"
    assert set(putin.variants) == {"فلاديمير بوتين", "بوتين"}
    assert putin.count == 5 and len(ents) == 1


def test_cop_spellings_merge():
    ents = merge_mentions(
        [("a", _mentions(("كوب 29", "event"))), ("b", _mentions(("كوب29", "event")))]
    )
    assert len(ents) == 1 and set(ents[0].variants) == {"كوب 29", "كوب29"}


def test_two_aliyevs_stay_apart_and_bare_name_joins_the_dominant_one():
    ents = merge_mentions(
        [
            (
                "a",
                _mentions(
                    ("إلهام علييف", "person"), ("علييف", "person"), ("إلهام علييف", "person")
                ),
            ),
            (
                "b",
                _mentions(("حيدر علييف", "person"), ("إلهام علييف", "person"), ("علييف", "person")),
            ),
        ]
    )
    ilham, heydar = _by_variant(ents, "إلهام علييف"), _by_variant(ents, "حيدر علييف")
    assert ilham is not heydar
    assert "علييف" in ilham.variants and ilham.count == 5
    assert heydar.count == 1


def test_bare_family_name_stays_apart_when_ambiguous():
    ents = merge_mentions(
        [
            ("a", _mentions(("إلهام علييف", "person"), ("حيدر علييف", "person"))),
            ("b", _mentions(("علييف", "person"))),
        ]
    )
    assert len(ents) == 3
    assert _by_variant(ents, "علييف").variants == ["علييف"]


def test_junk_is_dropped_and_types_go_by_majority():
    ents = merge_mentions(
        [
            (
                "a",
                _mentions(("ب", "place"), ("2024", "misc"), ("في", "place"), ("يريفان", "place")),
            ),
            ("b", _mentions(("يريفان", "organization"), ("يريفان", "place"))),
        ]
    )
    assert [(e.name, e.type, e.count) for e in ents] == [("يريفان", "place", 3)]
    assert ents[0].to_dict() == {
        "name": "يريفان",
        "type": "place",
        "variants": ["يريفان"],
        "article_ids": ["a", "b"],
        "count": 3,
    }


def test_run_together_names_do_not_bridge_two_people():
    ents = merge_mentions(
        [
            (
                "a",
                _mentions(
                    ("دونالد ترامب", "person"), ("ترامب", "person"), ("جينا هاسبل", "person")
                ),
            ),
            (
                "b",
                _mentions(
                    ("هاسبل", "person"), ("جينا هاسبل", "person"), ("دونالد ترامب", "person")
                ),
            ),
            ("c", _mentions(("دونالد ترامب جينا هاسبل", "person"), ("ترامب", "person"))),
        ]
    )
    trump, haspel = _by_variant(ents, "ترامب"), _by_variant(ents, "هاسبل")
    assert trump is not haspel
    assert (trump.name, trump.count, haspel.name, haspel.count) == (
        "دونالد ترامب",
        4,
        "جينا هاسبل",
        3,
    )
    assert all("دونالد ترامب جينا هاسبل" not in e.variants for e in ents)


def test_places_keep_their_usual_name_and_drop_adjectives():
    ents = merge_mentions(
        [
            ("a", _mentions(("عفرين", "place"), ("عفرين السورية", "place"), ("السورية", "place"))),
            ("b", _mentions(("عفرين", "place"), ("عفرين", "place"), ("السعودية", "place"))),
        ]
    )
    afrin = _by_variant(ents, "عفرين")
    assert (afrin.name, afrin.count) == ("عفرين", 4)
    assert all("السورية" not in e.variants for e in ents)
    assert _by_variant(ents, "السعودية").type == "place"


def test_a_name_after_a_place_noun_is_a_place():
    text = "أغرقت الأمطار شوارع مدينة مرسى الزين، وقررت محافظة مرسى الزين إغلاق المدارس."
    kinds = {m.type for m in find_mentions(text) if "مرسى" in m.text}
    assert kinds == {"place"}


def test_second_pass_sees_how_the_first_read_the_word_nearby():
    from marsad.entities.context import context_features

    sents = [["قال", "تيرتيريان", "إن"], ["ولم", "يعلق", "وتيرتيريان"], ["وصل", "أمس"]]
    first = [["O", "B-PERS", "O"], ["O", "O", "O"], ["O", "O"]]
    rows = context_features(sents, first)
    assert "d1=PERS" in rows[1][2] and "d1s=PERS+" in rows[1][2]  # under its و
    assert "p1=B-PERS" in rows[0][1] and "d0=none" in rows[0][1]  # read as O elsewhere
    assert "d0=alone" in rows[2][0] and "p1-1=O" in rows[2][1]  # its own reading not counted
    far = context_features(sents, first, window=0)
    assert "d1=alone" in far[1][2]


def test_tag_sentences_is_tag_per_sentence_without_a_second_model():
    from marsad.entities import recognize

    sents = [["وصل", "فلاديمير", "بوتين", "إلى", "باكو"], [], ["قال", "علييف"]]
    assert recognize.tag_sentences(sents) == [recognize.tag(s) for s in sents]


def test_common_words_are_not_names():
    ents = merge_mentions(
        [
            ("a", _mentions(("الاتفاق", "organization"), ("إيران", "place"))),
            ("b", _mentions(("والاتفاق", "organization"), ("عفوا رئاسيا", "person"))),
            ("c", _mentions(("الجاسوس الروسي", "misc"), ("دولار", "misc"), ("لله", "misc"))),
        ]
    )
    assert [e.name for e in ents] == ["إيران"]


def test_glued_verbs_and_nouns_come_off_names():
    ents = merge_mentions(
        [
            ("a", _mentions(("يزور نيمار", "person"), ("نيمار", "person"))),
            ("b", _mentions(("حماس تدين", "organization"), ("بلدتي نبل", "place"))),
        ]
    )
    assert {(e.name, e.count) for e in ents} == {("نيمار", 2), ("حماس", 1), ("نبل", 1)}


def test_places_and_clubs_the_recognizer_took_for_people():
    ents = merge_mentions(
        [
            ("a", _mentions(("بيونغ يانغ", "person"), ("أبو ظبي", "person"))),
            ("b", _mentions(("نادي باوك", "person"), ("باريس سان جرمان", "person"))),
            ("c", _mentions(("فيس بوك", "person"), ("بيونغ يانغ", "person"))),
        ]
    )
    kinds = {e.name: e.type for e in ents}
    assert kinds == {
        "بيونغ يانغ": "place",
        "أبو ظبي": "place",
        "نادي باوك": "organization",
        "باريس سان جرمان": "organization",
        "فيس بوك": "organization",
    }


def test_listed_variants_of_a_country_are_one_place():
    ents = merge_mentions(
        [
            ("a", _mentions(("الولايات المتحدة", "place"), ("أمريكا", "place"))),
            ("b", _mentions(("أميركا", "place"), ("الولايات المتحدة", "place"))),
            ("c", _mentions(("سورية", "place"), ("سوريا", "place"), ("النيبال", "place"))),
            ("d", _mentions(("نيبال", "place"), ("أمريكا اللاتينية", "place"))),
        ]
    )
    us = _by_variant(ents, "أمريكا")
    assert us.name == "الولايات المتحدة" and us.count == 4
    assert _by_variant(ents, "سورية") is _by_variant(ents, "سوريا")
    assert _by_variant(ents, "النيبال") is _by_variant(ents, "نيبال")
    assert _by_variant(ents, "أمريكا اللاتينية") is not us


def test_two_places_or_clubs_run_together_stay_two():
    ents = merge_mentions(
        [
            ("a", _mentions(("طهران", "place"), ("طهران", "place"), ("طهران لندن", "place"))),
            ("b", _mentions(("لندن", "place"), ("طهران", "place"))),
            ("c", _mentions(("أيك أثينا", "organization"), ("باوك سالونيكي", "organization"))),
            ("d", _mentions(("باوك سالونيكي وأيك أثينا", "organization"),)),
        ]
    )
    assert _by_variant(ents, "طهران") is not _by_variant(ents, "لندن")
    assert _by_variant(ents, "أيك أثينا") is not _by_variant(ents, "باوك سالونيكي")


def test_namesakes_sharing_one_word_stay_apart():
    ents = merge_mentions(
        [
            ("a", _mentions(("عمار الحكيم", "person"), ("عمار الحكيم", "person"))),
            ("b", _mentions(("محمد باقر الحكيم", "person"), ("الحكيم", "person"))),
            ("c", _mentions(("عمار الحكيم", "person"), ("محمد باقر الحكيم", "person"))),
        ]
    )
    assert _by_variant(ents, "عمار الحكيم") is not _by_variant(ents, "محمد باقر الحكيم")
    # near spellings of two different seas are not one sea through a garbled third form
    seas = merge_mentions(
        [
            ("a", _mentions(("البحرين", "place"), ("البحرين المتوسط", "place"))),
            ("b", _mentions(("البحر المتوسط", "place"), ("البحرين", "place"))),
        ]
    )
    assert _by_variant(seas, "البحرين") is not _by_variant(seas, "البحر المتوسط")


def test_story_entities_end_to_end_on_our_own_articles():
    arts = [
        _article(
            0,
            "استقبل الرئيس الأذربيجاني إلهام علييف نظيره الروسي فلاديمير بوتين في باكو.\n\n"
            "وبحث الرئيسان النزاع حول إقليم ناغورنو كاراباخ مع أرمينيا.",
            title="بوتين في أذربيجان",
        ),
        _article(
            1,
            "وصل بوتين إلى أذربيجان، ووضع إكليلا من الزهور على قبر الرئيس الراحل حيدر علييف.\n\n"
            "وقال علييف إن منطقة قره باغ عادت إلى السيادة الأذربيجانية (رويترز).",
        ),
    ]
    ents = story_entities(arts)
    putin = _by_variant(ents, "فلاديمير بوتين")
    assert "بوتين" in putin.variants and putin.type == "person"
    assert putin.article_ids == ["p-0", "p-1"]
    assert _by_variant(ents, "حيدر علييف") is not _by_variant(ents, "إلهام علييف")
    assert _by_variant(ents, "قره باغ") is _by_variant(ents, "ناغورنو كاراباخ")
    assert _by_variant(ents, "رويترز").type == "organization"


def _seed_articles() -> list[Article]:
    from marsad.extract import extract
    from marsad.read import read_file

    seeds = sorted((DATA / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("seed pages not available")
    return [
        a
        for p in seeds
        for page in read_file(p)
        if isinstance(page, Page)
        for a in extract(page).articles
    ]


def test_seed_story_karabakh_is_one_entity_and_aliyevs_two():
    ents = story_entities(_seed_articles())
    karabakh = [e for e in ents if any("باغ" in v or "كاراباخ" in v for v in e.variants)]
    assert len(karabakh) == 1, [e.to_dict() for e in karabakh]
    assert {"قره باغ", "ناغورنو كاراباخ"} <= set(karabakh[0].variants)
    heydar = [e for e in ents if any(v.endswith("حيدر علييف") for v in e.variants)]
    ilham = [e for e in ents if any(v.endswith("إلهام علييف") for v in e.variants)]
    assert len(heydar) == len(ilham) == 1 and heydar[0] is not ilham[0]
    assert ilham[0].count > heydar[0].count
    top = {e.name: e.type for e in ents[:8]}
    assert top.get("أذربيجان") == "place" and top.get("الكرملين") == "organization"


def test_neural_tagger_runs_on_numpy_alone():
    """torch is for training only: tagging must work where it cannot be imported."""
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from marsad.entities import recognize\n"
        "print(' '.join(recognize.tag(['وصل', 'الرئيس', 'فلاديمير', 'بوتين', 'إلى', 'باكو'])))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert run.stdout.split() == ["O", "O", "B-PERS", "I-PERS", "O", "B-LOC"]
    assert (ROOT / "marsad" / "data" / "ner_nn.npz").stat().st_size < 8e6


def test_viterbi_never_opens_a_name_inside():
    import numpy as np

    from marsad.entities.neural import TAGS, allowed, start_allowed, viterbi

    em = np.full((3, len(TAGS)), -5.0)
    em[:, TAGS.index("I-PERS")] = 5.0  # a stray I- everywhere, as raw scores may say
    em[1, TAGS.index("B-LOC")] = 6.0
    trans = np.where(allowed(), 0.0, -1e4)
    start = np.where(start_allowed(), 0.0, -1e4)
    tags = [TAGS[i] for i in viterbi(em, trans, start)]
    assert tags[0] != "I-PERS" and all(
        not b.startswith("I-") or a[2:] == b[2:] for a, b in zip(tags, tags[1:], strict=False)
    )


def test_anercorp_f1_floor():
    test = DATA / "anercorp" / "approx_test_last_960_sents.txt"
    if not test.is_file():
        pytest.skip("ANERcorp not available")
    spec = importlib.util.spec_from_file_location("eval_ner", ROOT / "eval" / "ner.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.score(test)
    assert result["overall"]["f1"] >= 0.76, result["overall"]
    assert result["types"]["LOC"]["f1"] >= 0.88
    assert result["types"]["PERS"]["f1"] >= 0.75
    assert result["types"]["ORG"]["f1"] >= 0.64
    assert result["types"]["MISC"]["f1"] >= 0.62


def test_a_club_with_its_city_taken_for_a_person_is_the_club():
    """«كاستيلو» the club, named five times, and «كاستيلو مارينا» once, tagged a person: one
    organization; a person whose first name is no organization stays a person."""
    ents = merge_mentions(
        [
            ("a", _mentions(("نادي كاستيلو", "organization"), ("كاستيلو", "organization"),
                            ("سمير الحلبي", "person"))),
            ("b", _mentions(("كاستيلو", "organization"), ("كاستيلو", "organization"),
                            ("كاستيلو مارينا", "person"))),
            ("c", _mentions(("كاستيلو", "organization"), ("سمير", "person"))),
        ]
    )  # fmt: skip
    club = _by_variant(ents, "كاستيلو")
    assert club.type == "organization" and "كاستيلو مارينا" in club.variants and club.count == 6
    assert _by_variant(ents, "سمير الحلبي").type == "person"


def test_prefetch_tags_a_storys_sentences_in_one_call(monkeypatch):
    """A digest tags its articles and claim sentences together first; reading them one at a
    time afterwards finds them kept, and the tags equal those of a batch of one."""
    import numpy as np

    from marsad.entities import neural, recognize

    texts = [
        "وصل الرئيس الروسي فلاديمير بوتين إلى باكو. والتقى نظيره إلهام علييف.",
        "وقال الكرملين إن المحادثات تناولت الطاقة.",
    ]
    alone = [find_mentions(t) for t in texts]
    recognize.forget()
    calls = []
    tagger = recognize._tagger()
    monkeypatch.setattr(recognize, "_tagger", lambda: lambda ss: calls.append(ss) or tagger(ss))
    recognize.prefetch(texts)
    assert len(calls) == 1 and len(calls[0]) == 3  # three sentences, one batch
    assert [find_mentions(t) for t in texts] == alone and len(calls) == 1
    # sentences of different lengths in one batch: each tagged as it is alone
    short, longer = "وصل بوتين إلى باكو".split(), "التقى علييف في العاصمة أذربيجان أمس".split()
    together = neural.Tagger(neural.NN_PATH).emissions([short, longer])
    for sentence, scores in zip((short, longer), together, strict=True):
        assert np.allclose(neural.Tagger(neural.NN_PATH).emissions([sentence])[0], scores, atol=1e-4)


def test_a_full_sentence_cache_keeps_what_is_asked(monkeypatch):
    """When the kept sentences reach their bound, the ones asked for again survive the
    clearing (a story's sentences tagged in one batch, some of them seen before)."""
    from marsad.entities import recognize

    recognize.forget()
    monkeypatch.setattr(recognize, "SENTENCES_CACHED", 3)
    monkeypatch.setattr(recognize, "_tagger", lambda: lambda ss: [["O"] * len(s) for s in ss])
    recognize._tag_many([("أ",), ("ب",)])
    assert recognize._tag_many([("أ",), ("ج",), ("د",)]) == [("O",), ("O",), ("O",)]
    assert len(recognize._seen) <= 3
    recognize.forget()
