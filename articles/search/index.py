"""Keeping the search tables in step with the stories: listings and search documents.

`update(article_ids)` is called by articles/changes.py once per transaction, before it commits,
with every story the transaction touched; `rebuild_index` re-creates everything (the
`rebuild_search_index` command).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import transaction

from ..models import Article, TaggedArticle
from .engines import get_engine
from .models import SearchDocument, StoryListing

BATCH = 1000  # a merge of a big tag touches many stories


def update(article_ids: Iterable[int]) -> None:
    """Bring the listings and search documents of these stories up to date."""
    ids = sorted(set(article_ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        refresh_listings(batch)
        get_engine().index(batch)


def refresh_listings(ids: list[int]) -> None:
    """One `StoryListing` row for each of these stories that is published (or scheduled) and not
    deleted, none for the others."""
    listed = dict(Article.objects.listed().filter(pk__in=ids).values_list("pk", "published_at"))
    StoryListing.objects.filter(article_id__in=ids).exclude(article_id__in=listed).delete()
    if not listed:
        return
    tags, sources = defaultdict(list), defaultdict(list)
    tag_links = TaggedArticle.objects.filter(content_object_id__in=listed)
    for article_id, tag_id in tag_links.values_list("content_object_id", "tag_id"):
        tags[article_id].append(tag_id)
    source_links = Article.sources.through.objects.filter(article_id__in=listed)
    for article_id, source_id in source_links.values_list("article_id", "source_id"):
        sources[article_id].append(source_id)
    StoryListing.objects.bulk_create(
        [
            StoryListing(article_id=pk, published_at=at, tag_ids=tags[pk], source_ids=sources[pk])
            for pk, at in listed.items()
        ],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["published_at", "tag_ids", "source_ids"],
        batch_size=500,
    )


def rebuild_index(*, batch_size=500, progress: Callable[[int, int], None] | None = None) -> int:
    """Re-create every story's search document and listing from scratch; returns how many
    stories were indexed."""
    engine = get_engine()
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    SearchDocument.objects.exclude(article_id__in=Article.objects.values("pk")).delete()
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        with transaction.atomic():
            refresh_listings(batch)
            engine.index(batch)
        if progress:
            progress(min(start + batch_size, len(ids)), len(ids))
    engine.finish_rebuild()
    return len(ids)
