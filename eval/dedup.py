"""Duplicate detection on real news: SaudiNewsNet (exact bodies, wire copies) and ANT.

    python eval/dedup.py [--corpus saudinewsnet|ant|all] [--sample 12] [--seed 0]

SaudiNewsNet
  (a) the data README's numbers recomputed, to pin their definitions;
  (b) the index over all 31,030 articles in date order: exact and near pairs, duplicate
      groups, groups spanning outlets, and whether every README copy group is found;
  (c) recall against brute force (all pairs, exact shingle containment) on a 4-day window;
  (d) shingle size: how well containment and Jaccard of k-word shingles rank pairs that
      reuse whole sentences (normalized, verbatim) above pairs that do not (ROC AUC), on pairs
      with shared vocabulary from the same window;
  (e) the similarity histogram of near pairs and a random sample printed for inspection.
ANT: exact and near pairs, and how many join two outlets.
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad import arabic  # noqa: E402
from marsad.dedup import DedupConfig, DuplicateIndex, duplicate_groups  # noqa: E402
from marsad.dedup.index import chronological, epoch_seconds, shingle_hashes  # noqa: E402
from marsad.model import Article, DuplicatePair  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SAUDINEWSNET = DATA / "saudinewsnet" / "saudinewsnet.jsonl.gz"
ANT = DATA / "ant" / "ant_v2.1.jsonl.gz"


# --- data ---------------------------------------------------------------------------------
def _records(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        yield from (json.loads(line) for line in f)


def saudinewsnet_records() -> list[dict]:
    return list(_records(SAUDINEWSNET))


def saudinewsnet_articles(records: list[dict] | None = None) -> list[Article]:
    """One article per record, id = record number; `date_extracted` is the only date."""
    return [
        Article(
            page_id=f"snn{i:05d}",
            position=0,
            title=r["title"],
            body=r["content"],
            published=r["date_extracted"].replace(" ", "T"),
            outlet=r["source"],
            url=r["url"],
        )
        for i, r in enumerate(records or saudinewsnet_records())
    ]


def ant_articles() -> list[Article]:
    """ANT records with their times in UTC, so that dates of all outlets sort together."""
    return [
        Article(
            page_id=r["id"],
            position=0,
            title=r["title"],
            body=r["text"],
            published=email.utils.parsedate_to_datetime(r["time"])
            .astimezone(UTC)
            .strftime("%Y-%m-%dT%H:%M:%S"),
            outlet=r["source"],
            url=r["url"],
        )
        for r in _records(ANT)
    ]


# --- measures -----------------------------------------------------------------------------
def run_index(articles: list[Article], config: DedupConfig) -> tuple[list[DuplicatePair], float]:
    index = DuplicateIndex(config)
    start = time.perf_counter()
    pairs = [p for a in sorted(articles, key=chronological) for p in index.add(a)]
    return pairs, time.perf_counter() - start


def group_stats(pairs: list[DuplicatePair], outlet: dict[str, str | None]) -> dict:
    groups = duplicate_groups(pairs)
    cross = [g for g in groups if len({outlet[x] for x in g}) > 1]
    return {
        "groups": len(groups),
        "articles_in_groups": sum(map(len, groups)),
        "cross_outlet_groups": len(cross),
        "group_sizes": dict(sorted(Counter(map(len, groups)).items())),
    }


def pair_stats(pairs: list[DuplicatePair], outlet: dict[str, str | None]) -> dict:
    return {
        kind: {
            "pairs": sum(p.kind == kind for p in pairs),
            "cross_outlet_pairs": sum(p.kind == kind and outlet[p.a] != outlet[p.b] for p in pairs),
        }
        for kind in ("exact", "near")
    }


def readme_numbers(records: list[dict], articles: list[Article], pairs: list[DuplicatePair]):
    """The data README's 929 and 42, recomputed, and whether the index finds those groups."""
    bodies = [r["content"].strip() for r in records]
    by_body: dict[str, list[int]] = {}
    for i, body in enumerate(bodies):
        by_body.setdefault(body, []).append(i)
    copies = [ids for body, ids in by_body.items() if body and len(ids) > 1]
    cross = [ids for ids in copies if len({records[i]["source"] for i in ids}) > 1]
    group_of = {x: n for n, g in enumerate(duplicate_groups(pairs)) for x in g}

    def found(ids: list[int]) -> bool:
        members = {group_of.get(articles[i].id) for i in ids}
        return len(members) == 1 and None not in members

    return {
        "records_minus_distinct_stripped_bodies": len(records) - len(by_body),
        "of_which_empty_bodies": len(by_body.get("", [])) - 1,
        "identical_nonempty_bodies_surplus": sum(len(ids) - 1 for ids in copies),
        "cross_outlet_identical_groups": len(cross),
        "cross_outlet_identical_groups_found": sum(map(found, cross)),
        "identical_groups_found": sum(map(found, copies)),
        "identical_groups": len(copies),
    }


def window(articles: list[Article], days: int = 4, skip: int = 5) -> list[Article]:
    dates = sorted({a.published[:10] for a in articles})
    wanted = set(dates[skip : skip + days])
    return [a for a in articles if a.published[:10] in wanted]


def brute_force_overlaps(articles: list[Article], k: int, min_tokens: int):
    """All pairs sharing a k-shingle: (i, j, shared, size_i, size_j), by sparse product."""
    from scipy.sparse import csr_matrix

    toks = [arabic.tokens(a.body) for a in articles]
    keep = [i for i, t in enumerate(toks) if len(t) >= min_tokens]
    shingles = [shingle_hashes(toks[i], k) for i in keep]
    _, columns = np.unique(np.concatenate(shingles), return_inverse=True)
    rows = np.repeat(np.arange(len(keep)), [s.size for s in shingles])
    incidence = csr_matrix((np.ones(rows.size, dtype=np.float32), (rows, columns)))
    common = (incidence @ incidence.T).tocoo()
    upper = common.row < common.col
    sizes = np.array([s.size for s in shingles])
    x, y = common.row[upper], common.col[upper]
    keep_arr = np.array(keep)
    return keep_arr[x], keep_arr[y], common.data[upper], sizes[x], sizes[y]


def recall(articles: list[Article], config: DedupConfig) -> dict:
    """Share of brute-force copy pairs that the index puts in one duplicate group."""
    i, j, shared, si, sj = brute_force_overlaps(articles, config.shingle, config.min_tokens)
    small, large = np.minimum(si, sj), np.maximum(si, sj)
    copy = (small >= config.min_ratio * large) & (shared >= config.threshold * small)
    if config.max_days is not None:
        when = np.array([epoch_seconds(a.published) for a in articles], dtype=float)
        copy &= ~(np.abs(when[i] - when[j]) > config.max_days * 86400)  # undated pairs stay
    pairs, seconds = run_index(articles, config)
    group_of = {x: n for n, g in enumerate(duplicate_groups(pairs)) for x in g}
    truth = [(articles[a].id, articles[b].id) for a, b in zip(i[copy], j[copy], strict=True)]
    hits = sum(a in group_of and group_of[a] == group_of.get(b) for a, b in truth)
    found = {x for p in pairs for x in (p.a, p.b)}
    in_truth = {x for pair in truth for x in pair}
    return {
        "articles": len(articles),
        "brute_force_pairs": len(truth),
        "recall_same_group": round(hits / max(len(truth), 1), 4),
        "articles_flagged_outside_brute_force": len(found - in_truth),
        "index_articles_per_s": round(len(articles) / seconds),
    }


def shingle_choice(articles: list[Article], n_pairs: int, seed: int) -> dict:
    """ROC AUC of containment and Jaccard per shingle size against verbatim sentence reuse."""
    from sklearn.metrics import roc_auc_score

    i, j, shared, si, sj = brute_force_overlaps(articles, 1, 10)
    same_words = np.flatnonzero(shared >= 0.5 * np.minimum(si, sj))
    rng = random.Random(seed)
    chosen = rng.sample(list(same_words), min(n_pairs, len(same_words)))
    toks = {x: arabic.tokens(articles[x].body) for p in chosen for x in (i[p], j[p])}
    sents = {
        x: [" ".join(arabic.tokens(s)) for s in arabic.sentences(articles[x].body)] for x in toks
    }

    def reuse(a: int, b: int) -> float:
        """Share of the shorter text's sentences found verbatim (normalized) in the other."""
        short, other = sorted((sents[a], sents[b]), key=len)
        return sum(s in set(other) for s in short) / max(len(short), 1)

    label = np.array([reuse(i[p], j[p]) >= 0.5 for p in chosen])
    out: dict = {"pairs": len(chosen), "reuse_pairs": int(label.sum())}
    for k in range(1, 7):
        contain, jacc = [], []
        for p in chosen:
            a, b = shingle_hashes(toks[i[p]], k), shingle_hashes(toks[j[p]], k)
            n = np.intersect1d(a, b, assume_unique=True).size
            contain.append(n / max(min(a.size, b.size), 1))
            jacc.append(n / max(a.size + b.size - n, 1))
        out[f"k={k}"] = {
            "containment_auc": round(roc_auc_score(label, contain), 3),
            "jaccard_auc": round(roc_auc_score(label, jacc), 3),
        }
    return out


def histogram(pairs: list[DuplicatePair], config: DedupConfig) -> dict[str, int]:
    edges = np.round(np.arange(config.threshold, 1.0001, 0.05), 2)
    counts, _ = np.histogram([p.similarity for p in pairs if p.kind == "near"], np.r_[edges, 1.01])
    return {f"{lo:.2f}": int(c) for lo, c in zip(edges, counts, strict=True)}


def show_sample(pairs: list[DuplicatePair], by_id: dict[str, Article], n: int, seed: int):
    near = [p for p in pairs if p.kind == "near"]
    for p in random.Random(seed).sample(near, min(n, len(near))):
        a, b = by_id[p.a], by_id[p.b]
        print(f"\n  {p.similarity:.2f}  {a.outlet} {a.published} -> {b.outlet} {b.published}")
        print(f"    shared {len(p.shared)}, added by a {len(p.added_a)}, by b {len(p.added_b)}")
        for label, lines in (("shared", p.shared), ("a adds", p.added_a), ("b adds", p.added_b)):
            if lines:
                print(f"    {label}: {lines[0][:110]}")


# --- report -------------------------------------------------------------------------------
def saudinewsnet(config: DedupConfig, sample: int, seed: int) -> dict:
    records = saudinewsnet_records()
    articles = saudinewsnet_articles(records)
    outlet = {a.id: a.outlet for a in articles}
    pairs, seconds = run_index(articles, config)
    exact = [p for p in pairs if p.kind == "exact"]
    result = {
        "articles": len(articles),
        "seconds": round(seconds, 1),
        "articles_per_s": round(len(articles) / seconds),
        "readme": readme_numbers(records, articles, pairs),
        "pairs": pair_stats(pairs, outlet),
        "exact_groups": group_stats(exact, outlet),
        "all_groups": group_stats(pairs, outlet),
        "near_similarity_histogram": histogram(pairs, config),
        "recall_window": recall(window(articles), config),
        "shingle_choice": shingle_choice(window(articles), 4000, seed),
    }
    if sample:
        print(f"SaudiNewsNet: {sample} random near pairs (similarity, a = earlier copy)")
        show_sample(pairs, {a.id: a for a in articles}, sample, seed)
        print()
    return result


def ant(config: DedupConfig) -> dict:
    articles = ant_articles()
    outlet = {a.id: a.outlet for a in articles}
    pairs, seconds = run_index(articles, config)
    return {
        "articles": len(articles),
        "articles_per_s": round(len(articles) / seconds),
        "pairs": pair_stats(pairs, outlet),
        "all_groups": group_stats(pairs, outlet),
        "near_similarity_histogram": histogram(pairs, config),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["saudinewsnet", "ant", "all"], default="all")
    parser.add_argument("--sample", type=int, default=12, help="near pairs to print")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    config = DedupConfig()
    derived = {"lsh_threshold": round(config.lsh_threshold, 4), "bands_rows": config.bands_rows}
    results: dict = {"config": asdict(config) | derived}
    if args.corpus in ("saudinewsnet", "all") and SAUDINEWSNET.is_file():
        results["saudinewsnet"] = saudinewsnet(config, args.sample, args.seed)
    if args.corpus in ("ant", "all") and ANT.is_file():
        results["ant"] = ant(config)
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
