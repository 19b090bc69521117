"""Train the CRF recognizer on ANERcorp: `python -m marsad.entities.train`.

Reads "token TAG" lines (BIO, blank line between sentences) and writes the model that ships
in the package (`marsad/data/ner.crfsuite`). L1 keeps the model small: CRFsuite saves only
features whose weight is not zero.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pycrfsuite

from marsad.entities.context import context_features
from marsad.entities.features import sentence_features
from marsad.entities.recognize import CONTEXT_NAME

DEFAULT_TRAIN = (
    Path(__file__).resolve().parents[2].parent
    / "shared/data/anercorp/approx_train_first_4045_sents.txt"
)
MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "ner.crfsuite"
_TAGS = {"O", *(f"{b}-{t}" for b in "BI" for t in ("PERS", "LOC", "ORG", "MISC"))}

Sentence = tuple[list[str], list[str]]


def read_conll(path: Path) -> list[Sentence]:
    """Sentences of a "token TAG" file; a line with a tag we do not know is an error."""
    sents: list[Sentence] = []
    toks: list[str] = []
    tags: list[str] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split()
        # A lone direction mark is the only content of some ANERcorp lines: not a token.
        if not parts or parts == ["\u200f"]:
            if toks:
                sents.append((toks, tags))
                toks, tags = [], []
            continue
        tag = parts[-1]
        if tag not in _TAGS:
            raise ValueError(f"{path}:{n}: unknown tag {tag!r}")
        toks.append(" ".join(parts[:-1]) if len(parts) > 1 else parts[0])
        tags.append(tag)
    if toks:
        sents.append((toks, tags))
    return sents


def _fit(rows: list[tuple[list[list[str]], list[str]]], out: Path, params: dict) -> None:
    trainer = pycrfsuite.Trainer(verbose=False)
    for feats, tags in rows:
        trainer.append(feats, tags)
    trainer.set_params({**params, "feature.possible_transitions": True})
    out.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out))


def train(
    sents: list[Sentence],
    out: Path,
    *,
    c1: float = 0.15,
    c2: float = 0.05,
    iterations: int = 200,
    minfreq: int = 1,
    context: Path | None = None,
    folds: int = 4,
) -> None:
    """Fit L-BFGS with elastic-net regularization and write the model to `out`; with
    `context`, also the second-pass model, trained on jackknifed first-pass tags (each
    fold tagged by a model trained on the other folds)."""
    params = {"c1": c1, "c2": c2, "max_iterations": iterations, "feature.minfreq": minfreq}
    feats = [sentence_features(toks) for toks, _ in sents]
    _fit([(f, tags) for f, (_, tags) in zip(feats, sents, strict=True)], out, params)
    if context is None:
        return
    first: list[list[str]] = []
    size = -(-len(sents) // folds)
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(0, len(sents), size):
            rest = [
                (f, tags)
                for i, (f, (_, tags)) in enumerate(zip(feats, sents, strict=True))
                if not k <= i < k + size
            ]
            model = Path(tmp) / f"fold{k}.crfsuite"
            _fit(rest, model, params)
            tagger = pycrfsuite.Tagger()
            tagger.open(str(model))
            first.extend(tagger.tag(f) for f in feats[k : k + size])
            tagger.close()
    extra = context_features([toks for toks, _ in sents], first)
    rows = [
        ([r + x for r, x in zip(f, e, strict=True)], tags)
        for f, e, (_, tags) in zip(feats, extra, sents, strict=True)
    ]
    _fit(rows, context, params)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=Path, default=DEFAULT_TRAIN, help="ANERcorp train split")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--c1", type=float, default=0.15, help="L1 weight (sparsity, model size)")
    ap.add_argument("--c2", type=float, default=0.05, help="L2 weight")
    ap.add_argument("--iterations", type=int, default=200)
    ap.add_argument("--minfreq", type=int, default=1, help="drop rarer attributes")
    ap.add_argument(
        "--context",
        action="store_true",
        help=f"also train the second-pass model ({CONTEXT_NAME} beside --out)",
    )
    ap.add_argument("--folds", type=int, default=4, help="jackknife folds for the second pass")
    args = ap.parse_args(argv)
    if not args.train.is_file():
        raise SystemExit(f"training file not found: {args.train}")
    sents = read_conll(args.train)
    t0 = time.perf_counter()
    context = args.out.with_name(CONTEXT_NAME) if args.context else None
    train(
        sents,
        args.out,
        c1=args.c1,
        c2=args.c2,
        iterations=args.iterations,
        minfreq=args.minfreq,
        context=context,
        folds=args.folds,
    )
    size = args.out.stat().st_size / 1e6
    print(f"{len(sents)} sentences, {time.perf_counter() - t0:.0f}s, {args.out} {size:.2f} MB")


if __name__ == "__main__":
    main()
