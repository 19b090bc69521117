"""Unique facts (stated by one source only) of the dev window's stories, judged by reading.

    python eval/unique_facts.py                                  # score the judged sample
    python eval/unique_facts.py --sample 60 --out FILE [--seed S]  # draw facts to judge
    python eval/unique_facts.py --show FILE                        # print them for reading

The labelled ANT window (2018-03-12..13, dev data) goes through `marsad digest` as a user
runs it. Only stories with two or more outlets are drawn from (a one-outlet story's facts are
all unique). A drawn fact is kept as its article id and the character offsets of its text in
that article's body; `--show` prints it with every article of the other outlets of its story,
so a reader can check that none of them states it. Labels: «unique» (a statement of the
article that no other outlet of the story makes), «shared» (another outlet states it too, in
other words), «not_fact» (not a statement of the article: a caption, a question, a teaser,
a fragment). Precision is the share «unique».

`eval/data/unique_facts.jsonl`, read by helper sessions on 2026-12-01: round 1, 80 facts drawn
(seed 13) from the 383 listed before the novelty test (`FactsConfig.novel`), which was set on
them; round 2, the 59 facts listed after it that round 1 did not hold (held out); round 3,
60 facts drawn (seed 31) from ANT 2018-04-10..11 (`--days`, held out too).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from stories import ANT, ant_article, records_file, window_file  # noqa: E402

JUDGED = ROOT / "eval" / "data" / "unique_facts.jsonl"
LABELS = ("unique", "shared", "not_fact")


def days_file(directory: Path, days: tuple[str, str]) -> Path:
    """ANT's records published from the first day to the end of the second."""
    return records_file(directory, lambda r: days[0] <= ant_article(r).published[:10] <= days[1],
                        "ant_days.jsonl")  # fmt: skip


def digest(days: tuple[str, str] | None = None) -> dict:
    """The digest of the dev window (or of other ANT days), made by the CLI into a
    temporary directory."""
    from click.testing import CliRunner

    from marsad.cli import main as cli

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "digest"
        source = days_file(Path(tmp), days) if days else window_file(Path(tmp))
        args = ["digest", str(source), "--out", str(out), "--db", ":memory:"]
        result = CliRunner().invoke(cli, args)
        if result.exit_code != 0:
            raise SystemExit(result.output)
        return json.loads((out / "digest.json").read_text("utf-8"))


def unique_facts(report: dict) -> list[dict]:
    """Every unique fact of a story of 2+ outlets: story, article, offsets in its body."""
    bodies = {a["id"]: a["body"] for a in report["articles"]}
    out = []
    for story in report["stories"]:
        if len(story["outlets"]) < 2:
            continue
        for fact in story["facts"]["unique"]:
            aid = fact["article_ids"][0]
            start = bodies[aid].find(fact["text"])
            if start >= 0:  # the fact's text as the body has it
                end = start + len(fact["text"])
                out.append({"story": story["id"], "article": aid, "start": start, "end": end})
    return out


def show(path: Path, report: dict) -> None:
    articles = {a["id"]: a for a in report["articles"]}
    stories = {s["id"]: s for s in report["stories"]}
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        item = json.loads(line)
        mine = articles[item["article"]]
        print(f"=== {n} [{mine['outlet']}] {mine['title']}")
        print(f"FACT: {mine['body'][item['start'] : item['end']]}")
        for aid in stories[item["story"]]["article_ids"]:
            other = articles[aid]
            if other["outlet"] != mine["outlet"]:
                body = " ".join(other["body"].split())
                print(f"  --- [{other['outlet']}] {other['title']}\n  {body}")


def score(path: Path) -> None:
    """Each round's precision over its facts still listed as unique (a round of other ANT
    days is scored on their own digest), and how much of the dev window's list is read."""
    judged = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    if bad := [j for j in judged if j.get("label") not in LABELS]:
        raise SystemExit(f"{path.name}: {len(bad)} facts without a label in {LABELS}")
    listed: dict[tuple | None, set[tuple]] = {}
    for days in {tuple(j["days"]) if j.get("days") else None for j in judged}:
        listed[days] = {(f["article"], f["start"], f["end"]) for f in unique_facts(digest(days))}

    def still(j: dict) -> bool:
        days = tuple(j["days"]) if j.get("days") else None
        return (j["article"], j["start"], j["end"]) in listed[days]

    rounds = [(f"round {n}", [j for j in judged if j["round"] == n])
              for n in sorted({j["round"] for j in judged})]  # fmt: skip
    held_out = ("held out (rounds 2+)", [j for j in judged if j["round"] > 1])
    for name, rows in [*rounds, held_out, ("all", judged)]:
        kept = [j for j in rows if still(j)]
        counts = {k: sum(j["label"] == k for j in kept) for k in LABELS}
        print(f"{name}: {len(rows)} judged, {len(kept)} of them listed as unique now: {counts},"
              f" precision {counts['unique'] / max(len(kept), 1):.3f}")
    window = [j for j in judged if not j.get("days")]
    print(f"dev window: {len(listed[None])} unique facts listed now,"
          f" {sum(map(still, window))} of them judged")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=0, help="draw N unique facts")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, help="where --sample writes the facts")
    parser.add_argument("--show", type=Path, help="print a fact file for reading")
    parser.add_argument("--days", nargs=2, metavar=("FIRST", "LAST"),
                        help="other ANT days instead of the dev window (not May 2018)")
    args = parser.parse_args()
    if not ANT.exists():
        sys.exit(f"no data at {ANT}")
    if not (args.sample or args.show):
        return score(JUDGED)
    report = digest(tuple(args.days) if args.days else None)
    if args.sample:
        facts = unique_facts(report)
        drawn = sorted(random.Random(args.seed).sample(facts, min(args.sample, len(facts))),
                       key=lambda f: (f["story"], f["article"], f["start"]))  # fmt: skip
        text = "".join(json.dumps(f) + "\n" for f in drawn)
        return args.out.write_text(text) if args.out else sys.stdout.write(text)
    show(args.show, report)


if __name__ == "__main__":
    main()
