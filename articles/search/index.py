"""Keeping the search tables in step with the stories: listings, their links under tags and
sources, their counts, and the search documents.

`update(article_ids)` is called by articles/changes.py once per transaction, before it commits,
with every story the transaction touched; `rebuild_index` re-creates everything (the
`rebuild_search_index` command).
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.utils import timezone

from ..models import Article, TaggedArticle
from .engines import get_engine
from .models import (
    ListedUnder,
    ListingCount,
    ListingLink,
    SearchDocument,
    StoryListing,
    contributions,
)

BATCH = 1000  # a merge of a big tag touches many stories
COUNT_ROWS_PER_STATEMENT = 300


def update(article_ids: Iterable[int]) -> None:
    """Bring the listings and search documents of these stories up to date."""
    # Stories that expired since the last change leave the listings (and their counts) now;
    # until then `due()` leaves them out by their time.
    expired = StoryListing.objects.filter(expires_at__lte=timezone.now())
    ids = sorted({*article_ids, *expired.values_list("article_id", flat=True)[:BATCH]})
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        refresh_listings(batch)
        get_engine().index(batch)


Row = tuple  # (published_at, tag ids, source ids, expires_at)


def refresh_listings(ids: list[int], *, rebuilding: bool = False) -> None:
    """One `StoryListing` row for each of these stories that is published (or scheduled) and not
    deleted, none for the others; their links under tags and sources, and the counts, to match.

    `rebuilding` rewrites every row whether it looks changed or not, and leaves the counts to
    `recount()`."""
    before: dict[int, Row] = {}
    language_before: dict[int, str] = {}
    for pk, at, tags, sources, expires, language in StoryListing.objects.filter(
        article_id__in=ids
    ).values_list("article_id", "published_at", "tag_ids", "source_ids", "expires_at", "language"):
        before[pk], language_before[pk] = (at, tags, sources, expires), language
    after, language_after = _listed_now(ids)
    changed = (
        ids
        if rebuilding
        else [
            pk
            for pk in ids
            if before.get(pk) != after.get(pk) or language_before.get(pk) != language_after.get(pk)
        ]
    )
    if changed:
        changed_set = set(changed)
        gone = [pk for pk in changed if pk not in after]
        if gone:
            StoryListing.objects.filter(article_id__in=gone).delete()
        StoryListing.objects.bulk_create(
            [
                StoryListing(
                    article_id=pk,
                    published_at=at,
                    language=language_after[pk],
                    tag_ids=tags,
                    source_ids=sources,
                    expires_at=expires,
                )
                for pk, (at, tags, sources, expires) in after.items()
                if pk in changed_set
            ],
            update_conflicts=True,
            unique_fields=["article"],
            update_fields=["published_at", "language", "tag_ids", "source_ids", "expires_at"],
            batch_size=500,
        )
        ListingLink.objects.filter(article_id__in=changed).delete()
        ListingLink.objects.bulk_create(
            [link for pk in changed if pk in after for link in _links(pk, *after[pk])],
            batch_size=1000,
        )
    if rebuilding:
        return
    _count(
        removed=[before[pk] for pk in changed if pk in before],
        added=[after[pk] for pk in changed if pk in after],
        # A listed story edited in place changes its lists' pages too (sitemaps' lastmod).
        touched=[row for pk in ids for row in (before.get(pk), after.get(pk)) if row],
    )


def _listed_now(ids: list[int]) -> tuple[dict[int, Row], dict[int, str]]:
    """The listing rows these stories should have now (unexpired), and their languages."""
    unexpired = Article.objects.listed().exclude(expires_at__lte=timezone.now())
    rows = unexpired.filter(pk__in=ids).values_list("pk", "published_at", "expires_at", "language")
    listed, languages = {}, {}
    for pk, at, expires, language in rows:
        listed[pk], languages[pk] = (at, expires), language
    if not listed:
        return {}, {}
    tags, sources = defaultdict(list), defaultdict(list)
    tag_links = TaggedArticle.objects.filter(content_object_id__in=listed)
    for article_id, tag_id in tag_links.values_list("content_object_id", "tag_id"):
        tags[article_id].append(tag_id)
    source_links = Article.sources.through.objects.filter(article_id__in=listed)
    for article_id, source_id in source_links.values_list("article_id", "source_id"):
        sources[article_id].append(source_id)
    rows = {
        pk: (at, sorted(tags[pk]), sorted(sources[pk]), expires)
        for pk, (at, expires) in listed.items()
    }
    return rows, languages


def _links(pk: int, published_at, tag_ids, source_ids, expires_at=None) -> list[ListingLink]:
    under = [(ListedUnder.TAG, tag) for tag in tag_ids]
    under += [(ListedUnder.SOURCE, source) for source in source_ids]
    return [
        ListingLink(
            article_id=pk,
            kind=kind,
            target=target,
            published_at=published_at,
            expires_at=expires_at,
        )
        for kind, target in under
    ]


def _count(*, removed: list[Row], added: list[Row], touched: list[Row]) -> None:
    """Add what `added` stories add to the counts, take away what `removed` ones did, and mark
    every count a `touched` story belongs to as changed now."""
    delta = Counter()
    for row in added:
        delta.update(contributions(*row))
    for row in removed:
        delta.subtract(contributions(*row))
    keys = set(delta)
    for row in touched:
        keys.update(contributions(*row))
    if not keys:
        return
    now = timezone.now()
    # In one order everywhere, so that two transactions never wait on each other's rows.
    rows = [(*key, delta[key], now) for key in sorted(keys)]
    _upsert_counts(rows, add=True)


def _upsert_counts(rows: list[tuple], *, add: bool) -> None:
    """Write (kind, target, other, listed, changed_at) rows: `listed` added to what is there, or
    in place of it."""
    table = ListingCount._meta.db_table
    listed = f"{table}.listed + excluded.listed" if add else "excluded.listed"
    for start in range(0, len(rows), COUNT_ROWS_PER_STATEMENT):
        chunk = rows[start : start + COUNT_ROWS_PER_STATEMENT]
        values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
        sql = (
            f"INSERT INTO {table} (kind, target, other, listed, changed_at) VALUES {values} "  # noqa: S608 - constants only
            f"ON CONFLICT (kind, target, other) DO UPDATE SET "
            f"listed = {listed}, changed_at = excluded.changed_at"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for row in chunk for value in _db_values(row)])


def _db_values(row):
    kind, target, other, listed, changed_at = row
    return str(kind), target, other, listed, connection.ops.adapt_datetimefield_value(changed_at)


def recount() -> None:
    """Count every listed story's contributions afresh and replace the kept counts with them."""
    counts = Counter()
    rows = StoryListing.objects.values_list("published_at", "tag_ids", "source_ids")
    for row in rows.iterator(chunk_size=5000):
        counts.update(contributions(*row))
    now = timezone.now()
    with transaction.atomic():
        ListingCount.objects.all().delete()
        _upsert_counts([(*key, listed, now) for key, listed in sorted(counts.items())], add=False)


def rebuild_index(*, batch_size=500, progress: Callable[[int, int], None] | None = None) -> int:
    """Re-create every story's search document, listing, links and counts from scratch; returns
    how many stories were indexed. Lists keep working while it runs."""
    engine = get_engine()
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    SearchDocument.objects.exclude(article_id__in=Article.objects.values("pk")).delete()
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        with transaction.atomic():
            refresh_listings(batch, rebuilding=True)
            engine.index(batch)
        if progress:
            progress(min(start + batch_size, len(ids)), len(ids))
    recount()
    engine.finish_rebuild()
    return len(ids)
