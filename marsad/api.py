"""REST API and web UI in one FastAPI app: `create_app(db)`; `marsad serve` runs it.

JSON lives under /api/, the server-rendered pages at / (marsad.web.views). Reads are open.
Writes (POST /api/pages) need `Authorization: Bearer <token>` when a token is configured;
without one they are accepted only from the local machine (docs/api.md).

Every request opens its own store in the thread that serves it (SQLite connections belong to
one thread; PostgreSQL lends one of a pool's connections, `[pool] size`), and ingests are
serialized by a lock because the duplicate index and the story clusterer update shared state.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import fastapi_offline
from fastapi import Body, Depends, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BeforeValidator
from starlette.types import ASGIApp, Receive, Scope, Send

from marsad.claims import article_sentences
from marsad.cluster import storyline
from marsad.config import Config
from marsad.coverage import Coverage, blindspot, coverage
from marsad.model import Story
from marsad.search import QueryError, search, search_stories
from marsad.store import Store
from marsad.web import views
from marsad.web.context import Marsad
from marsad.web.follows import follow_api
from marsad.web.queries import Window, article_view
from marsad.web.render import STATIC, exact_copies
from marsad.web.schemas import (
    ArticleList,
    ArticleOut,
    ArticleSummary,
    BlindspotOut,
    ClaimOut,
    CoveredStory,
    DroppedOut,
    Entity,
    ErrorOut,
    Hit,
    IngestOut,
    PagesIn,
    SearchOut,
    StoryDetail,
    StoryDigest,
    StoryHit,
    StorylineList,
    StorylineOut,
    StoryList,
    StorySearchOut,
)

MAX_LIMIT = 100
# Swagger UI 5 (reads the OpenAPI 3.1 FastAPI serves; swagger-ui-bundle's 4.15 renders nothing)
SWAGGER_UI = Path(fastapi_offline.__file__).parent / "static"
MAX_RECORDS = 1000  # page records in one POST /api/pages (create_app(max_records=...))


# --- the app ------------------------------------------------------------------------------
class NoNul:
    """ASGI middleware: a NUL in the URL becomes U+FFFD. PostgreSQL text cannot hold NUL and
    nothing stored contains one (ingest replaces it too), so such an id or filter can only
    fail to match; this makes it do so on every backend instead of failing the query."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"")
            if b"%00" in query or "\0" in scope["path"]:
                scope = {
                    **scope,
                    "path": scope["path"].replace("\0", "\ufffd"),
                    "query_string": query.replace(b"%00", b"%EF%BF%BD"),
                }
        await self.app(scope, receive, send)


def _marsad(request: Request) -> Marsad:
    return request.app.state.marsad


Ctx = Annotated[Marsad, Depends(_marsad)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size (max {MAX_LIMIT}).")]
Offset = Annotated[int, Query(ge=0, le=10**9)]
Outlet = Annotated[str | None, Query(max_length=200, description="Only this outlet.")]
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: object) -> object:
    """Only YYYY-MM-DD: pydantic would also read 0 or 1.5e9 as a day (Unix time)."""
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise ValueError(f"must be a day like 2025-03-10, not {value!r}")
    return value


Day = Annotated[dt.date, BeforeValidator(_iso_day)]
MinSize = Annotated[
    int, Query(ge=1, le=10**6, description="Only stories of at least this many articles.")
]
StorylineId = Annotated[
    str | None, Query(max_length=200, description="Only the stories of this storyline.")
]
Since = Annotated[Day | None, Query(description="From this day (YYYY-MM-DD).")]
Until = Annotated[Day | None, Query(description="Up to this day (YYYY-MM-DD), inclusive.")]
NOT_FOUND = {404: {"model": ErrorOut, "description": "No such id."}}

_bearer = HTTPBearer(auto_error=False, description="The server's token (--token / MARSAD_TOKEN).")


def _is_local(host: str) -> bool:
    """A loopback client address (127.0.0.0/8, ::1, or IPv4 loopback mapped into IPv6)."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


def require_writer(
    request: Request,
    ctx: Ctx,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Bearer token when one is configured; otherwise only clients on this machine."""
    if ctx.token is None:
        if not _is_local(request.client.host if request.client else ""):
            raise HTTPException(
                403,
                "writes from other machines need a token: start the server with --token"
                " (or MARSAD_TOKEN) and send 'Authorization: Bearer <token>'",
            )
        return
    if credentials is None:
        raise HTTPException(
            401,
            "this server needs 'Authorization: Bearer <token>' for writes",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not hmac.compare_digest(credentials.credentials.encode(), ctx.token.encode()):
        raise HTTPException(403, "wrong token")


def _story_or_404(store: Store, story_id: str) -> Story:
    story = store.story(story_id)
    if story is None:
        raise HTTPException(404, f"no story with id {story_id!r}")
    return story


def _covered(story: dict, cover: Coverage) -> CoveredStory:
    return CoveredStory(**story, outlet_articles=dict(cover.counts))


def _summary(a: Any) -> ArticleSummary:
    return ArticleSummary.model_validate(a.to_dict())


@asynccontextmanager
async def _alerts_thread(app: FastAPI) -> AsyncIterator[None]:
    """Alert delivery runs while the server does (when [alerts] names a sink)."""
    alerts = app.state.marsad.alerts
    if alerts is not None:
        alerts.start()
    yield
    if alerts is not None:
        alerts.stop()


def create_app(
    db: str,
    token: str | None = None,
    *,
    config: Config | None = None,
    max_body_mb: float = 10.0,
    max_records: int = MAX_RECORDS,
) -> FastAPI:
    """The API and UI over the store at `db` (a SQLite path or a PostgreSQL URL).

    A POST /api/pages body is at most `max_body_mb` and `max_records` records (413)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with _alerts_thread(app):  # alert delivery runs while the server does
            yield
        app.state.marsad.stores.close()

    app = FastAPI(
        lifespan=lifespan,
        title="marsad",
        summary="Arabic news stories: ingest pages, read stories, digests and articles.",
        version="0.1.0",
        docs_url=None,  # served below from the fastapi-offline wheel: no CDN, works offline
        redoc_url=None,
    )
    app.state.marsad = Marsad(db, token, config or Config())
    max_body = int(max_body_mb * 1024 * 1024)

    @app.post(
        "/api/pages",
        response_model=IngestOut,
        dependencies=[Depends(require_writer)],
        max_body_size=max_body,
        responses={
            207: {
                "model": IngestOut,
                "description": "Some records failed (see `records`); the others are stored.",
            },
            400: {"model": ErrorOut, "description": "The body is not UTF-8 JSON."},
            401: {"model": ErrorOut, "description": "A token is configured and none was sent."},
            403: {"model": ErrorOut, "description": "Wrong token, or a remote client without one."},
            413: {
                "model": ErrorOut,
                "description": f"Body larger than {max_body_mb:g} MB, or more than "
                f"{max_records} records.",
            },
        },
        tags=["ingest"],
    )
    async def post_pages(
        ctx: Ctx,
        response: Response,
        pages: Annotated[
            PagesIn,
            Body(description="One page record, or a JSON array of them."),
        ],
    ) -> IngestOut:
        """Ingest pages: extract articles, find duplicates, update stories. A record that
        fails (blank, too large, extraction fails) is reported in `records` and the rest is
        stored: 200 when every record is stored (or known), 207 when any failed."""
        if len(pages) > max_records:
            raise HTTPException(
                413,
                f"{len(pages)} records in one request; the limit is {max_records}"
                " (send them in several requests)",
            )
        out = await run_in_threadpool(ctx.ingest, pages)
        if any(r.status == "failed" for r in out.records):
            response.status_code = 207
        return out

    @app.get("/api/stories", response_model=StoryList, tags=["stories"])
    def get_stories(
        ctx: Ctx,
        limit: Limit = 20,
        offset: Offset = 0,
        outlet: Outlet = None,
        since: Since = None,
        until: Until = None,
        min_size: MinSize = 1,
        storyline: StorylineId = None,
    ) -> StoryList:
        """Stories, most recently active first, with each outlet's share of their articles."""
        window = Window(outlet, since, until, min_size, storyline)
        with ctx.store() as store:
            stories = ctx.listings.stories(store, window)
            shown = stories[offset : offset + limit]
            cover = ctx.listings.coverage(store, shown)
        items = [_covered(s.to_dict(), cover[s.id]) for s in shown]
        return StoryList(total=len(stories), limit=limit, offset=offset, items=items)

    @app.get(
        "/api/outlets/{outlet}/blindspot",
        response_model=BlindspotOut,
        responses=NOT_FOUND,
        tags=["stories"],
    )
    def get_blindspot(
        ctx: Ctx,
        outlet: str,
        limit: Limit = 20,
        others: Annotated[
            int, Query(ge=1, le=1000, description="Missed: at least this many other outlets.")
        ] = 2,
        since: Since = None,
        until: Until = None,
        min_size: MinSize = 1,
        storyline: StorylineId = None,
    ) -> BlindspotOut:
        """The stories only this outlet covered, and those it missed that others covered."""
        with ctx.store() as store:
            if outlet not in ctx.listings.outlets(store):
                raise HTTPException(404, f"no outlet {outlet!r} in the stories")
            stories = ctx.listings.stories(store, Window(None, since, until, min_size, storyline))
            spots = blindspot(stories, outlet, others)
            only, missed = spots.only[:limit], spots.missed[:limit]
            cover = ctx.listings.coverage(store, only + missed)
        return BlindspotOut(
            outlet=outlet,
            others=others,
            limit=limit,
            only_total=len(spots.only),
            missed_total=len(spots.missed),
            only=[_covered(s.to_dict(), cover[s.id]) for s in only],
            missed=[_covered(s.to_dict(), cover[s.id]) for s in missed],
        )

    @app.get(
        "/api/stories/{story_id}", response_model=StoryDetail, responses=NOT_FOUND, tags=["stories"]
    )
    def get_story(ctx: Ctx, story_id: str) -> StoryDetail:
        with ctx.store() as store:
            story = _story_or_404(store, story_id)
            articles = [_summary(a) for a in store.articles(story.article_ids)]
        cover = coverage(story.article_ids, {a.id: a.outlet for a in articles})
        return StoryDetail(
            **story.to_dict(), outlet_articles=dict(cover.counts), articles=articles
        )

    @app.get(
        "/api/stories/{story_id}/digest",
        response_model=StoryDigest,
        responses=NOT_FOUND,
        tags=["stories"],
    )
    def get_digest(ctx: Ctx, story_id: str) -> dict:
        """Summary with citations, entities, timeline, facts, coverage and copies."""
        with ctx.store() as store:
            return ctx.digest(store, _story_or_404(store, story_id))

    def digest_part(path: str, key: str, model: Any, doc: str) -> None:
        """`GET /api/stories/{id}/<key>`: one part of the story's digest."""

        def get_part(ctx: Ctx, story_id: str) -> list[dict]:
            with ctx.store() as store:
                return ctx.digest(store, _story_or_404(store, story_id))[key]

        get_part.__doc__ = doc
        app.get(path, response_model=model, responses=NOT_FOUND, tags=["stories"],
                name=f"get_{key}")(get_part)  # fmt: skip

    digest_part("/api/stories/{story_id}/claims", "claims", list[ClaimOut],
                "Every claim of the story: the sentences that state it, their dates, modality.")
    digest_part("/api/stories/{story_id}/entities", "entities", list[Entity],
                "The digest's entities: names, types, spelling variants, articles.")  # fmt: skip

    @app.get("/api/storylines", response_model=StorylineList, tags=["storylines"])
    def get_storylines(ctx: Ctx, limit: Limit = 20, offset: Offset = 0) -> StorylineList:
        """Storylines (long-running affairs that link stories), the largest first."""
        with ctx.store() as store:
            lines = ctx.listings.storylines(store)
        items = [StorylineOut(**line.to_dict()) for line in lines[offset : offset + limit]]
        return StorylineList(total=len(lines), limit=limit, offset=offset, items=items)

    @app.get(
        "/api/storylines/{storyline_id}",
        response_model=StorylineOut,
        responses=NOT_FOUND,
        tags=["storylines"],
    )
    def get_storyline(ctx: Ctx, storyline_id: str) -> StorylineOut:
        """One storyline: its stories, earliest first."""
        with ctx.store() as store:
            line = storyline(store, storyline_id)
        if line is None:
            raise HTTPException(404, f"no storyline {storyline_id!r}")
        return StorylineOut(**line.to_dict())

    @app.get("/api/articles", response_model=ArticleList, tags=["articles"])
    def get_articles(
        ctx: Ctx,
        limit: Limit = 20,
        offset: Offset = 0,
        outlet: Outlet = None,
        since: Since = None,
        until: Until = None,
    ) -> ArticleList:
        """Articles, newest first."""
        with ctx.store() as store:
            total, page = ctx.listings.articles(
                store, Window(outlet, since, until), limit=limit, offset=offset
            )
        items = [_summary(a) for a in page]
        return ArticleList(total=total, limit=limit, offset=offset, items=items)

    @app.get(
        "/api/articles/{article_id}",
        response_model=ArticleOut,
        responses=NOT_FOUND,
        tags=["articles"],
    )
    def get_article(ctx: Ctx, article_id: str) -> ArticleOut:
        """One article with its sentences (the citation anchors) and its page's drops."""
        with ctx.store() as store:
            view = article_view(store, article_id)
        if view is None:
            raise HTTPException(404, f"no article with id {article_id!r}")
        return ArticleOut(
            **view.article.to_dict(),
            story_id=view.story.id if view.story else None,
            sentences=article_sentences(view.article),
            dropped=[DroppedOut(**vars(d)) for d in view.dropped],
        )

    @app.get(
        "/api/search",
        response_model=SearchOut,
        responses={400: {"model": ErrorOut, "description": "The query cannot be parsed."}},
        tags=["search"],
    )
    def get_search(
        ctx: Ctx,
        q: Annotated[str, Query(min_length=1, max_length=500, description="Arabic or English.")],
        limit: Limit = 20,
        offset: Offset = 0,
        outlet: Outlet = None,
        since: Since = None,
        until: Until = None,
        story: Annotated[str | None, Query(max_length=200, description="Only this story.")] = None,
    ) -> SearchOut:
        """Full-text search: clitics, hamza and diacritics forms match; best first."""
        try:
            with ctx.store() as store:
                hits = search(
                    store,
                    q,
                    outlet=outlet,
                    since=since,
                    until=until,
                    story_id=story,
                    limit=limit,
                    offset=offset,
                )
                ids = [h.article_id for h in hits]
                copies = exact_copies(ids, store.duplicates(ids))  # one page filed twice: one hit
        except QueryError as exc:
            raise HTTPException(400, f"cannot search this query: {exc}") from None
        folded = {c for group in copies.values() for c in group}
        items = [Hit.model_validate(h).model_copy(update={"copies": copies.get(h.article_id, [])})
                 for h in hits if h.article_id not in folded]  # fmt: skip
        return SearchOut(query=q, limit=limit, offset=offset, items=items)

    @app.get(
        "/api/search/stories",
        response_model=StorySearchOut,
        responses={400: {"model": ErrorOut, "description": "The query cannot be parsed."}},
        tags=["search"],
    )
    def get_search_stories(
        ctx: Ctx,
        q: Annotated[str, Query(min_length=1, max_length=500, description="Arabic or English.")],
        limit: Limit = 20,
        outlet: Outlet = None,
        since: Since = None,
        until: Until = None,
    ) -> StorySearchOut:
        """Stories whose articles match, ranked by their three best article scores."""
        try:
            with ctx.store() as store:
                found = search_stories(
                    store, q, outlet=outlet, since=since, until=until, limit=limit
                )
        except QueryError as exc:
            raise HTTPException(400, f"cannot search this query: {exc}") from None
        items = [StoryHit.model_validate(s) for s in found]
        return StorySearchOut(query=q, limit=limit, items=items)

    app.add_middleware(NoNul)
    app.include_router(follow_api(require_writer))
    app.include_router(views.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/swagger", StaticFiles(directory=SWAGGER_UI), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="marsad API",
            swagger_js_url="/swagger/swagger-ui-bundle.js",
            swagger_css_url="/swagger/swagger-ui.css",
            swagger_favicon_url="/swagger/favicon.png",
        )

    return app
