"""The server-rendered pages: story list, story, storylines, article (with its dropped
lines), search, what changed (follows)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from marsad.changes import parse_since
from marsad.cluster import storyline
from marsad.follow import what_changed
from marsad.model import Storyline
from marsad.search import QueryError, search, search_stories
from marsad.web import follows
from marsad.web.queries import Window, article_view
from marsad.web.render import environment, numbered_paragraphs

if TYPE_CHECKING:
    from marsad.api import Marsad

router = APIRouter(include_in_schema=False)
PER_PAGE = 30


def web_href(article_id: str, sentence: int | None = None) -> str:
    """The article page, or one sentence in it (its anchor is `s-<i>`)."""
    path = f"/articles/{quote(article_id, safe='')}"
    return path if sentence is None else f"{path}#s-{sentence}"


def _page(name: str, status: int = 200, **context: object) -> HTMLResponse:
    body = environment().get_template(name).render(href=web_href, mode="web", **context)
    return HTMLResponse(body, status_code=status)


def _not_found(message: str) -> HTMLResponse:
    return _page("message.html", 404, heading="غير موجود", message=message)


def _marsad(request: Request) -> Marsad:
    return request.app.state.marsad


def _day(value: str | None) -> dt.date | None:
    """A day from a form field; empty fields (browsers send them) mean no filter."""
    return dt.date.fromisoformat(value) if value else None


@router.get("/", response_class=HTMLResponse)
def story_list(
    request: Request,
    page: Annotated[int, Query(ge=1, le=10**6)] = 1,
    min_size: Annotated[int, Query(ge=1, le=10**6)] = 1,
    since: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    """The stories, most recently active first; `min_size=2` hides single articles; «جديد»
    marks those that changed since `since` or the last look at /changes."""
    ctx = _marsad(request)
    with ctx.store() as store:
        stories = [s for s in ctx.listings.stories(store) if s.size >= min_size]
        fresh = follows.fresh_stories(store, follows.seen_since(request, since))
    pages = max(1, -(-len(stories) // PER_PAGE))
    shown = stories[(page - 1) * PER_PAGE : page * PER_PAGE]
    return _page(
        "index.html", stories=shown, page=page, pages=pages, total=len(stories), min_size=min_size,
        fresh=fresh,
    )  # fmt: skip


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: str) -> HTMLResponse:
    ctx = _marsad(request)
    with ctx.store() as store:
        story = store.story(story_id)
        if story is None:
            return _not_found(f"لا توجد قصة بالمعرّف {story_id}")
        digest = ctx.digest(store, story)
        articles = {a.id: a.to_dict() for a in store.articles(story.article_ids)}
        line = storyline(store, story.storyline) if story.storyline else None
        followed = follows.follow_of(store, "story", story.id)
        fresh = follows.fresh_stories(store, follows.seen_since(request))
    return _page("story.html", story=digest, articles=articles, line=line, followed=followed,
                 fresh=fresh)  # fmt: skip


@router.get("/favicon.ico")
def favicon() -> RedirectResponse:
    """Browsers ask for it on every page; the icon is the SVG beside the stylesheet."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/storylines", response_class=HTMLResponse)
def storyline_list(request: Request) -> HTMLResponse:
    ctx = _marsad(request)
    with ctx.store() as store:
        lines = ctx.listings.storylines(store)
    return _page("storylines.html", lines=lines[:200])


@router.get("/storylines/{storyline_id}", response_class=HTMLResponse)
def storyline_page(request: Request, storyline_id: str) -> HTMLResponse:
    with _marsad(request).store() as store:
        line = storyline(store, storyline_id)
        followed = line and follows.follow_of(store, "storyline", line.id)
        fresh = follows.fresh_stories(store, follows.seen_since(request))
    if line is None:
        return _not_found(f"لا يوجد خط قصصي بالمعرّف {storyline_id}")
    return _page("storyline.html", line=line, axis=axis(line), followed=followed, fresh=fresh)


def axis(line: Storyline) -> dict[str, int]:
    """Each story's place between the storyline's first and last day, in percent."""
    days = {s.id: dt.date.fromisoformat(s.start[:10]) for s in line.stories if s.start}
    if not days:
        return {s.id: 0 for s in line.stories}
    first, last = min(days.values()), max(days.values())
    width = max((last - first).days, 1)
    return {s.id: round(100 * ((days[s.id] - first).days if s.id in days else 0) / width)
            for s in line.stories}  # fmt: skip


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: str) -> HTMLResponse:
    with _marsad(request).store() as store:
        view = article_view(store, article_id)
    if view is None:
        return _not_found(f"لا يوجد مقال بالمعرّف {article_id}")
    return _page(
        "article.html",
        article=view.article,
        story=view.story,
        paragraphs=numbered_paragraphs(view.article),
        dropped=view.dropped,
    )


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: Annotated[str, Query(max_length=500)] = "",
    outlet: Annotated[str, Query(max_length=200)] = "",
    since: Annotated[str, Query(max_length=40)] = "",
    until: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    form = {"query": q, "outlet": outlet, "since": since, "until": until}
    hits, stories, error = [], [], None
    ctx = _marsad(request)
    with ctx.store() as store:
        outlets = ctx.listings.outlets(store)
        try:
            window = Window(outlet or None, _day(since), _day(until))
            if q.strip():
                hits = search(
                    store, q, outlet=window.outlet, since=window.since, until=window.until
                )
                stories = search_stories(
                    store, q, outlet=window.outlet, since=window.since, until=window.until, limit=5
                )
        except QueryError as exc:
            error = f"تعذّر البحث: {exc}"
        except ValueError:
            error = "تاريخ غير صالح: اكتبه بالصيغة 2025-03-10"
    status = 400 if error else 200
    return _page(
        "search.html", status, hits=hits, stories=stories, outlets=outlets, error=error, **form
    )


@router.get("/changes", response_class=HTMLResponse)
def changes_page(
    request: Request, since: Annotated[str, Query(max_length=40)] = ""
) -> HTMLResponse:
    """What changed in what is followed since `since` (default: the last visit here, or a
    day); the visit is remembered, so «جديد» badges count from it."""
    ctx = _marsad(request)
    error = None
    try:
        when = parse_since(since) if since else follows.seen_since(request)
    except ValueError:
        when, error = None, "وقت غير صالح: اكتبه بالصيغة 2026-12-01T09:30، أو مدة مثل 6h أو 2d"
    when = when or dt.datetime.now(dt.UTC) - follows.DEFAULT_SINCE
    with ctx.store() as store:
        listed = follows.followed_stories(store)
        found = what_changed(store, when, config=ctx.config.digest)
    response = _page("changes.html", 400 if error else 200, follows=listed, changes=found,
                     since=when, error=error)  # fmt: skip
    now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    response.set_cookie(follows.SEEN_COOKIE, now, max_age=365 * 86400, samesite="lax")
    return response
