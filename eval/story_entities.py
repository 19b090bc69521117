"""Top entities of the dev window's largest stories, for reading junk by eye.

Data (third-party, read from ../shared/data, never copied): every ANT record published
2018-03-12..13 (UTC; 403 records, all categories), ingested into a throwaway store with the
shipped defaults, as `marsad ingest` would. The `--stories` largest stories are listed with
their `--top` entities as `story_entities` (the digest's step) finds them.

    python eval/story_entities.py [--stories 8] [--top 15] [--json] [--model PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from stories import ANT, ant_article, ant_records  # noqa: E402

from marsad.entities import recognize, story_entities  # noqa: E402
from marsad.pipeline import ingest  # noqa: E402
from marsad.store import open_store  # noqa: E402

WINDOW = ("2018-03-12", "2018-03-14")  # [first day, day after the last)


def window_stories(n: int) -> list[tuple[str, list]]:
    """(title, articles) of the window's `n` largest stories, after a fresh ingest."""
    with tempfile.TemporaryDirectory() as tmp:
        pages = Path(tmp) / "window.jsonl"
        with pages.open("w", encoding="utf-8") as f:
            for r in ant_records():
                if WINDOW[0] <= ant_article(r).published < WINDOW[1]:
                    f.write(json.dumps(r, ensure_ascii=False) + "\n")
        with open_store(str(Path(tmp) / "window.db")) as store:
            ingest([pages], store)
            stories = sorted(store.stories(), key=lambda s: (-len(s.article_ids), s.id))[:n]
            return [(s.title, list(store.articles(s.article_ids))) for s in stories]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stories", type=int, default=8)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--model", type=Path, help="tag with this model instead of the shipped one")
    args = ap.parse_args()
    if args.model:
        recognize.MODEL_PATH = args.model
    if not ANT.is_file():
        raise SystemExit(f"ANT corpus not found: {ANT}")
    out = []
    t0 = time.perf_counter()
    for title, articles in window_stories(args.stories):
        top = [e.to_dict() for e in story_entities(articles)[: args.top]]
        out.append({"title": title, "articles": len(articles), "entities": top})
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return
    for k, s in enumerate(out, 1):
        print(f"\nS{k} ({s['articles']} articles) {s['title']}")
        for j, e in enumerate(s["entities"], 1):
            variants = " / ".join(v for v in e["variants"][:4] if v != e["name"])
            print(f"{j:>3} {e['type']:<13}{e['count']:>4}  {e['name']}  [{variants}]")
    print(f"\n{time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
