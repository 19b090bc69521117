from datetime import date

import pytest
from test_claims import SEEDS, article, seed_story, story

from marsad.claims import ClaimsConfig, align
from marsad.facts import FactsConfig, compare, quantities


def _facts(arts, **kwargs):
    return compare(arts, align(arts), **kwargs)


def test_conflicting_casualty_figures_are_reported_with_who_says_what():
    facts = _facts(story())
    numbers = [c for c in facts.conflicts if c.kind == "number"]
    assert len(numbers) == 1
    values = {v.value: set(v.outlets) for v in numbers[0].values}
    assert values == {"12": {"وكالة", "القناة", "النشرة"}, "15": {"الصحيفة"}}
    assert "شخص" in numbers[0].about


def test_the_same_happening_on_two_days_is_a_date_conflict():
    facts = _facts(story())
    dates = [c for c in facts.conflicts if c.kind == "date"]
    assert len(dates) == 1
    values = {v.value: set(v.outlets) for v in dates[0].values}
    # الأحد, published Sunday 10 March; الصحيفة also says Sunday, but at the end of a sentence
    # whose words around the date differ («وإصابة 30 آخرين صباح الأحد»): left out, not wrong
    assert values["2024-03-10"] == {"وكالة", "القناة", "النشرة"}
    assert values["2024-03-04"] == {"الموقع"}  # الاثنين: the Monday before


def test_no_conflict_without_a_date_finder_or_when_one_source_updates_itself():
    facts = _facts(story(), find_dates=lambda text, published: [])
    assert [c.kind for c in facts.conflicts] == ["number"]
    one = article("x", "أ", [
        "قتل 12 شخصاً في انفجار سيارة مفخخة في سوق الحلة صباح الأحد.",
        "وارتفعت الحصيلة لاحقاً إلى مقتل 15 شخصاً في انفجار سيارة مفخخة في سوق الحلة.",
    ], "2024-03-10")
    assert _facts([one]).conflicts == []


def test_dozens_agrees_with_thirty_not_with_twelve():
    a = article("x", "أ", ["أصيب 30 شخصاً في حريق اندلع في مستودع للأخشاب بالميناء."], "2024-05-01")
    b = article("y", "ب", ["أصيب عشرات الأشخاص في حريق اندلع في مستودع للأخشاب بالميناء."], "2024-05-01")
    c = article("z", "ج", ["أصيب 12 شخصاً في حريق اندلع في مستودع للأخشاب بالميناء."], "2024-05-01")
    assert _facts([a, b]).conflicts == []
    conflict = _facts([a, c]).conflicts
    assert [sorted(v.value for v in k.values) for k in conflict] == [["12", "30"]]


def test_shared_unique_and_coverage():
    facts = _facts(story())
    shared = {i.text for i in facts.shared}
    assert any("مفخخة" in t for t in shared)
    assert all(len(i.outlets) >= 2 for i in facts.shared)
    unique = [i for i in facts.unique if "حظراً للتجوال" in i.text]
    assert unique and unique[0].outlets == ["القناة"]
    coverage = {c.outlet: c for c in facts.coverage}
    assert set(coverage) == {"وكالة", "الصحيفة", "القناة", "الموقع", "النشرة"}
    assert [i.text for i in coverage["القناة"].added] == [unique[0].text]
    assert coverage["وكالة"].added == []  # everything the wire said, others said too
    assert not any("معرض الكتاب" in i.text for c in facts.coverage for i in c.added)
    assert not any("(رويترز)" in i.text for c in facts.coverage for i in c.added)


def test_to_dict_follows_the_contract():
    facts = _facts(story())
    d = facts.to_dict()
    assert set(d) == {"shared", "unique", "conflicts", "updates"}
    assert set(d["conflicts"][0]) == {"about", "kind", "label", "values"}
    assert set(d["conflicts"][0]["values"][0]) == {
        "value", "text", "article_ids", "outlets", "published"}  # fmt: skip
    assert set(facts.coverage_dicts()[0]) == {"outlet", "article_ids", "added"}
    with pytest.raises(ValueError, match="context"):
        FactsConfig(context=0)


def test_quantities_read_digits_words_and_scales():
    found = quantities("قتل ١٢ شخصاً وأصيب ثلاثة جنود وعشرات المدنيين، بكلفة 3 مليارات دولار عام 2020.")
    assert [(q.low, q.high, q.noun) for q in found] == [
        (12, 12, "شخصا"), (3, 3, "جنود"), (20, 99, "المدنيين"), (3e9, 3e9, "دولار"),
    ]  # the year 2020 is not a quantity
    assert found[0].unit == quantities("مقتل 15 شخصاً")[0].unit


def test_seed_facts():
    if not SEEDS.is_dir():
        pytest.skip("seed pages not available")
    arts = seed_story()
    facts = _facts(arts)
    last = [i for i in facts.shared if "2018" in i.text]
    assert len(last) == 1 and sorted(last[0].outlets) == ["001", "004"]
    assert facts.conflicts == []  # the pages agree (days are relative, none has a wrong figure)


def test_a_toll_that_grows_over_days_is_an_update_not_a_conflict():
    a = article("x", "أ", ["ارتفع عدد القتلى في الفيضانات التي ضربت الإقليم الشمالي إلى 40 شخصاً."], "2024-05-01T08:00")
    b = article("y", "ب", ["ارتفع عدد القتلى في الفيضانات التي ضربت الإقليم الشمالي إلى 95 شخصاً."], "2024-05-04T08:00")
    assert _facts([a, b]).conflicts == []
    b.published = "2024-05-01T20:00"
    assert [c.kind for c in _facts([a, b]).conflicts] == ["number"]


def test_hedged_figures_are_bounds_not_conflicts():
    assert [(q.low, q.high, q.label) for q in quantities("قتل أكثر من ألف مدني")] == [(1000, float("inf"), "1000+")]
    assert quantities("مقتل 40 شخصاً على الأقل")[0].label == "40+"
    assert quantities("قتل نحو 500 شخص")[0].label == "~500"
    a = article("x", "أ", ["وقتل أكثر من ألف مدني خلال ثلاثة أسابيع من القصف على البلدات المحاصرة."], "2024-05-01")
    b = article("y", "ب", ["وقتل 1160 مدنياً خلال ثلاثة أسابيع من القصف على البلدات المحاصرة."], "2024-05-01")
    c = article("z", "ج", ["وقتل 900 مدني خلال ثلاثة أسابيع من القصف على البلدات المحاصرة."], "2024-05-01")
    assert _facts([a, b]).conflicts == []
    assert [sorted(v.value for v in k.values) for k in _facts([b, c]).conflicts] == [["1160", "900"]]


def test_figures_dated_well_before_the_article_are_background():
    """«في فبراير الماضي قتل 14» next to today's 12 is another attack, not a disagreement."""
    today = article("x", "أ", ["قتل 12 شخصاً في هجوم انتحاري استهدف مقراً أمنياً في عدن."], "2024-03-10")
    back = article("y", "ب", ["وفي فبراير الماضي قتل 14 شخصاً في هجوم انتحاري استهدف مقراً أمنياً في عدن."], "2024-03-10")
    same = article("z", "ج", ["قتل 14 شخصاً أمس في هجوم انتحاري استهدف مقراً أمنياً في عدن."], "2024-03-10")
    assert _facts([today, back]).conflicts == []
    assert len(_facts([today, same]).conflicts) == 1


def test_dates_of_two_happenings_in_one_claim_are_no_conflict():
    """Arrived on Sunday, leaves this evening (Monday): a claim may group such sentences
    through a long one that carries both; neither the words around the dates nor the
    sentences match."""
    a = article("x", "أ", ["وصل رئيس جمهورية زاهران حازم النعيمي، مساء الأحد، إلى العاصمة الشرفة في زيارة دولة تستمر يومين."], "2025-03-10")
    b = article("y", "ب", ["ويغادر الرئيس النعيمي الشرفة مساء اليوم عائدا إلى بحرة، في ختام زيارة دولة استمرت يومين."], "2025-03-10")
    c = article("z", "ج", ["وصل رئيس جمهورية زاهران حازم النعيمي، مساء السبت، إلى العاصمة الشرفة في زيارة دولة تستمر يومين."], "2025-03-10")
    assert _facts([a, b]).conflicts == []
    (conflict,) = _facts([a, c]).conflicts
    assert {v.value for v in conflict.values} == {"2025-03-09", "2025-03-08"}


def test_percentages_of_different_rates_are_no_conflict():
    a = article("x", "أ", ["وخفض المصرف سعر فائدة الإيداع لليلة واحدة إلى 6.25 في المئة في اجتماعه."], "2025-06-05")
    b = article("y", "ب", ["وخفض المصرف سعر الفائدة الرئيسي إلى 6.75 في المئة في اجتماعه الدوري."], "2025-06-05")
    c = article("z", "ج", ["وخفض المصرف سعر فائدة الإيداع لليلة واحدة إلى 6.5 في المئة في اجتماعه."], "2025-06-05")
    assert quantities("إلى 6.25 في المئة")[0].unit == "%"
    assert _facts([a, b]).conflicts == []
    assert len(_facts([a, c]).conflicts) == 1


def test_a_sentence_that_states_both_values_contradicts_neither():
    """«قال القصر الاثنين إنه سيستقبله في 20 مارس» agrees with «قال القصر الاثنين»."""
    from marsad.facts.conflicts import _conflict, _Said

    a = article("x", "أ", ["قال القصر الاثنين إن الرئيس سيستقبل ولي العهد في 20 مارس."], "2018-03-12")
    b = article("y", "ب", ["قال القصر الاثنين إن ولي العهد سيزور البلاد قريباً."], "2018-03-12")
    monday, twentieth = date(2018, 3, 12).toordinal(), date(2018, 3, 20).toordinal()
    both = frozenset({"2018-03-12", "2018-03-20"})
    said = [
        _Said("2018-03-20", twentieth, twentieth, a.body, a, both),
        _Said("2018-03-12", monday, monday, b.body, b, frozenset({"2018-03-12"})),
    ]
    assert _conflict("about", "date", said, gap=14) is None
    said[0].alongside = frozenset({"2018-03-20"})  # had «أ» not said Monday, they would clash
    assert _conflict("about", "date", said, gap=14) is not None


def test_capped_unique_facts_span_every_outlet():
    """Three outlets with facts of their own, capped at three: one from each, not the first
    outlet's three."""
    said = {
        "أ": ["افتتح وزير النقل مشروعا جديدا في الميناء بكلفة 10 ملايين دولار صباح الأحد.",
              "ووقعت وزارة الطاقة عقدا لإنارة الطريق الساحلي بطول 40 كيلومترا يوم الأحد.",
              "وأعلنت بلدية المدينة إغلاق السوق القديم للترميم مدة 3 أشهر اعتبارا من الأحد."],
        "ب": ["وقال رئيس غرفة التجارة إن 25 شركة تقدمت بعروض لتشغيل المحطة الجديدة الأحد.",
              "وأكد نقيب المهندسين أن أعمال الجسر الثاني تأخرت 6 أشهر بسبب نقص التمويل."],
        "ج": ["وشارك 300 طالب في حملة لتنظيف الشاطئ الشمالي نظمتها جمعية البيئة الأحد.",
              "ونقل مستشفى المدينة 12 مريضا إلى المبنى الجديد بعد اكتمال تجهيزه الأحد."],
    }  # fmt: skip
    arts = [article(f"a{n}", outlet, lines, "2024-03-10")
            for n, (outlet, lines) in enumerate(said.items())]  # fmt: skip
    facts = _facts(arts, config=FactsConfig(max_items=3))
    assert sorted(o for i in facts.unique for o in i.outlets) == ["أ", "ب", "ج"]


def test_counts_of_different_roles_never_conflict():
    """A plane carrying 71, 40 killed, 23 injured: three counts of «شخص», no conflict; 50
    killed against 40 killed is one."""
    a = article("x", "أ", ["تحطمت طائرة تقل 71 شخصا قرب المطار الدولي، وقتل 40 شخصا وأصيب 23 آخرون."],
                "2024-03-12")
    b = article("y", "ب", ["أسفر تحطم الطائرة قرب المطار الدولي عن مقتل 50 شخصا على الأقل بحسب الشرطة."],
                "2024-03-12")  # fmt: skip
    (conflict,) = _facts([a, b]).conflicts
    assert conflict.heading == "عدد القتلى"
    assert sorted(v.value for v in conflict.values) == ["40", "50+"]


def test_dates_and_tables_are_not_counts():
    assert not any(q.noun == "اذار" for q in quantities("وصل الوفد في 4 آذار إلى المدينة."))
    a = article("x", "أ", ["ويمتلك الفريق 75 نقطة من 28 مباراة، بفارق 22 نقطة عن منافسه الذي لعب 27 مباراة."],
                "2024-03-12")
    b = article("y", "ب", ["ويتصدر الفريق الدوري بعد 26 مباراة بفارق كبير عن منافسه في جدول الترتيب."],
                "2024-03-12")  # fmt: skip
    assert _facts([a, b]).conflicts == []
    (q,) = quantities("أدى التفجير لإصابة 8 أشخاص بجروح.")
    assert q.role == "عدد المصابين"  # the role word carries a clitic


def test_a_fact_the_other_outlets_state_in_other_words_is_not_unique():
    """When alignment misses a paraphrase (here: no alignment at all), a fact most of whose
    words the other outlet uses is not listed as one outlet's own; the curfew, in words of
    its own, still is."""
    one = article("p1", "أ", [
        "وقال محافظ المدينة إن الحريق التهم 40 متجرا في السوق القديم فجر الأحد.",
        "وأعلنت البلدية حظر التجول في الحي الشرقي حتى إشعار آخر مساء الأحد."], "2024-03-10")
    two = article("p2", "ب", [
        "اندلع حريق فجر الأحد في السوق القديم بالمدينة.",
        "وأكد المحافظ أن النيران التهمت 40 متجرا قبل السيطرة عليها."], "2024-03-10")  # fmt: skip
    unaligned = align([one, two], ClaimsConfig(threshold=1.0))

    def own(config: FactsConfig) -> list[str]:
        return [i.text for i in compare([one, two], unaligned, config=config).unique
                if i.outlets == ["أ"]]  # fmt: skip

    assert any("التجول" in t for t in own(FactsConfig()))
    assert not any("متجرا" in t for t in own(FactsConfig()))
    assert any("متجرا" in t for t in own(FactsConfig(novel=1.0)))  # the test is what drops it


def test_a_toll_raised_later_is_an_update_in_publish_order():
    """At least 40 killed at noon, at least 50 in the evening: no contradiction (lower
    bounds), but the count changed; the digest shows it as steps, not as two facts."""
    a = article("x", "أ", ["قتل 40 شخصا على الأقل في تحطم طائرة ركاب قرب مطار العاصمة."],
                "2024-03-12T12:00")
    b = article("y", "ب", ["أسفر تحطم طائرة الركاب قرب مطار العاصمة عن مقتل 50 شخصا على الأقل."],
                "2024-03-12T19:00")  # fmt: skip
    facts = _facts([b, a])
    assert facts.conflicts == []
    (update,) = facts.updates
    assert update.kind == "figure" and [s.value for s in update.steps] == ["40+", "50+"]
    assert update.label == "عدد القتلى: 40+ (أ) ثم 50+ (ب)"
    assert update.steps[0].published == "2024-03-12T12:00"
    # the same two values at the same time are two counts, not steps
    same = article("z", "ب", ["أسفر تحطم طائرة الركاب قرب مطار العاصمة عن مقتل 50 شخصا على الأقل."],
                   "2024-03-12T12:00")  # fmt: skip
    assert _facts([a, same]).updates == []


def test_an_announced_happening_then_reported_done_is_an_update():
    preview = article("p", "أ", ["ومن المقرر أن يفتتح وزير الصحة المستشفى الجديد في مدينة الزرقاء يوم الثلاثاء."],
                      "2024-03-11T09:00")
    report = article("r", "ب", ["افتتح وزير الصحة الثلاثاء المستشفى الجديد في مدينة الزرقاء بحضور المحافظ."],
                     "2024-03-12T12:00")  # fmt: skip
    (update,) = [u for u in _facts([preview, report]).updates if u.kind == "outcome"]
    assert [s.value for s in update.steps] == ["أُعلن", "حدث"]
    assert [s.article_ids for s in update.steps] == [["p-0"], ["r-0"]]
    # told the other way round (the report first), nothing was announced before it
    early = article("r", "ب", report.body.split("\n\n"), "2024-03-10T12:00")
    assert not [u for u in _facts([preview, early]).updates if u.kind == "outcome"]


def test_updates_floor_on_what_we_read():
    """eval/updates.py: the updates two real digests list, read by us (5 of 6 right)."""
    from conftest import SHARED, load_eval

    if not (SHARED / "ant" / "ant_v2.1.jsonl.gz").exists():
        pytest.skip("../shared/data not present")
    s = load_eval("updates").scores()
    assert s["read"] == s["listed"] >= 6 and s["right"] / s["read"] >= 0.8
