"""Word vectors from the ANT corpus for the neural tagger: `python -m marsad.entities.embed`.

ANERcorp's 4,045 sentences see too few words; skip-gram vectors learned on ANT (Apache-2.0,
normalized CRF tokens) tell the tagger that an unseen علييف sits where family names sit.
Needs gensim (the `train` extra); writes a word2vec text file used only for training.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from marsad.entities.corpus import DEFAULT_ANT, paragraphs


def build(ant: Path, out: Path, dim: int = 100, epochs: int = 5) -> None:
    from gensim.models import Word2Vec

    sentences = [p for p in paragraphs(ant) if p]
    model = Word2Vec(
        sentences,
        vector_size=dim,
        window=5,
        min_count=3,
        sg=1,
        negative=5,
        workers=2,
        epochs=epochs,
        seed=13,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    model.wv.save_word2vec_format(str(out))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ant", type=Path, default=DEFAULT_ANT)
    ap.add_argument("--out", type=Path, required=True, help="word2vec text file")
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--epochs", type=int, default=5)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    build(args.ant, args.out, args.dim, args.epochs)
    print(f"{args.out} {time.perf_counter() - t0:.0f}s")


if __name__ == "__main__":
    main()
