import re

import pytest
from test_claims import SEEDS, seed_story, story

from marsad.claims import align
from marsad.summarize import SummaryConfig, cosine, rejection, summarize


def _summary(arts, **config):
    return summarize(arts, align(arts), SummaryConfig(**config))


def test_summary_cites_every_article_that_states_a_sentence():
    arts = story()
    summary = _summary(arts)
    toll = next(s for s in summary if "مفخخة" in s.text and "شخصاً" in s.text)
    assert set(toll.article_ids) == {"pa-0", "pb-0", "pc-0", "pd-0", "pe-0"}
    assert {(c[0], c[2]) for c in toll.cites} == {
        ("pa-0", 0), ("pb-0", 0), ("pc-0", 1), ("pd-0", 0), ("pe-0", 1)
    }
    assert set(toll.outlets) == {"وكالة", "الصحيفة", "القناة", "الموقع", "النشرة"}


def test_summary_leaves_out_captions_labels_and_the_glued_paragraph():
    texts = [s.text for s in _summary(story(), sentences=8)]
    assert texts, "the story has a summary"
    assert not any("معرض الكتاب" in t for t in texts)  # unrelated paragraph glued onto B
    assert not any("(رويترز)" in t for t in texts)  # photo caption in C
    assert not any(t.startswith("بغداد - الحلة") for t in texts)  # dateline label in E


def test_summary_does_not_repeat_itself_and_respects_its_length():
    summary = _summary(story(), sentences=3)
    assert len(summary) == 3
    keys = [set(re.findall(r"\w+", s.text)) for s in summary]
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            assert len(a & b) / min(len(a), len(b)) < 0.6


def test_summary_is_in_publish_then_position_order():
    arts = story()
    arts[2].published = "2024-03-09T08:00"  # C (the curfew) published first
    summary = _summary(arts, sentences=8)
    assert "pc-0" in summary[0].article_ids
    first_times = [min(a.published for a in arts if a.id in s.article_ids) for s in summary]
    assert first_times == sorted(first_times)


def test_rejection_reasons():
    assert rejection("هل تنجح الهدنة في وقف القتال بين الطرفين هذه المرة؟") == "question"
    assert rejection("الرئيس يصافح ضيفه في القصر الجمهوري صباح اليوم (أ.ف.ب)") == "caption"
    assert rejection("تفاصيل الاتفاق الجديد بين البلدين على ترسيم الحدود البحرية") == "label"
    assert rejection("وصل الوزير.") == "short"
    assert rejection("وقال الوزير إن المفاوضات ستستأنف الأسبوع المقبل في العاصمة.") is None


def test_to_dict_follows_the_contract_and_bad_config_is_refused():
    first = _summary(story())[0].to_dict()
    assert set(first) == {"text", "article_ids", "outlets", "cites"}
    assert set(first["cites"][0]) == {"article_id", "outlet", "sentence"}
    with pytest.raises(ValueError, match="sentences"):
        SummaryConfig(sentences=0)
    assert summarize([], [], None) == []
    assert cosine({"a": 1.0}, {}) == 0.0


def test_claims_from_another_story_are_refused():
    arts = story()
    with pytest.raises(ValueError, match="not given"):
        summarize(arts[:2], align(arts))


# The seed story, read by hand: which pages state each of these claims.
HAND = {
    "arrival": (r"^وصل الرئيس الروسي", {"000", "002", "003", "004"}),
    "last visit 2018": (r"آخر زيارة", {"001", "004"}),
    "COP29 host": (r"كوب", {"001", "004"}),
    "ambiguous role": (r"ملتبس", {"001", "004"}),
    "Caucasus partner": (r"القوقاز", {"001", "004"}),
}


def test_seed_summary_covers_the_visit_and_cites_all_outlets_that_state_it():
    if not SEEDS.is_dir():
        pytest.skip("seed pages not available")
    summary = _summary(seed_story())
    assert len(summary) == 6
    text = " ".join(s.text for s in summary)
    assert re.search("وصل", text) and re.search("باكو|أذربيجان", text)  # the arrival
    assert "زيارة دولة" in text or "يومين" in text  # the (two-day) state visit
    assert re.search(r"علييف[^.]*|محادثات|مباحثات", text) and "علييف" in text  # talks with Aliyev
    assert "أرمينيا" in text  # the Armenia-Azerbaijan question
    checked = 0
    for sentence in summary:
        for name, (pattern, pages) in HAND.items():
            if re.search(pattern, sentence.text):
                assert set(sentence.outlets) == pages, name
                checked += 1
    assert checked >= 3


def test_the_outcome_leads_and_retires_its_preview():
    """Monday's preview («من المقرر أن يفتتح») and Tuesday's report of the opening: the
    report is picked, the stale preview left out, and what is still announced («ستبدأ»)
    comes after what happened."""
    from test_claims import article

    preview = article("p1", "أ", [
        "ومن المقرر أن يفتتح وزير الصحة المستشفى الجديد في مدينة الزرقاء يوم الثلاثاء بحضور المحافظ.",
        "ويضم المستشفى الجديد مئتي سرير وقسما للطوارئ يعمل على مدار الساعة طوال الأسبوع.",
    ], "2024-03-11T09:00", title="افتتاح مستشفى الزرقاء")
    report = article("p2", "ب", [
        "افتتح وزير الصحة الثلاثاء المستشفى الجديد في الزرقاء بعد تأخير دام عامين كاملين.",
        "وقال الوزير في كلمة الافتتاح إن الكوادر الطبية ستبدأ استقبال المرضى صباح الأربعاء.",
    ], "2024-03-12T12:00", title="افتتاح مستشفى الزرقاء")  # fmt: skip
    texts = [s.text for s in _summary([preview, report], sentences=3)]
    assert not any("من المقرر" in t for t in texts)
    assert any(t.startswith("افتتح وزير الصحة") for t in texts)
    assert "ستبدأ" in texts[-1]
