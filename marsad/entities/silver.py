"""Name profiles from news the recognizer has read: how often a word is part of a name.

The CRF tags a sample of the ANT corpus once, offline; per frequent word the shipped table
keeps only binned rates (no text): how often the word was inside a person, place,
organization or misc name, and how often it opened one. The merge step reads it to tell
names from common words: a word the recognizer takes for a name in a few per cent of its
ANT occurrences (الاتفاق، الأكراد) is a common word, and an entity made of such words is
dropped. (As CRF features the rates lowered dev F1 0.736 → 0.730: on ANERcorp's own
training words they are more reliable than on unseen ones.)

    python -m marsad.entities.silver [--ant PATH] [--model PATH] [--every N]

May 2018 is never read (held out for the project's tests).
"""

from __future__ import annotations

import argparse
import gzip
from collections import Counter
from functools import lru_cache
from pathlib import Path

from marsad.entities.corpus import DATA, DEFAULT_ANT, load_table, records
from marsad.entities.lexicon import NAME_PROCLITICS, strip_proclitics

NAMES = DATA / "gazetteer_names.tsv.gz"
COLUMNS = ("np", "nl", "no", "nm", "nb")  # inside PERS, LOC, ORG, MISC; opens a name
_LABELS = ("PERS", "LOC", "ORG", "MISC")
_CUTS = (0.05, 0.2, 0.5, 0.8, 2.0)


def band(part: int, total: int) -> str:
    """A rate as a band digit: 0, < 5 %, < 20 %, < 50 %, < 80 %, more."""
    if not part:
        return "0"
    r = part / total
    return next(str(i) for i, cut in enumerate(_CUTS, 1) if r < cut)


@lru_cache(maxsize=1)
def name_profiles() -> dict[str, str]:
    """Normalized word → one band digit per column; empty when the table is not shipped."""
    return load_table(NAMES)


def _clitic_free(word: str) -> list[str]:
    """The word and what it is under conjunctions and prepositions, the article kept:
    والاتفاق → الاتفاق, وبوتين → بوتين, but السيول stays (سيول is another word)."""
    forms = [word]
    for prefix, rest in strip_proclitics(word):
        if prefix in NAME_PROCLITICS:
            forms.append(rest)
        elif prefix != "ال":
            forms.append("ال" + rest)
    return forms


def _name_band(word: str) -> str:
    """How often the word, or what it is under its clitics, was a name ('' if unknown): the
    highest band of its forms, so وبوتين is as much a name as بوتين."""
    bands = [b for f in _clitic_free(word) if (b := name_profiles().get(f))]
    return max((max(b[:4]) for b in bands), default="")


def common_word(word: str, *, strict: bool = True) -> bool:
    """A frequent ANT word that was a name in under 5 % of its occurrences (under 20 % when
    not `strict`): الاتفاق، عفوا. Numbers and words the table does not hold are not judged."""
    band = _name_band(word) if word.isalpha() else ""
    return band != "" and band <= ("1" if strict else "2")


def common_phrase(key: str) -> bool:
    """A normalized name that is common words only: one word a name in under 20 % of its
    ANT occurrences (الاتفاق، الأكراد), or several of which none is known as a name and at
    least half are common (عفوا رئاسيا، الجاسوس الروسي)."""
    words = key.split()
    if len(words) == 1:
        return common_word(key, strict=False)
    bands = [_name_band(w) for w in words]
    common = sum(b != "" for b in bands)
    return all(b <= "1" for b in bands) and 2 * common >= len(words)


def build(ant: Path, out: Path, *, every: int = 3, words: int = 60000, minfreq: int = 5) -> None:
    """Tag every `every`-th ANT record with the current model and write the bands."""
    from marsad.entities.features import token_features, tokenize
    from marsad.entities.recognize import _sentences, spans, tag

    freq: Counter[str] = Counter()
    inside = {lab: Counter() for lab in _LABELS}
    opens: Counter[str] = Counter()
    for rec in records(ant, every):
        text = f"{rec.get('title') or ''}\n{rec.get('text') or ''}"
        toks = tokenize(text)
        for a, b in _sentences(toks, text):
            words_ = [t for t, _, _ in toks[a:b]]
            norms = [token_features(w)[0] for w in words_]
            freq.update(norms)
            for s, e, lab in spans(tag(words_)):
                opens[norms[s]] += 1
                inside[lab].update(norms[s:e])
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as f:
        for w, n in freq.most_common(words):
            if n < minfreq:
                break
            bands = [band(inside[lab][w], n) for lab in _LABELS] + [band(opens[w], n)]
            f.write(w + "\t" + "".join(bands) + "\n")


def main(argv: list[str] | None = None) -> None:
    from marsad.entities import recognize

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ant", type=Path, default=DEFAULT_ANT, help="ANT corpus jsonl.gz")
    ap.add_argument("--out", type=Path, default=NAMES)
    ap.add_argument("--model", type=Path, help="tag with this model instead of the shipped one")
    ap.add_argument("--every", type=int, default=3, help="read every N-th record")
    args = ap.parse_args(argv)
    if not args.ant.is_file():
        raise SystemExit(f"ANT corpus not found: {args.ant}")
    if args.model:
        recognize.MODEL_PATH = args.model
    build(args.ant, args.out, every=args.every)
    print(f"{args.out} {args.out.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
