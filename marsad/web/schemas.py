"""JSON shapes of the REST API (request validation and the OpenAPI response models)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from marsad.model import Failure, Page
from marsad.read import ReadConfig, ReadError, check_lines, record_date, storable


class PageIn(BaseModel):
    """One page to ingest: its text (or HTML) and what the scraper knows about it.

    The shape is validated here (422 for the request); what only reading the page can tell
    (blank text, a page over the size or line limit) fails that record alone, and an
    unreadable date leaves the page undated with a warning, as reading a file does.
    """

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"oneOf": [{"required": ["text"]}, {"required": ["html"]}]},
    )

    text: str = Field(None, description="Plain text of the page (a text dump).")
    html: str = Field(None, description="HTML of the page, instead of text.")
    url: str | None = None
    outlet: str | None = Field(None, description="Name of the outlet that published it.")
    published: str | None = Field(None, description="ISO 8601 or RFC 2822 time.")
    title: str | None = None
    id: str | int | None = Field(None, description="The scraper's own id (kept as source_id).")

    @field_validator("text", "html", "url", "outlet", "published", "title", "id")
    @classmethod
    def _storable(cls, value: str | int | None) -> str | int | None:
        """JSON may escape lone surrogates and NULs that no store can hold: U+FFFD / dropped,
        exactly as reading a JSON Lines file does (the same record is the same page)."""
        return storable(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_content(self) -> PageIn:
        if len(self.model_fields_set & {"text", "html"}) != 1:
            raise ValueError("a page needs exactly one of 'text' or 'html'")
        return self

    def page(self, source_path: str, config: ReadConfig) -> Page | Failure:
        """The page to ingest, or why this record cannot be one."""
        content = self.html if self.html is not None else self.text
        if not content.strip():
            return Failure(source_path, "the page's text is blank")
        if len(content.encode("utf-8")) > config.max_page_bytes:
            return Failure(source_path, f"page larger than {config.max_page_mb:g} MB")
        try:
            check_lines(content, config)
        except ReadError as exc:
            return Failure(source_path, str(exc))
        published, warnings = record_date(self.published)
        return Page(
            content=content,
            kind="html" if self.html is not None else "text",
            source_path=source_path,
            source_id=None if self.id is None else str(self.id),
            url=self.url,
            outlet=self.outlet,
            published=published,
            title=self.title,
            warnings=tuple(warnings),
        )


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


PagesIn = Annotated[list[PageIn], BeforeValidator(_as_list), Field(min_length=1)]


class RecordResult(BaseModel):
    record: int = Field(description="Position of the record in the request (0-based).")
    page_id: str | None
    status: str = Field(description="new | known (already stored, nothing changed) | failed")
    reason: str | None = Field(None, description="Why the record failed (status failed).")
    warnings: list[str] = Field(
        default_factory=list,
        description="What storing it noticed: an unreadable date dropped, no article found.",
    )


class IngestOut(BaseModel):
    pages: int
    new_pages: int
    known_pages: int
    articles: int
    dropped: dict[str, int]
    duplicates: int
    stories_touched: int
    records: list[RecordResult]


class StorylineStory(BaseModel):
    """A story as its storyline lists it (no article ids)."""

    id: str
    title: str
    size: int
    outlets: list[str]
    start: str | None
    end: str | None
    storyline: str | None = None


class StoryOut(StorylineStory):
    article_ids: list[str]


class CoveredStory(StoryOut):
    outlet_articles: dict[str, int] = Field(
        description="Each outlet's number of the story's articles, the most first (the bar of"
        " the story list); articles without an outlet count under «مصدر غير مسمى»."
    )


class StorylineOut(BaseModel):
    id: str
    title: str
    size: int
    start: str | None
    end: str | None
    outlets: list[str]
    stories: list[StorylineStory]


class ArticleSummary(BaseModel):
    id: str
    title: str
    outlet: str | None
    published: str | None
    url: str | None
    source_id: str | None
    page_id: str


class StoryDetail(CoveredStory):
    articles: list[ArticleSummary]


class Paged(BaseModel):
    total: int
    limit: int
    offset: int


class StoryList(Paged):
    items: list[CoveredStory]


class BlindspotOut(BaseModel):
    """An outlet's blindspots: `only` the stories no other outlet covered, `missed` those it
    did not cover that at least `others` other outlets did (the most covered first); each
    list holds at most `limit` of its `*_total` stories."""

    outlet: str
    others: int
    limit: int
    only_total: int
    missed_total: int
    only: list[CoveredStory]
    missed: list[CoveredStory]


class StorylineList(Paged):
    items: list[StorylineOut]


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
    speakers: list[str] = Field(default=[], description="Who its cited sentences credit.")


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
    published: str | None = Field(None, description="when its first article came out")


class Conflict(BaseModel):
    about: str
    kind: str = Field(description="number | date")
    label: str = Field("", description="for people: «عدد المصابين: 31 (…) مقابل 34 (…)»")
    values: list[ConflictValue]


class Update(BaseModel):
    kind: str = Field(description="figure (a count that changed) | outcome (announced, then done)")
    heading: str
    label: str = Field(description="for people: «عدد القتلى: 40+ (…) ثم 50+ (…)»")
    steps: list[ConflictValue] = Field(description="in publish order")


class Facts(BaseModel):
    shared: list[Cited]
    unique: list[Cited]
    conflicts: list[Conflict]
    updates: list[Update] = []


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


class DateMentionOut(BaseModel):
    surface: str
    date: str


class SpeakerOut(BaseModel):
    text: str = Field(description="Who the sentence credits, as written.")
    kind: str = Field(description="verb (قال X), relay (نقلت … عن X), according (بحسب X), "
                      "pronoun (وأضاف: the article's last named speaker)")  # fmt: skip


class FigureOut(BaseModel):
    value: str = Field(description="The figure as stated: 12, 1000+ (أكثر من), ~500 (نحو).")
    counts: str = Field(description="The counted noun (normalized).")
    role: str | None = Field(description="What it counts when the words say it: عدد القتلى …")


class ClaimSentence(BaseModel):
    article_id: str
    index: int
    text: str
    dates: list[DateMentionOut]
    speaker: SpeakerOut | None = None
    figures: list[FigureOut] = []


class ClaimOut(BaseModel):
    id: str
    text: str
    article_ids: list[str]
    outlets: list[str]
    modality: str = Field(description="done, planned, expected, denied or conditional")
    speakers: list[str] = Field(default=[], description="Who its sentences credit.")
    sentences: list[ClaimSentence]


class InferredPublished(BaseModel):
    article_id: str
    published: str
    basis: str
    evidence: str


class StoryDigest(StoryOut):
    claims: list[ClaimOut] = []
    inferred_published: list[InferredPublished] = []
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
    copies: list[str] = Field(
        default=[], description="Exact copies of this article among the hits, folded under it."
    )


class SearchOut(BaseModel):
    query: str
    limit: int
    offset: int
    items: list[Hit]


class StoryHit(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    story_id: str
    title: str
    size: int
    matched: int = Field(description="How many of its articles match.")
    score: float = Field(description="Sum of its three best article scores (BM25).")
    best: Hit = Field(description="Its best matching article.")


class StorySearchOut(BaseModel):
    query: str
    limit: int
    items: list[StoryHit]


class ErrorOut(BaseModel):
    detail: str
