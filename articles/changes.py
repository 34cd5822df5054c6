"""One change set per transaction: everything that follows a change readers could see.

Every write (the editorial services, the desk, imports, tag merges, restores, a test's
`Article.objects.create()`) ends up as saves and deletes of content models. The receivers at the
bottom of this module only *record* them, in the change set of the transaction they happen in.
The change set then does its work once, whatever the number of rows touched:

- **before the commit**, when the outermost `changes.atomic()` block ends: the listings and
  search documents of every story touched are rewritten (articles/search/index.py), so the commit
  that changes a story also carries its listing and its searchable text;
- **after the commit**: the page cache's content generation is bumped once and every HTTP cache
  in front purged once (articles/http/page_cache.py); photo files that were replaced or deleted
  are removed and missing renditions queued (articles/photos/jobs.py).

Writes outside any `changes.atomic()` block (a plain `transaction.atomic()`, autocommit) get all
of it too: their listings and documents are rewritten as each change arrives (an m2m `add`,
`remove` or `clear` counts as one change), and the after-commit part still runs once per
transaction.

Only reader-visible models count as content: stories, their tag and source links, tags, sources,
authors and their credits, photos, renditions, corrections and live updates. Revisions (of
stories and of updates), share links, tag redirects and merge records are the desk's bookkeeping
and change nothing readers see.
"""

import contextlib
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from .http.page_cache import bump_generation, purge_http_caches
from .models import (
    Article,
    Author,
    Contributor,
    Correction,
    Image,
    LiveUpdate,
    Rendition,
    Source,
    Tag,
    TaggedArticle,
)
from .photos.jobs import request_renditions
from .photos.renditions import remove_stored_file
from .search import index


@dataclass
class ChangeSet:
    """What one transaction changed, and the work that follows from it."""

    using: str | None = None
    # The transaction's outermost `atomic` block; None outside any transaction, where each write
    # has committed by the time it is recorded.
    transaction: object = None
    # Open `changes.atomic()` blocks; while any is open, the work waits for the last to end.
    depth: int = 0
    # Stories whose listing and search document must be rewritten before the commit.
    stories: set[int] = field(default_factory=set)
    content_changed: bool = False
    # Photo pk -> the file it had before this transaction changed it (removed once replaced).
    photos: dict[int, str] = field(default_factory=dict)
    removed_files: list[tuple[type, str]] = field(default_factory=list)

    def record(self, *, stories=(), photo=None, replaced_file="", removed_file=None) -> None:
        self.content_changed = True
        self.stories.update(stories)
        if photo is not None:
            self.photos.setdefault(photo, replaced_file)
        if removed_file is not None:
            self.removed_files.append(removed_file)
        if self.depth == 0:
            self.finish()

    def finish(self) -> None:
        """Rewrite the derived rows now, and have the rest done once the transaction commits."""
        stories, self.stories = self.stories, set()
        if stories:
            index.update(stories)
        if self.transaction is None:
            self.after_commit()
        elif self.content_changed:
            # Registered again after each finished piece of work, so that a test capturing the
            # on-commit callbacks of one block sees it; the first of these to run does the work.
            transaction.on_commit(self.after_commit, using=self.using)

    def after_commit(self) -> None:
        photos, self.photos = self.photos, {}
        removed_files, self.removed_files = self.removed_files, []
        content_changed, self.content_changed = self.content_changed, False
        for photo, replaced_file in photos.items():
            request_renditions(photo, previous_file=replaced_file)
        for model, name in removed_files:
            remove_stored_file(model, "file", name)
        if content_changed:
            bump_generation()
            purge_http_caches()


def current(using: str | None = None) -> ChangeSet:
    """The change set of the transaction open on `using` (a new one for a new transaction)."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        return ChangeSet(using=using)
    outermost = connection.atomic_blocks[0]
    change_set = getattr(connection, "newsroom_change_set", None)
    if change_set is None or change_set.transaction is not outermost:
        change_set = ChangeSet(using=using, transaction=outermost)
        connection.newsroom_change_set = change_set
    return change_set


@contextlib.contextmanager
def atomic(using: str | None = None):
    """`transaction.atomic()` whose changes are written out once, when the outermost block ends.

    Use it around any write that saves several rows (a save with its tags, an import, a merge, a
    bulk action): the listings and search documents are rewritten once at the end, still inside
    the transaction, instead of after each row.
    """
    with transaction.atomic(using=using):
        change_set = current(using)
        change_set.depth += 1
        try:
            yield change_set
        finally:
            change_set.depth -= 1
        if change_set.depth == 0:
            change_set.finish()


def record(*, stories=(), using: str | None = None, **changes) -> None:
    """Record a change in the current transaction's change set.

    The receivers below call it; call it yourself after a write they cannot see (a queryset
    `update()`, a fast `delete()`, raw SQL).
    """
    current(using).record(stories=stories, **changes)


# -- What counts as a change ------------------------------------------------------------------
# Each receiver records; none writes anything itself.


@receiver(post_save, sender=Article, dispatch_uid="changes.article_saved")
@receiver(post_delete, sender=Article, dispatch_uid="changes.article_deleted")
def _story(sender, instance, raw=False, using=None, **kwargs):
    # Fixtures (`raw`) arrive before their links: `restore` rebuilds the index after loading.
    record(stories=() if raw else [instance.pk], using=using)


@receiver(m2m_changed, sender=TaggedArticle, dispatch_uid="changes.story_tags")
@receiver(m2m_changed, sender=Article.sources.through, dispatch_uid="changes.story_sources")
def _story_links(sender, instance, action, reverse, pk_set, using=None, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if isinstance(instance, Article):
        record(stories=[instance.pk], using=using)
    else:  # changed from the tag's or source's side: pk_set holds the stories
        record(stories=pk_set or (), using=using)


@receiver(post_save, sender=TaggedArticle, dispatch_uid="changes.tag_link_saved")
def _tag_link(sender, instance, raw=False, using=None, **kwargs):
    # `article.tags.add()` writes its links in bulk; this is a link made on its own.
    record(stories=() if raw else [instance.content_object_id], using=using)


def _stories_of(tag_or_source) -> list[int]:
    if isinstance(tag_or_source, Tag):
        links = TaggedArticle.objects.filter(tag=tag_or_source)
        return list(links.values_list("content_object_id", flat=True))
    return list(tag_or_source.articles.values_list("pk", flat=True))


@receiver(post_save, sender=Tag, dispatch_uid="changes.tag_saved")
@receiver(post_save, sender=Source, dispatch_uid="changes.source_saved")
def _label_saved(sender, instance, created, raw=False, using=None, **kwargs):
    # A renamed tag changes its stories' searchable text; a new one has no stories yet.
    renamed_tag = sender is Tag and not (created or raw)
    record(stories=_stories_of(instance) if renamed_tag else (), using=using)


@receiver(pre_delete, sender=Tag, dispatch_uid="changes.tag_deleting")
@receiver(pre_delete, sender=Source, dispatch_uid="changes.source_deleting")
def _label_deleting(sender, instance, **kwargs):
    # Its links go with it, without signals of their own: note whose they were.
    instance.stories_before_delete = _stories_of(instance)


@receiver(post_delete, sender=Tag, dispatch_uid="changes.tag_deleted")
@receiver(post_delete, sender=Source, dispatch_uid="changes.source_deleted")
def _label_deleted(sender, instance, using=None, **kwargs):
    record(stories=getattr(instance, "stories_before_delete", ()), using=using)


@receiver(post_save, sender=Image, dispatch_uid="changes.photo_saved")
def _photo_saved(sender, instance, raw=False, using=None, **kwargs):
    if raw:
        record(using=using)
        return
    replaced = getattr(instance, "file_before_save", "")
    record(photo=instance.pk, replaced_file=replaced, using=using)


@receiver(post_delete, sender=Image, dispatch_uid="changes.photo_deleted")
@receiver(post_delete, sender=Rendition, dispatch_uid="changes.rendition_deleted")
def _file_deleted(sender, instance, using=None, **kwargs):
    record(removed_file=(sender, instance.file.name), using=using)


@receiver(post_save, sender=Rendition, dispatch_uid="changes.rendition_saved")
@receiver(post_save, sender=Correction, dispatch_uid="changes.correction_saved")
@receiver(post_delete, sender=Correction, dispatch_uid="changes.correction_deleted")
@receiver(post_save, sender=LiveUpdate, dispatch_uid="changes.live_update_saved")
@receiver(post_delete, sender=LiveUpdate, dispatch_uid="changes.live_update_deleted")
def _shown_with_stories(sender, instance, using=None, **kwargs):
    record(using=using)


@receiver(post_save, sender=Contributor, dispatch_uid="changes.credit_saved")
@receiver(post_delete, sender=Contributor, dispatch_uid="changes.credit_deleted")
def _credit(sender, instance, raw=False, using=None, **kwargs):
    record(stories=() if raw else [instance.article_id], using=using)


@receiver(pre_save, sender=Author, dispatch_uid="changes.author_renaming")
def _author_renaming(sender, instance, raw=False, using=None, **kwargs):
    instance.renamed = (
        not raw
        and instance.pk is not None
        and Author.objects.using(using).filter(pk=instance.pk).exclude(name=instance.name).exists()
    )


@receiver(post_save, sender=Author, dispatch_uid="changes.author_saved")
@receiver(post_delete, sender=Author, dispatch_uid="changes.author_deleted")
def _author(sender, instance, using=None, **kwargs):
    # A renamed author changes their stories' bylines, and their stories are searched by the new
    # name (their documents are rewritten); what pages show is purged either way.
    stories = ()
    if getattr(instance, "renamed", False):
        stories = (
            Contributor.objects.using(using)
            .filter(author=instance)
            .values_list("article_id", flat=True)
        )
    record(stories=list(stories), using=using)
