"""Second-pass features: how the first pass read the same word in nearby sentences.

A name is often recognized in one sentence and missed in the next (the CRF sees one
sentence at a time). The second CRF sees, for every token, its own first-pass label and
its neighbours', and how the first pass labelled the same word (or its clitic-free form)
elsewhere within `WINDOW` sentences: never, as which type, and how often. Trained on
first-pass labels that models trained without those sentences gave (jackknife), so it
learns how far the first pass can be trusted on text it has not seen.
"""

from __future__ import annotations

from collections import Counter

from marsad.entities.features import token_features
from marsad.entities.lexicon import bare_forms

WINDOW = 10  # sentences before and after


def _keys(token: str) -> tuple[str, ...]:
    norm = token_features(token)[0]
    forms = bare_forms(norm)
    return forms[:1] + forms[1:2]  # the word and what it is under its longest clitic chain


def context_features(
    sentences: list[list[str]], first: list[list[str]], window: int = WINDOW
) -> list[list[list[str]]]:
    """Extra attributes per token of each sentence, from first-pass tags `first`."""
    keys = [[_keys(t) for t in toks] for toks in sentences]
    seen: list[Counter[tuple[str, str]]] = []  # per sentence: (key, type) → count
    for ks, tags in zip(keys, first, strict=True):
        c: Counter[tuple[str, str]] = Counter()
        for forms, tag in zip(ks, tags, strict=True):
            for f in forms:
                c[f, tag[2:] or "O"] += 1
        seen.append(c)
    out = []
    for s, (ks, tags) in enumerate(zip(keys, first, strict=True)):
        near: Counter[tuple[str, str]] = Counter()
        for j in range(max(0, s - window), min(len(sentences), s + window + 1)):
            near.update(seen[j])
        rows = []
        for i, (forms, tag) in enumerate(zip(ks, tags, strict=True)):
            row = ["p1=" + tag]
            if i > 0:
                row.append("p1-1=" + tags[i - 1])
            if i + 1 < len(tags):
                row.append("p1+1=" + tags[i + 1])
            for n, f in enumerate(forms):
                own = tag[2:] or "O"
                counts = {
                    t: near[f, t] - (t == own) for t in ("O", "PERS", "LOC", "ORG", "MISC")
                }
                named = {t: k for t, k in counts.items() if t != "O" and k > 0}
                if not named:
                    row.append(f"d{n}=none" if counts["O"] else f"d{n}=alone")
                    continue
                best = max(named, key=named.__getitem__)
                share = sum(named.values()) / (sum(named.values()) + counts["O"])
                row.append(f"d{n}={best}")
                row.append(f"d{n}s={best}{'+' if share >= 0.5 else '-'}")
            rows.append(row)
        out.append(rows)
    return out
