"""Claim alignment against our labelled cross-outlet sentence pairs.

    python eval/alignment.py [--show-errors]

eval/data/claim_pairs.jsonl holds 577 pairs of sentences from different outlets of one
story, by record id (ANT) or seed file name and character offsets (no text is stored), with
a label read by a helper session: same (a reader citing the fact cites both), update
(preview and outcome), conflict (same claim, numbers or places disagree), related (same
story, another claim), unrelated. Pairs come from 45 same-event groups of the dev window
(ANT 2018-03-12..13) and the seeds (eval/data/claim_groups.json); whole groups are train or
test (15 of 45, and the seeds, are test).

The score: `claims.align` over each group's articles; a "same" pair is found when both
sentences land in one claim, and precision is over the labelled pairs put together (a
related, update or conflict pair in one claim is an error). A labelled span is located as
the article sentence covering most of its words.

Citations by article (issue 12's measure: does a summary sentence cite every article that
states it, and only those?): eval/data/citations.jsonl holds the summary sentences of the same
groups (276 facts, by record id or seed file and character offsets) and, for every article of
the group, a label read by a helper session: yes (a reader would accept it as a source), part
(a minor element only), conflict (the same happening with a figure or date that disagrees),
no. A fact's citations are the articles of the claim its sentence is in; its own article is
left out of the count. Precision counts only `yes` as right.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad import arabic  # noqa: E402
from marsad.claims import Claim, ClaimsConfig, align, article_sentences, source_of  # noqa: E402
from marsad.extract import extract  # noqa: E402
from marsad.model import Article, Page  # noqa: E402
from marsad.summarize import summarize  # noqa: E402

PAIRS = ROOT / "eval" / "data" / "claim_pairs.jsonl"
CITES = ROOT / "eval" / "data" / "citations.jsonl"
GROUPS = ROOT / "eval" / "data" / "claim_groups.json"
DATA = ROOT.parent / "shared" / "data"
ANT = DATA / "ant" / "ant_v2.1.jsonl.gz"
SEEDS = DATA / "seeds"
SEED_OUTLET = {"000": "seedA", "001": "seedA", "002": "seedB", "003": "seedC", "004": "seedD"}


def load() -> tuple[list[dict], dict[str, list[Article]], dict[str, str]] | None:
    """Pairs, each group's articles, and the raw text of every record; None without data."""
    if not ANT.exists() or not SEEDS.exists():
        return None
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    groups = json.loads(GROUPS.read_text(encoding="utf-8"))
    wanted = {r for g in groups.values() for r in g["records"]}
    texts: dict[str, str] = {}
    articles: dict[str, list[Article]] = {}
    with gzip.open(ANT, "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if rec["id"] in wanted:
                texts[rec["id"]] = rec["text"]
                body = "\n\n".join(p for p in rec["text"].split("\n") if p.strip())
                articles[rec["id"]] = [
                    Article(rec["id"], 0, rec.get("title") or "", body, outlet=rec["source"])
                ]
    for path in sorted(SEEDS.glob("*.txt")):
        texts[path.name] = path.read_text(encoding="utf-8")
        page = Page(texts[path.name], "text", str(path))
        outlet = SEED_OUTLET[path.name[:3]]
        articles[path.name] = [replace(a, outlet=outlet) for a in extract(page).articles]
    by_group = {
        name: [a for r in g["records"] for a in articles.get(r, [])] for name, g in groups.items()
    }
    for pair in pairs:
        for side in ("a", "b"):
            s = pair[side]
            s["text"] = texts[s["id"]][s["start"] : s["end"]]
    return pairs, by_group, texts


def load_facts(texts: dict[str, str]) -> list[dict]:
    """The labelled facts, each with its span's text."""
    facts = [json.loads(line) for line in CITES.read_text(encoding="utf-8").splitlines()]
    for fact in facts:
        fact["text"] = texts[fact["id"]][fact["start"] : fact["end"]]
    return facts


def article_key(article: Article) -> str:
    """How citations.jsonl names an article: its record or seed file, # its place on the page."""
    source = Path(article.source_path).name if article.source_path else article.page_id
    return f"{source}#{article.id.rsplit('-', 1)[1]}"


def fact_citations(facts: list[dict], by_group: dict[str, list[Article]], config: ClaimsConfig,
                   split: str) -> dict[str, tuple[float, float, float]]:  # fmt: skip
    """P/R/F1 of the articles (and outlets) cited for each labelled fact of `split`: those of
    the claim holding the fact's sentence (the claim most outlets state when it is in two)."""
    counts = {"article": [0, 0, 0], "outlet": [0, 0, 0]}  # right, cited, stating
    for group in sorted({f["group"] for f in facts if f["split"] == split}):
        articles = by_group[group]
        claims = align(articles, config)
        where = _claims_of(claims)
        key = {a.id: article_key(a) for a in articles}
        outlet = {article_key(a): source_of(a) for a in articles}
        for fact in facts:
            if fact["group"] != group or fact["split"] != split:
                continue
            own = [(a.id, i) for a in articles if key[a.id].split("#")[0] == fact["id"]
                   if (i := _sentence_index(a, fact["text"])) is not None]  # fmt: skip
            held = sorted({c for x in own for c in where.get(x, ())},
                          key=lambda c: -len(claims[c].sources))  # fmt: skip
            home = {key[aid] for aid, _ in own}
            cited = {key[aid] for aid in claims[held[0]].article_ids} if held else set()
            stating = {k for k, label in fact["articles"].items() if label == "yes"}
            for unit, name in (("article", lambda k: k), ("outlet", outlet.get)):
                mine = {name(k) for k in home}
                got = {name(k) for k in cited} - mine
                want = {name(k) for k in stating} - mine
                counts[unit][0] += len(got & want)
                counts[unit][1] += len(got)
                counts[unit][2] += len(want)
    out = {}
    for unit, (right, cited, stating) in counts.items():
        precision, recall = right / max(1, cited), right / max(1, stating)
        out[unit] = (precision, recall, 2 * precision * recall / max(1e-9, precision + recall))
    return out


def _prf(predicted: list[bool], labels: list[bool]) -> tuple[float, float, float]:
    tp = sum(p and y for p, y in zip(predicted, labels, strict=True))
    fp = sum(p and not y for p, y in zip(predicted, labels, strict=True))
    fn = sum(y and not p for p, y in zip(predicted, labels, strict=True))
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return precision, recall, 2 * precision * recall / max(1e-9, precision + recall)


def _sentence_index(article: Article, span: str) -> int | None:
    """The article sentence that best covers a labelled span (token overlap)."""
    want = set(arabic.tokens(span))
    best, best_share = None, 0.5
    for i, sentence in enumerate(article_sentences(article)):
        got = set(arabic.tokens(sentence))
        share = len(want & got) / max(1, min(len(want), len(got)))
        if share > best_share:
            best, best_share = i, share
    return best


def _sides(pair: dict, articles: list[Article]) -> list[list[tuple[str, int]]]:
    """The (article id, sentence index) each side of a pair may be, in its group's articles."""
    return [[(a.id, i) for a in articles
             if a.page_id == pair[side]["id"] or (a.source_path or "").endswith(pair[side]["id"])
             if (i := _sentence_index(a, pair[side]["text"])) is not None]
            for side in ("a", "b")]  # fmt: skip


def _claims_of(claims: list[Claim]) -> dict[tuple[str, int], set[int]]:
    """Which claims (by position) each (article id, sentence index) is a member of."""
    where: dict[tuple[str, int], set[int]] = {}
    for c, claim in enumerate(claims):
        for member in claim.members:
            where.setdefault(member, set()).add(c)
    return where


def summary_citations(
    pairs: list[dict], by_group: dict[str, list[Article]], config: ClaimsConfig, split: str
) -> tuple[float, float, float]:
    """P/R/F1 over the pairs a side of which the story's summary cites: what a reader of the
    summary sees (a summary sentence cites every article of its claim)."""
    found: list[bool] = []
    labels: list[bool] = []
    groups = {p["group"] for p in pairs if p["split"] == split and "+" not in p["group"]}
    for group in sorted(groups):
        claims = align(by_group[group], config)
        where = _claims_of(claims)
        shown = {c for s in summarize(by_group[group], claims)
                 for aid, _, i in s.cites for c in where.get((aid, i), ())}  # fmt: skip
        for pair in pairs:
            if pair["group"] != group or pair["split"] != split:
                continue
            a, b = (set().union(*(where.get(x, set()) for x in side)) for side in
                    _sides(pair, by_group[group]))  # fmt: skip
            if (a | b) & shown:
                found.append(bool(a & b & shown))
                labels.append(pair["label"] == "same")
    return _prf(found, labels)


def placed(pairs: list[dict], by_group: dict[str, list[Article]], config: ClaimsConfig,
           split: str = "test") -> list[tuple[dict, bool | None]]:  # fmt: skip
    """Each pair of `split` with whether `align` put its two sentences in one claim (None:
    a sentence could not be located in the extracted articles)."""
    claims_of: dict[str, dict[tuple[str, int], set[int]]] = {}
    out: list[tuple[dict, bool | None]] = []
    for pair in pairs:
        if pair["split"] != split or "+" in pair["group"]:
            continue
        group = pair["group"]
        if group not in claims_of:
            claims_of[group] = _claims_of(align(by_group[group], config))
        sides = _sides(pair, by_group[group])
        if not sides[0] or not sides[1]:
            out.append((pair, None))
            continue
        where = claims_of[group]
        out.append((pair, any(where.get(x, set()) & where.get(y, set())
                              for x in sides[0] for y in sides[1])))  # fmt: skip
    return out


def story_scores(results: list[tuple[dict, bool | None]]) -> dict:
    known = [(pair, together) for pair, together in results if together is not None]
    found = [bool(together) for _, together in known]
    labels = [pair["label"] == "same" for pair, _ in known]
    return {"n": len(known), "missing": len(results) - len(known), "prf": _prf(found, labels)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--show-errors", action="store_true", help="the test pairs align misses")
    args = ap.parse_args()
    loaded = load()
    if loaded is None:
        raise SystemExit("../shared/data (ANT, seeds) not found")
    pairs, by_group, texts = loaded
    facts = load_facts(texts) if CITES.exists() else []
    config = ClaimsConfig()
    for split in ("train", "test"):
        results = placed(pairs, by_group, config, split)
        s = story_scores(results)
        print(f"stories ({split}, {s['n']} pairs, {s['missing']} not located): "
              "P/R/F1 {:.3f}/{:.3f}/{:.3f}".format(*s["prf"]))  # fmt: skip
        cited = summary_citations(pairs, by_group, config, split)
        print(f"  pairs the summary cites a side of ({split}): "
              "P/R/F1 {:.3f}/{:.3f}/{:.3f}".format(*cited))  # fmt: skip
        if any(f["split"] == split for f in facts):
            for unit, prf in fact_citations(facts, by_group, config, split).items():
                print(f"  summary facts' citations by {unit} ({split}): "
                      "P/R/F1 {:.3f}/{:.3f}/{:.3f}".format(*prf))  # fmt: skip
    if args.show_errors:
        for pair, together in placed(pairs, by_group, config):
            if together is not None and together != (pair["label"] == "same"):
                a, b = pair["a"]["text"][:120], pair["b"]["text"][:120]
                print(f"\n[{pair['label']}, {'together' if together else 'apart'}] {a}\n  {b}")


if __name__ == "__main__":
    main()
