"""The reader's pages: front, story, tag, tag index and source. Every query for stories starts from
`Article.objects.published()` (or its listing mirror, `StoryListing.objects.due()`)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from ..languages import generic, url_prefix
from ..models import Article, Author, AuthorRedirect, LiveUpdate, Source, Tag, tag_url
from ..search.models import Counted, ListedUnder, ListingCount
from ..search.results import (
    NewestIds,
    counted_list,
    newest_in_language_first,
    stories_in_order,
    tag_facets,
)

FRONT_PAGE_STORIES = 13
PROMINENT_TAGS = 12
TAGS_PER_PAGE = 500
RELATED_TAGS = 15
AUTHORS_PER_PAGE = 200
# A live page shows this many updates (the newest, in either order); the poll carries the newest
# POLLED_UPDATES in full and the ids of all the shown ones (so deletions leave open pages).
LIVE_PAGE_UPDATES = 500
POLLED_UPDATES = 20
# Each update's HTML is rendered once and kept (a miss of the poll, right after every post, would
# otherwise render them all for every connection waiting), for as long as a cached page lives.
FRAGMENT_KEY = "live-update-html:{pk}:{changed}:{photo}"


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
    """The newest stories, those in the page's language first (/fr/ leads with French ones)."""
    stories = newest_in_language_first(generic(get_language()), FRONT_PAGE_STORIES)
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
    article = stories.on_day(day).filter(slug=slug).first()
    if article is None:
        if Article.objects.live().withdrawn().on_day(day).filter(slug=slug).exists():
            raise StoryWithdrawn
        raise Http404("No such story.")
    return article


class StoryWithdrawn(Exception):
    """The story at this address was withdrawn: it answers 410 Gone, not 404."""


def article_detail(request, year, month, day, slug):
    stories = Article.objects.published().for_detail().with_translations_flag()
    try:
        article = _published_story(year, month, day, slug, stories)
    except StoryWithdrawn:
        return withdrawn_notice(request)
    if url_prefix(article.language) != url_prefix(get_language()):
        # A story is read in its own language's pages (/fr/… for a French story).
        return HttpResponsePermanentRedirect(article.get_absolute_url())
    context = {"article": article, "versions": article.published_versions()}
    if article.is_live_coverage:
        context |= live_context(request, article)
    return render(request, "articles/article_detail.html", context)


def live_context(request, article: Article, *, polled: bool = True) -> dict:
    """The live stream: key events on top, then the updates newest first (or oldest first).
    Previews (`polled=False`) show it without the poll, whose public address they lack."""
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
        "live_updates_url": f"{article.get_absolute_url()}updates.json" if polled else "",
    }


def _update_fragments(article: Article, updates: list[LiveUpdate]) -> dict[int, str]:
    """Each update's HTML as the page shows it, from the cache when it was rendered before."""
    keys = {
        update.pk: FRAGMENT_KEY.format(
            pk=update.pk,
            changed=update.updated_at.timestamp(),
            photo=update.public_image.updated_at.timestamp() if update.public_image else 0,
        )
        for update in updates
    }
    found = cache.get_many(list(keys.values()))
    fragments, rendered = {}, {}
    for update in updates:
        key = keys[update.pk]
        if key not in found:
            update.article = article
            found[key] = rendered[key] = render_to_string(
                "articles/includes/live_update.html", {"update": update}
            )
        fragments[update.pk] = found[key]
    if rendered:
        cache.set_many(rendered, timeout=max(settings.PAGE_CACHE_SECONDS, 60))
    return fragments


def live_updates_json(request, year, month, day, slug):
    """What an open live page polls: one address per story for every reader, so the page cache
    and Varnish answer it (with a 304 when nothing changed), until the next change purges it."""
    try:
        article = _published_story(year, month, day, slug)
    except StoryWithdrawn:
        return JsonResponse({"withdrawn": True}, status=410)
    if not article.is_live_coverage:
        raise Http404("This story is not live coverage.")
    shown = LiveUpdate.objects.filter(article=article).shown().newest_first()
    listed = list(shown.values_list("pk", "is_key_event")[:LIVE_PAGE_UPDATES])
    ids = [pk for pk, _ in listed]
    polled = list(shown.for_page()[:POLLED_UPDATES])
    fragments = _update_fragments(article, polled)
    key_events = _key_events(shown, polled, [pk for pk, is_key in listed if is_key])
    updates = [
        {
            "id": update.pk,
            # As the page's data-modified has it (`|date:"c"`), to spot an edited update.
            "modified": timezone.localtime(update.updated_at).isoformat(),
            "key_event": update.is_key_event,
            "html": fragments[update.pk],
        }
        for update in polled
    ]
    data = {
        "live": article.is_live_now,
        "ended_at": article.live_ended_at.isoformat() if article.live_ended_at else None,
        "ids": ids,
        "updates": updates,
        # The page's key events box as it is now (empty when none): a pin or unpin replaces it.
        "key_events_html": render_to_string(
            "articles/includes/live_key_events.html", {"key_events": key_events}
        ).strip(),
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def _key_events(shown, polled: list[LiveUpdate], key_ids: list[int]) -> list[LiveUpdate]:
    """The key events among the shown updates, newest first, as the page lists them: those the
    poll carries anyway, and a query for older ones only when there are any."""
    by_pk = {update.pk: update for update in polled if update.is_key_event}
    older = [pk for pk in key_ids if pk not in by_pk]
    if older:
        fields = ("pk", "article_id", "posted_at", "headline", "body", "is_key_event")
        by_pk |= {update.pk: update for update in shown.filter(pk__in=older).only(*fields)}
    return [by_pk[pk] for pk in key_ids if pk in by_pk]


def withdrawn_notice(request):
    """410 Gone: the story was withdrawn (an editor's Withdraw or an agency kill). Only a short
    notice: no headline, body or photo."""
    return render(request, "articles/withdrawn.html", {"noindex": True}, status=410)


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


def author_index(request):
    """The authors with published stories, A to Z, with how many each."""
    authors = Author.objects.with_published_stories().order_by("name", "pk")
    page = paginate(request, authors.only("name", "slug", "title"), per_page=AUTHORS_PER_PAGE)
    return render(request, "articles/author_index.html", {"page": page})


def author_stories(author: Author):
    """The ids of `author`'s published stories (in any role), newest first."""
    return (
        Article.objects.published().credited_to(author).newest_first().values_list("pk", flat=True)
    )


def author_detail(request, slug):
    """An author's page: who they are, and their published stories a page at a time."""
    author = Author.objects.select_related("photo").filter(slug=slug).first()
    if author is None:
        merged_into = AuthorRedirect.target(slug)
        if merged_into is None:
            raise Http404("No such author.")
        return HttpResponsePermanentRedirect(merged_into.get_absolute_url())
    page = paginate(request, author_stories(author))
    if not page.object_list:
        raise Http404("No published stories by this author.")
    page.object_list = stories_in_order(list(page.object_list))
    context = {
        "author": author,
        "page": page,
        "canonical_path": _canonical(author.get_absolute_url(), page),
    }
    return render(request, "articles/author_detail.html", context)
