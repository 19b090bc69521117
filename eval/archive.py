"""Stories over the whole ANT archive (Feb–Oct 2018), where a 2-day window cannot see chains.

    python eval/archive.py [--largest 25] [--sample N --out FILE] [--score FILE ...]

The records go through the pipeline's own path (read → extract), then stories and
storylines in a throwaway SQLite store, 1,024 articles per update in time order as ingest
does (the same result as any split). Printed: clustering throughput, stories, the share of
articles in stories of two or more, stories spanning more than 14 days, the share of
same-story pairs held by stories over 100 articles, the largest stories with their span and
first titles, and the largest storylines.

`--sample N --out FILE` draws N random same-story pairs (May 2018 left out: held out),
`--line-pairs N` same-storyline pairs of different stories; `--show FILE` prints them for
reading. The judged sets in eval/data (ids and our labels only) were made that way: 200
pairs drawn from the stories before the story-lifecycle change (commit b211e58) and 200
from after it, read by two judges (one per half of the shuffled union), labelled
«happening» (one happening or development), «affair» (different happenings of one
long-running affair) or «different»: `story_pairs.jsonl`; the 25 largest stories of each,
12 random members read per story (`largest_stories.jsonl`); 150 same-storyline pairs of
different stories (`storyline_pairs.jsonl`). `--score` prints the precision of each
sample and of the pairs the current stories and storylines put together.

`--judges` (no clustering) reads `story_pairs_strict.jsonl`: 100 random same-story pairs of
the labelled ANT window's gold (stories/ant_2018-03-12_13.json, dev data) and 60 pairs of
the «after» sample above, shuffled together and read again by two new judges, each alone,
with the issue's definitions (a story: one happening or development; a storyline: a
long-running affair). It prints how often the gold's own same-story pairs are one happening,
and how the judges agree with each other and with the first reading.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ANT = ROOT.parent / "shared/data/ant/ant_v2.1.jsonl.gz"
PAIRS = ROOT / "eval/data/story_pairs.jsonl"
LINE_PAIRS = ROOT / "eval/data/storyline_pairs.jsonl"
LARGEST = ROOT / "eval/data/largest_stories.jsonl"
STRICT = ROOT / "eval/data/story_pairs_strict.jsonl"

from marsad.cluster import timestamp, update_stories  # noqa: E402
from marsad.config import Config, load_config  # noqa: E402
from marsad.extract import extract  # noqa: E402
from marsad.model import Article, Page  # noqa: E402
from marsad.read import read  # noqa: E402
from marsad.store import Store, open_store  # noqa: E402

HELD_OUT = "2018-05"  # May 2018: never sampled or labelled
CHUNK = 1024  # articles per update, as ingest works off its queue


def _code_key() -> str:
    """Extraction code and data identify the cache of extracted articles."""
    digest = hashlib.sha256(str(ANT.stat().st_mtime_ns).encode())
    for path in sorted((ROOT / "marsad" / "extract").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def articles() -> list[Article]:
    """Every ANT article as ingest stores it (cached as JSON in the temp directory)."""
    cache = Path(tempfile.gettempdir()) / f"marsad-ant-articles-{_code_key()}.jsonl"
    if cache.exists():
        with cache.open(encoding="utf-8") as f:
            return [Article(**json.loads(line)) for line in f]
    out = []
    for page in read([ANT]):
        if isinstance(page, Page):
            out.extend(extract(page).articles)
    fields = ("page_id", "position", "title", "body", "published", "outlet", "source_id")
    with cache.open("w", encoding="utf-8") as f:
        for a in out:
            f.write(json.dumps({k: getattr(a, k) for k in fields}, ensure_ascii=False) + "\n")
    return out


class Result:
    """Stories and storylines of one run, read back from the store."""

    def __init__(self, store: Store) -> None:
        self.stories = {s.id: s for s in store.stories()}
        self.lines = {s.id: s.storyline for s in self.stories.values() if s.storyline}

    def assignments(self) -> dict[str, str]:
        return {a: s.id for s in self.stories.values() for a in s.article_ids}


def cluster(items: list[Article], config: Config) -> tuple[Result, float]:
    """Stories and storylines in a throwaway SQLite store, as ingest makes them."""
    with tempfile.TemporaryDirectory() as tmp, open_store(str(Path(tmp) / "a.db")) as store:
        started = time.perf_counter()
        for k in range(0, len(items), CHUNK):  # as ingest does: chunks in time order
            update_stories(store, items[k : k + CHUNK], config.cluster, config.storylines)
        seconds = time.perf_counter() - started
        return Result(store), seconds


def groups(result: Result) -> dict[str, list[str]]:
    return {sid: list(s.article_ids) for sid, s in result.stories.items()}


def report(items: list[Article], result: Result, seconds: float, largest: int) -> None:
    by_id = {a.id: a for a in items}
    stories = groups(result)
    multi = [ids for ids in stories.values() if len(ids) >= 2]
    in_multi = sum(map(len, multi))
    pairs = sum(len(ids) * (len(ids) - 1) // 2 for ids in multi)
    big = sum(len(ids) * (len(ids) - 1) // 2 for ids in multi if len(ids) > 100)
    days = {s: _span_days([by_id[a] for a in ids]) for s, ids in stories.items()}
    print(f"{len(items)} articles clustered in {seconds:.1f} s ({len(items) / seconds:.0f}/s)")
    print(f"stories: {len(stories)}, with 2+ articles: {len(multi)},"
          f" articles in them: {in_multi / len(items):.3f}")
    print(f"stories spanning > 14 days: {sum(d > 14 for d in days.values())};"
          f" same-story pairs: {pairs}, held by stories over 100 articles: {big / pairs:.3f}")
    for sid, ids in sorted(stories.items(), key=lambda kv: -len(kv[1]))[:largest]:
        members = sorted((by_id[a] for a in ids), key=lambda a: a.published or "")
        titles = " | ".join(a.title[:50] for a in members[:3])
        print(f"  {len(ids):4} {days[sid]:5.1f} d  {members[0].published[:10]}  {titles}")


def lines(result: Result, by_id: dict[str, Article], largest: int) -> None:
    """Storylines: how many, how big, and the largest with their stories' titles."""
    members: dict[str, list[str]] = defaultdict(list)
    for story, line in result.lines.items():
        members[line].append(story)
    linked = sum(map(len, members.values()))
    print(f"storylines: {len(members)}, holding {linked} of {len(result.stories)} stories")
    for stories in sorted(members.values(), key=len, reverse=True)[: largest // 2]:
        ordered = sorted((result.stories[s] for s in stories), key=lambda s: s.start or "")
        arts = sum(s.size for s in ordered)
        print(f"  {len(stories):4} stories {arts:5} articles  {ordered[0].start[:10]}"
              f" .. {ordered[-1].start[:10]}  " + " | ".join(s.title[:40] for s in ordered[:4]))


def _span_days(members: list[Article]) -> float:
    times = [t for a in members if (t := timestamp(a.published)) < float("inf")]
    return (max(times) - min(times)) / 86400 if times else 0.0


def sample(items: list[Article], result: Result, n: int, seed: int) -> list[dict]:
    """N random same-story pairs, both articles outside the held-out month."""
    by_id = {a.id: a for a in items}
    pool = []
    for ids in groups(result).values():
        ids = sorted(i for i in ids if not (by_id[i].published or "").startswith(HELD_OUT))
        pool.extend((a, b) for k, a in enumerate(ids) for b in ids[k + 1 :])
    rng = random.Random(seed)
    return [{"a": a, "b": b} for a, b in rng.sample(pool, min(n, len(pool)))]


def line_sample(items: list[Article], result: Result, n: int, seed: int) -> list[dict]:
    """N random pairs of articles in one storyline but different stories (May left out)."""
    by_id = {a.id: a for a in items}
    members: dict[str, list[str]] = defaultdict(list)
    for aid, story in sorted(result.assignments().items()):
        line = result.lines.get(story)
        if line and not (by_id[aid].published or "").startswith(HELD_OUT):
            members[line].append(aid)
    assign, pool = result.assignments(), []
    for ids in members.values():
        pool.extend((a, b) for k, a in enumerate(ids) for b in ids[k + 1 :]
                    if assign[a] != assign[b])  # fmt: skip
    rng = random.Random(seed)
    return [{"a": a, "b": b} for a, b in rng.sample(pool, min(n, len(pool)))]


def score(path: Path, result: Result | None) -> None:
    """Judged pairs: the precision of each sample they were drawn from (labels alone), then
    of the pairs the current stories (and storylines) put together."""
    judged = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for name in sorted({s for j in judged for s in j.get("samples", [])}):
        drawn = [j for j in judged if name in j["samples"]]
        strict = sum(j["label"] == "happening" for j in drawn) / len(drawn)
        loose = sum(j["label"] != "different" for j in drawn) / len(drawn)
        print(f"{path.name}, sample {name!r} ({len(drawn)} pairs): same happening {strict:.3f},"
              f" same happening or affair {loose:.3f}")
    if result is None:
        return
    assign, lines = result.assignments(), result.lines
    for level, good in (("story", {"happening"}), ("storyline", {"happening", "affair"})):
        together = [
            j for j in judged
            if j["a"] in assign and j["b"] in assign
            and _level(assign, lines, j["a"], level) == _level(assign, lines, j["b"], level)
        ]  # fmt: skip
        right = sum(j["label"] in good for j in together)
        print(f"{path.name}: now in one {level}: {len(together)} of {len(judged)},"
              f" precision {right / max(len(together), 1):.3f}")


def largest_judged(path: Path) -> None:
    """The judged largest stories of each sample: labels and the share on one happening."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for name in sorted({r["sample"] for r in rows}):
        mine = [r for r in rows if r["sample"] == name]
        counts = {k: sum(r["label"] == k for r in mine) for k in ("happening", "affair", "mixed")}
        main = sum(r["main_of_12"] for r in mine) / len(mine)
        print(f"{path.name}, {len(mine)} largest stories of {name!r}: {counts},"
              f" mean {main:.2f} of 12 shown on the main happening")


def judges(path: Path = STRICT, first: Path = PAIRS) -> None:
    """The second reading: one happening among the gold's pairs, and agreement."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    before = {(j["a"], j["b"]): j["label"] for j in map(json.loads, first.open(encoding="utf-8"))}
    for name in sorted({r["set"] for r in rows}):
        mine = [r for r in rows if r["set"] == name]
        shares = [sum(r["labels"][k] == "happening" for r in mine) / len(mine) for k in (0, 1)]
        agree = sum(len(set(r["labels"])) == 1 for r in mine) / len(mine)
        line = (f"{path.name}, {name!r} ({len(mine)} pairs): one happening"
                f" {shares[0]:.3f} / {shares[1]:.3f} (two judges), judges agree {agree:.3f}")
        if old := [before[r["a"], r["b"]] for r in mine if (r["a"], r["b"]) in before]:
            first_share = sum(label == "happening" for label in old) / len(old)
            same = [sum((r["labels"][k] == "happening") == (before[r["a"], r["b"]] == "happening")
                        for r in mine) / len(mine) for k in (0, 1)]  # fmt: skip
            line += (f"; first reading: one happening {first_share:.3f},"
                     f" same strict call {same[0]:.3f} / {same[1]:.3f}")
        print(line)


def developments_report(items: list[Article], result: Result) -> None:
    """Stories split into developments (marsad.cluster.developments): the judged pairs
    still in one development, and the share of articles in developments of two or more."""
    from marsad.cluster.developments import developments

    by_id = {a.id: a for a in items}
    where: dict[str, tuple[str, int]] = {}
    for sid, ids in groups(result).items():
        for k, dev in enumerate(developments([by_id[a] for a in ids])):
            where.update((a, (sid, k)) for a in dev.article_ids)
    sizes = Counter(where.values())
    paired = sum(n for n in sizes.values() if n >= 2) / len(where)
    judged = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line]
    together = [j for j in judged if j["a"] in where and where[j["a"]] == where.get(j["b"])]
    right = sum(j["label"] == "happening" for j in together)
    print(f"developments: {len(sizes)}, articles in developments of 2+: {paired:.3f};"
          f" {PAIRS.name} in one development: {len(together)}, one happening"
          f" {right / max(len(together), 1):.3f}")  # fmt: skip


def _level(assign: dict[str, str], lines: dict[str, str], aid: str, level: str) -> str:
    story = assign[aid]
    return story if level == "story" else lines.get(story, story)


def show(path: Path, by_id: dict[str, Article]) -> None:
    """Pairs (`{"a", "b"}`) or stories (a list of ids per line), as a judge reads them."""
    rng = random.Random(5)
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        item = json.loads(line)
        ids = [item["a"], item["b"]] if isinstance(item, dict) else item
        print(f"=== {n}" + (f" ({len(ids)} articles, 12 shown)" if len(ids) > 2 else ""))
        shown = ids if len(ids) <= 12 else sorted(rng.sample(ids, 12))
        for aid in sorted(shown, key=lambda i: by_id[i].published or ""):
            a = by_id[aid]
            lead = " ".join(a.body.split())[: 300 if len(ids) == 2 else 0]
            print(f"  [{aid}] {a.published} {a.outlet}: {a.title}")
            if lead:
                print(f"     {lead}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--largest", type=int, default=25)
    parser.add_argument("--sample", type=int, default=0, help="draw N same-story pairs")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, help="where --sample writes the pairs")
    parser.add_argument("--score", type=Path, nargs="*", default=None,
                        help=f"judged pair files [default: {PAIRS.name}, {LINE_PAIRS.name}]")
    parser.add_argument("--largest-out", type=Path, help="write the largest stories' ids")
    parser.add_argument("--show", type=Path, help="print a pair or story file for judging")
    parser.add_argument("--config", type=Path, help="a marsad TOML config")
    parser.add_argument("--developments", action="store_true",
                        help="also split the stories into developments and score them")
    parser.add_argument("--judges", action="store_true",
                        help=f"score {STRICT.name} (the second reading) and stop")
    parser.add_argument("--line-pairs", type=int, default=0,
                        help="draw N same-storyline pairs of different stories (to --out)")
    args = parser.parse_args()
    if args.judges:
        return judges()
    if not ANT.exists():
        sys.exit(f"no data at {ANT}")
    items = sorted(articles(), key=lambda a: (timestamp(a.published), a.id))
    if args.show:
        return show(args.show, {a.id: a for a in items})
    result, seconds = cluster(items, load_config(args.config))
    report(items, result, seconds, args.largest)
    lines(result, {a.id: a for a in items}, args.largest)
    if args.developments:
        developments_report(items, result)
    for path in args.score if args.score is not None else [PAIRS, LINE_PAIRS]:
        if path.exists():
            score(path, result)
    if LARGEST.exists():
        largest_judged(LARGEST)
    if args.largest_out:
        biggest = sorted(groups(result).values(), key=len, reverse=True)[: args.largest]
        args.largest_out.write_text("".join(json.dumps(sorted(ids)) + "\n" for ids in biggest))
    if args.sample or args.line_pairs:
        pairs = (sample(items, result, args.sample, args.seed) if args.sample
                 else line_sample(items, result, args.line_pairs, args.seed))  # fmt: skip
        text = "".join(json.dumps(p) + "\n" for p in pairs)
        (args.out.write_text(text) if args.out else sys.stdout.write(text))


if __name__ == "__main__":
    main()
