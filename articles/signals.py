"""Keep the story listings (`StoryListing`) in step with stories, tags and sources in the same
transaction, and the search index in step with stories and tags after each transaction commits."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from .models import Article, Source, Tag, TaggedArticle
from .search import reindex_on_commit


def _refresh_listings(article_ids):
    Article.objects.filter(pk__in=article_ids).refresh_listings()


@receiver(post_save, sender=Article, dispatch_uid="search_index_article_saved")
def article_saved(sender, instance, raw=False, **kwargs):
    _refresh_listings([instance.pk])  # also for fixtures: their links follow as m2m changes
    if not raw:
        reindex_on_commit([instance.pk])


@receiver(pre_delete, sender=Article, dispatch_uid="search_index_article_deleted")
def article_deleted(sender, instance, **kwargs):
    # The document goes with the story (cascade); this drops it if anything is left behind.
    reindex_on_commit([instance.pk])


@receiver(m2m_changed, sender=TaggedArticle, dispatch_uid="search_index_article_tags_changed")
def article_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if isinstance(instance, Article):
        # `article.tags.add()` saves one link per tag between pre_add and post_add; the listing
        # is refreshed once, at post_add, not for each of those links (see `tag_link_saved`).
        instance.tags_being_added = action == "pre_add"
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if isinstance(instance, Article):
        _refresh_listings([instance.pk])
        reindex_on_commit([instance.pk])
    elif pk_set:
        _refresh_listings(pk_set)
        reindex_on_commit(pk_set)


@receiver(post_save, sender=TaggedArticle, dispatch_uid="listings_tag_link_saved")
def tag_link_saved(sender, instance, raw=False, **kwargs):
    # A link made directly (not through `article.tags`) sends no m2m_changed.
    link_to = TaggedArticle._meta.get_field("content_object")
    article = instance.content_object if link_to.is_cached(instance) else None
    if not raw and not getattr(article, "tags_being_added", False):
        _refresh_listings([instance.content_object_id])


@receiver(m2m_changed, sender=Article.sources.through, dispatch_uid="listings_sources_changed")
def article_sources_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if isinstance(instance, Article):
        _refresh_listings([instance.pk])
    elif pk_set:
        _refresh_listings(pk_set)


@receiver(post_save, sender=Tag, dispatch_uid="search_index_tag_saved")
def tag_saved(sender, instance, created, raw=False, **kwargs):
    if not (created or raw):
        reindex_on_commit(_article_ids(instance))


@receiver(pre_delete, sender=Tag, dispatch_uid="search_index_tag_deleted")
def tag_deleted(sender, instance, **kwargs):
    instance.deleted_from_article_ids = _article_ids(instance)
    reindex_on_commit(instance.deleted_from_article_ids)


@receiver(post_delete, sender=Tag, dispatch_uid="listings_tag_deleted")
def tag_gone(sender, instance, **kwargs):
    # The delete removed the tag's links without m2m signals.
    _refresh_listings(getattr(instance, "deleted_from_article_ids", ()))


@receiver(pre_delete, sender=Source, dispatch_uid="listings_source_deleting")
def source_deleting(sender, instance, **kwargs):
    instance.deleted_from_article_ids = list(instance.articles.values_list("pk", flat=True))


@receiver(post_delete, sender=Source, dispatch_uid="listings_source_deleted")
def source_gone(sender, instance, **kwargs):
    _refresh_listings(getattr(instance, "deleted_from_article_ids", ()))


def _article_ids(tag):
    return list(TaggedArticle.objects.filter(tag=tag).values_list("content_object_id", flat=True))
