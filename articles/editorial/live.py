"""Live coverage: starting and ending it on a story, and posting, editing, pinning and deleting
its updates.

Like every service here: keyword-only, permission-checked on the server, validated with
`full_clean()`, one `changes.atomic()` block each (so a post bumps the page cache's generation and
purges Varnish once, after it commits). Every change to an update keeps a `LiveUpdateRevision`; a
deleted update keeps its row and history for editors and leaves every reader's surface at once.

Posting does not bump `Article.version`: an editor polishing the story's text while reporters
post must not meet an edit conflict every few seconds. Starting, ending and reopening are
recorded as story revisions.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from .. import changes
from ..models import Article, Image, LiveUpdate, LiveUpdateRevision
from .revisions import record_revision

POST_PERMISSION = "articles.post_live_update"
MANAGE_PERMISSION = "articles.manage_live_coverage"


def _has(user, permission: str) -> bool:
    return user is None or user.has_perm(permission)


def can_post(user) -> bool:
    return _has(user, POST_PERMISSION)


def can_manage(user) -> bool:
    return _has(user, MANAGE_PERMISSION)


def can_change_update(user, update: LiveUpdate) -> bool:
    """Editors change any update; a reporter only the ones they posted."""
    if can_manage(user):
        return True
    return can_post(user) and user is not None and update.created_by_id == user.pk


def _byline_of(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


# ---- The coverage ------------------------------------------------------------------------------


def _set_coverage(article: Article, *, user, action: str, **fields) -> Article:
    stored = Article.objects.select_for_update().filter(pk=article.pk).first()
    if stored is None or stored.deleted_at is not None:
        raise ValidationError("This story no longer exists.")
    Article.objects.filter(pk=article.pk).update(**fields)
    for name, value in fields.items():
        setattr(article, name, value)
    changes.record(stories=[article.pk])  # update() sends no signal
    record_revision(article, user=user, action=action)
    return article


@changes.atomic()
def start_coverage(*, article: Article, user) -> Article:
    """Turn a story into live coverage (or reopen coverage that ended)."""
    if not can_manage(user):
        raise PermissionDenied("Only an editor can start or reopen live coverage.")
    if article.live_started_at is None:
        return _set_coverage(
            article,
            user=user,
            action="Live coverage started",
            live_started_at=timezone.now(),
            live_ended_at=None,
        )
    if article.live_ended_at is not None:
        return _set_coverage(
            article, user=user, action="Live coverage reopened", live_ended_at=None
        )
    return article


@changes.atomic()
def end_coverage(*, article: Article, user) -> Article:
    """Close the coverage: readers see "This live coverage has ended"; nothing more is posted."""
    if not can_manage(user):
        raise PermissionDenied("Only an editor can end live coverage.")
    if article.live_started_at is None:
        raise ValidationError("This story is not live coverage.")
    if article.live_ended_at is not None:
        return article
    return _set_coverage(
        article, user=user, action="Live coverage ended", live_ended_at=timezone.now()
    )


# ---- Updates -----------------------------------------------------------------------------------


def _snapshot(update: LiveUpdate) -> dict:
    return {
        "headline": update.headline,
        "body": update.body,
        "byline": update.byline,
        "image": update.image_id,
        "is_key_event": update.is_key_event,
        "posted_at": update.posted_at.isoformat(),
        "deleted_at": update.deleted_at.isoformat() if update.deleted_at else None,
    }


def _save(update: LiveUpdate, *, user, action: str) -> LiveUpdate:
    update.updated_by = user
    update.full_clean()
    update.save()
    LiveUpdateRevision.objects.create(
        update=update,
        action=action,
        snapshot=_snapshot(update),
        created_by=user if user is not None and user.is_authenticated else None,
    )
    return update


def _locked(update: LiveUpdate) -> LiveUpdate:
    stored = LiveUpdate.objects.select_for_update().filter(pk=update.pk).first()
    if stored is None or stored.deleted_at is not None:
        raise ValidationError("This update has been deleted.")
    return stored


@changes.atomic()
def post_update(
    *,
    article: Article,
    user,
    body: str,
    headline: str = "",
    byline: str | None = None,
    image: Image | None = None,
    is_key_event: bool = False,
    posted_at: datetime.datetime | None = None,
) -> LiveUpdate:
    """Add an update to a story's live coverage; readers see it once the transaction commits."""
    if not can_post(user):
        raise PermissionDenied("You cannot post live updates.")
    if is_key_event and not can_manage(user):
        raise PermissionDenied("Only an editor can pin an update as a key event.")
    stored = Article.objects.select_for_update().filter(pk=article.pk).first()
    if stored is None or stored.deleted_at is not None:
        raise ValidationError("This story no longer exists.")
    if stored.live_started_at is None:
        raise ValidationError("Start live coverage on this story before posting updates.")
    if stored.live_ended_at is not None:
        raise ValidationError("This live coverage has ended: reopen it to post again.")
    update = LiveUpdate(
        article=stored,
        headline=headline or "",
        body=body or "",
        byline=_byline_of(user) if byline is None else byline,
        image=image,
        is_key_event=is_key_event,
        posted_at=posted_at or timezone.now(),
        created_by=user,
    )
    return _save(update, user=user, action="Posted")


@changes.atomic()
def edit_update(
    *,
    update: LiveUpdate,
    user,
    body: str,
    headline: str = "",
    byline: str | None = None,
    image: Image | None = None,
) -> LiveUpdate:
    """Change an update's words, author line or photo; it keeps its time and place."""
    stored = _locked(update)
    if not can_change_update(user, stored):
        raise PermissionDenied("Only an editor can change someone else's update.")
    stored.headline, stored.body, stored.image = headline or "", body or "", image
    if byline is not None:
        stored.byline = byline
    return _save(stored, user=user, action="Edited")


@changes.atomic()
def set_key_event(*, update: LiveUpdate, user, is_key_event: bool) -> LiveUpdate:
    """Pin an update as a key event (listed at the top of the page), or unpin it."""
    if not can_manage(user):
        raise PermissionDenied("Only an editor can pin key events.")
    stored = _locked(update)
    if stored.is_key_event == is_key_event:
        return stored
    stored.is_key_event = is_key_event
    return _save(stored, user=user, action="Pinned" if is_key_event else "Unpinned")


@changes.atomic()
def delete_update(*, update: LiveUpdate, user) -> LiveUpdate:
    """Take an update off every reader's page; its row and history stay for editors."""
    stored = _locked(update)
    if not can_change_update(user, stored):
        raise PermissionDenied("Only an editor can delete someone else's update.")
    stored.deleted_at = timezone.now()
    stored.deleted_by = user
    return _save(stored, user=user, action="Deleted")
