"""Updates (a count that changed, an announced happening then done) read by us.

    python eval/updates.py

`marsad digest` over the labelled dev window (ANT 2018-03-12..13) and over ANT
2018-04-10..11, as a user runs it; every update it lists is looked up in
eval/data/updates.jsonl (our reading of each listed update against its sentences: right or
wrong, with a note; steps by value and article id, no text). Unread updates are printed
for reading; precision is over the read ones.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "eval"))

from stories import ANT  # noqa: E402
from unique_facts import digest  # noqa: E402

JUDGED = ROOT / "eval" / "data" / "updates.jsonl"
DAYS: dict[str, tuple[str, str] | None] = {
    "window": None,
    "2018-04-10..11": ("2018-04-10", "2018-04-11"),
}


def _key(kind: str, steps: list[dict]) -> str:
    return json.dumps([kind, [(s["value"], sorted(s["article_ids"])) for s in steps]],
                      ensure_ascii=False)  # fmt: skip


def listed() -> list[tuple[str, dict]]:
    """(days, update) for every update the two digests list."""
    return [(name, u) for name, days in DAYS.items()
            for story in digest(days)["stories"] for u in story["facts"]["updates"]]  # fmt: skip


def scores() -> dict:
    judged = {}
    for line in JUDGED.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        judged[_key(row["kind"], row["steps"])] = row["label"]
    found = listed()
    labels = [judged.get(_key(u["kind"], u["steps"])) for _, u in found]
    read = [x for x in labels if x]
    return {
        "listed": len(found),
        "read": len(read),
        "right": read.count("right"),
        "unread": [(days, u) for (days, u), x in zip(found, labels, strict=True) if not x],
    }


def main() -> None:
    if not ANT.exists():
        raise SystemExit("../shared/data/ant not found")
    s = scores()
    print(f"updates listed: {s['listed']}, read: {s['read']}, right: {s['right']} "
          f"(precision {s['right'] / max(1, s['read']):.3f})")  # fmt: skip
    for days, u in s["unread"]:
        print(f"\nunread ({days}): {u['label']}")
        for step in u["steps"]:
            print(f"  {step['value']} {step['published']} {step['text'][:140]}")


if __name__ == "__main__":
    main()
