"""Cue profiles from unlabelled news: how a word behaves in the ANT corpus.

ANERcorp is small, so most names in new text were never seen in training. Over millions of
ANT tokens an unseen name still shows its kind: people follow titles and verbs of saying
(الرئيس ..., قال ...), places follow في and مدينة, organizations follow حزب and وكالة, and
names hardly ever take the article or a pronoun suffix. The shipped table holds, per word,
only binned rates (no text). Built once, offline:

    python -m marsad.entities.cueprofile [--ant PATH]
"""

from __future__ import annotations

import gzip
from collections import Counter
from functools import lru_cache
from pathlib import Path

from marsad.arabic import normalize
from marsad.entities import lexicon
from marsad.entities.corpus import DATA, build_command, load_table, paragraphs

PROFILES = DATA / "gazetteer_cues.tsv.gz"

# Words before a place, and verbs of saying (Arabic puts the speaker after the verb).
_PLACE_CUES = lexicon.PLACE_NOUNS | {"في"}
_SAY_CUES = frozenset(
    normalize(p + v)
    for v in "قال أعلن أكد أضاف أوضح صرح اعتبر دعا أشار ذكر".split()
    for p in ("", "و", "ف")
)
_PRONOUNS = ("ه", "ها", "هم")
# Columns of the table: previous word is a person cue, a verb of saying, a place cue, an
# organization cue; the word with the article, the word with a pronoun suffix.
COLUMNS = ("pc", "vc", "lc", "oc", "al", "sf")


def _bin(part: int, total: int) -> str:
    """A rate as a coarse band: 0, <1 %, <5 %, <20 %, <50 %, more."""
    if not part:
        return "0"
    r = part / total
    return next(str(i) for i, cut in enumerate((0.01, 0.05, 0.2, 0.5, 2.0), 1) if r < cut)


@lru_cache(maxsize=1)
def profiles() -> dict[str, str]:
    """Normalized word → one band digit per column; empty when the table is not shipped."""
    return load_table(PROFILES)


def build(ant: Path, out: Path, *, words: int = 60000, minfreq: int = 5) -> None:
    """Count each frequent ANT word's left cues and article/suffix forms, write the bands."""
    freq: Counter[str] = Counter()
    cues = {c: Counter() for c in COLUMNS[:4]}
    sets = (lexicon.PERSON_CUES, _SAY_CUES, _PLACE_CUES, lexicon.ORG_CUES)
    for toks in paragraphs(ant):
        freq.update(toks)
        for prev, word in zip(toks, toks[1:], strict=False):
            for col, cue in zip(COLUMNS, sets, strict=False):
                if prev in cue:
                    cues[col][word] += 1
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as f:
        for w, n in freq.most_common(words):
            if n < minfreq:
                break
            al = freq.get("ال" + w, 0) if not w.startswith("ال") else n
            sf = sum(freq.get(w + s, 0) for s in _PRONOUNS)
            bands = [_bin(cues[c][w], n) for c in COLUMNS[:4]]
            bands += [_bin(al, n + al), _bin(sf, n + sf)]
            f.write(w + "\t" + "".join(bands) + "\n")


def main(argv: list[str] | None = None) -> None:
    build_command(__doc__, PROFILES, build, argv)


if __name__ == "__main__":
    main()
