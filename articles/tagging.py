"""Tag hygiene and tag-based reading.

One tag per name whatever its case, spacing or Unicode form; renames and merges that keep old
addresses working and are recorded; tag counts and related stories from published stories only.
"""

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from taggit.managers import _TaggableManager

# Imported as a module: articles.models imports this module for `ArticleTagManager`.
from . import models

MAX_TAG_NAME_LENGTH = 100


class TagConflict(ValueError):
    """A rename to a name another tag already has (merge the two instead)."""


def clean_tag_name(name: str) -> str:
    """The stored form of a tag name: NFC, single spaces, at most the column's length."""
    return models.normalize_tag_name(models.normalize_tag_name(name)[:MAX_TAG_NAME_LENGTH])


def get_or_create_tag(name: str) -> "models.Tag":
    """The tag called `name` in any case, spacing or Unicode form; created when there is none."""
    name = clean_tag_name(name)
    if not name:
        raise ValueError("A tag needs a name.")
    key = models.tag_name_key(name)
    tag = models.Tag.objects.filter(name_key=key).first()
    if tag is not None:
        return tag
    try:
        with transaction.atomic():
            return models.Tag.objects.create(name=name)
    except IntegrityError:
        # Another request created it meanwhile, or the database's lower() calls a different
        # name the same (the case-insensitive constraint on the name).
        tag = models.Tag.objects.filter(Q(name_key=key) | Q(name__iexact=name)).first()
        if tag is None:
            raise
        return tag


class ArticleTagManager(_TaggableManager):
    """`article.tags`: strings are matched to tags by their normalised, case-folded name.

    taggit's own case-insensitive lookup uses the database's `iexact`, which misses NFD text and
    stray whitespace and then fails on the unique constraint; this never does.
    """

    def _to_tag_model_instances(self, tags, tag_kwargs):
        tag_model = self.through.tag_model()
        names_by_key = {}
        for tag in tags:
            if isinstance(tag, str):
                name = clean_tag_name(tag)
                if name:
                    names_by_key.setdefault(models.tag_name_key(name), name)
            elif not isinstance(tag, tag_model):
                raise ValueError(f"Cannot add {tag!r} ({type(tag)}): it is not a string or a tag.")
        existing = {
            tag.name_key: tag
            for tag in tag_model._default_manager.filter(name_key__in=list(names_by_key))
        }
        result, seen = [], set()
        for tag in tags:
            if isinstance(tag, str):
                name = clean_tag_name(tag)
                if not name:
                    continue
                key = models.tag_name_key(name)
                tag = existing.get(key)
                if tag is None:
                    tag = existing[key] = get_or_create_tag(names_by_key[key])
            if tag.pk not in seen:
                seen.add(tag.pk)
                result.append(tag)
        return result


def resolve_tag(slug: str):
    """`(tag, moved)`: the tag at `slug`, or the tag it was renamed or merged into (moved=True)."""
    tag = models.Tag.objects.filter(slug=slug).first()
    if tag is not None:
        return tag, False
    redirect = models.TagRedirect.objects.filter(old_slug=slug).select_related("tag").first()
    if redirect is not None:
        return redirect.tag, True
    return None, False


def _free_slug(tag: "models.Tag", name: str) -> str:
    """A slug for `name` that no other tag uses and no other tag's old address redirects from."""

    def taken(slug):
        return (
            models.Tag.objects.exclude(pk=tag.pk).filter(slug=slug).exists()
            or models.TagRedirect.objects.exclude(tag=tag).filter(old_slug=slug).exists()
        )

    candidate, n = tag.slugify(name), 0
    while taken(candidate):
        n += 1
        candidate = tag.slugify(name, n)
    return candidate


@transaction.atomic
def rename_tag(tag: "models.Tag", *, new_name: str) -> "models.Tag":
    """Give `tag` a new name (and address); its old address redirects to the new one."""
    new_name = clean_tag_name(new_name)
    if not new_name:
        raise ValueError("A tag needs a name.")
    other = (
        models.Tag.objects.filter(name_key=models.tag_name_key(new_name)).exclude(pk=tag.pk).first()
    )
    if other is not None:
        raise TagConflict(f"A tag called “{other.name}” already exists: merge the two instead.")
    old_slug = tag.slug
    tag.name = new_name
    tag.slug = _free_slug(tag, new_name)
    tag.save()
    if tag.slug != old_slug:
        # Renaming back to an earlier name: that address is the tag's own again.
        models.TagRedirect.objects.filter(old_slug=tag.slug).delete()
        models.TagRedirect.objects.create(old_slug=old_slug, tag=tag)
    return tag


@transaction.atomic
def merge_tags(tags, *, into: "models.Tag", user=None) -> list["models.TagMerge"]:
    """Move every story of `tags` onto `into`, delete them, and keep their addresses working.

    Returns one `TagMerge` record per merged tag. Stories are re-indexed after the commit.
    """
    from .search import reindex_on_commit

    records, touched = [], set()
    through = models.TaggedArticle.objects
    for tag in tags:
        if tag.pk == into.pk:
            continue
        article_ids = set(through.filter(tag=tag).values_list("content_object_id", flat=True))
        already_tagged = through.filter(tag=into, content_object_id__in=article_ids)
        through.filter(
            tag=tag, content_object_id__in=already_tagged.values("content_object_id")
        ).delete()
        through.filter(tag=tag).update(tag=into)
        models.TagRedirect.objects.filter(tag=tag).update(tag=into)
        models.TagRedirect.objects.update_or_create(old_slug=tag.slug, defaults={"tag": into})
        records.append(
            models.TagMerge.objects.create(
                merged_name=tag.name,
                merged_slug=tag.slug,
                into=into,
                article_count=len(article_ids),
                merged_by=user,
            )
        )
        tag.delete()
        touched |= article_ids
    models.Article.objects.filter(pk__in=touched).refresh_listings()  # moved without signals
    reindex_on_commit(touched)
    return records


def tags_with_published_counts():
    """Tags that have published stories, each annotated with `story_count` (published only)."""
    published = models.Article.objects.published().values("pk")
    return models.Tag.objects.filter(tagged_articles__content_object__in=published).annotate(
        story_count=Count("tagged_articles")
    )


def related_stories(article: "models.Article", *, limit=5):
    """Published stories sharing tags with `article`: most tags in common first, then newest."""
    tag_ids = [tag.pk for tag in article.tags.all()]
    if not tag_ids:
        return []
    return list(
        models.Article.objects.published()
        .filter(tagged_items__tag__in=tag_ids)
        .exclude(pk=article.pk)
        .only("headline", "slug", "published_at", "created_at")
        .annotate(common_tags=Count("tagged_items"))
        .order_by("-common_tags", "-published_at", "-pk")[:limit]
    )
