"""The `marsad` command: a thin layer over the library (every command is a library call)."""

from __future__ import annotations

import errno
import functools
import itertools
import json
import os
import re
import socket
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from marsad.dates.infer import span_with
from marsad.model import Article, Failure, Story
from marsad.store import DEFAULT_DB, POSTGRES_SCHEMES, Store, open_store

# One BLAS thread per process: marsad's vector products are small, and OpenBLAS's idle
# threads spin on the cores the extraction workers need (a one-worker ingest of ANT used
# 159 CPU-seconds in 117 s of wall time). Set before numpy loads; the user's value wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

if TYPE_CHECKING:  # the pipeline (extractors, clusterer) loads only for commands that ingest
    from marsad.config import Config
    from marsad.pipeline import IngestReport
    from marsad.read import PageDefaults
    from marsad.watch import Round
    from marsad.web.queries import Window

db_option = click.option(
    "--db",
    default=DEFAULT_DB,
    show_default=True,
    envvar="MARSAD_DB",
    help="Store: a SQLite file, or a postgresql:// URL (env MARSAD_DB).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")


def _open(db: str, *, existing: bool = False) -> Store:
    """The store at `db`, with a clear error instead of a traceback for a folder, an
    unreachable server, or (`existing`: read commands) a mistyped path that would otherwise
    be created as an empty store."""
    if not db.startswith(POSTGRES_SCHEMES) and db != ":memory:":
        path = Path(db)
        if path.is_dir():
            raise click.ClickException(f"--db {db} is a folder, not a store file")
        if existing and not path.exists():
            raise click.ClickException(
                f"no store at {db} (make one with: marsad ingest PAGES --db {db})"
            )
    try:
        return open_store(db)
    except ConnectionError as exc:  # the PostgreSQL store says which server and why
        raise click.ClickException(_PASSWORD.sub(r"://\1:***@", str(exc))) from None
    except Exception as exc:
        if type(exc).__module__.split(".")[0] not in ("sqlite3", "psycopg"):
            raise
        where = db.split("@")[-1] if db.startswith(POSTGRES_SCHEMES) else db
        raise click.ClickException(f"cannot open the store {where}: {exc}") from None


_PASSWORD = re.compile(r"://([^:@/\s]+):[^@/\s]+@")


def _dump(obj: object) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="marsad")
def main() -> None:
    """marsad (مرصد): messy Arabic news pages in; clean articles and stories out.

    Typical use: `marsad ingest pages/` then `marsad stories`.
    """


def _load_config(config_path: str | None, allow_outside: bool = False) -> Config:
    import dataclasses

    from marsad.config import ConfigError, load_config

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if allow_outside:
        config = dataclasses.replace(
            config, read=dataclasses.replace(config.read, allow_outside=True)
        )
    return config


def _default_workers() -> int:
    from marsad.pipeline import default_workers

    return default_workers()


def _run_ingest(
    paths: Iterable[str | Path],
    db: str,
    config: Config,
    workers: int,
    chunk: int | None = None,
    defaults: PageDefaults | None = None,
    dask: str | None = None,
) -> Store:
    """Ingest and print the report; nothing readable (or nothing at all) is an error (exit
    status 1).

    Ctrl-C stops after the chunk being stored is rolled back: every page stored so far is
    complete (articles, duplicates, stories), and running the same command again goes on.
    """
    from marsad.pipeline import ingest

    paths = list(paths)
    store = _open(db)
    try:
        if dask is None:
            report = ingest(
                paths, store, config, progress=sys.stderr.isatty(), workers=workers,
                chunk=chunk, defaults=defaults,
            )  # fmt: skip
        else:
            report = _ingest_dask(paths, store, config, dask, workers, defaults)
    except KeyboardInterrupt:
        counts = store.counts()
        store.close()
        click.echo(
            f"\ninterrupted: the store holds {counts['articles']} complete articles in"
            f" {counts['stories']} stories; run the same command again to go on",
            err=True,
        )
        sys.exit(130)
    except Exception as exc:
        if not _disk_full(exc):
            raise
        store.close()
        raise click.ClickException(
            f"the store's disk is full ({exc}): every chunk stored before is kept whole;"
            " free some space and run the same command again to go on"
        ) from None
    _print_report(report, db)
    if report.failures and not report.pages:
        store.close()
        raise click.ClickException("no page could be read (reasons above); nothing to do")
    if not report.pages:
        store.close()
        named = ", ".join(map(str, paths))
        raise click.ClickException(f"nothing to read in {named}: no page files found")
    return store


def _ingest_dask(
    paths: list, store: Store, config: Config, address: str, workers: int, defaults: PageDefaults
) -> IngestReport:
    from marsad.scale import ClusterError, ingest_cluster

    try:
        return ingest_cluster(
            paths, store, address, config, workers=workers, defaults=defaults,
            progress=sys.stderr.isatty(),
        )  # fmt: skip
    except ClusterError as exc:
        store.close()
        raise click.ClickException(str(exc)) from None


def _disk_full(exc: Exception) -> bool:
    """SQLite's 'database or disk is full', PostgreSQL's disk_full (SQLSTATE 53100)."""
    return getattr(exc, "sqlstate", None) == "53100" or (
        type(exc).__name__ == "OperationalError" and "full" in str(exc)
    )


def _print_report(r: IngestReport, db: str) -> None:
    click.echo(
        f"pages: {r.pages} read, {r.new_pages} new, {r.known_pages} already stored"
        f" | articles: {r.articles} | duplicate pairs: {r.duplicates}"
        f" | stories updated: {r.stories_touched} | db: {db}"
    )
    if r.events:
        click.echo(f"follow events recorded: {r.events} (marsad events, marsad alerts deliver)")
    if r.resumed:
        click.echo(f"finished earlier work: {r.resumed} articles (interrupted or rebuilt state)")
    if r.dropped:
        reasons = ", ".join(f"{k}={v}" for k, v in r.dropped.most_common())
        click.echo(f"dropped lines: {sum(r.dropped.values())} ({reasons})")
    if r.skipped:
        kinds = ", ".join(f"{v} {k}" for k, v in r.skipped.most_common())
        click.echo(f"archive records holding no page, skipped: {sum(r.skipped.values())} ({kinds})")
    if r.notices:
        click.echo(f"stored with notices: {len(r.notices)}", err=True)
        for n in r.notices[:SHOWN_NOTICES]:
            click.echo(f"  {n}", err=True)
        if len(r.notices) > SHOWN_NOTICES:
            more = len(r.notices) - SHOWN_NOTICES
            click.echo(f"  … and {more} more (each page's notices: marsad extract FILE)", err=True)
    if r.failures:
        click.echo(f"failed: {len(r.failures)}", err=True)
        for line in _folded(r.failures):
            click.echo(f"  {line}", err=True)


SHOWN_PER_FILE = 3
INFERRED = ("day", "basis", "evidence")  # an inferred publish day, as JSON exports give it
SHOWN_NOTICES = 20  # a folder of unnamed pages tells each page's source: the first few do


def _folded(failures: list[Failure]) -> list[str]:
    """The failures, at most SHOWN_PER_FILE records per file and one line for the rest (the
    store keeps them all)."""
    by_file: dict[str, list[Failure]] = {}
    for f in failures:
        path, _, line = f.source_path.rpartition(":")
        by_file.setdefault(path if line.isdigit() else f.source_path, []).append(f)
    lines = []
    for path, group in by_file.items():
        lines += [str(f) for f in group[:SHOWN_PER_FILE]]
        if len(group) > SHOWN_PER_FILE:
            rest = group[SHOWN_PER_FILE:]
            lines.append(f"{path}: {len(rest)} more failed records (last: {rest[-1].reason})")
    return lines


workers_option = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that extract pages (and digest stories) in parallel"
    " [default: all cores]; results are the same for any number.",
)
allow_outside_option = click.option(
    "--allow-outside",
    is_flag=True,
    help="Let manifests name files outside their own folder (by default they may not).",
)


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--config", "config_path", type=click.Path(), help="TOML config file.")
@workers_option
@allow_outside_option
@click.option(
    "--chunk",
    type=click.IntRange(min=1),
    default=None,
    help="Pages per transaction [default: 256]; what an interruption can cost at most.",
)
@click.option("--outlet", default=None, help="Outlet of pages that do not name theirs.")
@click.option(
    "--published",
    default=None,
    help="Publish time (ISO 8601, e.g. 2024-08-19 or 2024-08-19T10:30+03:00) of pages that"
    " give none; a date printed in a page wins.",
)
@click.option(
    "--url-prefix",
    default=None,
    help="Pages without a URL get PREFIX/<file name> (not JSON Lines records).",
)
@click.option(
    "--dask",
    metavar="local|tcp://HOST:8786",
    default=None,
    help="Extract on a Dask cluster, one task per file (`local`: --workers processes here);"
    " the store stays in this process, stored files are skipped on a rerun. Needs"
    " marsad[cluster]; docs/scale.md.",
)
def ingest_cmd(
    paths: tuple[str, ...],
    db: str,
    config_path: str | None,
    workers: int | None,
    allow_outside: bool,
    chunk: int | None,
    outlet: str | None,
    published: str | None,
    url_prefix: str | None,
    dask: str | None,
) -> None:
    """Read pages (files, folders, globs, URLs; .txt/.html/.jsonl, WARC/ARC archives, RSS/Atom
    feeds, sitemaps; optionally .gz), extract their articles, and update duplicates and
    stories in the store.

    Pages already stored (same content) are skipped. A file or record that fails is
    reported with its reason and changes nothing; the rest of the batch is stored. Pages
    are committed in chunks: an interrupted ingest keeps every finished chunk whole, and
    the next run goes on. Two ingests (or an ingest and `marsad serve`) on one store take
    turns per chunk. `--outlet`, `--published` and `--url-prefix` say what a folder's pages
    share and do not state themselves.
    """
    from marsad.read import PageDefaults, ReadError

    config = _load_config(config_path, allow_outside)
    try:
        defaults = PageDefaults(outlet, published, url_prefix)
    except ReadError as exc:
        raise click.BadParameter(str(exc), param_hint="--published") from None
    workers = workers or _default_workers()
    _run_ingest(paths, db, config, workers, chunk, defaults, dask).close()


@main.command("watch")
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--config", "config_path", type=click.Path(), help="TOML config file.")
@click.option("--every", default="5m", show_default=True, help="Round interval: 90, 30s, 5m, 1h.")
@click.option("--rounds", type=click.IntRange(min=1), default=None,
              help="Stop after this many rounds [default: run until interrupted].")
def watch_cmd(paths: tuple[str, ...], db: str, config_path: str | None, every: str,
              rounds: int | None) -> None:  # fmt: skip
    """Ingest what is new in PATHS (folders a scraper writes into, files) and FEEDS (feed or
    sitemap URLs), round after round, with one heartbeat line per round.

    Only new or changed files, new feed items and sitemap entries are read; the store
    remembers what was read, so a restart goes on where it stopped. Ctrl-C loses nothing
    stored.
    """
    from marsad.watch import parse_every, watch

    try:
        seconds = parse_every(every)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--every") from None
    config = _load_config(config_path)
    with _open(db) as store:
        try:
            watch(paths, store, config, every=seconds, rounds=rounds, on_round=_heartbeat)
        except KeyboardInterrupt:
            click.echo("\nstopped: everything stored so far is kept; run again to go on", err=True)
            sys.exit(130)


def _heartbeat(r: Round) -> None:
    """A round's line, and what failed in it (stderr, as `ingest` lists failures)."""
    click.echo(r.line())
    for line in _folded(r.report.failures):
        click.echo(f"  {line}", err=True)


@main.command("repair")
@db_option
@click.option("--config", "config_path", type=click.Path(), help="TOML config file.")
def repair_cmd(db: str, config_path: str | None) -> None:
    """Finish what an interrupted or older run left: rebuild the duplicate index and the
    stories when they were made by another version or config, and process queued articles.

    Any `ingest` does this first; `repair` does only this.
    """
    from marsad.pipeline import catch_up

    with _open(db, existing=True) as store:
        done = catch_up(store, _load_config(config_path))
        counts = store.counts()
    click.echo(
        f"processed {done} queued articles | store: {counts['articles']} articles,"
        f" {counts['stories']} stories, {counts['duplicates']} duplicate pairs"
    )


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
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "digest.json").write_text(
            json.dumps(digest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        (out / "digest.html").write_text(render_report(digest), encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write --out {out}: {exc.strerror or exc}") from None
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
    db = db or str(Path(out) / "marsad.db")
    if not paths:  # the report of what the store holds
        with _open(db, existing=True) as store:
            _write_digest(store, Path(out), config, timings, min_size, workers)
        return
    with _run_ingest(paths, db, config, workers) as store:
        if timings:
            click.echo(f"time ingest: {time.perf_counter() - start:.2f} s")
        _write_digest(store, Path(out), config, timings, min_size, workers)


@main.command("digest")
@click.argument("paths", nargs=-1)
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
@workers_option
@allow_outside_option
@timings_option
def digest_cmd(
    paths: tuple[str, ...],
    out: str,
    db: str | None,
    config_path: str | None,
    min_size: int,
    workers: int | None,
    allow_outside: bool,
    timings: bool,
) -> None:
    """Ingest PATHS, group them into stories, and write what each story says.

    OUT/digest.json (schema in docs/digest.md) holds every story's cited summary, entities,
    timeline, shared / unique / conflicting facts, coverage per outlet and copies;
    OUT/digest.html is the same as one self-contained RTL page. The terminal shows the
    multi-article stories. The store keeps everything: `marsad serve --db OUT/marsad.db`.
    Without PATHS, the report of what the store (--db) already holds.
    """
    if not paths and not db:
        raise click.UsageError("give PATHS to ingest, or --db of a store to report on")
    config = _load_config(config_path, allow_outside)
    _digest(list(paths), out, db, config, timings, min_size, workers or _default_workers())


@main.command("demo")
@out_option
@click.option("--db", default=None, help="Store [default: OUT/marsad.db].")
@timings_option
def demo_cmd(out: str, db: str | None, timings: bool) -> None:
    """`marsad digest` over the demo corpus that ships with marsad (our own Arabic pages)."""
    from marsad.config import Config
    from marsad.demo import DEMO_MANIFEST

    _digest([DEMO_MANIFEST], out, db, Config(), timings)


@main.command("extract")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@json_option
def extract_cmd(file: str, as_json: bool) -> None:
    """Show one file's articles and every dropped line with its reason (debugging view).

    Nothing is stored.
    """
    from marsad.pipeline import extract_page
    from marsad.read import read

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
    with _open(db, existing=True) as store:
        listed = itertools.islice(store.articles(), limit)
        while batch := list(itertools.islice(listed, 500)):
            inferred = store.inferred_days([a.id for a in batch])
            for a in batch:
                day = inferred.get(a.id)
                if as_json:
                    said = dict(zip(INFERRED, day, strict=True)) if day else {}
                    _dump({**a.to_dict(), **({"published_inferred": said} if said else {})})
                else:
                    when = a.published or (f"{day[0]}~" if day else "-")
                    click.echo(f"{a.id}  {when:16}  {a.outlet or '-':14}  {a.title}")


def _span(story: Story, inferred: tuple[str, str] | None) -> tuple[str | None, str | None]:
    """A story's first and last publish time, its articles' inferred days marked «~»."""
    ends = span_with(story.start, story.end, inferred)
    return tuple(f"{when}~" if guessed else when for when, guessed in ends)  # type: ignore[return-value]


def _print_stories(stories: list[Story], spans: dict[str, tuple[str, str]]) -> None:
    for s in stories:
        start, end = _span(s, spans.get(s.id))
        span = f"{start or '?'} → {end or '?'}"
        line = f"  storyline {s.storyline}" if s.storyline else ""
        click.echo(f"{s.id}  [{s.size}] {', '.join(s.outlets)}  {span}{line}\n    {s.title}")


def story_filters(outlet: bool = True) -> Callable[[Callable], Callable]:
    """The story list's filters (the web UI's and GET /api/stories'), given to the command as
    one `window`; `outlet`: whether --outlet is one of them."""
    options = [
        click.option("--since", type=click.DateTime(["%Y-%m-%d"]),
                     help="Only stories active on or after this day (YYYY-MM-DD)."),
        click.option("--until", type=click.DateTime(["%Y-%m-%d"]),
                     help="Only stories active on or before this day."),
        click.option("--min-size", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Only stories of at least this many articles (2: hide single articles)."),
        click.option("--storyline", default=None, help="Only this storyline's stories."),
    ]  # fmt: skip
    if outlet:
        options.insert(0, click.option("--outlet", help="Only stories this outlet covered."))

    def decorate(command: Callable) -> Callable:
        @functools.wraps(command)
        def with_window(*args: Any, since, until, min_size, storyline, **kwargs: Any) -> Any:
            from marsad.web.queries import Window

            day = lambda d: d.date() if d else None  # noqa: E731
            window = Window(kwargs.pop("outlet", None) if outlet else None, day(since),
                            day(until), min_size, storyline)  # fmt: skip
            return command(*args, window=window, **kwargs)

        for option in reversed(options):
            with_window = option(with_window)
        return with_window

    return decorate


@main.command("stories")
@db_option
@json_option
@story_filters()
def stories_cmd(db: str, as_json: bool, window: Window) -> None:
    """List stories, largest first: size, outlets, time span, storyline, title, article ids."""
    with _open(db, existing=True) as store:
        stories = window.stories(store.stories())
        spans = store.inferred_spans([s.id for s in stories])
        if not as_json:
            _print_stories(stories, spans)
            return
        ids = [aid for s in stories for aid in s.article_ids]
        source_ids = {a.id: a.source_id for a in store.articles(ids)}
        for s in stories:
            inferred = dict(zip(("inferred_start", "inferred_end"), spans[s.id], strict=True)
                            ) if s.id in spans else {}  # fmt: skip
            _dump({**s.to_dict(), **inferred,
                   "source_ids": [source_ids.get(i) for i in s.article_ids]})  # fmt: skip


@main.command("blindspot")
@click.argument("outlet")
@db_option
@json_option
@story_filters(outlet=False)
@click.option("--others", type=click.IntRange(min=1), default=2, show_default=True,
              help="Missed: stories at least this many other outlets covered.")
def blindspot_cmd(outlet: str, db: str, as_json: bool, window: Window, others: int) -> None:
    """An outlet's blindspots: the stories only it covered, then those it missed that at
    least --others other outlets covered (the web UI's /outlets/OUTLET)."""
    from marsad.coverage import blindspot

    with _open(db, existing=True) as store:
        stories = window.stories(store.stories())
    if not any(outlet in s.outlets for s in stories):
        raise click.ClickException(f"no story of outlet {outlet!r} in {db} under these filters")
    spots = blindspot(stories, outlet, others)
    if as_json:
        for kind, part in (("only", spots.only), ("missed", spots.missed)):
            for s in part:
                _dump({"blindspot": kind, **s.to_dict()})
        return
    click.echo(f"only {outlet} covered: {len(spots.only)}")
    _print_stories(spots.only)
    click.echo(f"\n{outlet} missed, {others}+ other outlets covered: {len(spots.missed)}")
    _print_stories(spots.missed)


@main.command("story")
@click.argument("story_id")
@db_option
@json_option
def story_cmd(story_id: str, db: str, as_json: bool) -> None:
    """One story: its articles, its developments, duplicate groups and the passages copies
    share."""
    from marsad.cluster.developments import developments
    from marsad.dedup import duplicate_groups

    with _open(db, existing=True) as store:
        story = store.story(story_id)
        if story is None:
            raise click.ClickException(f"no story {story_id!r} in {db}")
        articles = list(store.articles(story.article_ids))
        members = set(story.article_ids)
        pairs = [
            p for p in store.duplicates(story.article_ids) if p.a in members and p.b in members
        ]
        groups = duplicate_groups(pairs)
        steps = developments(articles)
        if as_json:
            _dump(
                {
                    **story.to_dict(),
                    "articles": [a.to_dict() for a in articles],
                    "developments": [d.to_dict() for d in steps],
                    "duplicate_groups": groups,
                    "duplicates": [vars(p) for p in pairs],
                }
            )
            return
        _print_stories([story], store.inferred_spans([story.id]))
        for a in articles:
            click.echo(f"  {a.id}  {a.published or '-':16}  {a.outlet or '-':14}  {a.title}")
        for n, step in enumerate(steps if len(steps) > 1 else [], 1):
            click.echo(f"development {n} ({len(step.article_ids)}): {step.title}")
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


@main.command("claims")
@click.argument("story_id")
@db_option
@json_option
def claims_cmd(story_id: str, db: str, as_json: bool) -> None:
    """Who said what in one story: every claim, the articles and outlets stating it, its
    modality (done, planned, expected, denied, conditional), its dates, who its sentences
    credit (← «وقال لافروف», «بحسب رويترز») and the figures they give (# عدد القتلى 40+)."""
    from marsad.digest import story_digest

    with _open(db, existing=True) as store:
        story = store.story(story_id)
        if story is None:
            raise click.ClickException(f"no story {story_id!r} in {db}")
        claims = story_digest(store, story)["claims"]
    for claim in claims:
        if as_json:
            _dump(claim)
            continue
        dates = ", ".join(sorted({d["date"] for s in claim["sentences"] for d in s["dates"]}))
        outlets = "، ".join(claim["outlets"]) or "-"
        head = f"{claim['id']}  [{len(claim['article_ids'])}: {outlets}] {claim['modality']}"
        who = f"\n    ← {'، '.join(claim['speakers'])}" if claim["speakers"] else ""
        figures = dict.fromkeys(f"{f['role'] or f['counts']} {f['value']}"
                                for x in claim["sentences"] for f in x["figures"])  # fmt: skip
        counts = f"\n    # {'، '.join(figures)}" if figures else ""
        click.echo(f"{head}  {dates}".rstrip() + f"\n    {claim['text']}{who}{counts}")


@main.command("storylines")
@db_option
@json_option
@click.option("--limit", type=int, default=None, help="Show at most this many.")
def storylines_cmd(db: str, as_json: bool, limit: int | None) -> None:
    """List storylines (long-running affairs linking several stories), largest first:
    stories, articles, time span, title."""
    from marsad.cluster import storylines

    with _open(db, existing=True) as store:
        for line in storylines(store)[:limit]:
            if as_json:
                _dump(line.to_dict())
            else:
                span = f"{line.start or '?'} → {line.end or '?'}"
                click.echo(f"{line.id}  [{len(line.stories)} stories, {line.size} articles]"
                           f"  {span}\n    {line.title}")  # fmt: skip


@main.command("storyline")
@click.argument("storyline_id")
@db_option
@json_option
def storyline_cmd(storyline_id: str, db: str, as_json: bool) -> None:
    """One storyline: its stories on a time axis, with their outlets."""
    from marsad.cluster import storyline

    with _open(db, existing=True) as store:
        line = storyline(store, storyline_id)
        if line is None:
            raise click.ClickException(f"no storyline {storyline_id!r} in {db}")
        if as_json:
            _dump(line.to_dict())
            return
        click.echo(f"{line.id}  [{len(line.stories)} stories, {line.size} articles]  {line.title}")
        for s in line.stories:
            day = (s.start or "?")[:10]
            click.echo(f"  {day}  {s.id}  [{s.size}] {', '.join(s.outlets)}\n      {s.title}")


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
@click.option("--config", "config_path", type=click.Path(),
              help="TOML config: ingests, and [alerts] delivered from a thread.")  # fmt: skip
@click.option(
    "--max-body-mb",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Largest request body; bigger ones get 413.",
)
@click.option(
    "--max-records",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Most page records in one POST /api/pages; more get 413.",
)
@click.option(
    "--pool-size",
    type=click.IntRange(min=1),
    default=None,
    help="PostgreSQL connections the requests share (default: [pool] size of the config, 8).",
)
def serve_cmd(
    db: str,
    host: str,
    port: int,
    token: str | None,
    config_path: str | None,
    max_body_mb: float,
    max_records: int,
    pool_size: int | None,
) -> None:
    """Serve the web UI at / and the JSON API at /api/ (OpenAPI docs at /docs)."""
    import dataclasses

    import uvicorn

    from marsad.api import create_app
    from marsad.store import PoolConfig

    config = _load_config(config_path)
    if pool_size is not None:
        config = dataclasses.replace(config, pool=PoolConfig(pool_size))
    try:
        app = create_app(
            db, token, config=config, max_body_mb=max_body_mb, max_records=max_records
        )
    except ConnectionError as exc:  # the PostgreSQL store says which server and why
        raise click.ClickException(_PASSWORD.sub(r"://\1:***@", str(exc))) from None
    sock = _listen(host, port)  # before saying the URL: a busy port fails here, not after
    writes = "with the token" if token else "from this machine only"
    click.echo(f"marsad on http://{host}:{port}/ (API docs /docs, db {db}, writes {writes})")
    uvicorn.Server(uvicorn.Config(app, log_level="info")).run(sockets=[sock])


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port for the server, or a clear error (busy port, bad host)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise click.ClickException(f"cannot serve on {host}:{port}: {exc}") from None
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        busy = exc.errno == errno.EADDRINUSE
        busy = " (is another server running there? choose another --port)" if busy else ""
        raise click.ClickException(f"cannot serve on {host}:{port}: {exc.strerror}{busy}") from None
    return sock


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

    with _open(db, existing=True) as store:
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


# --- follow, changes and alerts (docs/follow.md) -------------------------------------------
@main.command("follow")
@click.argument("kind", type=click.Choice(["story", "storyline", "search"]))
@click.argument("target", nargs=-1, required=True)
@click.option("--outlet", default=None, help="A saved search: only this outlet's articles.")
@db_option
def follow_cmd(kind: str, target: tuple[str, ...], outlet: str | None, db: str) -> None:
    """Follow a story or storyline (by id) or a saved search (QUERY words): from now on
    each ingest records events for its new articles, outlets, claims and conflicts."""
    from marsad.follow import FollowError, follow

    with _open(db, existing=True) as store:
        try:
            made, new = follow(store, kind, " ".join(target), outlet=outlet)
        except FollowError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"{'following' if new else 'already following'} {kind} {made.target}"
               f" (follow {made.id})")  # fmt: skip


@main.command("unfollow")
@click.argument("follow_id", type=int)
@db_option
def unfollow_cmd(follow_id: int, db: str) -> None:
    """Stop a follow (ids: `marsad follows`); its past events stay in the log."""
    from marsad.follow import unfollow

    with _open(db, existing=True) as store:
        if not unfollow(store, follow_id):
            raise click.ClickException(f"no follow {follow_id} in {db}")
    click.echo(f"unfollowed {follow_id}")


@main.command("follows")
@db_option
@json_option
def follows_cmd(db: str, as_json: bool) -> None:
    """What is followed, with the stories each follow means now."""
    from marsad.follow import followed_stories

    with _open(db, existing=True) as store:
        for f, stories in followed_stories(store):
            if as_json:
                _dump({**f.to_dict(), "stories": stories})
            else:
                where = f" outlet={f.filters['outlet']}" if f.filters.get("outlet") else ""
                click.echo(f"{f.id}  {f.kind:9}  {f.target}{where}  since {f.created[:16]}"
                           f"  stories: {', '.join(stories) or '-'}")  # fmt: skip


@main.command("changes")
@click.option("--since", required=True, help="ISO time or day (UTC unless zoned), or 6h, 2d.")
@click.option("--all", "every", is_flag=True, help="Every story that changed, followed or not.")
@click.option("--story", "story_id", default=None, help="Only this story, followed or not.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@click.option("--config", "config_path", type=click.Path(), help="TOML config (digests).")
@db_option
@json_option
def changes_cmd(since: str, every: bool, story_id: str | None, limit: int,
                config_path: str | None, db: str, as_json: bool) -> None:  # fmt: skip
    """What changed since a time in what is followed (or --all stories): new articles, new
    outlets, new claims, claims that gained articles or outlets, new conflicts."""
    from marsad.changes import parse_since, text_lines
    from marsad.follow import what_changed

    try:
        when = parse_since(since)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    config = _load_config(config_path)
    with _open(db, existing=True) as store:
        found = what_changed(store, when, every=every, story_id=story_id,
                             config=config.digest, limit=limit)  # fmt: skip
    for c in found:
        if as_json:
            _dump(c)
        else:
            click.echo("\n".join(text_lines(c)))
    if not found and not as_json:
        click.echo("no changes", err=True)


@main.group("alerts")
def alerts_group() -> None:
    """Deliver the follow events to webhooks and JSON Lines files ([alerts] in the config)."""


def _alerts_config(config_path: str | None, webhooks: tuple[str, ...], jsonl: str | None):
    import dataclasses

    config = _load_config(config_path).alerts
    try:
        return dataclasses.replace(config, webhooks=config.webhooks + webhooks,
                                   jsonl=jsonl or config.jsonl)  # fmt: skip
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--webhook") from None


alert_sink_options = [
    click.option("--webhook", "webhooks", multiple=True, help="POST events to this URL."),
    click.option("--jsonl", default=None, type=click.Path(), help="Append events here."),
    click.option("--config", "config_path", type=click.Path(), help="TOML with [alerts]."),
    db_option,
]


def _sink_options(fn: Callable) -> Callable:
    for option in reversed(alert_sink_options):
        fn = option(fn)
    return fn


@alerts_group.command("deliver")
@_sink_options
@click.option("--loop", is_flag=True, help="Keep delivering every [alerts] interval seconds.")
def alerts_deliver_cmd(webhooks: tuple[str, ...], jsonl: str | None, config_path: str | None,
                       db: str, loop: bool) -> None:  # fmt: skip
    """Send every sink the events after its cursor; a failing sink is retried with backoff
    and keeps its events for the next round (exit status 1 when one still fails)."""
    from marsad.alerts import deliver

    config = _alerts_config(config_path, webhooks, jsonl)
    if not config.sinks():
        raise click.UsageError("no sink: give --webhook or --jsonl, or [alerts] in --config")
    with _open(db, existing=True) as store:
        while True:
            done = deliver(store, config)
            for d in done:
                click.echo(f"{d.sink}: {d.delivered} delivered, cursor {d.cursor}"
                           + (f", failing: {d.error}" if d.error else ""))  # fmt: skip
            if not loop:
                break
            time.sleep(config.interval)
    if any(d.error for d in done):
        sys.exit(1)


@alerts_group.command("status")
@_sink_options
def alerts_status_cmd(webhooks: tuple[str, ...], jsonl: str | None, config_path: str | None,
                      db: str) -> None:  # fmt: skip
    """Each sink's cursor, how many events wait, and its last error."""
    from marsad.alerts import pending

    config = _alerts_config(config_path, webhooks, jsonl)
    with _open(db, existing=True) as store:
        for sink, state in pending(store, config).items():
            click.echo(f"{sink}: cursor {state['cursor']}, {state['waiting']} waiting"
                       + (f", {state['failures']} failed rounds: {state['error']}"
                          if state["failures"] else ""))  # fmt: skip


@main.command("events")
@click.option("--after", default=0, show_default=True, type=click.IntRange(min=0),
              help="Only events with a larger id (the last one you took).")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10000))
@db_option
@json_option
def events_cmd(after: int, limit: int, db: str, as_json: bool) -> None:
    """The follow event log, oldest first (JSON Lines with --json)."""
    with _open(db, existing=True) as store:
        for e in store.events(after, limit):
            if as_json:
                _dump(e.to_dict())
            else:
                what = e.body.get("title") or e.body.get("text") or e.body.get("outlet") or ""
                click.echo(f"{e.id}  {e.at[:19]}  follow {e.follow_id}  {e.kind:12}"
                           f"  {e.story_id or '-'}  {what or e.item}")  # fmt: skip
