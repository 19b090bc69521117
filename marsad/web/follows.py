"""Follows over HTTP: the REST endpoints (`follow_api`) and what the UI pages need to show
follow buttons and «جديد» badges (a story is new when it gained articles after the user's
last look at /changes, kept in a cookie, or after `?since=`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from marsad.changes import parse_since, stories_since, utc
from marsad.follow import FollowError, follow, followed_stories, unfollow, what_changed
from marsad.store import Store
from marsad.store.follows import Follow
from marsad.web.context import Marsad
from marsad.web.schemas import Conflict, ErrorOut, StorylineStory

SEEN_COOKIE = "marsad_seen"  # when the user last looked at /changes (ISO UTC)
DEFAULT_SINCE = dt.timedelta(hours=24)


# --- what the pages show ---------------------------------------------------------------------
def seen_since(request: Request, since: str = "") -> dt.datetime | None:
    """The time «جديد» counts from: `since` (the page's `?since=` / `?new_since=`) when
    given and valid, else the cookie."""
    for text in (since, request.cookies.get(SEEN_COOKIE, "")):
        try:
            if text:
                return parse_since(text)
        except ValueError:
            continue
    return None


def fresh_stories(store: Store, since: dt.datetime | None) -> set[str]:
    """Stories that gained articles after `since` (none without a time)."""
    return set() if since is None else set(stories_since(store, since))


def follow_of(store: Store, kind: str, target: str) -> Follow | None:
    """The follow of this story or storyline, if any; matched by what it means now, so a
    story renamed by a replay still shows as followed."""
    for f, stories in followed_stories(store):
        if f.kind == kind and (f.target == target or (kind == "story" and target in stories)):
            return f
    return None


# --- the REST shapes -------------------------------------------------------------------------
class FollowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["story", "storyline"]
    target: str = Field(min_length=1, max_length=200, description="The story or storyline id.")


class SearchFollowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    q: str = Field(min_length=1, max_length=500, description="The query, as GET /api/search.")
    outlet: str | None = Field(None, max_length=200, description="Only this outlet.")


class FollowOut(BaseModel):
    id: int
    kind: str = Field(description="story | storyline | search")
    target: str = Field(description="story or storyline id as followed, or the query")
    filters: dict[str, str]
    created: str
    stories: list[str] = Field(description="the stories it means now (a story id can change)")


class FollowList(BaseModel):
    items: list[FollowOut]


class ArticleBrief(BaseModel):
    article_id: str
    title: str
    outlet: str | None
    source: str = Field(description="the outlet, or what tells an unnamed source apart")
    published: str | None
    url: str | None


class ClaimBrief(BaseModel):
    claim_id: str
    text: str
    article_ids: list[str]
    outlets: list[str]
    modality: str
    added_article_ids: list[str] = Field([], description="updated claims: its new articles")
    added_outlets: list[str] = Field([], description="updated claims: outlets new to it")


class NewConflict(Conflict):
    id: str


class FollowBrief(BaseModel):
    id: int
    kind: str
    target: str
    filters: dict[str, str]
    created: str


class ChangeOut(BaseModel):
    follow: FollowBrief | None = Field(description="the follow it is reported for, if any")
    story: StorylineStory
    articles: list[ArticleBrief]
    outlets: list[str]
    claims: list[ClaimBrief]
    updated_claims: list[ClaimBrief]
    conflicts: list[NewConflict]


class ChangesOut(BaseModel):
    since: str
    items: list[ChangeOut]


class EventOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int = Field(description="increasing: resume after the last id taken")
    follow_id: int
    at: str
    kind: str = Field(description="article | outlet | claim | claim_update | conflict | story")
    story_id: str | None
    item: str = Field(description="the article id, outlet, claim id, conflict id or story id")


class EventList(BaseModel):
    last: int = Field(description="the newest event id in the log")
    items: list[EventOut]


def _marsad(request: Request) -> Marsad:
    return request.app.state.marsad


Ctx = Annotated[Marsad, Depends(_marsad)]


def _out(store: Store, made: Follow) -> FollowOut:
    stories = next((ids for f, ids in followed_stories(store) if f.id == made.id), [])
    return FollowOut(**made.to_dict(), stories=stories)


def follow_api(writer: Callable[..., Any]) -> APIRouter:
    """The follow endpoints; writes go through `writer` (the app's write rule)."""
    router = APIRouter(tags=["follows"])
    made: dict[int | str, dict[str, Any]] = {
        201: {"model": FollowOut, "description": "Followed now."},
        200: {"model": FollowOut, "description": "Already followed."},
        401: {"model": ErrorOut, "description": "A token is configured and none was sent."},
        403: {"model": ErrorOut, "description": "Wrong token, or a remote client without one."},
    }
    denied = {k: v for k, v in made.items() if k in (401, 403)}
    unknown = {404: {"model": ErrorOut, "description": "No such story, storyline or follow."},
               400: {"model": ErrorOut, "description": "The body is not UTF-8 JSON."}}  # fmt: skip
    bad_query = {400: {"model": ErrorOut, "description": "The query cannot be parsed, or the"
                       " body is not UTF-8 JSON."}}  # fmt: skip

    @router.get("/api/follows", response_model=FollowList)
    def get_follows(ctx: Ctx) -> FollowList:
        """What is followed, with the stories each follow means now."""
        with ctx.store() as store:
            items = [FollowOut(**f.to_dict(), stories=ids) for f, ids in followed_stories(store)]
        return FollowList(items=items)

    write = {"status_code": 201, "response_model": FollowOut, "dependencies": [Depends(writer)]}

    @router.post("/api/follows", **write, responses={**made, **unknown})
    def post_follow(ctx: Ctx, response: Response, body: Annotated[FollowIn, Body()]) -> FollowOut:
        """Follow a story or storyline: each ingest then records its changes as events."""
        with ctx.store() as store:
            try:
                f, new = follow(store, body.kind, body.target)
            except FollowError as exc:
                raise HTTPException(404, str(exc)) from None
            if not new:
                response.status_code = 200
            return _out(store, f)

    @router.post("/api/search/follows", **write, responses={**made, **bad_query})
    def post_search_follow(
        ctx: Ctx, response: Response, body: Annotated[SearchFollowIn, Body()]
    ) -> FollowOut:
        """Save a search: each ingest records its new matching articles as events."""
        with ctx.store() as store:
            try:
                f, new = follow(store, "search", body.q, outlet=body.outlet)
            except FollowError as exc:
                raise HTTPException(400, str(exc)) from None
            if not new:
                response.status_code = 200
            return _out(store, f)

    @router.delete("/api/follows/{follow_id}", status_code=204, dependencies=[Depends(writer)],
                   responses={**denied, **unknown})  # fmt: skip
    def delete_follow(ctx: Ctx, follow_id: Annotated[int, Path(ge=1, le=2**62)]) -> Response:
        """Stop following; its past events stay in the log."""
        with ctx.store() as store:
            if not unfollow(store, follow_id):
                raise HTTPException(404, f"no follow {follow_id}")
        return Response(status_code=204)

    @router.get("/api/changes", response_model=ChangesOut)
    def get_changes(
        ctx: Ctx,
        since: Annotated[dt.datetime, Query(description="ISO time (UTC unless zoned).")],
        every: Annotated[
            bool, Query(alias="all", description="Every changed story, followed or not.")
        ] = False,
        story: Annotated[str | None, Query(max_length=200, description="Only this story.")] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
    ) -> ChangesOut:
        """What changed since `since`: new articles, outlets, claims, updated claims and
        conflicts per story, of what is followed (or `all` stories, or one `story`)."""
        when = utc(since)
        with ctx.store() as store:
            items = what_changed(store, when, every=every, story_id=story,
                                 config=ctx.config.digest, limit=limit)  # fmt: skip
        return ChangesOut(since=when.isoformat(), items=[ChangeOut(**c) for c in items])

    @router.get("/api/events", response_model=EventList)
    def get_events(
        ctx: Ctx,
        after: Annotated[int, Query(ge=0, le=2**62, description="The last id taken.")] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> EventList:
        """The follow event log after an id, oldest first."""
        with ctx.store() as store:
            events = store.events(after, limit)
            last = store.last_event()
        return EventList(last=last, items=[EventOut(**e.to_dict()) for e in events])

    return router
