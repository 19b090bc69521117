"""Speakers (who a sentence credits) against sentences we labelled by reading.

    python eval/attribution.py [--show-errors]

eval/data/speakers.jsonl holds 150 sentences of the dev window (ANT 2018-03-12..13), by
record id and character offsets (no text is stored), read by a helper session: 100 drawn
among sentences with a speech or attribution cue, 50 at random (at most 3 per record), each
with the span of who it credits (null when nobody is named in the sentence: narration, or
«وأضاف أن» whose speaker is an earlier sentence's). The rules were written reading errors on
it; eval/data/speakers_test.jsonl (120 sentences of ANT 2018-04-10..11, 80 + 40, drawn and
read the same way by another session) was scored once they were. Scores:

- found: a named speaker predicted where the label has one (precision and recall);
- exact: the predicted span equals the labelled one, clitic و/ف, quotes and # aside;
- overlap: they share a word (the right person, a word too many or too few).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from stories import ANT, record_texts  # noqa: E402

from marsad import arabic  # noqa: E402
from marsad.attribution import named_spans, speaker  # noqa: E402

SETS = {"dev": ROOT / "eval" / "data" / "speakers.jsonl",
        "test": ROOT / "eval" / "data" / "speakers_test.jsonl"}  # fmt: skip


def load(split: str = "dev") -> list[tuple[dict, str, str | None]] | None:
    """(label, sentence, labelled speaker) per labelled sentence; None without ANT."""
    if not ANT.exists():
        return None
    lines = SETS[split].read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    texts = record_texts({r["id"] for r in rows})
    out = []
    for r in rows:
        text = texts[r["id"]]
        gold = text[r["speaker"][0] : r["speaker"][1]] if r["speaker"] else None
        out.append((r, text[r["start"] : r["end"]], gold))
    return out


def _words(span: str) -> list[str]:
    words = [w for w in arabic.tokens(span) if w.strip('"«»#')]
    if words and words[0][:1] in "وف" and len(words[0]) > 3:
        words[0] = words[0][1:]
    return words


def scores(rows: list[tuple[dict, str, str | None]]) -> dict:
    found = exact = overlap = predicted = labelled = 0
    errors = []
    for label, sentence, gold in rows:
        got = speaker(sentence, named_spans)
        guess = got.text if got and got.text else None
        predicted += guess is not None
        labelled += gold is not None
        if guess and gold:
            found += 1
            same = _words(guess) == _words(gold)
            exact += same
            overlap += bool(set(_words(guess)) & set(_words(gold)))
            if not same:
                errors.append((label, sentence, gold, guess))
        elif guess or gold:
            errors.append((label, sentence, gold, guess))
    return {
        "n": len(rows),
        "labelled": labelled,
        "precision": found / max(1, predicted),
        "recall": found / max(1, labelled),
        "exact": exact / max(1, labelled),
        "overlap": overlap / max(1, labelled),
        "errors": errors,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--show-errors", action="store_true", help="sentences read differently")
    ap.add_argument("--split", choices=sorted(SETS), help="one set only (default: both)")
    args = ap.parse_args()
    for split in [args.split] if args.split else sorted(SETS):
        rows = load(split)
        if rows is None:
            raise SystemExit("../shared/data/ant not found")
        s = scores(rows)
        print(f"{split}: {s['n']} sentences, {s['labelled']} with a named speaker: found P "
              f"{s['precision']:.3f} R {s['recall']:.3f}; span exact {s['exact']:.3f}, "
              f"overlapping {s['overlap']:.3f} (of the labelled)")  # fmt: skip
        if args.show_errors:
            for label, sentence, gold, guess in s["errors"]:
                print(f"\n[{label['kind']}] gold «{gold}» got «{guess}»\n  {sentence[:160]}")


if __name__ == "__main__":
    main()
