"""Entity recognition quality: entity-level P/R/F1 (exact span and type) on ANERcorp test.

Data (third-party, read from ../shared/data, never copied): anercorp/approx_test_last_960_sents
(the last 960 sentences; the model is trained on the first 4,045). Tokens are ANERcorp's own,
so this scores the CRF alone; the agency/event rules of `find_mentions` are not involved.
Anchor: CAMeL Tools' BERT NER reports ≈ 0.83 F1 on ANERcorp.

    python eval/ner.py [--json] [--model PATH] [--test PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.entities import recognize  # noqa: E402
from marsad.entities.train import read_conll  # noqa: E402

TEST = ROOT.parent / "shared" / "data" / "anercorp" / "approx_test_last_960_sents.txt"


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "n": tp + fn}


def score(path: Path = TEST) -> dict:
    """Overall and per-type scores of the shipped model on a "token TAG" file, and speed."""
    sents = read_conll(path)
    counts: dict[str, Counter[str]] = {}
    recognize.tag(["."])  # model, word classes and background table loaded once
    t0 = time.perf_counter()
    predicted = recognize.tag_sentences([toks for toks, _ in sents])
    cold = time.perf_counter() - t0  # every distinct token's features computed once
    recognize.forget()
    t0 = time.perf_counter()
    recognize.tag_sentences([toks for toks, _ in sents])
    warm = time.perf_counter() - t0  # token features cached, as for repeated words
    for (_, gold_tags), tags in zip(sents, predicted, strict=True):
        gold, pred = set(recognize.spans(gold_tags)), set(recognize.spans(tags))
        for label in {s[2] for s in gold | pred}:
            c = counts.setdefault(label, Counter())
            g = {s for s in gold if s[2] == label}
            p = {s for s in pred if s[2] == label}
            c["tp"] += len(g & p)
            c["fp"] += len(p - g)
            c["fn"] += len(g - p)
    total = sum(counts.values(), Counter())
    tokens = sum(len(t) for t, _ in sents)
    return {
        "overall": prf(total["tp"], total["fp"], total["fn"]),
        "types": {k: prf(c["tp"], c["fp"], c["fn"]) for k, c in sorted(counts.items())},
        "sentences": len(sents),
        "tokens": tokens,
        "tokens_per_s": tokens / cold,
        "tokens_per_s_warm": tokens / warm,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--model", type=Path, help="score this model instead of the shipped one")
    ap.add_argument("--test", type=Path, default=TEST)
    args = ap.parse_args()
    if not args.test.is_file():
        raise SystemExit(f"test file not found: {args.test}")
    if args.model:
        recognize.MODEL_PATH = args.model
    result = score(args.test)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    o = result["overall"]
    print(
        f"ANERcorp test: {result['sentences']} sentences, {result['tokens']} tokens, "
        f"{result['tokens_per_s']:,.0f} tokens/s first pass, "
        f"{result['tokens_per_s_warm']:,.0f} tokens/s with token features cached"
    )
    print(f"{'type':<8}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}")
    for name, s in [*result["types"].items(), ("overall", o)]:
        print(f"{name:<8}{s['p']:>7.3f}{s['r']:>7.3f}{s['f1']:>7.3f}{s['n']:>6}")
    print("anchor: CAMeL Tools NER ≈ 0.83 F1")


if __name__ == "__main__":
    main()
