"""Date expressions: marsad.dates against our labelled sentences, with dateparser as a peer.

    python eval/dates.py [--show-errors] [--throughput N]

eval/data/dates.jsonl holds our own Arabic sentences, each with its publish day, a `form`
(weekday, relative_day, range, hijri, negative, ...) and the expected mentions as
(surface, value) pairs. Two scores per system:

  exact   a case is right when its set of (surface, value) pairs is exactly the expected one;
  values  a case is right when its multiset of values matches, where a predicted day that lies
          inside an expected month, year or range counts as that value. This is the fair score
          for dateparser, which returns one datetime per match and keeps prepositions («في»)
          in its surfaces.

Real text (when ../shared/data is present): eval/data/dates_ant.jsonl labels every date
expression in 140 random ANT sentences by article id and character offsets (no text is stored),
set A (60 sentences, inspected while the rules were tuned) and set B (80 sentences, labelled
after; held out). eval/data/dates_dev.jsonl is set D: sentences of the dev window (ANT
2018-03-12..13) chosen for the hard forms (weekday direction, «اليوم الخميس», lists and
alternatives, non-dates, evening GMT stamps), labelled by reading after the rules for them
were written; its stamps keep their UTC offset and are read in the outlet's zone.
Durations («قبل ثمانية أعوام», «خلال اليومين الماضيين») are not labelled.
Scores: sentences whose mentions are all exactly right, mention precision/recall (span and
value exact) and, for both systems, the `values` score per sentence.

dateparser (`search_dates`, languages=["ar"], RELATIVE_BASE = publish day, PREFER_DATES_FROM
= past) is not a marsad dependency; it is skipped when not installed.
`--throughput N` times find_dates over N ANT articles.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from stories import ANT, record_texts  # noqa: E402

from marsad.dates import find_dates  # noqa: E402
from marsad.dates.zones import ZoneConfig, local_published  # noqa: E402

ZONES = ZoneConfig()

CASES = ROOT / "eval" / "data" / "dates.jsonl"
REAL = ROOT / "eval" / "data" / "dates_ant.jsonl"
DEV = ROOT / "eval" / "data" / "dates_dev.jsonl"  # set D: the dev window's hard forms

Prediction = list[tuple[str, str]]  # (surface, value)


def load_cases(path: Path = CASES) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_real() -> list[dict] | None:
    """The labelled ANT sentences with their text and expected surfaces filled in from the
    corpus; None when the corpus is not there."""
    if not ANT.exists():
        return None
    cases = load_cases(REAL) + (load_cases(DEV) if DEV.exists() else [])
    texts = record_texts({c["id"] for c in cases})
    for c in cases:
        text = texts[c["id"]]
        c["text"] = text[c["start"] : c["end"]]
        c["expected"] = [
            {"surface": text[e["start"] : e["end"]], "value": e["value"]} for e in c["expected"]
        ]
        c["form"] = c["set"] if c["set"] != "D" else f"D {c['form']}"
        # A stamp with its offset is read in the outlet's zone, as the digest reads it.
        c["published"] = local_published(c["published"], c.get("source"), ZONES)
    return cases


def mention_scores(system: Callable[[str, str | None], Prediction], cases: list[dict]) -> dict:
    """Mention precision and recall: a mention is right when its surface and value are."""
    tp = fp = fn = 0
    for case in cases:
        want = Counter((e["surface"], e["value"]) for e in case["expected"])
        got = Counter(system(case["text"], case["published"]))
        hit = sum((want & got).values())
        tp, fp, fn = tp + hit, fp + sum(got.values()) - hit, fn + sum(want.values()) - hit
    return {"mentions": tp + fn, "precision": tp / max(1, tp + fp), "recall": tp / max(1, tp + fn)}


def ours(text: str, published: str | None) -> Prediction:
    return [(m.text, m.value) for m in find_dates(text, published)]


def dateparser_peer() -> Callable[[str, str | None], Prediction] | None:
    try:
        from dateparser.search import search_dates
    except ImportError:
        return None

    def peer(text: str, published: str | None) -> Prediction:
        settings = {"PREFER_DATES_FROM": "past"}
        if published:
            settings["RELATIVE_BASE"] = datetime.fromisoformat(published[:10])
        found = search_dates(text, languages=["ar"], settings=settings) or []
        return [(surface, d.date().isoformat()) for surface, d in found]

    return peer


def _period(value: str) -> tuple[date, date]:
    """The days an ISO value covers: a day, a month, a year or first/last."""
    if "/" in value:
        a, b = value.split("/")
        return date.fromisoformat(a), date.fromisoformat(b)
    if len(value) == 4:
        return date(int(value), 1, 1), date(int(value), 12, 31)
    if len(value) == 7:
        y, m = map(int, value.split("-"))
        nxt = date(y + m // 12, m % 12 + 1, 1)
        return date(y, m, 1), date.fromordinal(nxt.toordinal() - 1)
    d = date.fromisoformat(value)
    return d, d


def exact(expected: list[dict], predicted: Prediction) -> bool:
    return {(e["surface"], e["value"]) for e in expected} == set(predicted)


def values(expected: list[dict], predicted: Prediction) -> bool:
    """Same multiset of values, a predicted day inside an unmatched expected period counting
    as that period."""
    want = Counter(e["value"] for e in expected)
    got: Counter[str] = Counter()
    for _, value in predicted:
        if want[value] > got[value]:
            got[value] += 1
            continue
        day = _period(value)
        inside = [
            v for v in want if want[v] > got[v] and _period(v)[0] <= day[0] <= _period(v)[1]
        ]
        got[inside[0] if inside and day[0] == day[1] else value] += 1
    return got == want


def score(system: Callable[[str, str | None], Prediction], cases: list[dict]) -> dict:
    by_form: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    errors = []
    for case in cases:
        predicted = system(case["text"], case["published"])
        ok = (exact(case["expected"], predicted), values(case["expected"], predicted))
        by_form[case["form"]].append(ok)
        if not ok[0]:
            errors.append((case, predicted))
    rows = {form: _rates(oks) for form, oks in sorted(by_form.items())}
    rows["ALL"] = _rates([ok for oks in by_form.values() for ok in oks])
    return {"rows": rows, "errors": errors}


def _rates(oks: list[tuple[bool, bool]]) -> tuple[int, float, float]:
    n = len(oks)
    return n, sum(e for e, _ in oks) / n, sum(v for _, v in oks) / n


def throughput(n: int) -> None:
    if not ANT.exists():
        print("throughput: ANT not found, skipped")
        return
    articles = []
    with gzip.open(ANT, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            articles.append((rec["text"], parsedate_to_datetime(rec["time"]).date().isoformat()))
            if len(articles) >= n:
                break
    chars = sum(len(t) for t, _ in articles)
    find_dates(*articles[0])  # warm the per-character cache
    start = time.perf_counter()
    mentions = sum(len(find_dates(text, pub)) for text, pub in articles)
    seconds = time.perf_counter() - start
    print(
        f"throughput: {len(articles)} ANT articles, {chars / 1e3:.0f} k chars, {mentions} mentions"
        f" in {seconds:.2f} s ({chars / seconds / 1e6:.2f} M chars/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show-errors", action="store_true", help="print our wrong cases")
    parser.add_argument("--throughput", type=int, default=0, metavar="N")
    args = parser.parse_args()
    cases = load_cases()
    systems = {"marsad": ours}
    peer = dateparser_peer()
    if peer is None:
        print("dateparser not installed: peer skipped")
    else:
        systems["dateparser"] = peer
    results = {name: score(system, cases) for name, system in systems.items()}
    names = list(results)
    heads = " ".join(f"{s + ' exact':>17} {s + ' values':>18}" for s in names)
    print(f"{'form':18} {'n':>4} {heads}")
    for form, (n, _, _) in results["marsad"]["rows"].items():
        cells = [results[s]["rows"][form] for s in names]
        print(f"{form:18} {n:4d} " + " ".join(f"{c[1]:17.3f} {c[2]:18.3f}" for c in cells))
    real = load_real()
    if real is None:
        print("\nreal text: ../shared/data/ant not found, skipped")
    else:
        print("\nreal text (ANT sentences; A tuned on, B tuned on after scoring, C held out)")
        print(f"{'set':18} {'n':>4} {heads}   marsad mentions: n, precision, recall")
        forms = sorted({c["form"] for c in real if c["set"] == "D"})
        for name in ("A", "B", "C", *forms, "D"):
            part = [c for c in real if c["set"] == name or c["form"] == name]
            if not part:
                continue
            rows = {s: score(system, part)["rows"]["ALL"] for s, system in systems.items()}
            m = mention_scores(ours, part)
            cells = " ".join(f"{r[1]:17.3f} {r[2]:18.3f}" for r in rows.values())
            print(
                f"{name:18} {len(part):4d} {cells}   "
                f"{m['mentions']}, {m['precision']:.3f}, {m['recall']:.3f}"
            )
        results["real"] = score(ours, real)
    if args.show_errors:
        errors = results["marsad"]["errors"] + results.get("real", {}).get("errors", [])
        for case, predicted in errors:
            want = [(e["surface"], e["value"]) for e in case["expected"]]
            print(f"\n[{case['form']}] {case['published']} {case['text']}")
            print(f"  want {want}\n  got  {predicted}")
    if args.throughput:
        throughput(args.throughput)


if __name__ == "__main__":
    main()
