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
from django.db.models import Q, QuerySet
from django.utils import timezone

from ..languages import codes
from ..models import Article, Source, Tag
from .engines import get_engine
from .models import Counted, ListedUnder, ListingCount, ListingLink, StoryListing
from .query import ParsedQuery

# A search finding more stories than this is not counted or faceted beyond them: it says "more
# than" and ranks and facets the newest this many matches. (Lists of one tag, one source or of
# everything are counted exactly from the kept counts, whatever their size.)
EXACT_UP_TO = 10_000


@dataclass(frozen=True)
class Matches:
    """The stories a search found: their ids in order, how many of them carry each tag and each
    source (by id, as text), and whether there were more than `EXACT_UP_TO` (then only the newest
    that many are here)."""

    ids: "list[int] | NewestIds"
    tag_counts: Counter
    source_counts: Counter
    more: bool = False
    # How many of them are in each language; None when not counted (lists of everything, of one
    # tag or of one source, which come from the kept counts).
    language_counts: Counter | None = None
    # Whether `ids` are in order of relevance (a search too large to rank is newest first).
    ranked: bool = False

    @classmethod
    def none(cls) -> "Matches":
        return cls([], Counter(), Counter())


def find(listings: QuerySet, *, query: ParsedQuery | None = None, ranked: bool = False) -> Matches:
    """Run a query of `StoryListing` rows once: the newest `EXACT_UP_TO` matches, with their tags
    and sources counted, in newest order or (`ranked`) best match for `query` first, when they
    are no more than that and the engine can rank them at a bounded cost.

    The tags and sources come from the listings' copies of the links, so counting them for
    thousands of matches costs no lookup per match. Rows are fetched from a plain cursor:
    Django's row-by-row iteration cost more than the query for tens of thousands.
    """
    engine = get_engine()
    rows = listings.order_by("-published_at", "-pk").values_list(
        "pk", engine.ids_as_text("tag_ids"), engine.ids_as_text("source_ids"), "language"
    )[: EXACT_UP_TO + 1]
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing, e.g. `pk__in=[]`
        return Matches.none()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    more = len(rows) > EXACT_UP_TO
    rows = rows[:EXACT_UP_TO]
    ids = [row[0] for row in rows]
    scores = engine.scores(ids, query) if ranked and query and not more else None
    if scores is not None:
        newness = {pk: position for position, pk in enumerate(ids)}
        ids.sort(key=lambda pk: (-scores.get(pk, 0.0), newness[pk]))
    return Matches(
        ids=ids,
        tag_counts=Counter(" ".join([row[1] for row in rows if row[1]]).split()),
        source_counts=Counter(" ".join([row[2] for row in rows if row[2]]).split()),
        more=more,
        language_counts=Counter(row[3] for row in rows),
        ranked=scores is not None,
    )


class NewestIds:
    """The ids of a list's stories readers may see, newest first, read from the index a slice
    at a time, with the list's exact count from the kept counts: what Django's `Paginator` pages
    through without counting rows or loading the rest.

    Everything (`under` None), or the stories under one tag or source.
    """

    def __init__(self, under: str | None = None, target: int = 0, *, total: int | None = None):
        if under is None:
            self.rows = StoryListing.objects.due().newest_first().values_list("pk", flat=True)
            kind = Counted.ALL
        else:
            links = ListingLink.objects.due().under(under, target).newest_first()
            self.rows = links.values_list("article_id", flat=True)
            kind = under
        self.kind, self.target, self.total = kind, target, total

    def count(self) -> int:
        if self.total is None:
            self.total = ListingCount.objects.due(self.kind, [self.target])[self.target]
        return self.total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window):
        return list(self.rows[window])


def counted_list(*, tag: Tag | None = None, source: Source | None = None) -> Matches:
    """Every published story, or one tag's or one source's, newest first from the index, with
    exact facet counts from the kept counts: the same work however many stories there are."""
    if tag is not None:
        counts = ListingCount.objects.due_many(
            {Counted.TAG: [tag.pk], Counted.TAG_PAIR: [tag.pk], Counted.TAG_SOURCE: [tag.pk]}
        )
        ids = NewestIds(ListedUnder.TAG, tag.pk, total=counts[Counted.TAG][tag.pk])
        return Matches(
            ids, _by_other(counts[Counted.TAG_PAIR]), _by_other(counts[Counted.TAG_SOURCE])
        )
    if source is not None:
        counts = ListingCount.objects.due_many(
            {Counted.SOURCE: [source.pk], Counted.SOURCE_TAG: [source.pk]}
        )
        total = counts[Counted.SOURCE][source.pk]
        ids = NewestIds(ListedUnder.SOURCE, source.pk, total=total)
        return Matches(ids, _by_other(counts[Counted.SOURCE_TAG]), Counter({str(source.pk): total}))
    counts = ListingCount.objects.due_many(
        {Counted.ALL: None, Counted.TAG: None, Counted.SOURCE: None}
    )
    return Matches(
        NewestIds(total=counts[Counted.ALL][0]),
        Counter({str(pk): n for pk, n in counts[Counted.TAG].items()}),
        Counter({str(pk): n for pk, n in counts[Counted.SOURCE].items()}),
    )


def _by_other(pairs: Counter) -> Counter:
    return Counter({str(other): n for (_, other), n in pairs.items()})


def stories_in_order(ids: list[int], stories: QuerySet | None = None) -> list[Article]:
    """The published stories with these ids, in this order, ready for a list of cards (or as
    loaded by `stories`, e.g. `Article.objects.for_list()`).

    Sorting whole story rows (bodies included) is slow, so pages sort ids, then load these.
    """
    stories = Article.objects.for_cards() if stories is None else stories
    by_id = stories.published().filter(pk__in=ids).order_by().in_bulk()
    return [by_id[pk] for pk in ids if pk in by_id]


def newest_ids_in_language_first(language: str, limit: int) -> list[int]:
    """The ids of the newest `limit` stories in each language, `language`'s first."""
    # Each language's newest through the (language, time) index, in one statement. (One "not
    # this language" side read the whole archive when the other languages had few stories.)
    listed = StoryListing.objects.due().newest_first().values("pk")
    rows = StoryListing.objects.values_list("pk", "language", "published_at")
    newest = [
        rows.filter(pk__in=listed.filter(language=code)[:limit])
        for code in [language, *(code for code in codes() if code != language)]
    ]
    rows = newest[0].union(*newest[1:], all=True)
    rows = sorted(rows, key=lambda row: (row[1] != language, -row[2].timestamp(), -row[0]))
    return [pk for pk, _language, _published_at in rows]


def newest_in_language_first(language: str, limit: int) -> list[Article]:
    """The newest `limit` stories for a page in `language`: that language's first, then, when
    there are fewer, the newest in the others. A story is there once: in the page's language when
    it is translated into it, else in the newest of its versions."""
    shown, versions_shown = [], set()
    for story in stories_in_order(newest_ids_in_language_first(language, limit)):
        version = story.translation_of_id or story.pk
        if version not in versions_shown:
            versions_shown.add(version)
            shown.append(story)
    return shown[:limit]


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


# Related stories are found among this many of the newest stories of each of the story's tags.
RELATED_CANDIDATES_PER_TAG = 50


def related_stories(article: Article, *, limit=5) -> list[Article]:
    """Published stories sharing tags with `article`: most tags in common first, then newest.

    They are chosen among the newest `RELATED_CANDIDATES_PER_TAG` stories of each of its tags, so
    the work is the same for a tag on ten stories and on a hundred thousand; a story with more
    tags in common but older than all of those is not found.
    """
    tag_ids = [tag.pk for tag in article.tags.all()]
    if not tag_ids:
        return []
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    links, listings = ListingLink._meta.db_table, StoryListing._meta.db_table
    # One index range per tag, read in one statement (SQLite takes no LIMIT inside a UNION's
    # parts, only inside subqueries in FROM). Written out by hand: built with the ORM, the six
    # subqueries cost more to compile than to run.
    newest_of_tag = (
        f"SELECT article_id FROM (SELECT article_id FROM {links} "  # noqa: S608 - constants only
        "WHERE kind = %s AND target = %s AND published_at <= %s AND article_id <> %s "
        "ORDER BY published_at DESC, article_id DESC LIMIT %s) AS newest_{n}"
    )
    union = " UNION ALL ".join(newest_of_tag.format(n=n) for n in range(len(tag_ids)))
    sql = (
        f"SELECT article_id, published_at, tag_ids FROM {listings} "  # noqa: S608 - constants only
        f"WHERE article_id IN ({union})"
    )
    params = []
    for tag in tag_ids:
        params += [ListedUnder.TAG, tag, now, article.pk, RELATED_CANDIDATES_PER_TAG]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    wanted, as_ids = set(tag_ids), StoryListing._meta.get_field("tag_ids").to_python
    # (Times compare as they come from the database: text on SQLite, in a sortable format.)
    ranked = sorted(
        ((len(wanted.intersection(as_ids(tags))), at, pk) for pk, at, tags in rows), reverse=True
    )[:limit]
    root = article.translation_of_id or article.pk  # its translations are not "related"
    by_id = (
        Article.objects.published()
        .filter(pk__in=[pk for _, _, pk in ranked])
        .exclude(Q(pk=root) | Q(translation_of_id=root))
        .only("headline", "slug", "language", "published_at", "created_at")
        .order_by()  # by id: ordered by time, a planner may walk the time index instead
        .in_bulk()
    )
    found = []
    for common, _, pk in ranked:
        if pk in by_id:
            by_id[pk].common_tags = common
            found.append(by_id[pk])
    return found
