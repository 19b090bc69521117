"""A hand-written story digest that follows the contract (docs/digest.md), in our own Arabic.

It exercises what the demo corpus may not: a conflict, a date range, markup in titles.
"""

ARTICLES = [
    {
        "id": "p1-0",
        "source_id": None,
        "page_id": "p1",
        "source_path": "sample/a.txt",
        "position": 0,
        "title": "إضراب عمال ميناء الريحان يدخل يومه الثالث",
        "body": (
            "دخل إضراب عمال ميناء الريحان يومه الثالث صباح الثلاثاء. "
            "وقال رئيس النقابة سالم العتيبي إن 1200 عامل يشاركون في الإضراب.\n\n"
            "وتوقفت حركة الشحن في الأرصفة الشمالية منذ الأحد."
        ),
        "published": "2025-04-08T09:30",
        "outlet": "صدى المدائن",
        "url": "https://example.org/a",
        "credits": [],
    },
    {
        "id": "p2-0",
        "source_id": "x-7",
        "page_id": "p2",
        "source_path": "sample/b.txt",
        "position": 0,
        "title": "<script>alert('x')</script> الإضراب يشلّ الميناء",
        "body": (
            "أعلنت نقابة عمال الموانئ أن نحو 900 عامل يشاركون في الإضراب. "
            "وأكدت وزارة النقل أن المفاوضات ستُستأنف الخميس."
        ),
        "published": "2025-04-08T11:00",
        "outlet": "بوابة الأفق",
        "url": None,
        "credits": ["وكالة الأنباء"],
    },
    {
        "id": "p3-0",
        "source_id": None,
        "page_id": "p3",
        "source_path": "sample/c.txt",
        "position": 0,
        "title": "الإضراب يشلّ ميناء الريحان",
        "body": (
            "أعلنت نقابة عمال الموانئ أن نحو 900 عامل يشاركون في الإضراب. "
            "وأكدت وزارة النقل أن المفاوضات ستُستأنف الخميس. "
            "وأضاف مصدر في الميناء أن السفن تنتظر في عرض البحر."
        ),
        "published": "2025-04-09",
        "outlet": "مرفأ نت",
        "url": None,
        "credits": [],
    },
]

STORY = {
    "id": "s-strike",
    "title": "إضراب عمال ميناء الريحان",
    "size": 3,
    "outlets": ["صدى المدائن", "بوابة الأفق", "مرفأ نت"],
    "start": "2025-04-08T09:30",
    "end": "2025-04-09",
    "article_ids": ["p1-0", "p2-0", "p3-0"],
    "summary": [
        {
            "text": "دخل إضراب عمال ميناء الريحان يومه الثالث صباح الثلاثاء.",
            "article_ids": ["p1-0"],
            "outlets": ["صدى المدائن"],
            "cites": [{"article_id": "p1-0", "outlet": "صدى المدائن", "sentence": 0}],
        },
        {
            "text": "وأكدت وزارة النقل أن المفاوضات ستُستأنف الخميس <b>قريبًا</b>.",
            "article_ids": ["p2-0", "p3-0"],
            "outlets": ["بوابة الأفق", "مرفأ نت"],
            "cites": [
                {"article_id": "p2-0", "outlet": "بوابة الأفق", "sentence": 1},
                {"article_id": "p3-0", "outlet": "مرفأ نت", "sentence": 1},
            ],
        },
    ],
    "entities": [
        {
            "name": "سالم العتيبي",
            "type": "person",
            "variants": ["سالم العتيبي", "العتيبي"],
            "article_ids": ["p1-0"],
            "count": 2,
        },
        {
            "name": "ميناء الريحان",
            "type": "place",
            "variants": ["ميناء الريحان", "الميناء"],
            "article_ids": ["p1-0", "p3-0"],
            "count": 4,
        },
        {
            "name": "وزارة النقل",
            "type": "organization",
            "variants": ["وزارة النقل"],
            "article_ids": ["p2-0", "p3-0"],
            "count": 2,
        },
    ],
    "timeline": [
        {
            "date": "2025-04-06",
            "text": "وتوقفت حركة الشحن في الأرصفة الشمالية منذ الأحد.",
            "article_ids": ["p1-0"],
            "outlets": ["صدى المدائن"],
        },
        {
            "date": "2025-04-06/2025-04-08",
            "text": "دخل إضراب عمال ميناء الريحان يومه الثالث صباح الثلاثاء.",
            "article_ids": ["p1-0"],
            "outlets": ["صدى المدائن"],
        },
        {
            "date": "2025-04-10",
            "text": "وأكدت وزارة النقل أن المفاوضات ستُستأنف الخميس.",
            "article_ids": ["p2-0", "p3-0"],
            "outlets": ["بوابة الأفق", "مرفأ نت"],
        },
    ],
    "facts": {
        "shared": [
            {
                "text": "وأكدت وزارة النقل أن المفاوضات ستُستأنف الخميس.",
                "article_ids": ["p2-0", "p3-0"],
                "outlets": ["بوابة الأفق", "مرفأ نت"],
            }
        ],
        "unique": [
            {
                "text": "وأضاف مصدر في الميناء أن السفن تنتظر في عرض البحر.",
                "article_ids": ["p3-0"],
                "outlets": ["مرفأ نت"],
            }
        ],
        "conflicts": [
            {
                "about": "عدد العمال المضربين",
                "kind": "number",
                "values": [
                    {
                        "value": "1200",
                        "text": "وقال رئيس النقابة سالم العتيبي إن 1200 عامل يشاركون في الإضراب.",
                        "article_ids": ["p1-0"],
                        "outlets": ["صدى المدائن"],
                    },
                    {
                        "value": "900",
                        "text": "أعلنت نقابة عمال الموانئ أن نحو 900 عامل يشاركون في الإضراب.",
                        "article_ids": ["p2-0", "p3-0"],
                        "outlets": ["بوابة الأفق", "مرفأ نت"],
                    },
                ],
            }
        ],
    },
    "coverage": [
        {
            "outlet": "صدى المدائن",
            "article_ids": ["p1-0"],
            "added": [
                {
                    "text": "وتوقفت حركة الشحن في الأرصفة الشمالية منذ الأحد.",
                    "article_ids": ["p1-0"],
                }
            ],
        },
        {"outlet": "بوابة الأفق", "article_ids": ["p2-0"], "added": []},
        {
            "outlet": "مرفأ نت",
            "article_ids": ["p3-0"],
            "added": [
                {
                    "text": "وأضاف مصدر في الميناء أن السفن تنتظر في عرض البحر.",
                    "article_ids": ["p3-0"],
                }
            ],
        },
    ],
    "duplicates": [
        {
            "a": "p2-0",
            "b": "p3-0",
            "kind": "near",
            "similarity": 0.83,
            "added_a": [],
            "added_b": ["وأضاف مصدر في الميناء أن السفن تنتظر في عرض البحر."],
        }
    ],
}

DIGEST = {"generated": "2025-04-09T12:00", "articles": ARTICLES, "stories": [STORY]}
