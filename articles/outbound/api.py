"""The public read API: published stories, tags and sources as JSON, and stories as ninjs.

Built with django-ninja: the parameters and answers are declared as types (api_schemas.py), ninja
checks every request against them and makes the OpenAPI document served at /api/schema/, so the
document cannot drift from the code. Every story query starts from `Article.objects.published()`.
Responses carry a strong `ETag` (a hash of the exact body, so a 304 is never stale) and a
`Last-Modified` from one aggregate query; they are readable cross-origin (CORS for GET), and
errors are one JSON shape (`{"error": {"code", "message", "parameter"}}`): 400 for a bad
parameter (named), 404 for a story, page or endpoint that is not there, 410 for a story that was
withdrawn (an editor's Withdraw or an agency kill), 405 for a write, 503 while the database is
away (articles/http/failures.py).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Max
from django.http import HttpResponse
from django.urls import URLPattern, reverse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, urlencode
from ninja import NinjaAPI, Path, Query
from ninja.errors import ValidationError

from ..models import Article, Source, Tag
from ..search.models import Counted, ListedUnder, ListingCount
from ..search.results import NewestIds, stories_in_order
from . import api_schemas as schemas
from . import live
from .links import absolute_url, photo_json, story_updated
from .ninjs import article_to_ninjs

DEFAULT_PAGE_SIZE = 20
API_DESCRIPTION = (
    "Published stories, tags and sources as JSON, and stories as IPTC ninjs 3.3. Read-only and "
    "public: every response carries a strong ETag and a Last-Modified date (send If-None-Match or "
    "If-Modified-Since to get a 304), and is readable cross-origin. Errors are JSON objects with a "
    "code, a message and, for a bad parameter, its name."
)


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


class NotThere(Exception):
    """A 404 with a message (and the parameter that pointed nowhere, if one did)."""

    def __init__(self, message: str, parameter: str | None = None):
        super().__init__(message)
        self.message = message
        self.parameter = parameter


class Gone(Exception):
    """A 410: the story was withdrawn (an editor's Withdraw or an agency kill)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------------------------
# Responses


def _json_bytes(data) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _with_cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Link"
    return response


def error_response(status: int, code: str, message: str, parameter: str | None = None):
    error = {"code": code, "message": message}
    if parameter:
        error["parameter"] = parameter
    response = HttpResponse(
        _json_bytes({"error": error}), status=status, content_type="application/json"
    )
    response["Cache-Control"] = "no-store"
    return _with_cors(response)


def not_found(message: str = "Not found.", parameter: str | None = None) -> HttpResponse:
    return error_response(404, "not_found", message, parameter)


def json_response(request, data, *, last_modified=None, content_type="application/json"):
    """`data` as JSON with a strong ETag and Last-Modified; a 304 when the client is current."""
    body = _json_bytes(data)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    timestamp = int(last_modified.timestamp()) if last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is None:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    # Clients revalidate (cheaply, with the ETag) rather than trust a copy for a fixed time.
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    patch_vary_headers(response, ["Accept-Encoding"])
    return _with_cors(response)


# ---------------------------------------------------------------------------------------------
# The API and what it says about its errors

api = NinjaAPI(
    title="Newsroom read API",
    version="1.0.0",
    description=API_DESCRIPTION,
    urls_namespace="api",
    openapi_url=None,  # served by openapi_schema() below, with this site's address
    docs_url=None,
)


@api.exception_handler(ValidationError)
def _invalid_parameter(request, exc: ValidationError):
    first = exc.errors[0]
    # ("query", "filters", "from", "date") for a value that is neither of a union's types
    location = [str(part) for part in first.get("loc", ())[1:]]
    given = [part for part in location if part in request.GET]
    parameter = given[0] if given else (location[-1] if location else None)
    message = first.get("msg", "Invalid value.")
    if parameter:
        message = f"“{parameter}”: {message}."
    return error_response(400, "invalid_parameter", message, parameter)


@api.exception_handler(BadParameter)
def _bad_parameter(request, exc: BadParameter):
    return error_response(400, "invalid_parameter", exc.message, exc.parameter)


@api.exception_handler(NotThere)
def _not_there(request, exc: NotThere):
    return not_found(exc.message, exc.parameter)


@api.exception_handler(Gone)
def _gone(request, exc: Gone):
    return error_response(410, "withdrawn", exc.message)


def _documented(ok_description: str, *, paged=False, not_found=False) -> dict:
    """What ninja does not say by itself: the validators, the 304, the error answers."""
    headers = {
        "ETag": {
            "description": "A strong validator: send it back as If-None-Match.",
            "schema": {"type": "string"},
        },
        "Last-Modified": {
            "description": "When the answer last changed.",
            "schema": {"type": "string"},
        },
    }
    if paged:
        headers["Link"] = {
            "description": "The next and previous pages (RFC 8288).",
            "schema": {"type": "string"},
        }
    responses = {
        200: {"description": ok_description, "headers": headers},
        304: {
            "description": "Not modified: the copy named by If-None-Match or "
            "If-Modified-Since is current."
        },
    }
    return {"responses": responses}


# 503: the database is away (answered by articles/http/failures.py, in this shape).
ERRORS = {400: schemas.Error, 503: schemas.Error}
ERRORS_404 = {**ERRORS, 404: schemas.Error}
# A story's address: 410 once it was withdrawn.
ERRORS_STORY = {**ERRORS_404, 410: schemas.Error}


# ---------------------------------------------------------------------------------------------
# Parameters the types cannot say


def _check_known(request, allowed: set[str]):
    for name in request.GET:
        if name not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise BadParameter(name, f"Unknown parameter “{name}”. Known parameters: {known}.")


def _check_single(request, names):
    for name in names:
        if len(request.GET.getlist(name)) > 1:
            raise BadParameter(name, f"Give “{name}” at most once.")


def _names(*schema_classes) -> set[str]:
    return {
        field.alias or name
        for schema_class in schema_classes
        for name, field in schema_class.model_fields.items()
    }


def _moment(value, name: str, whole_day_after: bool = False) -> datetime.datetime | None:
    """A parameter's moment in UTC: a date as its first instant (the instant after it when
    `whole_day_after`, so "to=2021-10-01" takes in all of that day), a naive date-time as UTC.

    Converted to UTC because PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 allows."""
    if value is None:
        return None
    try:
        if not isinstance(value, datetime.datetime):
            day = value + datetime.timedelta(days=1) if whole_day_after else value
            return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
        if value.tzinfo is None:
            return value.replace(tzinfo=datetime.UTC)
        return value.astimezone(datetime.UTC)
    except OverflowError:
        raise BadParameter(name, f"“{value.isoformat()}” is outside the years 1 to 9999.") from None


def _page(request, queryset, paging: schemas.Paging):
    paginator = Paginator(queryset, paging.page_size, allow_empty_first_page=True)
    try:
        return paginator.page(paging.page)
    except EmptyPage:
        raise NotThere(
            f"There is no page {paging.page}; the last page is {paginator.num_pages}.", "page"
        ) from None


def _page_link(request, number: int) -> str:
    query = request.GET.copy()
    query["page"] = number
    return absolute_url(request.path) + "?" + urlencode(sorted(query.lists()), doseq=True)


def _paginated(request, page, results) -> dict:
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "next": _page_link(request, page.next_page_number()) if page.has_next() else None,
        "previous": (
            _page_link(request, page.previous_page_number()) if page.has_previous() else None
        ),
        "results": results,
    }


def _link_header(response, data):
    links = [f'<{data[rel]}>; rel="{rel}"' for rel in ("next", "previous") if data.get(rel)]
    if links:
        response["Link"] = ", ".join(links)
    return response


# ---------------------------------------------------------------------------------------------
# Representations


def _tag_json(tag) -> dict:
    return {
        "name": tag.name,
        "slug": tag.slug,
        "url": absolute_url(tag.get_absolute_url()),
        "api_url": absolute_url(reverse("api:articles") + "?" + urlencode({"tag": tag.slug})),
    }


def _source_json(source) -> dict:
    return {
        "name": source.name,
        "slug": source.slug,
        "url": absolute_url(source.get_absolute_url()),
        "website": source.url or None,
        "api_url": absolute_url(reverse("api:articles") + "?" + urlencode({"source": source.slug})),
    }


def article_summary_json(article) -> dict:
    return {
        "id": article.pk,
        "url": absolute_url(article.get_absolute_url()),
        "api_url": absolute_url(reverse("api:article", kwargs={"id": article.pk})),
        "ninjs_url": absolute_url(reverse("api:article-ninjs", kwargs={"id": article.pk})),
        "headline": article.headline,
        "standfirst": article.standfirst,
        "byline": article.byline,
        "published_at": article.published_at,
        "updated_at": story_updated(article),
        "tags": [_tag_json(tag) for tag in article.tag_list()],
        "sources": [_source_json(source) for source in article.sources.all()],
        "lead_image": photo_json(article.public_lead_image),  # none once its licence expired
    }


def _authors_json(article) -> list[dict]:
    return [
        {
            "name": contribution.author.name,
            "slug": contribution.author.slug,
            "role": contribution.get_role_display(),
            "api_role": contribution.role,
            "url": absolute_url(contribution.author.get_absolute_url()),
        }
        for contribution in article.contributions.select_related("author")
    ]


def article_json(article) -> dict:
    data = article_summary_json(article) | {
        "body_html": article.body,
        "authors": _authors_json(article),
    }
    if (coverage := live.live_json(article)) is not None:
        data["live"] = coverage
    return data


def _list_last_modified(articles) -> datetime.datetime | None:
    """When a list's response last changed: the last change to any list of stories (kept with
    the counts, so it costs one row), or the newest edit, publication or photo change of the
    stories it shows, whichever is later."""
    moments = [
        ListingCount.objects.filter(kind=Counted.ALL).values_list("changed_at", flat=True).first()
    ]
    for article in articles:
        moments += [article.updated_at, article.published_at]
        if article.lead_image is not None:
            moments.append(article.lead_image.updated_at)
    return max((moment for moment in moments if moment is not None), default=None)


def _last_modified(articles):
    """The newest change among `articles` (publication or edit), from one aggregate query."""
    latest = articles.order_by().aggregate(
        edited=Max("updated_at"), published=Max("published_at"), photo=Max("lead_image__updated_at")
    )
    moments = [moment for moment in latest.values() if moment is not None]
    return max(moments) if moments else None


# ---------------------------------------------------------------------------------------------
# Operations


@api.get(
    "/",
    url_name="root",
    operation_id="apiRoot",
    by_alias=True,
    summary="Where the endpoints are",
    response={200: schemas.Root, **ERRORS},
    openapi_extra=_documented("Links to the collections and this document."),
)
def api_root(request):
    _check_known(request, set())
    return json_response(
        request,
        {
            "articles": absolute_url(reverse("api:articles")),
            "tags": absolute_url(reverse("api:tags")),
            "sources": absolute_url(reverse("api:sources")),
            "schema": absolute_url(reverse("api:schema")),
        },
    )


@api.get(
    "/articles/",
    url_name="articles",
    operation_id="listArticles",
    summary="Published stories, newest first",
    response={200: schemas.ArticlePage, **ERRORS_404},
    openapi_extra=_documented("One page of stories.", paged=True),
)
def article_list(request, filters: Query[schemas.ArticleFilters]):
    """Published stories, newest first; filter by tags (all must match), source and dates."""
    _check_known(request, _names(schemas.ArticleFilters))
    _check_single(request, ("source", "from", "to", "page", "page_size"))
    tag_slugs = list(dict.fromkeys(filters.tag))
    for slug in tag_slugs:
        if "," in slug:
            raise BadParameter(
                "tag", f"“{slug}”: give each tag as its own parameter (?tag=a&tag=b), not commas."
            )
        if not re.fullmatch(schemas.TAG_SLUG_PATTERN, slug):
            raise BadParameter("tag", f"“{slug}” is not a tag slug (letters, digits, -, _).")
    start = _moment(filters.published_from, "from")
    end = _moment(filters.published_to, "to", whole_day_after=True)
    end_lookup = (
        "published_at__lte"
        if isinstance(filters.published_to, datetime.datetime)
        else "published_at__lt"
    )
    if start and end and start >= end:
        raise BadParameter("to", "“to” must be after “from”.")

    stories = Article.objects.published()
    tags = Tag.objects.resolve(tag_slugs)  # an old address of a renamed or merged tag works too
    source = Source.objects.filter(slug=filters.source).first() if filters.source else None
    if len(tags) < len(tag_slugs) or (filters.source and source is None):
        stories = stories.none()
    elif not (start or end) and len(tags) + bool(source) <= 1:
        # Everything, one tag or one source: paged from the index and counted from the kept
        # counts, the same work however many stories there are.
        if tags:
            [tag] = tags.values()
            newest = NewestIds(ListedUnder.TAG, tag.pk)
        else:
            newest = NewestIds(ListedUnder.SOURCE, source.pk) if source else NewestIds()
        page = _page(request, newest, filters)
        page.object_list = stories_in_order(page.object_list, Article.objects.for_list())
        return _article_page(request, page)
    for tag in tags.values():
        stories = stories.filter(tagged_items__tag=tag)
    if source:
        stories = stories.filter(sources=source)
    if start:
        stories = stories.filter(published_at__gte=start)
    if end:
        stories = stories.filter(**{end_lookup: end})
    return _article_page(request, _page(request, stories.for_list().newest_first(), filters))


def _article_page(request, page):
    results = [article_summary_json(article) for article in page.object_list]
    data = _paginated(request, page, results)
    response = json_response(request, data, last_modified=_list_last_modified(page.object_list))
    return _link_header(response, data)


def _published_article(pk: int):
    article = Article.objects.published().for_list().filter(pk=pk).first()
    if article is None:
        _missing_article(pk)
    return article


def _missing_article(pk: int):
    """404, or 410 Gone for a story that was withdrawn (an editor's Withdraw or an agency kill)."""
    if Article.objects.live().withdrawn().filter(pk=pk).exists():
        raise Gone(f"Story {pk} has been withdrawn.")
    raise NotThere(f"No published story with id {pk}.")


class ArticleId(schemas.Schema):
    id: int = schemas.Field(ge=1, le=schemas.MAX_ID)


@api.get(
    "/articles/{int:id}/",
    url_name="article",
    operation_id="getArticle",
    summary="One published story",
    response={200: schemas.Article | schemas.Ninjs, **ERRORS_STORY},
    openapi_extra=_documented("The story (or, with format=ninjs, its ninjs document)."),
)
def article_detail(request, path: Path[ArticleId], options: Query[schemas.Format]):
    """One published story as JSON, or as ninjs 3.3 with `?format=ninjs`."""
    _check_known(request, {"format"})
    _check_single(request, ("format",))
    article = _published_article(path.id)
    last_modified = live.with_updates(
        _last_modified(Article.objects.filter(pk=article.pk)), article
    )
    if options.format == "ninjs":
        return ninjs_response(request, article, last_modified)
    return json_response(request, article_json(article), last_modified=last_modified)


@api.get(
    "/articles/{int:id}.ninjs",
    url_name="article-ninjs",
    operation_id="getArticleNinjs",
    summary="One published story as IPTC ninjs 3.3",
    response={200: schemas.Ninjs, **ERRORS_STORY},
    openapi_extra=_documented("The ninjs document."),
)
def article_ninjs(request, path: Path[ArticleId]):
    """One published story as an IPTC ninjs 3.3 document."""
    _check_known(request, set())
    article = _published_article(path.id)
    last_modified = live.with_updates(
        _last_modified(Article.objects.filter(pk=article.pk)), article
    )
    return ninjs_response(request, article, last_modified)


def ninjs_response(request, article, last_modified):
    return json_response(
        request,
        article_to_ninjs(article),
        last_modified=last_modified,
        content_type='application/json; profile="http://www.iptc.org/std/ninjs/"',
    )


@api.get(
    "/tags/",
    url_name="tags",
    operation_id="listTags",
    summary="Tags with published stories, by name",
    response={200: schemas.TagPage, **ERRORS_404},
    openapi_extra=_documented("One page of tags.", paged=True),
)
def tag_list(request, paging: Query[schemas.Paging]):
    """Tags that have published stories, by name, with how many each."""
    return _counted_list(request, paging, Tag.objects.with_published_stories(), _tag_json)


@api.get(
    "/sources/",
    url_name="sources",
    operation_id="listSources",
    summary="Sources with published stories, by name",
    response={200: schemas.SourcePage, **ERRORS_404},
    openapi_extra=_documented("One page of sources.", paged=True),
)
def source_list(request, paging: Query[schemas.Paging]):
    """Sources that have published stories, by name, with how many each."""
    return _counted_list(request, paging, Source.objects.with_published_stories(), _source_json)


def _counted_list(request, paging, counted, to_json):
    """One page, by name, of tags or sources annotated with their published `story_count`."""
    _check_known(request, _names(schemas.Paging))
    _check_single(request, ("page", "page_size"))
    page = _page(request, counted.order_by("name", "pk"), paging)
    results = [to_json(item) | {"story_count": item.story_count} for item in page.object_list]
    data = _paginated(request, page, results)
    response = json_response(request, data, last_modified=_list_last_modified([]))
    return _link_header(response, data)


def openapi_document() -> dict:
    document = api.get_openapi_schema(path_prefix="")
    document["servers"] = [{"url": absolute_url(reverse("api:root")).rstrip("/")}]
    document["info"]["title"] = f"{settings.SITE_NAME} read API"
    return document


@api.get(
    "/schema/",
    url_name="schema",
    operation_id="getSchema",
    summary="This OpenAPI 3.1 document",
    response={200: dict, **ERRORS},
    openapi_extra=_documented("The OpenAPI document."),
)
def openapi_schema(request):
    """The OpenAPI 3.1 description of this API, made from the code by django-ninja."""
    _check_known(request, set())
    return json_response(request, openapi_document())


# ---------------------------------------------------------------------------------------------
# URLs: ninja's operations behind CORS, preflight and the read-only rule


def read_only(view):
    """GET/HEAD (and CORS preflight) only; every answer readable cross-origin."""

    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response["Access-Control-Max-Age"] = "86400"
            response["Allow"] = "GET, HEAD, OPTIONS"
            return _with_cors(response)
        if request.method not in ("GET", "HEAD"):
            response = error_response(405, "method_not_allowed", "This API is read-only: use GET.")
            response["Allow"] = "GET, HEAD, OPTIONS"
            return response
        if request.method == "HEAD":
            request.method = "GET"  # the same answer; the server sends no body
        return _with_cors(view(request, *args, **kwargs))

    wrapper.__name__ = getattr(view, "__name__", "api_view")
    wrapper.csrf_exempt = True
    return wrapper


def unknown_endpoint(request):
    return not_found("No such API endpoint; see /api/ for the list.")


def url_patterns() -> list[URLPattern]:
    patterns, _, _ = api.urls
    return [
        URLPattern(pattern.pattern, read_only(pattern.callback), pattern.default_args, pattern.name)
        for pattern in patterns
        if pattern.name != "api-root"  # ninja's own index page; ours is the "/" operation
    ]
