"""The faceted search page.

Every story counted or shown comes from the due listings (`engine.listings(query).due()`), the
list-shaped mirror of `Article.objects.published()`; the full-text part and the tag and source
filters go through `articles.search.engines.get_engine()`, and nothing here depends on the
database vendor.
"""

import datetime
import re
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from ..languages import codes, name_of, translated_name_of
from ..models import Source, Tag
from ..search.engines import get_engine
from ..search.query import MAX_QUERY_LENGTH, parse_query
from ..search.results import (
    EXACT_UP_TO,
    Matches,
    counted_list,
    find,
    source_facets,
    stories_in_order,
    tag_facets,
)

MAX_COMBINED_TAGS = 10
MAX_PAGE_NUMBER = 10_000
TAG_FACETS = 15
SOURCE_FACETS = 10
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def _clean(value: str) -> str:
    """A parameter without NUL and other control characters (invalid UTF-8 is already U+FFFD)."""
    return _CONTROL_CHARACTERS.sub(" ", value)


@dataclass(frozen=True)
class SearchParams:
    """The search page's parameters, cleaned; also builds the URLs that change one of them."""

    q: str = ""
    tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    source: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    sort: str = ""
    language: str = ""
    page: int = 1
    errors: tuple[str, ...] = field(default=(), compare=False)
    notices: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_query(cls, query) -> "SearchParams":
        errors, notices = [], []
        q = " ".join(_clean(query.get("q", "")).split())
        if len(q) > MAX_QUERY_LENGTH:
            errors.append(
                _("Search text can be at most %(n)s characters long.") % {"n": MAX_QUERY_LENGTH}
            )
            q = q[:MAX_QUERY_LENGTH]

        def slugs(name):
            values = []
            for value in query.getlist(name):
                value = _clean(value).strip()[:100]
                if value and value not in values:
                    values.append(value)
            if len(values) > MAX_COMBINED_TAGS:
                notices.append(
                    _("A search combines at most %(n)s topics; only the first %(n)s were used.")
                    % {"n": MAX_COMBINED_TAGS}
                )
            return tuple(values[:MAX_COMBINED_TAGS])

        tags, exclude_tags = slugs("tag"), slugs("exclude_tag")

        def day(name, label):
            value = _clean(query.get(name, "")).strip()
            if not value:
                return None
            try:
                parsed = datetime.date.fromisoformat(value)
            except ValueError:
                errors.append(_("The %(label)s date must look like 2024-03-31.") % {"label": label})
                return None
            if not 1900 <= parsed.year <= 2999:
                errors.append(
                    _("The %(label)s date must be between the years 1900 and 2999.")
                    % {"label": label}
                )
                return None
            return parsed

        date_from, date_to = day("from", _("from")), day("to", _("to"))
        if date_from and date_to and date_from > date_to:
            errors.append(_("The from date must not be after the to date."))
        sort = query.get("sort", "")
        if sort not in {"", "relevance", "newest"}:
            errors.append(_("Sort by relevance or newest."))
            sort = ""
        language = _clean(query.get("language", "")).strip()
        if language and language not in codes():
            errors.append(
                _("There are no stories in the language “%(code)s”.") % {"code": language}
            )
            language = ""
        page_text = query.get("page", "1").strip() or "1"
        page = int(page_text) if page_text.isascii() and page_text.isdigit() else 0
        if not 1 <= page <= MAX_PAGE_NUMBER:
            errors.append(
                _("The page must be a whole number from 1 to %(n)s.")
                % {"n": number_format(MAX_PAGE_NUMBER, force_grouping=True)}
            )
            page = 1
        return cls(
            q=q,
            tags=tags,
            exclude_tags=exclude_tags,
            source=_clean(query.get("source", "")).strip()[:200],
            date_from=date_from,
            date_to=date_to,
            sort=sort,
            language=language,
            page=page,
            errors=tuple(errors),
            notices=tuple(dict.fromkeys(notices)),
        )

    @property
    def ranked(self) -> bool:
        return bool(self.q) and self.sort != "newest"

    def url(self, **changes) -> str:
        params = replace(self, **({"page": 1} | changes))
        pairs = [("q", params.q)] if params.q else []
        pairs += [("tag", slug) for slug in params.tags]
        pairs += [("exclude_tag", slug) for slug in params.exclude_tags]
        if params.source:
            pairs.append(("source", params.source))
        if params.date_from:
            pairs.append(("from", params.date_from.isoformat()))
        if params.date_to:
            pairs.append(("to", params.date_to.isoformat()))
        if params.language:
            pairs.append(("language", params.language))
        if params.sort:
            pairs.append(("sort", params.sort))
        if changes.get("page", 1) != 1:
            pairs.append(("page", changes["page"]))
        return "?" + urlencode(pairs)


@dataclass
class Filter:
    """An active filter as the page shows it, with the URL that removes it."""

    label: str
    remove_url: str


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def search(request):
    try:
        params = SearchParams.from_query(request.GET)
    except TooManyFieldsSent:
        error = _("A search can have at most %(n)s parameters.") % {
            "n": number_format(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, force_grouping=True)
        }
        context = {"params": SearchParams(), "errors": [error], "max_tags": MAX_COMBINED_TAGS}
        return render(request, "articles/search.html", context, status=400)
    notices = list(params.notices)
    engine = get_engine()
    query = parse_query(params.q)
    stories = engine.listings(query).due()
    impossible = False  # a filter nothing can match: an unknown tag or source

    tags_by_slug = Tag.objects.resolve(params.tags + params.exclude_tags)
    active_filters = []
    if params.q:
        active_filters.append(Filter(f"“{params.q}”", params.url(q="")))
    selected_tags = []
    for slug in params.tags:
        tag = tags_by_slug.get(slug)
        remaining = tuple(s for s in params.tags if s != slug)
        if tag is None:
            notices.append(_("There is no topic “%(slug)s”.") % {"slug": slug})
            impossible = True
            label = slug
        else:
            selected_tags.append(tag)
            label = tag.name
        active_filters.append(Filter(label, params.url(tags=remaining)))
    excluded_tags = []
    for slug in params.exclude_tags:
        tag = tags_by_slug.get(slug)
        remaining = tuple(s for s in params.exclude_tags if s != slug)
        if tag is not None:
            excluded_tags.append(tag)
            label = _("not %(topic)s") % {"topic": tag.name}
            active_filters.append(Filter(label, params.url(exclude_tags=remaining)))
    stories = engine.having_all(stories, "tags", selected_tags)  # all must match
    stories = engine.having_none(stories, "tags", excluded_tags)
    source = None
    if params.source:
        source = Source.objects.filter(slug=params.source).first()
        if source is None:
            notices.append(_("There is no source “%(slug)s”.") % {"slug": params.source})
            impossible = True
        else:
            stories = engine.having_all(stories, "sources", [source])
        label = source.name if source else params.source
        active_filters.append(Filter(label, params.url(source="")))
    if params.date_from:
        stories = stories.filter(published_at__gte=_local_midnight(params.date_from))
        label = _("from %(day)s") % {"day": date_format(params.date_from, "j M Y")}
        active_filters.append(Filter(label, params.url(date_from=None)))
    if params.date_to:
        next_day = params.date_to + datetime.timedelta(days=1)
        stories = stories.filter(published_at__lt=_local_midnight(next_day))
        label = _("to %(day)s") % {"day": date_format(params.date_to, "j M Y")}
        active_filters.append(Filter(label, params.url(date_to=None)))
    if params.language:
        stories = stories.filter(language=params.language)
        label = _("in %(language)s") % {"language": translated_name_of(params.language)}
        active_filters.append(Filter(label, params.url(language="")))

    if params.q and not query:
        notices.append(_("The search text has no words to look for; showing every story."))
    if query:
        stories = engine.matching(stories, query)
    # The search runs once: the count, the page and the facets all come from its matches.
    dates = params.date_from or params.date_to
    if impossible or params.errors:
        matches = Matches.none()
    elif not (
        query or excluded_tags or dates or params.language or len(selected_tags) + bool(source) > 1
    ):
        # Everything, one tag or one source: exact however many stories, from the kept counts.
        tag = selected_tags[0] if selected_tags else None
        matches = counted_list(tag=tag, source=source)
    else:
        matches = find(stories, query=query, ranked=params.ranked)
    if matches.more:
        notices.append(
            _(
                "More than %(n)s stories match, so they are shown newest first and the topics "
                "and sources count the newest %(n)s. Add a word, a topic or dates to narrow the "
                "search."
            )
            % {"n": number_format(EXACT_UP_TO, force_grouping=True)}
        )
    elif params.ranked and not matches.ranked and matches.ids:
        notices.append(
            _(
                "So many stories contain these words that they are shown newest first rather "
                "than by relevance. Add a word or a topic to narrow the search."
            )
        )
    paginator = Paginator(matches.ids, settings.ARTICLES_PER_PAGE)
    page = paginator.get_page(params.page)
    hits = stories_in_order(list(page.object_list))
    highlights = engine.highlights([a.pk for a in hits], query) if hits and query else {}
    results = [(article, highlights.get(article.pk)) for article in hits]

    tag_facet_links, source_facet_links = [], []
    if matches.ids:
        can_add = len(params.tags) < MAX_COMBINED_TAGS
        for tag in tag_facets(matches, exclude=selected_tags, limit=TAG_FACETS):
            add_url = params.url(tags=(*params.tags, tag.slug)) if can_add else None
            tag_facet_links.append((tag, add_url))
        if source is None:
            source_facet_links = [
                (s, params.url(source=s.slug)) for s in source_facets(matches, limit=SOURCE_FACETS)
            ]

    language_facets = []
    if matches.ids and not params.language:
        counts = matches.language_counts
        language_facets = [
            (
                code,
                name_of(code),
                None if counts is None else counts[code],
                params.url(language=code),
            )
            for code in codes()
            if counts is None or counts.get(code)
        ]

    context = {
        "params": params,
        "language_facets": language_facets,
        "errors": params.errors,
        "notices": notices,
        "page": page,
        "more": matches.more,
        "by_relevance": matches.ranked,
        "results": results,
        "active_filters": active_filters,
        "tag_facets": tag_facet_links,
        "source_facets": source_facet_links,
        "max_tags": MAX_COMBINED_TAGS,
        "max_query_length": MAX_QUERY_LENGTH,
        "sort_newest_url": params.url(sort="newest") if params.q else None,
        "sort_relevance_url": params.url(sort="") if params.q else None,
        "previous_url": params.url(page=page.number - 1) if page.has_previous() else None,
        "next_url": params.url(page=page.number + 1) if page.has_next() else None,
        "searched": bool(request.GET),
    }
    return render(request, "articles/search.html", context, status=400 if params.errors else 200)
