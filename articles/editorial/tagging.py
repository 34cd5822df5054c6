"""Renaming and merging tags, with the old addresses kept working and merges recorded.

One tag per name whatever its case, spacing or Unicode form is the models' rule
(`Tag.objects.get_or_create_named`); here a rename that would break it is refused.
"""

from .. import changes
from ..accounts import audit
from ..models import Tag, TaggedArticle, TagMerge, TagRedirect, clean_tag_name, tag_name_key


class TagConflict(ValueError):
    """A rename to a name another tag already has (merge the two instead)."""


def _free_slug(tag: Tag, name: str) -> str:
    """A slug for `name` that no other tag uses and no other tag's old address redirects from."""

    def taken(slug):
        return (
            Tag.objects.exclude(pk=tag.pk).filter(slug=slug).exists()
            or TagRedirect.objects.exclude(tag=tag).filter(old_slug=slug).exists()
        )

    candidate, n = tag.slugify(name), 0
    while taken(candidate):
        n += 1
        candidate = tag.slugify(name, n)
    return candidate


@changes.atomic()
def rename_tag(tag: Tag, *, new_name: str) -> Tag:
    """Give `tag` a new name (and address); its old address redirects to the new one."""
    new_name = clean_tag_name(new_name)
    if not new_name:
        raise ValueError("A tag needs a name.")
    other = Tag.objects.filter(name_key=tag_name_key(new_name)).exclude(pk=tag.pk).first()
    if other is not None:
        raise TagConflict(f"A tag called “{other.name}” already exists: merge the two instead.")
    old_slug = tag.slug
    tag.name = new_name
    tag.slug = _free_slug(tag, new_name)
    tag.save()
    if tag.slug != old_slug:
        # Renaming back to an earlier name: that address is the tag's own again.
        TagRedirect.objects.filter(old_slug=tag.slug).delete()
        TagRedirect.objects.create(old_slug=old_slug, tag=tag)
    return tag


@changes.atomic()
def merge_tags(tags, *, into: Tag, user=None) -> list[TagMerge]:
    """Move every story of `tags` onto `into`, delete them, and keep their addresses working.

    Returns one `TagMerge` record per merged tag.
    """
    records, touched = [], set()
    through = TaggedArticle.objects
    for tag in tags:
        if tag.pk == into.pk:
            continue
        article_ids = set(through.filter(tag=tag).values_list("content_object_id", flat=True))
        already_tagged = through.filter(tag=into, content_object_id__in=article_ids)
        through.filter(
            tag=tag, content_object_id__in=already_tagged.values("content_object_id")
        ).delete()
        through.filter(tag=tag).update(tag=into)
        TagRedirect.objects.filter(tag=tag).update(tag=into)
        TagRedirect.objects.update_or_create(old_slug=tag.slug, defaults={"tag": into})
        records.append(
            TagMerge.objects.create(
                merged_name=tag.name,
                merged_slug=tag.slug,
                into=into,
                article_count=len(article_ids),
                merged_by=user,
            )
        )
        tag.delete()
        touched |= article_ids
    changes.record(stories=touched)  # the links moved by update() and delete(), without signals
    if records:
        audit.record(
            audit.Action.TAGS_MERGED,
            user=user,
            target=into,
            details={
                "merged": [{"name": r.merged_name, "slug": r.merged_slug} for r in records],
                "stories": len(touched),
            },
        )
    return records
