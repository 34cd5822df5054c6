"""Keep the search index in step with stories and tags, after each transaction commits."""

from django.db.models.signals import m2m_changed, post_save, pre_delete
from django.dispatch import receiver

from .models import Article, Tag, TaggedArticle
from .search import reindex_on_commit


@receiver(post_save, sender=Article, dispatch_uid="search_index_article_saved")
def article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        reindex_on_commit([instance.pk])


@receiver(pre_delete, sender=Article, dispatch_uid="search_index_article_deleted")
def article_deleted(sender, instance, **kwargs):
    # The document goes with the story (cascade); this drops it if anything is left behind.
    reindex_on_commit([instance.pk])


@receiver(m2m_changed, sender=TaggedArticle, dispatch_uid="search_index_article_tags_changed")
def article_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if isinstance(instance, Article):
        reindex_on_commit([instance.pk])
    elif pk_set:
        reindex_on_commit(pk_set)


@receiver(post_save, sender=Tag, dispatch_uid="search_index_tag_saved")
def tag_saved(sender, instance, created, raw=False, **kwargs):
    if not (created or raw):
        reindex_on_commit(_article_ids(instance))


@receiver(pre_delete, sender=Tag, dispatch_uid="search_index_tag_deleted")
def tag_deleted(sender, instance, **kwargs):
    reindex_on_commit(_article_ids(instance))


def _article_ids(tag):
    return list(TaggedArticle.objects.filter(tag=tag).values_list("content_object_id", flat=True))
