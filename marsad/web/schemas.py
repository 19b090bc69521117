"""JSON shapes of the REST API (request validation and the OpenAPI response models)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from marsad.model import Page
from marsad.read import ReadError, iso_datetime


class PageIn(BaseModel):
    """One page to ingest: its text (or HTML) and what the scraper knows about it."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, description="Plain text of the page (a text dump).")
    html: str | None = Field(None, description="HTML of the page (instead of text).")
    url: str | None = None
    outlet: str | None = Field(None, description="Name of the outlet that published it.")
    published: str | None = Field(None, description="ISO 8601 or RFC 2822 time.")
    title: str | None = None
    id: str | int | None = Field(None, description="The scraper's own id (kept as source_id).")

    @field_validator("published")
    @classmethod
    def _readable_date(cls, value: str | None) -> str | None:
        try:
            return iso_datetime(value)
        except ReadError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _one_content(self) -> PageIn:
        given = [k for k in ("text", "html") if (getattr(self, k) or "").strip()]
        if len(given) != 1:
            raise ValueError("a page needs exactly one of 'text' or 'html', not empty")
        return self

    def page(self, source_path: str) -> Page:
        return Page(
            content=self.html if self.html is not None else self.text or "",
            kind="html" if self.html is not None else "text",
            source_path=source_path,
            source_id=None if self.id is None else str(self.id),
            url=self.url,
            outlet=self.outlet,
            published=self.published,
            title=self.title,
        )


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


PagesIn = Annotated[list[PageIn], BeforeValidator(_as_list), Field(min_length=1)]


class RecordResult(BaseModel):
    record: int = Field(description="Position of the record in the request (0-based).")
    page_id: str | None
    status: str = Field(description="new | known (already stored, nothing changed) | failed")
    reason: str | None = None


class IngestOut(BaseModel):
    pages: int
    new_pages: int
    known_pages: int
    articles: int
    dropped: dict[str, int]
    duplicates: int
    stories_touched: int
    records: list[RecordResult]


class StoryOut(BaseModel):
    id: str
    title: str
    size: int
    outlets: list[str]
    start: str | None
    end: str | None
    article_ids: list[str]


class ArticleSummary(BaseModel):
    id: str
    title: str
    outlet: str | None
    published: str | None
    url: str | None
    source_id: str | None
    page_id: str


class StoryDetail(StoryOut):
    articles: list[ArticleSummary]


class Paged(BaseModel):
    total: int
    limit: int
    offset: int


class StoryList(Paged):
    items: list[StoryOut]


class ArticleList(Paged):
    items: list[ArticleSummary]


class DroppedOut(BaseModel):
    line_no: int
    text: str
    reason: str


class ArticleOut(ArticleSummary):
    position: int
    body: str
    credits: list[str]
    source_path: str | None
    story_id: str | None
    sentences: list[str] = Field(description="Canonical sentences; index i is anchor #s-<i>.")
    dropped: list[DroppedOut] = Field(description="Lines removed from this article's page.")


class Cite(BaseModel):
    article_id: str
    outlet: str | None
    sentence: int


class Cited(BaseModel):
    text: str
    article_ids: list[str]
    outlets: list[str | None]


class SummaryItem(Cited):
    cites: list[Cite]


class Entity(BaseModel):
    name: str
    type: str = Field(description="person | place | organization | event | misc")
    variants: list[str]
    article_ids: list[str]
    count: int


class TimelineEntry(Cited):
    date: str = Field(description="YYYY-MM-DD, YYYY-MM, YYYY or a range A/B")


class ConflictValue(Cited):
    value: str


class Conflict(BaseModel):
    about: str
    kind: str = Field(description="number | date")
    values: list[ConflictValue]


class Facts(BaseModel):
    shared: list[Cited]
    unique: list[Cited]
    conflicts: list[Conflict]


class Added(BaseModel):
    text: str
    article_ids: list[str]


class Coverage(BaseModel):
    outlet: str | None
    article_ids: list[str]
    added: list[Added]


class Duplicate(BaseModel):
    a: str = Field(description="The earlier copy.")
    b: str = Field(description="The later copy.")
    kind: str = Field(description="exact | near")
    similarity: float
    added_a: list[str]
    added_b: list[str]


class StoryDigest(StoryOut):
    summary: list[SummaryItem]
    entities: list[Entity]
    timeline: list[TimelineEntry]
    facts: Facts
    coverage: list[Coverage]
    duplicates: list[Duplicate]


class Hit(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    article_id: str
    title: str
    snippet: str = Field(description="HTML: escaped text with <mark> around matched words.")
    score: float
    outlet: str | None
    published: str | None
    story_id: str | None


class SearchOut(BaseModel):
    query: str
    limit: int
    offset: int
    items: list[Hit]


class ErrorOut(BaseModel):
    detail: str
