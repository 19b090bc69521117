"""Seed story summary with citations, claim-citation precision/recall, and timings.

    python eval/summary.py            # the seed story (../shared/data/seeds)
    python eval/summary.py --bench    # also: 60 ANT articles on one story (Eastern Ghouta)

The hand check (docs/summary.md): which seed pages state the same thing, read by hand. Every
pair of pages inside a group of HAND_GROUPS states one claim; pairs in HAND_NEUTRAL are
debatable (a programme vs the talks held) and count neither way.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.claims import Claim, align  # noqa: E402
from marsad.facts import compare  # noqa: E402
from marsad.model import Article  # noqa: E402
from marsad.summarize import summarize  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SEEDS = DATA / "seeds"

# page (first 3 characters of the seed file name) - sentence index, read by hand
HAND_GROUPS = [
    ["000-0", "002-0", "003-4", "004-0"],  # Putin arrived in Baku / Azerbaijan on Sunday
    ["001-2", "004-1"],  # Caucasus partner, energy supplier, amid the Ukrainian offensive
    ["001-4", "004-6"],  # last visit in September 2018
    ["001-5", "004-7"],  # COP29 host, gas producer
    ["001-6", "004-8"],  # Russia's ambiguous role in the Armenia-Azerbaijan conflict
    ["001-9", "004-9"],  # Yerevan turned to the West
    ["001-10", "004-10"],  # the visit comes as Moscow fights the Ukrainian incursion
    ["000-3", "001-3", "002-1", "004-3"],  # talks with Aliyev on relations, regional issues
    ["000-4", "002-2", "004-5"],  # documents / declarations to be signed
    ["000-6", "002-5"],  # Armenia-Azerbaijan peace on the agenda
]
HAND_NEUTRAL = [
    *(("003-0", x) for x in ("000-3", "001-3", "002-1", "004-3")),  # talks held vs planned
    ("000-5", "004-12"),  # the ICC warrant, two different angles
    ("001-1", "001-3"),
    ("001-0", "001-1"),
    ("001-0", "002-1"),  # subtitle, lead: aims
    *(("001-1", x) for x in ("000-3", "002-1", "004-3")),  # visit aims vs talks agenda
]


def seed_story() -> list[Article]:
    """The Putin-in-Baku articles of the seed pages (not the unrelated articles glued onto
    some pages); each page is its own outlet, named by the first 3 characters of its file."""
    from marsad.extract import extract
    from marsad.read import read_file

    found = []
    for path in sorted(SEEDS.glob("*.txt")):
        for page in read_file(path):
            for a in extract(page).articles:
                if re.search("بوتين|باكو", a.body) and re.search("باكو|أذربيجان", a.body):
                    a.outlet = path.name[:3]
                    found.append(a)
    return found


def _pairs(groups: list[list[str]]) -> set[frozenset[str]]:
    return {
        frozenset(p) for g in groups for p in itertools.combinations(g, 2) if p[0][:3] != p[1][:3]
    }


def claim_pairs(claims: list[Claim], outlet: dict[str, str]) -> set[frozenset[str]]:
    """Cross-page sentence pairs that the alignment puts in one claim."""
    groups = [[f"{outlet[aid]}-{i}" for aid, i in c.members] for c in claims]
    return _pairs(groups)


def evaluate_seeds() -> None:
    arts = seed_story()
    outlet = {a.id: a.outlet for a in arts}
    start = time.perf_counter()
    claims = align(arts)
    summary = summarize(arts, claims)
    facts = compare(arts, claims)
    elapsed = time.perf_counter() - start
    print(f"seed story: {len(arts)} articles, {len(claims)} claims, {elapsed * 1000:.0f} ms")
    print("\nsummary:")
    for s in summary:
        cites = ", ".join(f"{c[1]}#s-{c[2]}" for c in s.cites)
        print(f"  - {s.text}\n      [{cites}]")
    gold, neutral = _pairs(HAND_GROUPS), _pairs([list(p) for p in HAND_NEUTRAL])
    found = claim_pairs(claims, outlet) - neutral
    hit = len(found & gold)
    print(
        f"\nclaim citations (cross-page sentence pairs): precision {hit / max(1, len(found)):.2f}"
        f" ({hit}/{len(found)}), recall {hit / len(gold):.2f} ({hit}/{len(gold)})"
    )
    for pair in sorted(map(sorted, found - gold)):
        print("  wrong:", pair)
    for pair in sorted(map(sorted, gold - found)):
        print("  missed:", pair)
    cited = stated = right = 0
    for sentence in summary:
        pages = {outlet[aid] for aid, _, _ in sentence.cites}
        members = {f"{outlet[aid]}-{i}" for aid, _, i in sentence.cites}
        # the pages the hand check says state it: its groups', or the first cited page alone
        groups = [g for g in HAND_GROUPS if members & set(g)]
        hand = {m[:3] for g in groups for m in g} or {outlet[sentence.cites[0][0]]}
        cited, stated, right = cited + len(pages), stated + len(hand), right + len(pages & hand)
    print(
        f"summary citations (pages): precision {right / max(1, cited):.2f} ({right}/{cited}),"
        f" recall {right / max(1, stated):.2f} ({right}/{stated})"
    )
    print(
        f"\nfacts: {len(facts.shared)} shared, {len(facts.unique)} unique, "
        f"{len(facts.conflicts)} conflicts"
    )
    for c in facts.coverage:
        print(f"  {c.outlet}: adds {len(c.added)}")


def ghouta_story(size: int = 60) -> list[Article]:
    """`size` ANT articles of March 2018 on Eastern Ghouta, from every outlet."""
    sys.path.insert(0, str(ROOT / "eval"))
    from stories import ant_article, ant_records

    found = []
    for record in ant_records():
        if record["time"] and "2018" in record["time"] and "الغوطة" in record["title"]:
            found.append(ant_article(record))
            if len(found) == size:
                break
    return found


def bench(size: int) -> None:
    arts = ghouta_story(size)
    n_sent = sum(len(a.paragraphs) for a in arts)
    timings = {}
    for run in range(2):  # the second run has warm stem caches, as a long-running service does
        start = time.perf_counter()
        claims = align(arts)
        t1 = time.perf_counter()
        summarize(arts, claims)
        t2 = time.perf_counter()
        compare(arts, claims)
        t3 = time.perf_counter()
        timings[run] = (t1 - start, t2 - t1, t3 - t2)
    outlets = sorted({a.outlet for a in arts if a.outlet})
    print(
        f"\nANT Ghouta story: {len(arts)} articles, {len(outlets)} outlets, "
        f"{n_sent} paragraphs, {len(claims)} claims "
        f"({sum(len(c.sources) > 1 for c in claims)} stated by 2+ outlets)"
    )
    for run, (a, s, f) in timings.items():
        label = "cold" if run == 0 else "warm"
        print(f"  {label}: align {a:.2f} s, summarize {s:.2f} s, facts {f:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", action="store_true", help="time a 60-article ANT story")
    parser.add_argument("--size", type=int, default=60)
    args = parser.parse_args()
    if not SEEDS.is_dir():
        raise SystemExit(f"seed pages not found: {SEEDS}")
    evaluate_seeds()
    if args.bench:
        bench(args.size)


if __name__ == "__main__":
    main()
