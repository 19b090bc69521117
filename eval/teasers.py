"""Trailing teasers (`marsad.extract.teasers`) against the corpus's own evidence.

    python eval/teasers.py [--show N] [--write]

Gold, made without reading: a trailing paragraph of an ANT record is a teaser when its
normalized first 60 characters (dateline cut) are the lead or abstract of *another* ANT
record, counted from the end while that holds. This finds the CNN case (826 records) and
misses teasers of articles ANT does not hold, so precision here is a lower bound. Records
of May 2018 are left out (held out for stories). `--write` keeps the gold as record ids and
paragraph counts in eval/data/ant_teasers.json (the extraction eval cuts them from its
reference text: they are not article text).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ANT = ROOT.parent / "shared/data/ant/ant_v2.1.jsonl.gz"
GOLD = ROOT / "eval/data/ant_teasers.json"

from marsad.arabic import normalize  # noqa: E402
from marsad.extract.teasers import DATELINE, trailing_teasers  # noqa: E402


def paragraphs(record: dict) -> list[str]:
    return [p.strip() for p in record["text"].split("\n") if p.strip()]


def key(text: str) -> str:
    return normalize(DATELINE.sub("", text.strip()))[:60]


def gold(records: list[dict]) -> dict[str, int]:
    leads: dict[str, set[str]] = {}
    for r in records:
        for text in (paragraphs(r)[:1] + [r.get("abstract") or ""]):
            if len(k := key(text)) >= 30:
                leads.setdefault(k, set()).add(r["id"])
    out = {}
    for r in records:
        n = 0
        for text in reversed(paragraphs(r)[1:]):
            if len(k := key(text)) >= 30 and leads.get(k, set()) - {r["id"]}:
                n += 1
            else:
                break
        out[r["id"]] = n
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", type=int, default=0, help="print N records trimmed beyond gold")
    parser.add_argument("--write", action="store_true", help=f"write the gold to {GOLD.name}")
    args = parser.parse_args()
    with gzip.open(ANT, "rt", encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    truth = gold(records)
    if args.write:
        kept = {rid: n for rid, n in sorted(truth.items()) if n}
        GOLD.write_text(json.dumps(kept, indent=0) + "\n", encoding="utf-8")
    tp = fp = fn = 0
    trimmed: Counter[str] = Counter()
    shown = 0
    for r in records:
        if " May 2018 " in r["time"]:
            continue
        paras = paragraphs(r)
        k, n = trailing_teasers(paras), truth[r["id"]]
        tp, fp, fn = tp + min(n, k), fp + max(k - n, 0), fn + max(n - k, 0)
        trimmed[r["source"]] += k > 0
        if k > n and shown < args.show:
            shown += 1
            print(f"beyond gold: {r['id']} {r['title']}")
            for text in paras[-k - 1 :]:
                print("    ", text[:140])
    print(f"paragraphs: precision {tp / max(tp + fp, 1):.3f} recall {tp / max(tp + fn, 1):.3f}"
          f" (tp {tp}, beyond gold {fp}, missed {fn}); records trimmed: {dict(trimmed)}")


if __name__ == "__main__":
    main()
