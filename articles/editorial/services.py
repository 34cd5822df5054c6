"""The editorial workflow: every write with a rule or a side effect goes through here.

The admin, management commands, the wire import and tests all call these functions. Each one is
keyword-only, checks the user's permission (``user=None`` means the system itself, e.g. a command
run by the operator), validates with ``full_clean()`` before saving, records who and when, bumps
``Article.version`` and stores a revision (articles/editorial/revisions.py).

Statuses: draft → in review → published, and unpublished (withdrawn). A published story whose
``published_at`` is in the future is *scheduled*: ``Article.objects.published()`` shows it from that
moment on, so no job has to run.

Rights: a story *embargoed until* a moment cannot be published, or scheduled, before it (the
refusal says when it lifts; the model and a database constraint say the same). A *killed* story
(``kill_story``: an editor's Withdraw or an agency kill) leaves every public surface in one
change set, its address answers 410 Gone, and only an editor who confirms it can republish it.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from .. import changes
from ..accounts import audit
from ..html import sanitize_body
from ..languages import codes, name_of
from ..models import (
    Article,
    Correction,
    Image,
    Revision,
    ShareLink,
    Source,
    embargo_refusal,
    format_moment,
)
from .authors import restore_contributors
from .revisions import DRAFT_KEYS, live_snapshot_of, record_revision, revision_block

Status = Article.Status

PUBLISH_PERMISSION = "articles.publish_article"
RESTORE_REVISION_PERMISSION = "articles.restore_revision"
RECOVER_PERMISSION = "articles.recover_article"
CORRECT_PERMISSION = "articles.correct_article"
SHARE_PERMISSION = "articles.share_preview"

# Which status a story may move to from each status (staying put is always allowed).
TRANSITIONS = {
    Status.DRAFT: {Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED},
    Status.IN_REVIEW: {Status.IN_REVIEW, Status.DRAFT, Status.PUBLISHED},
    Status.PUBLISHED: {Status.PUBLISHED, Status.UNPUBLISHED},
    Status.UNPUBLISHED: {Status.UNPUBLISHED, Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED},
}
EDITOR_ONLY_STATUSES = {Status.PUBLISHED, Status.UNPUBLISHED}
# A reporter may edit a story only while it is in one of these.
REPORTER_EDITABLE_STATUSES = {Status.DRAFT, Status.IN_REVIEW}
# A change to one of these after publication shows readers "Updated <time>".
CONTENT_FIELDS = ("headline", "standfirst", "body")

DEFAULT_SHARE_LINK_LIFETIME = datetime.timedelta(hours=48)
MAX_SHARE_LINK_LIFETIME = datetime.timedelta(days=30)


class EditConflict(ValidationError):
    """Someone saved the story after this edit was opened; saving would overwrite their work."""


class WithdrawnStory(ValidationError):
    """The story was withdrawn (or killed by its agency); republishing it needs confirmation."""


# ---- Who may do what ---------------------------------------------------------------------------


def _has(user, permission: str) -> bool:
    return user is None or user.has_perm(permission)


def _require(user, permission: str, message: str) -> None:
    if not _has(user, permission):
        raise PermissionDenied(message)


def can_publish(user) -> bool:
    return _has(user, PUBLISH_PERMISSION)


def can_edit(user, article: Article) -> bool:
    """Reporters edit drafts and stories in review; published or withdrawn ones are editors'."""
    if not _has(user, "articles.change_article"):
        return False
    return article.status in REPORTER_EDITABLE_STATUSES or can_publish(user)


def can_draft_changes(user, article: Article) -> bool:
    """Whether `user` may save changes to this story at all: whoever may edit it, and reporters
    too while readers can see it, into its working draft only (an editor publishes them)."""
    return can_edit(user, article) or (
        _has(user, "articles.change_article") and keeps_working_draft(article)
    )


def allowed_statuses(*, user, current: str) -> list[str]:
    """The statuses `user` may set on a story that is now `current`, in the usual order."""
    targets = TRANSITIONS[Status(current)]
    if not can_publish(user):
        targets = targets - EDITOR_ONLY_STATUSES
    return [status for status in Status.values if status in targets]


def _check_transition(*, user, stored: Article | None, target: str) -> None:
    current = stored.status if stored else Status.DRAFT
    if target not in allowed_statuses(user=user, current=current):
        if target in EDITOR_ONLY_STATUSES and not can_publish(user):
            raise PermissionDenied("Only an editor can publish, schedule or unpublish a story.")
        raise ValidationError(
            {
                "status": f"A story that is {Status(current).label.lower()} cannot be made "
                f"{Status(target).label.lower()}."
            }
        )


# ---- Saving --------------------------------------------------------------------------------


def _lock(article: Article) -> Article | None:
    """The stored row, locked until the transaction ends; None for a new article."""
    if article.pk is None:
        return None
    return Article.objects.select_for_update().filter(pk=article.pk).first()


def check_version(*, article: Article, expected_version: int) -> Article:
    """Lock the stored row and refuse if it moved past `expected_version` (an edit conflict)."""
    stored = _lock(article)
    if stored is None:
        raise ValidationError("This story no longer exists.")
    if stored.version != expected_version:
        who = stored.updated_by.get_username() if stored.updated_by else "someone else"
        when = timezone.localtime(stored.updated_at).strftime("%H:%M:%S on %d %b %Y")
        raise EditConflict(
            "Not saved: %(who)s saved this story at %(when)s, after you opened it. Your "
            "changes are still in the form below; compare them with what changed since, merge "
            "by hand, then save again.",
            code="edit_conflict",
            params={"who": who, "when": when},
        )
    return stored


def _save(article: Article, *, user, stored: Article | None, action: str) -> Article:
    """Validate and save `article`, bumping its version and recording who, when and what."""
    now = timezone.now()
    if stored is None:
        article.created_by = article.created_by or user
        article.version = 1
    else:
        article.version = stored.version + 1
    article.updated_by = user
    article.full_clean()
    article.save()
    if (
        stored is not None
        and stored.is_published
        and article.status == Status.PUBLISHED
        and any(getattr(article, name) != getattr(stored, name) for name in CONTENT_FIELDS)
    ):
        # Compared after save() so a body that only differed before sanitising doesn't count.
        article.content_updated_at = now
        Article.objects.filter(pk=article.pk).update(content_updated_at=now)
        _flag_translations(article, now)
    record_revision(article, user=user, action=action)
    return article


@changes.atomic()
def save_article(
    *, article: Article, user, expected_version: int | None = None, action: str | None = None
) -> Article:
    """Save changes to a story's content without changing its status.

    Pass `expected_version` (the version the edit was opened at) to refuse a stale save.
    """
    stored = (
        check_version(article=article, expected_version=expected_version)
        if expected_version is not None
        else _lock(article)
    )
    if stored is None:
        _require(user, "articles.add_article", "You cannot create stories.")
        if article.status not in REPORTER_EDITABLE_STATUSES:
            raise ValidationError({"status": "A new story starts as a draft or in review."})
    else:
        if not can_edit(user, stored):
            raise PermissionDenied("Only an editor can change a published or withdrawn story.")
        if article.status != stored.status:
            raise ValidationError(
                {"status": "Change the status with publish, schedule, unpublish or submit."}
            )
    previous_time = stored.published_at if stored else None
    if article.published_at != previous_time and not can_publish(user):
        raise PermissionDenied("Only an editor can set the publication time.")
    return _save(
        article, user=user, stored=stored, action=action or ("Created" if not stored else "Edited")
    )


def _change_status(
    article: Article, *, user, stored: Article | None, target: str, action: str
) -> Article:
    if stored is None:
        _require(user, "articles.add_article", "You cannot create stories.")
    _check_transition(user=user, stored=stored, target=target)
    if stored is not None and not can_edit(user, stored):
        raise PermissionDenied("Only an editor can change a published or withdrawn story.")
    article.status = target
    article.status_changed_at = timezone.now()
    return _save(article, user=user, stored=stored, action=action)


@changes.atomic()
def publish_article(
    *,
    article: Article,
    user,
    at: datetime.datetime | None = None,
    confirm_withdrawn: bool = False,
) -> Article:
    """Make the story visible now (or backdated to `at`, which must not be in the future).

    Without `at`, a story that already has a past publication time keeps it (so its address does
    not change when it is republished); otherwise it is published now. Refused under an embargo
    that has not lifted, and for a withdrawn story unless `confirm_withdrawn`.
    """
    _require(user, PUBLISH_PERMISSION, "Only an editor can publish a story.")
    now = timezone.now()
    _check_embargo(article, now)
    if at is None:
        at = article.published_at if article.published_at and article.published_at <= now else now
        if article.embargoed_until and at < article.embargoed_until:
            at = now  # republished after an embargo: its old time would predate the embargo
    elif at > now:
        raise ValidationError(
            {"published_at": "That time is in the future: schedule the story instead."}
        )
    _check_embargo(article, at)
    stored = _lock(article)
    _check_withdrawn(stored, confirm_withdrawn)
    _clear_withdrawal(article)
    article.published_at = at
    article.published_by = user
    _change_status(article, user=user, stored=stored, target=Status.PUBLISHED, action="Published")
    audit.record(audit.Action.PUBLISHED, user=user, target=article, details={"published_at": at})
    return article


@changes.atomic()
def schedule_article(
    *, article: Article, user, at: datetime.datetime, confirm_withdrawn: bool = False
) -> Article:
    """Publish the story at the future moment `at`; readers see it from then on, by themselves.
    Under an embargo, `at` must be at or after the moment it lifts."""
    _require(user, PUBLISH_PERMISSION, "Only an editor can schedule a story.")
    if at is None or at <= timezone.now():
        raise ValidationError({"published_at": "A scheduled time must be in the future."})
    _check_embargo(article, at)
    stored = _lock(article)
    _check_withdrawn(stored, confirm_withdrawn)
    _clear_withdrawal(article)
    article.published_at = at
    article.published_by = user
    when = timezone.localtime(at).strftime("%d %b %Y, %H:%M %Z")
    _change_status(
        article, user=user, stored=stored, target=Status.PUBLISHED, action=f"Scheduled for {when}"
    )
    audit.record(audit.Action.SCHEDULED, user=user, target=article, details={"published_at": at})
    return article


def publish_or_schedule(
    *,
    article: Article,
    user,
    at: datetime.datetime | None = None,
    confirm_withdrawn: bool = False,
) -> Article:
    """Publish now (or at a past `at`), or schedule when `at` is in the future."""
    if at is not None and at > timezone.now():
        return schedule_article(
            article=article, user=user, at=at, confirm_withdrawn=confirm_withdrawn
        )
    return publish_article(article=article, user=user, at=at, confirm_withdrawn=confirm_withdrawn)


def _check_embargo(article: Article, at: datetime.datetime) -> None:
    if article.embargoed_until is not None and at < article.embargoed_until:
        raise ValidationError({"published_at": embargo_refusal(article.embargoed_until)})


def _clear_withdrawal(article: Article) -> None:
    # Republished with confirmation: the withdrawal stays in the story's revisions.
    article.withdrawn_at = article.withdrawn_by = None
    article.withdrawal_reason = ""


def _check_withdrawn(stored: Article | None, confirmed: bool) -> None:
    if stored is None or stored.withdrawn_at is None or confirmed:
        return
    who = stored.withdrawn_by.get_username() if stored.withdrawn_by else "the system"
    reason = f" ({stored.withdrawal_reason})" if stored.withdrawal_reason else ""
    raise WithdrawnStory(
        f"This story was withdrawn by {who} at {format_moment(stored.withdrawn_at)}{reason}. "
        "Republishing it needs an editor's explicit confirmation.",
        code="withdrawn",
    )


@changes.atomic()
def unpublish_article(*, article: Article, user) -> Article:
    """Withdraw a published (or scheduled) story from readers."""
    _require(user, PUBLISH_PERMISSION, "Only an editor can unpublish a story.")
    stored = _lock(article)
    article.published_by = user
    _change_status(
        article, user=user, stored=stored, target=Status.UNPUBLISHED, action="Unpublished"
    )
    audit.record(audit.Action.UNPUBLISHED, user=user, target=article)
    return article


@changes.atomic()
def submit_for_review(*, article: Article, user) -> Article:
    """Hand a draft to the editors."""
    stored = _lock(article)
    return _change_status(
        article, user=user, stored=stored, target=Status.IN_REVIEW, action="Submitted for review"
    )


@changes.atomic()
def return_to_draft(*, article: Article, user) -> Article:
    """Send a story in review (or a withdrawn one) back to draft."""
    stored = _lock(article)
    return _change_status(
        article, user=user, stored=stored, target=Status.DRAFT, action="Returned to draft"
    )


# ---- Kills and withdrawals ---------------------------------------------------------------------


@changes.atomic()
def kill_story(*, article: Article, user, reason: str, source: str = "") -> Article:
    """Withdraw a story from every public surface at once: an editor's Withdraw or an agency kill.

    The story becomes unpublished and is marked withdrawn (who, when, why); its address answers
    410 Gone; it leaves lists, search, counts, feeds, sitemaps and the API, and the page cache
    and HTTP caches are purged, all in this one change set. It stays in the desk; republishing
    it takes an editor and `confirm_withdrawn=True`. Killing it again only adds to the record.

    `user=None` is the system (an ingest channel applying an agency kill); `source` names where
    the kill came from, e.g. "AFP kill notice" or "ninjs pubStatus canceled".
    """
    _require(user, PUBLISH_PERMISSION, "Only an editor can withdraw a story.")
    reason = " ".join((reason or "").split())
    if source:
        reason = f"{source}: {reason}" if reason else source
    if not reason:
        raise ValidationError({"withdrawal_reason": "Say why the story is withdrawn."})
    stored = _lock(article)
    if stored is None:
        raise ValidationError("Only a saved story can be withdrawn.")
    article.refresh_from_db()
    article.status = Status.UNPUBLISHED
    article.status_changed_at = article.withdrawn_at = timezone.now()
    article.withdrawn_by = article.published_by = user
    article.withdrawal_reason = reason[:2000]
    return _save(article, user=user, stored=stored, action=f"Withdrawn: {reason}"[:200])


def kill_story_by_external_id(*, external_id: str, user, reason: str, source: str = ""):
    """`kill_story` for the story imported under `external_id` (a wire headline key or a ninjs
    `uri` key, see articles/wire/importing.py); None when no such story was imported."""
    article = Article.objects.filter(external_id=external_id).first()
    if article is None:
        return None
    return kill_story(article=article, user=user, reason=reason, source=source)


# ---- The trash ---------------------------------------------------------------------------------


@changes.atomic()
def delete_article(*, article: Article, user) -> Article:
    """Move a story to the trash: gone from every public surface, recoverable by an editor."""
    _require(user, "articles.delete_article", "You cannot delete stories.")
    stored = _lock(article)
    if stored is None or stored.deleted_at is not None:
        return article
    article.deleted_at = timezone.now()
    article.deleted_by = user
    _save(article, user=user, stored=stored, action="Moved to the trash")
    audit.record(audit.Action.TRASHED, user=user, target=article)
    return article


@changes.atomic()
def recover_article(*, article: Article, user) -> Article:
    """Bring a story back from the trash, in the status it had."""
    _require(user, RECOVER_PERMISSION, "Only an editor can restore stories from the trash.")
    stored = _lock(article)
    if stored is None or stored.deleted_at is None:
        return article
    article.deleted_at = None
    article.deleted_by = None
    _save(article, user=user, stored=stored, action="Restored from the trash")
    audit.record(audit.Action.RESTORED, user=user, target=article)
    return article


# ---- Corrections -------------------------------------------------------------------------------


@changes.atomic()
def add_correction(
    *, article: Article, user, text: str, kind: str = Correction.Kind.CORRECTION
) -> Correction:
    """Append a correction or update note to a story readers can see."""
    _require(user, CORRECT_PERMISSION, "Only an editor can add corrections.")
    if not Article.objects.published().filter(pk=article.pk).exists():
        raise ValidationError("Corrections and updates can only be added to a published story.")
    correction = Correction(article=article, kind=kind, text=(text or "").strip(), created_by=user)
    correction.full_clean()
    correction.save()
    _flag_translations(article, correction.created_at)
    return correction


# ---- Working drafts of live stories -------------------------------------------------------------
#
# Saving a story readers can see does not change what they see: the words, photo, sources and
# tags go into the story's working draft (`Article.working_draft`, shaped like a revision's
# snapshot), and "Publish changes" (an editor's) makes them live. The live columns, the listings,
# the search index and the page cache are untouched until then. Reporters may keep a working
# draft of a live story (`can_draft_changes`) but never publish it.


def keeps_working_draft(stored: Article | None) -> bool:
    """Whether a plain save of this story goes into its working draft (readers can see it)."""
    return stored is not None and stored.is_published


def draft_payload(article: Article, *, tags, sources) -> dict:
    """The working-draft part of a snapshot, from an unsaved article and its tags and sources."""
    image = article.lead_image
    return {
        "headline": " ".join(article.headline.split()),
        "standfirst": article.standfirst,
        "body": sanitize_body(article.body),
        "byline": article.byline,
        "lead_image": {"id": image.pk, "label": str(image)} if image else None,
        "sources": [
            {"id": source.pk, "name": source.name}
            for source in sorted(sources, key=lambda s: s.name.lower())
        ],
        "tags": sorted({str(tag) for tag in tags}, key=str.lower),
    }


@changes.atomic()
def save_working_draft(
    *, article: Article, user, tags, sources, action: str = "Working draft saved"
) -> Article:
    """Keep these changes to a live story where readers do not see them.

    Only the draft columns and the version change (a plain UPDATE: no change set, so nothing
    readers see is rewritten). A draft identical to the live story is dropped.
    """
    stored = _lock(article)
    if stored is None:
        raise ValidationError("Save the story once before keeping a working draft.")
    if not can_draft_changes(user, stored):
        raise PermissionDenied("You cannot change this story.")
    article.clean_fields(exclude=["slug", "status", "published_at", "lead_image"])
    payload = draft_payload(article, tags=tags, sources=sources)
    live = live_snapshot_of(stored)
    now = timezone.now()
    if all(payload[key] == live[key] for key in DRAFT_KEYS):
        payload, at, by = None, None, None
    else:
        at, by = now, user
    article.version = stored.version + 1
    article.working_draft, article.working_draft_at, article.working_draft_by = payload, at, by
    Article.objects.filter(pk=stored.pk).update(
        working_draft=payload,
        working_draft_at=at,
        working_draft_by=by,
        version=article.version,
        updated_by=user,
        updated_at=now,
    )
    record_revision(article, user=user, action=action)
    return article


def apply_working_draft(article: Article) -> tuple[list[str], list[Source]]:
    """Put the story's working draft into its fields (unsaved); its tags and sources returned."""
    draft = article.working_draft or {}
    if not draft:
        return [tag.name for tag in article.tags.all()], list(article.sources.all())
    for name in ("headline", "standfirst", "body", "byline"):
        setattr(article, name, draft.get(name) or "")
    image = draft.get("lead_image")
    article.lead_image = Image.objects.filter(pk=image["id"]).first() if image else None
    sources = []
    for item in draft.get("sources", []):
        source = Source.objects.filter(pk=item["id"]).first()
        sources.append(source or Source.get_or_create_by_name(item["name"]))
    return list(draft.get("tags", [])), sources


@changes.atomic()
def publish_changes(*, article: Article, user, from_working_draft: bool = False) -> Article:
    """Make the changes to a live story live: the fields of `article` as given (the desk's
    form), or its stored working draft with `from_working_draft`."""
    _require(user, PUBLISH_PERMISSION, "Only an editor can publish changes to a live story.")
    with revision_block():
        stored = _lock(article)
        if stored is None or not can_edit(user, stored):
            raise PermissionDenied("You cannot change this story.")
        tags = sources = None
        if from_working_draft:
            tags, sources = apply_working_draft(article)
        article.working_draft, article.working_draft_at, article.working_draft_by = None, None, None
        _save(article, user=user, stored=stored, action="Published changes")
        if from_working_draft:
            article.sources.set(sources)
            article.tags.set(tags)
    audit.record(
        audit.Action.PUBLISHED, user=user, target=article, details={"changes_to_live_story": True}
    )
    return article


# ---- Tags ---------------------------------------------------------------------------------------


@changes.atomic()
def add_tag(*, article: Article, user, name: str) -> Article:
    """Tag a story (the desk's bulk "Add a tag"): on the story as readers see it and, when it has
    one, in its working draft too, so publishing the draft later does not drop the tag."""
    with revision_block():
        stored = _lock(article)
        if stored is None or not can_edit(user, stored):
            raise PermissionDenied("You cannot change this story.")
        article.tags.add(name)
        tag_name = next(t.name for t in article.tags.all() if t.name.casefold() == name.casefold())
        updates = {"version": stored.version + 1, "updated_by": user, "updated_at": timezone.now()}
        if stored.working_draft and tag_name not in stored.working_draft.get("tags", []):
            draft = dict(stored.working_draft)
            draft["tags"] = sorted([*draft.get("tags", []), tag_name], key=str.lower)
            updates["working_draft"] = draft
        Article.objects.filter(pk=stored.pk).update(**updates)
        article.version = updates["version"]
        record_revision(article, user=user, action=f"Tagged “{tag_name}”")
    return article


# ---- Translations ----------------------------------------------------------------------------


def _flag_translations(original: Article, when: datetime.datetime) -> None:
    """Mark the published translations of `original` as behind it since `when` (the desk shows
    "original corrected on …" until an editor brings each one up to date)."""
    Article.objects.published().filter(translation_of=original).update(original_changed_at=when)


@changes.atomic()
def translate_article(*, article: Article, language: str, user) -> Article:
    """A new draft in `language` translating `article` (or its original, for a translation),
    linked to it, with its copy to translate over, its photo, byline, sources and tags."""
    _require(user, "articles.add_article", "You cannot create stories.")
    original = article.original
    if language not in codes():
        raise ValidationError({"language": f"“{language}” is not one of the site's languages."})
    if language == original.language:
        raise ValidationError({"language": "The original story is already in that language."})
    existing = original.translations.live().filter(language=language).first()
    if existing is not None:
        raise ValidationError(
            {"language": f"There is already a translation in that language: “{existing}”."}
        )
    with revision_block():
        draft = Article(
            headline=original.headline,
            standfirst=original.standfirst,
            body=original.body,
            byline=original.byline,
            lead_image=original.lead_image,
            language=language,
            translation_of=original,
            created_by=user,
        )
        action = f"Created as the {name_of(language)} translation of story {original.pk}"
        _save(draft, user=user, stored=None, action=action)
        draft.sources.set(original.sources.all())
        draft.tags.set(list(original.tags.all()))
    return draft


@changes.atomic()
def mark_translation_up_to_date(*, article: Article, user) -> Article:
    """Clear the "original corrected" flag of a translation an editor has brought up to date."""
    stored = _lock(article)
    if stored is None or not can_edit(user, stored):
        raise PermissionDenied("You cannot change this story.")
    if stored.original_changed_at is None:
        return article
    article.original_changed_at = None
    Article.objects.filter(pk=article.pk).update(original_changed_at=None)
    record_revision(article, user=user, action="Marked up to date with its original")
    return article


# ---- Revisions ---------------------------------------------------------------------------------


@changes.atomic()
def restore_revision(*, revision: Revision, user) -> Article:
    """Bring back a revision's words, photo, sources, tags and contributors as a new revision.

    The story's status and publication time are left as they are: restoring old words must not
    publish or withdraw a story. A published or scheduled story gets them in its working draft,
    never straight onto the page, and keeps its contributors: no working draft holds credits,
    which on a live story change only with "Publish changes" (as in the desk's contributor
    picker).
    """
    _require(user, RESTORE_REVISION_PERMISSION, "Only an editor can restore revisions.")
    with revision_block():
        article = Article.objects.get(pk=revision.article_id)
        stored = _lock(article)
        if not can_edit(user, stored):
            raise PermissionDenied("You cannot change this story.")
        data = revision.snapshot
        if stored.status == Status.PUBLISHED and stored.published_at is not None:
            article.working_draft = {key: data.get(key) for key in DRAFT_KEYS}
            tags, sources = apply_working_draft(article)
            return save_working_draft(
                article=article,
                user=user,
                tags=tags,
                sources=sources,
                action=f"Restored revision {revision.number} into the working draft",
            )
        if data.get("contributors") is not None:  # older revisions did not keep them
            restore_contributors(article, data["contributors"])
        for name in ("headline", "standfirst", "body", "byline", "slug"):
            setattr(article, name, data.get(name) or "")
        image = data.get("lead_image")
        article.lead_image = Image.objects.filter(pk=image["id"]).first() if image else None
        _save(article, user=user, stored=stored, action=f"Restored revision {revision.number}")
        sources = []
        for item in data.get("sources", []):
            source = Source.objects.filter(pk=item["id"]).first()
            sources.append(source or Source.get_or_create_by_name(item["name"]))
        article.sources.set(sources)
        article.tags.set(data.get("tags", []))
    audit.record(
        audit.Action.REVISION_RESTORED,
        user=user,
        target=article,
        details={"revision": revision.number},
    )
    return article


# ---- Share-preview links -----------------------------------------------------------------------


@changes.atomic()
def create_share_link(
    *, article: Article, user, lifetime: datetime.timedelta = DEFAULT_SHARE_LINK_LIFETIME
) -> ShareLink:
    """A link that lets anyone holding it read this one story until it expires or is revoked."""
    _require(user, SHARE_PERMISSION, "Only an editor can share previews.")
    if not datetime.timedelta(minutes=1) <= lifetime <= MAX_SHARE_LINK_LIFETIME:
        raise ValidationError("A share link lasts between one minute and 30 days.")
    now = timezone.now()
    link = ShareLink(article=article, created_by=user, created_at=now, expires_at=now + lifetime)
    link.full_clean()
    link.save()
    audit.record(
        audit.Action.SHARE_LINK_CREATED,
        user=user,
        target=article,
        details={"share_link": link.pk, "expires_at": link.expires_at},
    )
    return link


@changes.atomic()
def revoke_share_link(*, link: ShareLink, user) -> ShareLink:
    _require(user, SHARE_PERMISSION, "Only an editor can revoke share links.")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = user
        link.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(
            audit.Action.SHARE_LINK_REVOKED,
            user=user,
            target=link.article,
            details={"share_link": link.pk},
        )
    return link
