"""Word classes from unlabelled news: words that occur in like contexts share a class.

ANERcorp is small, so most names in new text were never seen in training; their class (a
k-means cluster of left/right-neighbour profiles over the ANT corpus) tells the CRF that
an unseen علييف keeps company like other family names. Built once, offline:

    python -m marsad.entities.wordclass [--ant PATH]   # needs scikit-learn (test extra)
"""

from __future__ import annotations

import gzip
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np

from marsad.entities.corpus import DATA, build_command, load_table, paragraphs

CLASSES = DATA / "gazetteer_wordclass.tsv.gz"


@lru_cache(maxsize=1)
def word_classes() -> dict[str, str]:
    """Normalized word → class id; empty when the table is not shipped."""
    return load_table(CLASSES)


def build(
    ant: Path,
    out: Path,
    *,
    words: int = 40000,
    contexts: int = 3000,
    ks: tuple[int, ...] = (400, 1500),
) -> None:
    """Cluster the `words` most frequent ANT words by their neighbours, once per size in
    `ks` (coarse and fine classes); a word's class ids are joined by "/"."""
    from scipy.sparse import coo_matrix
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD

    freq: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for toks in paragraphs(ant):
        freq.update(toks)
        pairs.update(zip(toks, toks[1:], strict=False))
    vocab = [w for w, n in freq.most_common(words) if n >= 5]
    row = {w: i for i, w in enumerate(vocab)}
    col = {w: i for i, (w, _) in enumerate(freq.most_common(contexts))}
    r, c, v = [], [], []
    for (a, b), n in pairs.items():
        if a in row and b in col:  # right neighbour b of word a
            r.append(row[a])
            c.append(contexts + col[b])
            v.append(n)
        if b in row and a in col:  # left neighbour a of word b
            r.append(row[b])
            c.append(col[a])
            v.append(n)
    m = coo_matrix((np.log1p(v), (r, c)), shape=(len(vocab), 2 * contexts)).tocsr()
    x = TruncatedSVD(100, random_state=0).fit_transform(m)
    x /= np.linalg.norm(x, axis=1, keepdims=True) + 1e-9
    labels = [
        MiniBatchKMeans(k, random_state=0, n_init=3, batch_size=4096).fit_predict(x) for k in ks
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as f:
        for i, w in enumerate(vocab):
            f.write(w + "\t" + "/".join(str(lab[i]) for lab in labels) + "\n")


def main(argv: list[str] | None = None) -> None:
    build_command(__doc__, CLASSES, build, argv)


if __name__ == "__main__":
    main()
