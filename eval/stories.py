"""Story clustering quality: B³ and pairwise P/R/F1 of marsad and of a tuned peer.

Data (third-party, read from ../shared/data, never copied):
  ant     the labelled ANT window (stories/ant_2018-03-12_13.json): its 242 articles, texts
          from ant/ant_v2.1.jsonl.gz by id, clustered in publish-time order. With --warm N
          the stream starts N days earlier (every ANT category), so IDF and open stories are
          as in a running system; only the labelled articles are scored.
  ecbplus ECB+ (English, 982 docs, 86 events). No publish times: every doc is undated, so
          the window never closes and docs stream in id order. The URL line that opens
          ECB+ documents is dropped; the next line is the title. Scored on all docs at once
          (43 topics, each with two similar events) and per topic (the mean over topics).

Peer: scikit-learn TF-IDF (the same stems) + average-link AgglomerativeClustering on cosine
distance, distance_threshold swept on the very data it is scored on; the best is reported.
So the peer is tuned on the test data, marsad runs with its shipped defaults.

    python eval/stories.py [--json] [--threshold T | --config TOML] [--warm DAYS] [--sweep]
    python eval/stories.py --days 2018-04-10 2018-04-12   # eyeball unlabelled days
    python eval/stories.py --build-background              # rewrite the shipped DF table
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.arabic import stems  # noqa: E402
from marsad.cluster import (  # noqa: E402
    BACKGROUND,
    ClusterConfig,
    Clusterer,
    article_terms,
    covered,
    stemmer_fingerprint,
)
from marsad.config import load_config  # noqa: E402
from marsad.model import Article  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
ANT = DATA / "ant" / "ant_v2.1.jsonl.gz"
ANT_WINDOW = DATA / "stories" / "ant_2018-03-12_13.json"
ECBPLUS = DATA / "ecbplus" / "ecbplus_docs.jsonl.gz"

Labels = dict[str, str]  # article id -> cluster label
Group = tuple[list[Article], Labels]


# --- data ---------------------------------------------------------------------------------
def ant_records(path: Path = ANT) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def record_texts(ids: set[str]) -> dict[str, str]:
    """The raw text of these ANT records, by id (labelled sets hold ids and offsets only)."""
    return {r["id"]: r["text"] for r in ant_records() if r["id"] in ids}


def ant_article(record: dict) -> Article:
    """An ANT record as the pipeline would store it: UTC time, outlet, paragraphs."""
    moment = email.utils.parsedate_to_datetime(record["time"]).astimezone(UTC)
    body = "\n\n".join(p.strip() for p in record["text"].split("\n") if p.strip())
    return Article(
        page_id=record["id"],
        position=0,
        title=record["title"],
        body=body,
        published=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        outlet=record["source"],
        source_id=record["id"],
    )


def records_file(directory: Path, keep: Callable[[dict], bool], name: str) -> Path:
    """ANT's raw records that `keep` accepts, as one JSON Lines file in `directory`
    (outside the repository), as a user would hand them to `marsad digest`."""
    path = directory / name
    with path.open("w", encoding="utf-8") as f:
        for record in ant_records():
            if keep(record):
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def window_file(directory: Path) -> Path:
    """The labelled window's raw records."""
    ids = {aid for s in json.loads(ANT_WINDOW.read_text("utf-8"))["stories"] for aid in s["ids"]}
    return records_file(directory, lambda record: record["id"] in ids, "ant_window.jsonl")


def ant_window(warm_days: float = 0.0) -> tuple[list[Article], Labels]:
    """The labelled window's articles (plus `warm_days` of every ANT article before it)."""
    spec = json.loads(ANT_WINDOW.read_text(encoding="utf-8"))
    gold = {aid: s["story"] for s in spec["stories"] for aid in s["ids"]}
    labelled = [ant_article(r) for r in ant_records() if r["id"] in gold]
    articles = list(labelled)
    if warm_days > 0:
        first = min(a.published for a in labelled)
        since = (datetime.fromisoformat(first) - timedelta(days=warm_days)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        articles += [
            a
            for r in ant_records()
            if r["id"] not in gold and since <= (a := ant_article(r)).published < first
        ]
    return articles, {a.id: gold[a.source_id] for a in labelled}


def ant_days(start: str, end: str, categories: set[str] | None = None) -> list[Article]:
    """Unlabelled ANT articles published in [start, end) (UTC dates), for stability checks."""
    return [
        a
        for r in ant_records()
        if (categories is None or r["category"] in categories)
        and start <= (a := ant_article(r)).published < end
    ]


def ecbplus() -> tuple[list[Article], Labels, dict[str, str]]:
    """ECB+ docs as undated articles, their event labels and their topics."""
    articles, gold, topic = [], {}, {}
    with gzip.open(ECBPLUS, "rt", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            lines = [x for x in doc["text_tokenized"].split("\n") if x.strip()]
            if lines and lines[0].startswith("http"):
                lines = lines[1:]
            a = Article(page_id=doc["doc"], position=0, title=lines[0], body="\n\n".join(lines[1:]))
            articles.append(a)
            gold[a.id] = doc["event_cluster"]
            topic[a.id] = str(doc["topic"])
    return articles, gold, topic


# --- the background document frequencies the clusterer ships -------------------------------
HELD_OUT = "201803"  # ANT ids end in YYYYMMDD: March 2018, the labelled window's month
MIN_DF = 3


def build_background(path: Path = BACKGROUND) -> dict:
    """Count stem document frequencies over ANT, March 2018 held out, into `path`.

    Only counts of stems seen in at least MIN_DF documents are written, no text.
    """
    df: Counter[str] = Counter()
    n_docs = 0
    for record in ant_records():
        if record["id"][-8:-2] == HELD_OUT:
            continue
        df.update(t for t in article_terms(ant_article(record)) if covered(t))
        n_docs += 1
    header = {
        "what": f"document frequency of stems (title + body), stems in >= {MIN_DF} documents",
        "source": "ANT corpus v2.1 (Chouigui et al., Apache-2.0), all but March 2018",
        "n_docs": n_docs,
        "stems": stemmer_fingerprint(),
    }
    rows = sorted(((t, n) for t, n in df.items() if n >= MIN_DF), key=lambda r: (-r[1], r[0]))
    text = json.dumps(header, ensure_ascii=False) + "\n"
    text += "".join(f"{t}\t{n}\n" for t, n in rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(text.encode("utf-8"))
    return {**header, "terms": len(rows), "bytes": path.stat().st_size}


# --- metrics ------------------------------------------------------------------------------
def scores(pred: Labels, gold: Labels) -> dict[str, float]:
    """B³ and pairwise precision/recall/F1 of `pred` on the items of `gold`."""
    pred_sets: dict[str, set[str]] = defaultdict(set)
    gold_sets: dict[str, set[str]] = defaultdict(set)
    for item, label in gold.items():
        gold_sets[label].add(item)
        pred_sets[pred[item]].add(item)
    p = r = 0.0
    for item in gold:
        both = len(pred_sets[pred[item]] & gold_sets[gold[item]])
        p += both / len(pred_sets[pred[item]])
        r += both / len(gold_sets[gold[item]])
    p, r = p / len(gold), r / len(gold)

    def pairs(sets: dict[str, set[str]]) -> int:
        return sum(len(s) * (len(s) - 1) // 2 for s in sets.values())

    common = sum(
        len(p & g) * (len(p & g) - 1) // 2 for p in pred_sets.values() for g in gold_sets.values()
    )
    pp = common / pairs(pred_sets) if pairs(pred_sets) else 1.0
    pr = common / pairs(gold_sets) if pairs(gold_sets) else 1.0
    return {
        "b3_p": p,
        "b3_r": r,
        "b3_f1": _f1(p, r),
        "pair_p": pp,
        "pair_r": pr,
        "pair_f1": _f1(pp, pr),
        "clusters": len({pred[i] for i in gold}),
        "gold": len(gold_sets),
    }


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


# --- systems ------------------------------------------------------------------------------
def ours(articles: list[Article], config: ClusterConfig | None = None) -> Labels:
    clusterer = Clusterer(config)
    clusterer.add(articles)
    return clusterer.assignments()


def peer(groups: list[Group], steps: int = 40) -> dict:
    """scikit-learn TF-IDF (the same stems, sublinear tf) + average-link agglomerative
    clustering on cosine distance; one distance threshold for all groups, swept on the gold
    itself: the best of the sweep, and the sweep."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    prepared = []
    for articles, gold in groups:
        docs = [a for a in articles if a.id in gold]
        vectorizer = TfidfVectorizer(analyzer=stems, sublinear_tf=True)
        prepared.append((docs, vectorizer.fit_transform([a.text for a in docs]).toarray(), gold))
    best: dict = {}
    curve = []
    for i in range(1, steps):
        threshold = i / steps
        results = []
        for docs, x, gold in prepared:
            labels = AgglomerativeClustering(
                n_clusters=None, metric="cosine", linkage="average", distance_threshold=threshold
            ).fit_predict(x)
            results.append(scores({a.id: str(k) for a, k in zip(docs, labels, strict=True)}, gold))
        result = mean(results)
        curve.append((threshold, round(result["b3_f1"], 4)))
        if not best or result["b3_f1"] > best["b3_f1"]:
            best = {**result, "distance_threshold": threshold}
    return {**best, "curve": curve}


def marsad(groups: list[Group], config: ClusterConfig) -> dict:
    started = time.perf_counter()
    result = mean([scores(ours(articles, config), gold) for articles, gold in groups])
    return {**result, "seconds": time.perf_counter() - started}


def mean(results: list[dict]) -> dict:
    """Scores averaged over groups; cluster counts added up."""
    out = {k: sum(r[k] for r in results) for k in results[0]}
    return {k: v / len(results) if isinstance(v, float) else v for k, v in out.items()}


# --- report -------------------------------------------------------------------------------
def datasets(warm_days: float) -> dict[str, list[Group]]:
    """Name -> groups of (articles, gold); each group is clustered on its own."""
    out: dict[str, list[Group]] = {}
    if ANT.exists() and ANT_WINDOW.exists():
        warm = f", {warm_days:g} days warm" if warm_days else ""
        out[f"ANT 2018-03-12..13{warm}"] = [ant_window(warm_days)]
    if ECBPLUS.exists():
        articles, gold, topic = ecbplus()
        out["ECB+ all docs"] = [(articles, gold)]
        by_topic: dict[str, list[Article]] = defaultdict(list)
        for a in articles:
            by_topic[topic[a.id]].append(a)
        out["ECB+ per topic (mean)"] = [
            (g, {a.id: gold[a.id] for a in g}) for g in by_topic.values()
        ]
    return out


def evaluate(config: ClusterConfig, warm_days: float, sweep: bool) -> dict:
    report: dict = {"config": {"threshold": config.threshold, "window_hours": config.window_hours}}
    for name, groups in datasets(warm_days).items():
        report[name] = {"marsad": marsad(groups, config), "peer": peer(groups)}
        if sweep:
            report[name]["marsad_curve"] = [
                (t, round(marsad(groups, replace(config, threshold=t))["b3_f1"], 4)) for t in SWEEP
            ]
    return report


SWEEP = [round(0.05 * i, 2) for i in range(3, 13)]
COLUMNS = ["b3_p", "b3_r", "b3_f1", "pair_p", "pair_r", "pair_f1", "clusters", "gold"]


def table(report: dict) -> str:
    config = report["config"]
    lines = [
        f"marsad: shipped defaults (threshold {config['threshold']}, window"
        f" {config['window_hours']:g} h); peer: distance threshold tuned on the gold itself",
        f"{'data':<34}{'system':<17}" + "".join(f"{c:>9}" for c in COLUMNS),
    ]
    for name, result in report.items():
        if name == "config":
            continue
        for system in ("marsad", "peer"):
            row = result[system]
            label = system if system == "marsad" else f"peer d={row['distance_threshold']:.3f}"
            cells = "".join(
                f"{row[c]:>9.3f}" if isinstance(row[c], float) else f"{row[c]:>9}" for c in COLUMNS
            )
            lines.append(f"{name:<34}{label:<17}{cells}")
        if "marsad_curve" in result:
            curve = "  ".join(f"{t:.2f}:{f:.3f}" for t, f in result["marsad_curve"])
            lines.append(f"{'':<34}{'marsad F1 vs th':<17}  {curve}")
    return "\n".join(lines)


def inspect(start: str, end: str, config: ClusterConfig, show: int = 8) -> str:
    """Unlabelled days: cluster sizes, the largest stories and a random sample of others."""
    import random

    articles = ant_days(start, end, {"internationalNews", "middleEast"})
    clusterer = Clusterer(config)
    clusterer.add(articles)
    by_id = {a.id: a for a in articles}
    stories = sorted(
        (s for sid in clusterer.story_ids() if (s := clusterer.story(sid))),
        key=lambda s: (-s.size, s.id),
    )
    sizes = Counter(min(s.size, 10) for s in stories)
    lines = [
        f"ANT {start}..{end} (international + middle east): {len(articles)} articles,"
        f" {len(stories)} stories; sizes (10 = 10+): "
        + ", ".join(f"{k}:{sizes[k]}" for k in sorted(sizes))
    ]
    multi = [s for s in stories if s.size > 1]
    sample = multi[:show] + random.Random(0).sample(multi[show:], min(show, len(multi[show:])))
    for s in sample:
        lines.append(f"- [{s.size}] {s.title}  ({', '.join(s.outlets)})")
        lines += [f"      {by_id[a].published[:16]} {by_id[a].title}" for a in s.article_ids[:6]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--threshold", type=float, default=ClusterConfig().threshold)
    parser.add_argument("--window-hours", type=float, default=ClusterConfig().window_hours)
    parser.add_argument("--config", type=Path, help="a marsad TOML config (its [cluster])")
    parser.add_argument("--warm", type=float, default=0.0, help="days of ANT streamed first")
    parser.add_argument("--sweep", action="store_true", help="also marsad's F1 vs threshold")
    parser.add_argument(
        "--build-background", action="store_true", help=f"rewrite {BACKGROUND.name} from ANT"
    )
    parser.add_argument(
        "--days", nargs=2, metavar=("START", "END"), help="inspect unlabelled ANT days instead"
    )
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"no data at {DATA}")
    if args.build_background:
        print(json.dumps(build_background(), ensure_ascii=False, indent=1))
        return
    config = ClusterConfig(threshold=args.threshold, window_hours=args.window_hours)
    if args.config:
        config = load_config(args.config).cluster
    if args.days:
        print(inspect(*args.days, config))
        return
    report = evaluate(config, args.warm, args.sweep)
    print(json.dumps(report, indent=1, ensure_ascii=False) if args.json else table(report))


if __name__ == "__main__":
    main()
