"""The `marsad` command: a thin layer over the library (every command is a library call)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import click

from marsad.config import Config, ConfigError, load_config
from marsad.model import Article, Failure, Story
from marsad.pipeline import IngestReport, extract_page, ingest
from marsad.read import read
from marsad.store import DEFAULT_DB, Store, open_store

db_option = click.option(
    "--db",
    default=DEFAULT_DB,
    show_default=True,
    envvar="MARSAD_DB",
    help="Store: a SQLite file, or a postgresql:// URL (env MARSAD_DB).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")


def _dump(obj: object) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="marsad")
def main() -> None:
    """marsad (مرصد): messy Arabic news pages in; clean articles and stories out.

    Typical use: `marsad ingest pages/` then `marsad stories`.
    """


def _load_config(config_path: str | None) -> Config:
    try:
        return load_config(config_path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _run_ingest(paths: Iterable[str | Path], db: str, config: Config) -> Store:
    """Ingest and print the report; nothing readable at all is an error (exit status 1)."""
    store = open_store(db)
    report = ingest(paths, store, config, progress=sys.stderr.isatty())
    _print_report(report, db)
    if report.failures and not report.pages:
        store.close()
        raise click.ClickException("no page could be read (reasons above); nothing to do")
    return store


def _print_report(r: IngestReport, db: str) -> None:
    click.echo(
        f"pages: {r.pages} read, {r.new_pages} new, {r.known_pages} already stored"
        f" | articles: {r.articles} | duplicate pairs: {r.duplicates}"
        f" | stories updated: {r.stories_touched} | db: {db}"
    )
    if r.dropped:
        reasons = ", ".join(f"{k}={v}" for k, v in r.dropped.most_common())
        click.echo(f"dropped lines: {sum(r.dropped.values())} ({reasons})")
    if r.failures:
        click.echo(f"failed: {len(r.failures)}", err=True)
        for f in r.failures:
            click.echo(f"  {f}", err=True)


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--config", "config_path", type=click.Path(), help="TOML config file.")
def ingest_cmd(paths: tuple[str, ...], db: str, config_path: str | None) -> None:
    """Read pages (files, folders, globs; .txt/.html/.jsonl, optionally .gz), extract their
    articles, and update duplicates and stories in the store.

    Pages already stored (same content) are skipped. A file that fails is reported with its
    reason and changes nothing; the rest of the batch is stored.
    """
    _run_ingest(paths, db, _load_config(config_path)).close()


out_option = click.option(
    "--out", required=True, type=click.Path(file_okay=False), help="Folder for the digest."
)
timings_option = click.option("--timings", is_flag=True, help="Print how long each step took.")


def _write_digest(
    store: Store, out: Path, config: Config, timings: bool, min_size: int, workers: int
) -> None:
    from rich.console import Console

    from marsad.digest import build_digest
    from marsad.report import print_digest
    from marsad.web import render_report

    start = time.perf_counter()
    digest = build_digest(store, config=config.digest, min_size=min_size, workers=workers)
    built = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    (out / "digest.json").write_text(
        json.dumps(digest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (out / "digest.html").write_text(render_report(digest), encoding="utf-8")
    print_digest(digest, Console())
    click.echo(f"wrote {out / 'digest.json'} and {out / 'digest.html'}")
    if timings:
        click.echo(
            f"time digest: {built - start:.2f} s, files: {time.perf_counter() - built:.2f} s"
        )


def _digest(
    paths: list[str | Path],
    out: str,
    db: str | None,
    config: Config,
    timings: bool,
    min_size: int = 1,
    workers: int = 1,
) -> None:
    start = time.perf_counter()
    with _run_ingest(paths, db or str(Path(out) / "marsad.db"), config) as store:
        if timings:
            click.echo(f"time ingest: {time.perf_counter() - start:.2f} s")
        _write_digest(store, Path(out), config, timings, min_size, workers)


@main.command("digest")
@click.argument("paths", nargs=-1, required=True)
@out_option
@click.option(
    "--db", default=None, help="Store: SQLite file or postgresql:// URL [default: OUT/marsad.db]."
)
@click.option("--config", "config_path", type=click.Path(), help="TOML config file.")
@click.option(
    "--min-size",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Only stories with at least this many articles (e.g. 2 for an archive).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes that digest stories in parallel (archives: the number of cores).",
)
@timings_option
def digest_cmd(
    paths: tuple[str, ...],
    out: str,
    db: str | None,
    config_path: str | None,
    min_size: int,
    workers: int,
    timings: bool,
) -> None:
    """Ingest PATHS, group them into stories, and write what each story says.

    OUT/digest.json (schema in docs/digest.md) holds every story's cited summary, entities,
    timeline, shared / unique / conflicting facts, coverage per outlet and copies;
    OUT/digest.html is the same as one self-contained RTL page. The terminal shows the
    multi-article stories. The store keeps everything: `marsad serve --db OUT/marsad.db`.
    """
    _digest(list(paths), out, db, _load_config(config_path), timings, min_size, workers)


@main.command("demo")
@out_option
@click.option("--db", default=None, help="Store [default: OUT/marsad.db].")
@timings_option
def demo_cmd(out: str, db: str | None, timings: bool) -> None:
    """`marsad digest` over the demo corpus that ships with marsad (our own Arabic pages)."""
    from marsad.demo import DEMO_MANIFEST

    _digest([DEMO_MANIFEST], out, db, Config(), timings)


@main.command("extract")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@json_option
def extract_cmd(file: str, as_json: bool) -> None:
    """Show one file's articles and every dropped line with its reason (debugging view).

    Nothing is stored.
    """
    for page in read([file]):
        result = page if isinstance(page, Failure) else extract_page(page)
        if isinstance(result, Failure):
            click.echo(f"error: {result}", err=True)
            continue
        if as_json:
            _dump(
                {
                    "page_id": result.page.id,
                    "source_path": result.page.source_path,
                    "encoding": result.page.encoding,
                    "articles": [a.to_dict() for a in result.articles],
                    "dropped": [vars(d) for d in result.dropped],
                }
            )
            continue
        click.echo(f"# {result.page.source_path} ({result.page.kind}, {result.page.encoding})")
        for a in result.articles:
            _print_article(a)
        click.echo(f"--- dropped {len(result.dropped)} lines")
        for d in result.dropped:
            click.echo(f"  {d.line_no:>4} [{d.reason}] {d.text}")


def _print_article(a: Article) -> None:
    click.echo(f"=== article {a.position}: {a.title or '(no title)'}")
    meta = {"published": a.published, "outlet": a.outlet, "credits": ", ".join(a.credits)}
    click.echo("    " + " | ".join(f"{k}: {v}" for k, v in meta.items() if v))
    for para in a.paragraphs:
        click.echo(f"  {para}")


@main.command("articles")
@db_option
@json_option
@click.option("--limit", type=int, default=None, help="Show at most this many.")
def articles_cmd(db: str, as_json: bool, limit: int | None) -> None:
    """List stored articles in publish-time order; --json exports JSON Lines (docs/schema.md)."""
    with open_store(db) as store:
        for i, a in enumerate(store.articles()):
            if limit is not None and i >= limit:
                break
            if as_json:
                _dump(a.to_dict())
            else:
                click.echo(f"{a.id}  {a.published or '-':16}  {a.outlet or '-':14}  {a.title}")


def _print_stories(stories: list[Story]) -> None:
    for s in stories:
        span = f"{s.start or '?'} → {s.end or '?'}"
        click.echo(f"{s.id}  [{s.size}] {', '.join(s.outlets)}  {span}\n    {s.title}")


@main.command("stories")
@db_option
@json_option
def stories_cmd(db: str, as_json: bool) -> None:
    """List stories, largest first: size, outlets, time span, title, article ids."""
    with open_store(db) as store:
        stories = store.stories()
        if not as_json:
            _print_stories(stories)
            return
        ids = [aid for s in stories for aid in s.article_ids]
        source_ids = {a.id: a.source_id for a in store.articles(ids)}
        for s in stories:
            _dump({**s.to_dict(), "source_ids": [source_ids.get(i) for i in s.article_ids]})


@main.command("story")
@click.argument("story_id")
@db_option
@json_option
def story_cmd(story_id: str, db: str, as_json: bool) -> None:
    """One story: its articles, duplicate groups and the passages copies share."""
    from marsad.dedup import duplicate_groups

    with open_store(db) as store:
        story = store.story(story_id)
        if story is None:
            raise click.ClickException(f"no story {story_id!r} in {db}")
        articles = list(store.articles(story.article_ids))
        members = set(story.article_ids)
        pairs = [
            p for p in store.duplicates(story.article_ids) if p.a in members and p.b in members
        ]
        groups = duplicate_groups(pairs)
        if as_json:
            _dump(
                {
                    **story.to_dict(),
                    "articles": [a.to_dict() for a in articles],
                    "duplicate_groups": groups,
                    "duplicates": [vars(p) for p in pairs],
                }
            )
            return
        _print_stories([story])
        for a in articles:
            click.echo(f"  {a.id}  {a.published or '-':16}  {a.outlet or '-':14}  {a.title}")
        for group in groups:
            click.echo(f"duplicates: {', '.join(group)}")
        for p in pairs:
            click.echo(
                f"  {p.kind} {p.a} → {p.b} (similarity {p.similarity:.2f}):"
                f" {len(p.shared)} shared sentences"
            )
            for s in p.added_b:
                click.echo(f"    + {p.b} adds: {s}")
            for s in p.added_a:
                click.echo(f"    - only in {p.a}: {s}")


# --- serve: the web UI and the REST API ----------------------------------------------------
@main.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--token",
    envvar="MARSAD_TOKEN",
    default=None,
    help="Bearer token that writes (POST /api/pages) must send (env MARSAD_TOKEN). Without"
    " one, writes are accepted only from this machine.",
)
@click.option("--config", "config_path", type=click.Path(), help="TOML config for ingests.")
@click.option(
    "--max-body-mb",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Largest request body; bigger ones get 413.",
)
def serve_cmd(
    db: str, host: str, port: int, token: str | None, config_path: str | None, max_body_mb: float
) -> None:
    """Serve the web UI at / and the JSON API at /api/ (OpenAPI docs at /docs)."""
    import uvicorn

    from marsad.api import create_app

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    app = create_app(db, token, config=config, max_body_mb=max_body_mb)
    writes = "with the token" if token else "from this machine only"
    click.echo(f"marsad on http://{host}:{port}/ (API docs /docs, db {db}, writes {writes})")
    uvicorn.run(app, host=host, port=port, log_level="info")


@main.command("search")
@click.argument("query", nargs=-1, required=True)
@db_option
@click.option("--outlet", default=None, help="Only articles of this outlet.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Published on or after.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Published on or before.")
@click.option("--story", "story_id", default=None, help="Only articles of this story.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@json_option
def search_cmd(
    query: tuple[str, ...],
    db: str,
    outlet: str | None,
    since: object,
    until: object,
    story_id: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Full-text search, best match first: Arabic-aware (وأذربيجان, لأذربيجان and
    الأذربيجانية find أذربيجان; hamza and alef spellings meet).

    QUERY: words (all must match), "a quoted phrase", OR between two items. --json prints
    JSON Lines hits whose snippet is HTML with the matches in <mark>.
    """
    import html
    import re

    from marsad.search import QueryError, search

    with open_store(db) as store:
        try:
            hits = search(
                store,
                " ".join(query),
                outlet=outlet,
                since=since.date() if since else None,  # type: ignore[attr-defined]
                until=until.date() if until else None,  # type: ignore[attr-defined]
                story_id=story_id,
                limit=limit,
            )
        except QueryError as exc:
            raise click.ClickException(str(exc)) from None
    for hit in hits:
        if as_json:
            _dump(vars(hit))
            continue
        parts = re.split(r"<mark>(.*?)</mark>", hit.snippet)
        text = "".join(
            click.style(html.unescape(p), bold=True, fg="yellow") if i % 2 else html.unescape(p)
            for i, p in enumerate(parts)
        )
        click.echo(
            f"{hit.article_id}  {hit.published or '-':16}  {hit.outlet or '-':14}  {hit.title}"
        )
        click.echo(f"    {' '.join(text.split())}")
    if not hits and not as_json:
        click.echo("no matches", err=True)
