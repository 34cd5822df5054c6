"""Editing a story live: one autosave slot per editor per story, and who else has it open.

Neither ever changes the story: an autosave keeps the form as typed (restored only by its editor,
into the form), and presence is a last-seen time refreshed by the editor's heartbeat. A story not
yet saved once autosaves with `article=None`: one "new story" slot per editor. Both live in
the database, so they keep working when the cache (Redis) is down.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Article, Autosave, EditingPresence

# An editor's autosaves closer together than this are refused (the browser waits and retries).
AUTOSAVE_MIN_INTERVAL = datetime.timedelta(milliseconds=400)
# The most an autosave may hold, in characters over all fields (a long story is ~100,000).
AUTOSAVE_MAX_CHARS = 1_000_000
# Someone whose heartbeat (every ~20 s) is older than this has closed the story (a page being
# closed sends nothing: a beacon would race the next request and is lost offline anyway).
PRESENCE_TIMEOUT = datetime.timedelta(seconds=45)


class TooSoon(Exception):
    """An autosave came sooner than AUTOSAVE_MIN_INTERVAL after the last one."""


class TooLarge(Exception):
    """An autosave held more than AUTOSAVE_MAX_CHARS."""


def record_autosave(*, article: Article | None, user, data: dict, base_version: int) -> Autosave:
    """Keep `data` (form field name → list of values) as `user`'s unsaved work on `article`
    (None: the story they are writing in the "Add story" form, not saved yet)."""
    if sum(len(value) for values in data.values() for value in values) > AUTOSAVE_MAX_CHARS:
        raise TooLarge
    now = timezone.now()
    with transaction.atomic():
        slot = Autosave.objects.select_for_update().filter(article=article, user=user).first()
        if slot is not None and now - slot.saved_at < AUTOSAVE_MIN_INTERVAL:
            raise TooSoon
        if slot is None:
            slot = Autosave(article=article, user=user)
        slot.data, slot.base_version, slot.saved_at = data, base_version, now
        try:
            with transaction.atomic():
                slot.save()
        except IntegrityError:  # the same editor's other tab made the slot meanwhile
            raise TooSoon from None
    return slot


def autosave_of(*, article: Article | None, user) -> Autosave | None:
    return Autosave.objects.filter(article=article, user=user).first()


def discard_autosave(*, article: Article | None, user) -> None:
    Autosave.objects.filter(article=article, user=user).delete()


def newer_save(*, article: Article, user, opened_version: int) -> dict | None:
    """Who saved `article` after the form was opened at `opened_version`, unless it was `user`."""
    if article.version <= opened_version or article.updated_by_id == user.pk:
        return None
    by = article.updated_by
    return {
        "by": display_name(by) if by else "Someone",
        "at": timezone.localtime(article.updated_at).strftime("%H:%M"),
        "version": article.version,
    }


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def heartbeat(*, article: Article, user) -> list[dict]:
    """Record that `user` has `article` open; return the others who have it open now."""
    now = timezone.now()
    updated = EditingPresence.objects.filter(
        article=article, user=user, last_seen__gte=now - PRESENCE_TIMEOUT
    ).update(last_seen=now)
    if not updated:  # a new visit (or the first after a long gap): "since" starts now
        EditingPresence.objects.update_or_create(
            article=article, user=user, defaults={"opened_at": now, "last_seen": now}
        )
    return others_editing(article=article, user=user, now=now)


def others_editing(*, article: Article, user, now=None) -> list[dict]:
    now = now or timezone.now()
    present = (
        EditingPresence.objects.filter(article=article, last_seen__gte=now - PRESENCE_TIMEOUT)
        .exclude(user=user)
        .select_related("user")
        .order_by("opened_at")
    )
    return [
        {
            "name": display_name(entry.user),
            "since": timezone.localtime(entry.opened_at).strftime("%H:%M"),
        }
        for entry in present
    ]
