"""What the read API accepts and answers, as types: django-ninja makes the OpenAPI document at
/api/schema/ from these, and validates every request's parameters against them.

The response bodies are built by the representation functions in api.py (so that their bytes, and
so their ETags, are exactly what is sent); the tests validate every response against these types.
"""

import datetime
import re
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict

SLUG_PATTERN = r"^[-a-zA-Z0-9_]{1,100}$"  # sources' slugs are ASCII
# Tags' slugs keep letters of any script (taggit's unicode slugify): checked with Python's `re`,
# as Django's own slug validator does, not by pydantic's regex engine, whose \w differs.
TAG_SLUG_PATTERN = r"^[-\w]{1,100}$"
MAX_PAGE_SIZE = 100
MAX_TAGS_PER_QUERY = 5
MAX_ID = 2**63 - 1  # the largest primary key the databases hold


class Closed(Schema):
    """No properties beyond those declared."""

    model_config = ConfigDict(extra="forbid")


# -- Parameters ---------------------------------------------------------------------------------

_ISO_DATE_START = re.compile(r"\A\d{4}-\d{2}-\d{2}(\Z|T)")


def _iso_only(value):
    """Only ISO 8601 text (pydantic alone would also read "1700000000" as a Unix time), and text
    with a time is a date-time (pydantic alone reads "2021-10-01T00:00:00+05:00" as a plain date,
    dropping the offset)."""
    if not isinstance(value, str):
        return value
    match = _ISO_DATE_START.match(value)
    if not match:
        raise ValueError("give a date (YYYY-MM-DD) or a date-time (YYYY-MM-DDTHH:MM:SSZ)")
    if match.group(1) == "T":
        return datetime.datetime.fromisoformat(value)
    return value


DateOrDateTime = Annotated[datetime.date | datetime.datetime, BeforeValidator(_iso_only)]


class Paging(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1; a page past the last is a 404.")
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")


class ArticleFilters(Paging):
    tag: list[str] = Field(
        [],
        max_length=MAX_TAGS_PER_QUERY,
        description=(
            "A tag slug; repeat the parameter (`?tag=a&tag=b`) for stories that carry all of "
            f"them (at most {MAX_TAGS_PER_QUERY}). Commas do not separate slugs."
        ),
        json_schema_extra={"items": {"type": "string", "pattern": TAG_SLUG_PATTERN}},
    )
    source: str | None = Field(None, pattern=SLUG_PATTERN, description="A source slug.")
    published_from: DateOrDateTime | None = Field(
        None,
        alias="from",
        description=(
            "Published at or after: a date (YYYY-MM-DD, from its start, UTC) or a date-time "
            "(UTC unless it has an offset)."
        ),
    )
    published_to: DateOrDateTime | None = Field(
        None,
        alias="to",
        description=(
            "Published at or before: a date (the whole day, UTC) or a date-time. Must be after "
            "`from`."
        ),
    )


class Format(Schema):
    format: Literal["json", "ninjs"] | None = Field(
        None,
        description="`ninjs` for the IPTC ninjs 3.3 document (the same as /articles/{id}.ninjs).",
    )


# -- Responses ----------------------------------------------------------------------------------


class ErrorDetail(Closed):
    code: str = Field(examples=["invalid_parameter"])
    message: str
    parameter: str | None = Field(None, description="The parameter at fault, for a 400.")


class Error(Closed):
    error: ErrorDetail


class Root(Closed):
    articles: str
    tags: str
    sources: str
    schema_url: str = Field(alias="schema")


class Tag(Closed):
    name: str
    slug: str
    url: str = Field(description="The tag's page on the site.")
    api_url: str = Field(description="Its stories in this API.")


class Source(Closed):
    name: str
    slug: str
    url: str
    website: str | None
    api_url: str


class CountedTag(Tag):
    story_count: int = Field(ge=0)


class CountedSource(Source):
    story_count: int = Field(ge=0)


class Image(Closed):
    url: str | None
    width: int | None
    height: int | None
    alt_text: str
    caption: str
    credit: str
    is_file_photo: bool


class ArticleSummary(Closed):
    id: int
    url: str
    api_url: str
    ninjs_url: str
    headline: str
    standfirst: str
    byline: str
    published_at: datetime.datetime
    updated_at: datetime.datetime | None
    tags: list[Tag]
    sources: list[Source]
    lead_image: Image | None


class LiveUpdate(Closed):
    id: int
    url: str = Field(description="Its permalink.")
    posted_at: datetime.datetime
    updated_at: datetime.datetime
    headline: str
    body_html: str
    byline: str
    is_key_event: bool
    image: Image | None = Field(description="Its photo, while its licence runs.")


class LiveCoverage(Closed):
    """Only on live coverage: its times and its newest 100 updates, newest first."""

    started_at: datetime.datetime
    ended_at: datetime.datetime | None
    is_live: bool
    updates: list[LiveUpdate]


class Author(Closed):
    """One person credited on the story, in the byline's order."""

    name: str
    slug: str
    role: str = Field(description="The credit as the byline says it, e.g. “Reporting by”.")
    api_role: Literal["by", "reporting", "additional", "translated", "photos", "edited"]
    url: str = Field(description="Their page on the site.")


class Article(ArticleSummary):
    body_html: str = Field(description="The story's sanitised HTML.")
    authors: list[Author] = Field(description="The people credited, in the byline's order.")
    live: LiveCoverage | None = Field(None, description="Only on live coverage.")


class Page(Closed):
    count: int = Field(ge=0)
    page: int = Field(ge=1)
    pages: int = Field(ge=1)
    next: str | None
    previous: str | None


class ArticlePage(Page):
    results: list[ArticleSummary]


class TagPage(Page):
    results: list[CountedTag]


class SourcePage(Page):
    results: list[CountedSource]


class Ninjs(Schema):
    """An IPTC ninjs 3.3 news item (the full schema:
    http://www.iptc.org/std/ninjs/ninjs-schema_3.3.json)."""

    uri: str
    standard: dict
    headlines: list[dict] = Field(min_length=1)
