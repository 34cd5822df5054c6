"""What lists and searches show: the matching story ids in order, their facet counts, the
stories of one page, and the stories related to one.

A page runs its filters (and full-text match and ranking) once, in `find`: the count, the page and
the facet counts all come from that one query instead of re-running the search.
"""

import heapq
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, QuerySet

from ..models import Article, Source, Tag
from .engines import get_engine


@dataclass(frozen=True)
class Matches:
    """The stories a list found: their ids in order, and how many of them carry each tag and each
    source (by id, as text)."""

    ids: list[int]
    tag_counts: Counter
    source_counts: Counter

    @classmethod
    def none(cls) -> "Matches":
        return cls([], Counter(), Counter())


def find(listings: QuerySet) -> Matches:
    """Run a query of `StoryListing` rows once: the story ids in the queryset's order, with
    their tags and sources counted.

    The tags and sources come from the listings' copies of the links, so counting them for
    thousands of matches costs no lookup per match. Rows are fetched from a plain cursor:
    Django's row-by-row iteration cost more than the query for tens of thousands.
    """
    engine = get_engine()
    rows = listings.values_list(
        "pk", engine.ids_as_text("tag_ids"), engine.ids_as_text("source_ids")
    )
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing, e.g. `pk__in=[]`
        return Matches.none()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return Matches(
        ids=[row[0] for row in rows],
        tag_counts=Counter(" ".join([row[1] for row in rows if row[1]]).split()),
        source_counts=Counter(" ".join([row[2] for row in rows if row[2]]).split()),
    )


def stories_in_order(ids: list[int]) -> list[Article]:
    """The stories with these ids, in this order, ready for a list of cards.

    Sorting whole story rows (bodies included) is slow, so pages sort ids, then load these.
    """
    by_id = Article.objects.published().filter(pk__in=ids).for_cards().in_bulk()
    return [by_id[pk] for pk in ids if pk in by_id]


def _most_common(model, counts: Counter, exclude, limit):
    """The `limit` rows of `model` with the highest `counts` (most first, then by name), each
    with its count as `story_count`; none of `exclude`."""
    excluded = {str(obj.pk) for obj in exclude}
    top = heapq.nlargest(limit, ((count, pk) for pk, count in counts.items() if pk not in excluded))
    if not top:
        return []
    # Everything tied with the last one that makes the cut, so that ties are settled by name.
    cutoff = top[-1][0]
    candidates = [int(pk) for pk, count in counts.items() if count >= cutoff and pk not in excluded]
    found = list(model.objects.filter(pk__in=candidates).only("name", "slug"))
    for obj in found:
        obj.story_count = counts[str(obj.pk)]
    found.sort(key=lambda obj: (-obj.story_count, obj.name))
    return found[:limit]


def tag_facets(matches: Matches, *, exclude=(), limit=15) -> list[Tag]:
    """The tags of the `matches`, most shared first, with `story_count` (exact)."""
    return _most_common(Tag, matches.tag_counts, exclude, limit)


def source_facets(matches: Matches, *, limit=10) -> list[Source]:
    """The sources of the `matches`, most used first, with `story_count` (exact)."""
    return _most_common(Source, matches.source_counts, (), limit)


def related_stories(article: Article, *, limit=5) -> list[Article]:
    """Published stories sharing tags with `article`: most tags in common first, then newest."""
    tag_ids = [tag.pk for tag in article.tags.all()]
    if not tag_ids:
        return []
    return list(
        Article.objects.published()
        .filter(tagged_items__tag__in=tag_ids)
        .exclude(pk=article.pk)
        .only("headline", "slug", "published_at", "created_at")
        .annotate(common_tags=Count("tagged_items"))
        .order_by("-common_tags", "-published_at", "-pk")[:limit]
    )
