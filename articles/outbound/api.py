"""The public read API: published stories, tags and sources as JSON, and stories as ninjs.

Every story query starts from `Article.objects.published()`. Responses carry a strong `ETag` (a
hash of the exact body, so a 304 is never stale) and a `Last-Modified` from one aggregate query;
they are readable cross-origin (CORS for GET), and bad parameters get a 400 with a JSON error that
names the parameter.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Max
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import http_date, urlencode

from ..models import Article, Source, Tag
from ..search.models import Counted, ListedUnder, ListingCount
from ..search.results import NewestIds, stories_in_order
from . import live
from .links import absolute_url, lead_photo_url, story_updated
from .ninjs import article_to_ninjs

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_TAGS_PER_QUERY = 5
OPENAPI_PATH = Path(__file__).resolve().parent / "openapi.json"
_SLUG_RE = re.compile(r"\A[-\w]{1,100}\Z")


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
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


def not_found(message: str = "Not found.") -> HttpResponse:
    return error_response(404, "not_found", message)


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


def api_view(view):
    """GET/HEAD (and CORS preflight) only; a BadParameter becomes a 400 naming the parameter."""

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
        try:
            return view(request, *args, **kwargs)
        except BadParameter as exc:
            return error_response(400, "invalid_parameter", exc.message, exc.parameter)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    wrapper.csrf_exempt = True
    return wrapper


# ---------------------------------------------------------------------------------------------
# Parameters


def _check_known(request, allowed: set[str]):
    for name in request.GET:
        if name not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise BadParameter(name, f"Unknown parameter “{name}”. Known parameters: {known}.")


def _single(request, name: str) -> str | None:
    values = request.GET.getlist(name)
    if len(values) > 1:
        raise BadParameter(name, f"Give “{name}” at most once.")
    return values[0].strip() if values else None


def _slugs(request, name: str) -> list[str]:
    slugs = []
    for value in request.GET.getlist(name):
        for slug in value.split(","):
            slug = slug.strip()
            if not _SLUG_RE.match(slug):
                raise BadParameter(name, f"“{slug}” is not a {name} slug (letters, digits, -, _).")
            if slug not in slugs:
                slugs.append(slug)
    return slugs


def _moment(request, name: str) -> tuple[datetime.datetime | None, bool]:
    """An ISO date-time (UTC unless it has an offset), or an ISO date as its first instant.

    The second value says whether a whole day was given.
    """
    value = _single(request, name)
    if not value:
        return None, False
    try:
        # A date first: parse_datetime() would also read "2021-10-01" as its midnight.
        day = parse_date(value)
        moment = None if day else parse_datetime(value)
    except ValueError:
        moment = day = None
    if moment is None and day is None:
        raise BadParameter(
            name, f"“{value}” is not a date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM:SSZ)."
        )
    if day is not None:
        moment = datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
    elif timezone.is_naive(moment):
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment, day is not None


def _positive_int(request, name: str, default: int, maximum: int | None = None) -> int:
    value = _single(request, name)
    if value is None or value == "":
        return default
    if not value.isdigit() or int(value) < 1:
        raise BadParameter(name, f"“{name}” must be a whole number of 1 or more.")
    number = int(value)
    if maximum is not None and number > maximum:
        raise BadParameter(name, f"“{name}” may be at most {maximum}.")
    return number


def _page(request, queryset):
    size = _positive_int(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    number = _positive_int(request, "page", 1)
    paginator = Paginator(queryset, size, allow_empty_first_page=True)
    try:
        return paginator.page(number)
    except EmptyPage:
        raise BadParameter(
            "page", f"There is no page {number}; the last page is {paginator.num_pages}."
        ) from None


def _page_link(request, number: int) -> str:
    query = request.GET.copy()
    query["page"] = number
    return absolute_url(request.path) + "?" + urlencode(sorted(query.lists()), doseq=True)


def _paginated(request, page, results) -> tuple[dict, dict]:
    data = {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "next": _page_link(request, page.next_page_number()) if page.has_next() else None,
        "previous": (
            _page_link(request, page.previous_page_number()) if page.has_previous() else None
        ),
        "results": results,
    }
    return data


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


def _image_json(article) -> dict | None:
    image = article.lead_image
    if image is None:
        return None
    return {
        "url": lead_photo_url(article) or None,
        "width": image.width,
        "height": image.height,
        "alt_text": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
        "is_file_photo": image.is_file_photo,
    }


def article_summary_json(article) -> dict:
    return {
        "id": article.pk,
        "url": absolute_url(article.get_absolute_url()),
        "api_url": absolute_url(reverse("api:article", kwargs={"pk": article.pk})),
        "ninjs_url": absolute_url(reverse("api:article-ninjs", kwargs={"pk": article.pk})),
        "headline": article.headline,
        "standfirst": article.standfirst,
        "byline": article.byline,
        "published_at": article.published_at,
        "updated_at": story_updated(article),
        "tags": [_tag_json(tag) for tag in article.tag_list()],
        "sources": [_source_json(source) for source in article.sources.all()],
        "lead_image": _image_json(article),
    }


def article_json(article) -> dict:
    data = article_summary_json(article) | {"body_html": article.body}
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
# Views


@api_view
def article_list(request):
    """Published stories, newest first; filter by tag(s) (all must match), source and dates."""
    _check_known(request, {"tag", "source", "from", "to", "page", "page_size"})
    tag_slugs = _slugs(request, "tag")
    if len(tag_slugs) > MAX_TAGS_PER_QUERY:
        raise BadParameter("tag", f"Combine at most {MAX_TAGS_PER_QUERY} tags.")
    source_slugs = _slugs(request, "source")
    if len(source_slugs) > 1:
        raise BadParameter("source", "Give one source.")
    start, _ = _moment(request, "from")
    end, whole_day = _moment(request, "to")
    if whole_day:
        end += datetime.timedelta(days=1)  # "to=2021-10-01" takes in all of that day
    if start and end and start >= end:
        raise BadParameter("to", "“to” must be after “from”.")

    stories = Article.objects.published()
    tags = Tag.objects.resolve(tag_slugs)  # an old address of a renamed or merged tag works too
    source = Source.objects.filter(slug=source_slugs[0]).first() if source_slugs else None
    if len(tags) < len(tag_slugs) or (source_slugs and source is None):
        stories = stories.none()
    elif not (start or end) and len(tags) + bool(source) <= 1:
        # Everything, one tag or one source: paged from the index and counted from the kept
        # counts, the same work however many stories there are.
        if tags:
            [tag] = tags.values()
            newest = NewestIds(ListedUnder.TAG, tag.pk)
        else:
            newest = NewestIds(ListedUnder.SOURCE, source.pk) if source else NewestIds()
        page = _page(request, newest)
        page.object_list = stories_in_order(page.object_list, Article.objects.for_list())
        return _article_page(request, page)
    for tag in tags.values():
        stories = stories.filter(tagged_items__tag=tag)
    if source:
        stories = stories.filter(sources=source)
    if start:
        stories = stories.filter(published_at__gte=start)
    if end:
        stories = stories.filter(**{"published_at__lt" if whole_day else "published_at__lte": end})
    return _article_page(request, _page(request, stories.for_list().newest_first()))


def _article_page(request, page):
    results = [article_summary_json(article) for article in page.object_list]
    data = _paginated(request, page, results)
    response = json_response(request, data, last_modified=_list_last_modified(page.object_list))
    return _link_header(response, data)


def _published_article(pk: int):
    return Article.objects.published().for_list().filter(pk=pk).first()


def _wants_ninjs(request) -> bool:
    fmt = _single(request, "format")
    if fmt not in (None, "", "json", "ninjs"):
        raise BadParameter("format", f"Unknown format “{fmt}”: use json or ninjs.")
    return fmt == "ninjs"


@api_view
def article_detail(request, pk):
    """One published story as JSON, or as ninjs 3.3 with `?format=ninjs`."""
    _check_known(request, {"format"})
    as_ninjs = _wants_ninjs(request)
    article = _published_article(pk)
    if article is None:
        return not_found(f"No published story with id {pk}.")
    last_modified = live.with_updates(
        _last_modified(Article.objects.filter(pk=article.pk)), article
    )
    if as_ninjs:
        return ninjs_response(request, article, last_modified)
    return json_response(request, article_json(article), last_modified=last_modified)


@api_view
def article_ninjs(request, pk):
    """One published story as an IPTC ninjs 3.3 document."""
    _check_known(request, set())
    article = _published_article(pk)
    if article is None:
        return not_found(f"No published story with id {pk}.")
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


@api_view
def tag_list(request):
    """Tags that have published stories, by name, with how many each."""
    _check_known(request, {"page", "page_size"})
    page = _page(request, Tag.objects.with_published_stories().order_by("name", "pk"))
    results = [_tag_json(tag) | {"story_count": tag.story_count} for tag in page.object_list]
    data = _paginated(request, page, results)
    response = json_response(request, data, last_modified=_list_last_modified([]))
    return _link_header(response, data)


@api_view
def source_list(request):
    """Sources that have published stories, by name, with how many each."""
    _check_known(request, {"page", "page_size"})
    page = _page(request, Source.objects.with_published_stories().order_by("name", "pk"))
    results = [
        _source_json(source) | {"story_count": source.story_count} for source in page.object_list
    ]
    data = _paginated(request, page, results)
    response = json_response(request, data, last_modified=_list_last_modified([]))
    return _link_header(response, data)


@cache
def _openapi_template() -> str:
    return OPENAPI_PATH.read_text(encoding="utf-8")


def openapi_document() -> dict:
    document = json.loads(_openapi_template())
    document["servers"] = [{"url": absolute_url(reverse("api:root")).rstrip("/")}]
    document["info"]["title"] = f"{settings.SITE_NAME} read API"
    return document


@api_view
def openapi_schema(request):
    """The OpenAPI 3.1 description of this API."""
    _check_known(request, set())
    return json_response(request, openapi_document())


@api_view
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


@api_view
def unknown_endpoint(request):
    return not_found("No such API endpoint; see /api/ for the list.")
