import pytest

from marsad.cluster.developments import MAX_ARTICLES, DevelopmentsConfig, developments
from marsad.model import Article

ACCUSE = ("رئيسة الوزراء تتهم موسكو بتسميم الجاسوس السابق في سالزبري",
          "اتهمت رئيسة الوزراء البريطانية موسكو بالمسؤولية عن تسميم الجاسوس السابق وابنته "
          "بغاز أعصاب في مدينة سالزبري، وأمهلت السفير الروسي حتى منتصف الليل للرد.")
DENY = ("الكرملين ينفي أي صلة له بالهجوم ويطالب بعينات من المادة",
        "نفى المتحدث باسم الكرملين أي صلة لروسيا بالهجوم، وطالبت الخارجية الروسية لندن "
        "بتسليمها عينات من المادة المستخدمة قبل أي اتهام.")  # fmt: skip


def art(aid: str, text: tuple[str, str], published: str, outlet: str) -> Article:
    return Article(aid, 0, text[0], text[1], published, outlet)


def test_a_story_of_two_developments_gives_two_in_time_order():
    arts = [
        art("d1", DENY, "2025-03-13T09:00", "ب"),
        art("a1", ACCUSE, "2025-03-12T18:00", "أ"),
        art("a2", ACCUSE, "2025-03-12T18:30", "ج"),  # a wire copy: the same development
        art("d2", DENY, "2025-03-13T10:00", "أ"),
    ]
    found = developments(arts)
    assert [d.article_ids for d in found] == [["a1-0", "a2-0"], ["d1-0", "d2-0"]]
    assert found[0].title == ACCUSE[0] and found[1].to_dict()["title"] == DENY[0]
    assert developments(arts[:1])[0].article_ids == ["d1-0"]
    assert len(developments(arts, DevelopmentsConfig(threshold=0.01))) == 1


def test_a_huge_story_is_not_split_and_the_threshold_is_checked():
    many = [art(f"x{i}", ACCUSE if i % 2 else DENY, "2025-03-12T18:00", "أ")
            for i in range(MAX_ARTICLES + 1)]  # fmt: skip
    assert len(developments(many)) == 1
    with pytest.raises(ValueError, match="threshold"):
        DevelopmentsConfig(threshold=0.0)
