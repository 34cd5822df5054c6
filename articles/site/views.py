"""The reader's pages: front, story, tag, tag index and source. Every query for stories starts from
`Article.objects.published()` (or its listing mirror, `StoryListing.objects.due()`)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone

from ..models import Article, LiveUpdate, Source, Tag, tag_url
from ..search.models import Counted, ListedUnder, ListingCount, StoryListing
from ..search.results import NewestIds, counted_list, stories_in_order, tag_facets

FRONT_PAGE_STORIES = 13
PROMINENT_TAGS = 12
TAGS_PER_PAGE = 500
RELATED_TAGS = 15
# A live page shows this many updates (the newest, in either order); the poll carries the newest
# POLLED_UPDATES in full and the ids of all the shown ones (so deletions leave open pages).
LIVE_PAGE_UPDATES = 500
POLLED_UPDATES = 50


def paginate(request, queryset, per_page=None):
    """The requested page of `queryset` (or of a `NewestIds`); a missing, negative or absurd page
    number is a 404."""
    paginator = Paginator(
        queryset, per_page or settings.ARTICLES_PER_PAGE, allow_empty_first_page=True
    )
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as exc:
        raise Http404("No such page.") from exc


def front_page(request):
    newest = StoryListing.objects.due().newest_first().values_list("pk", flat=True)
    stories = stories_in_order(list(newest[:FRONT_PAGE_STORIES]))
    return render(
        request,
        "articles/front_page.html",
        {"lead_story": stories[0] if stories else None, "latest": stories[1:]},
    )


def _published_story(year, month, day, slug, stories=None) -> Article:
    try:
        day = datetime.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise Http404("No such date.") from exc
    stories = Article.objects.published() if stories is None else stories
    return get_object_or_404(stories.on_day(day), slug=slug)


def article_detail(request, year, month, day, slug):
    article = _published_story(year, month, day, slug, Article.objects.published().for_detail())
    context = {"article": article}
    if article.is_live_coverage:
        context |= _live_context(request, article)
    return render(request, "articles/article_detail.html", context)


def _live_context(request, article: Article) -> dict:
    """The live stream: key events on top, then the updates newest first (or oldest first)."""
    oldest_first = request.GET.get("order") == "oldest"
    updates = list(
        LiveUpdate.objects.filter(article=article)
        .shown()
        .for_page()
        .newest_first()[:LIVE_PAGE_UPDATES]
    )
    for update in updates:
        update.article = article  # permalinks without a query each
    key_events = [update for update in updates if update.is_key_event]
    article.shown_live_updates = list(updates)  # newest first, for the JSON-LD
    if oldest_first:
        updates.reverse()
    return {
        "live_updates": updates,
        "key_events": key_events,
        "oldest_first": oldest_first,
        "live_updates_url": f"{article.get_absolute_url()}updates.json",
    }


def live_updates_json(request, year, month, day, slug):
    """What an open live page polls: one address per story for every reader, so the page cache
    and Varnish answer it (with a 304 when nothing changed), until the next change purges it."""
    article = _published_story(year, month, day, slug)
    if not article.is_live_coverage:
        raise Http404("This story is not live coverage.")
    shown = LiveUpdate.objects.filter(article=article).shown().newest_first()
    ids = list(shown.values_list("pk", flat=True)[:LIVE_PAGE_UPDATES])
    updates = []
    for update in shown.for_page()[:POLLED_UPDATES]:
        update.article = article
        html = render_to_string("articles/includes/live_update.html", {"update": update})
        updates.append(
            {
                "id": update.pk,
                # As the page's data-modified has it (`|date:"c"`), to spot an edited update.
                "modified": timezone.localtime(update.updated_at).isoformat(),
                "key_event": update.is_key_event,
                "html": html,
            }
        )
    data = {
        "live": article.is_live_now,
        "ended_at": article.live_ended_at.isoformat() if article.live_ended_at else None,
        "ids": ids,
        "updates": updates,
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def tag_detail(request, slug):
    tag = Tag.objects.resolve([slug]).get(slug)
    if tag is None:
        raise Http404("No such tag.")
    if tag.slug != slug:  # renamed or merged: the old address keeps working
        return HttpResponsePermanentRedirect(tag.get_absolute_url())
    stories = counted_list(tag=tag)
    page = paginate(request, stories.ids)
    if not page.object_list:
        raise Http404("No published stories with this tag.")
    page.object_list = stories_in_order(page.object_list)
    related_tags = tag_facets(stories, exclude=[tag], limit=RELATED_TAGS)
    return render(
        request,
        "articles/tag_detail.html",
        {
            "tag": tag,
            "page": page,
            "related_tags": related_tags,
            "canonical_path": _canonical(tag.get_absolute_url(), page),
        },
    )


def source_detail(request, slug):
    source = get_object_or_404(Source, slug=slug)
    page = paginate(request, NewestIds(ListedUnder.SOURCE, source.pk))  # the count and the ids
    if not page.object_list:
        raise Http404("No published stories from this source.")
    page.object_list = stories_in_order(page.object_list)
    context = {
        "source": source,
        "page": page,
        "canonical_path": _canonical(source.get_absolute_url(), page),
    }
    return render(request, "articles/source_detail.html", context)


def _canonical(path: str, page) -> str:
    return path if page.number == 1 else f"{path}?page={page.number}"


@dataclass(frozen=True)
class CountedTag:
    """A tag on the tag index: thousands of these are cheaper than as many `Tag` instances."""

    name: str
    slug: str
    story_count: int

    def get_absolute_url(self) -> str:
        return tag_url(self.slug)


def tag_index(request):
    """Every tag with published stories, A to Z or by count, a page of them at a time, with the
    most used shown first."""
    by_count = request.GET.get("sort") == "count"
    counts = ListingCount.objects.due(Counted.TAG)
    ranked = sorted(counts, key=lambda pk: (-counts[pk], pk))
    if by_count:
        order = ranked
    else:
        order = list(
            Tag.objects.filter(pk__in=counts).order_by("name").values_list("pk", flat=True)
        )
    page = paginate(request, order, per_page=TAGS_PER_PAGE)
    shown = {*page.object_list, *ranked[:PROMINENT_TAGS]}
    found = {
        pk: CountedTag(name, slug, counts[pk])
        for pk, name, slug in Tag.objects.filter(pk__in=shown).values_list("pk", "name", "slug")
    }
    prominent = [found[pk] for pk in ranked[:PROMINENT_TAGS]]
    context = {
        "tags": [found[pk] for pk in page.object_list],
        "topic_count": len(counts),
        "page": page,
        "prominent": sorted(prominent, key=lambda tag: (-tag.story_count, tag.name.lower())),
        "by_count": by_count,
    }
    return render(request, "articles/tag_index.html", context)
