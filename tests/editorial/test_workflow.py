"""The workflow services: statuses, scheduling at the exact moment, who did it and when."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from articles.editorial import services
from articles.models import Article, Revision
from articles.wire.importing import import_parsed
from articles.wire.text import parse_wire

from ..helpers.factories import make_article, make_draft, make_staff

pytestmark = pytest.mark.django_db

Status = Article.Status
NOON = datetime.datetime(2030, 5, 4, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def reporter(db):
    return make_staff("rita", role="Reporter")


@pytest.fixture
def desk_editor(db):
    return make_staff("ed", role="Editor")


def test_publish_records_who_and_when_and_a_revision(desk_editor, time_machine):
    time_machine.move_to(NOON, tick=False)
    article = make_draft("Floods close the coast road")
    services.publish_article(article=article, user=desk_editor)

    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert article.published_at == NOON
    assert article.published_by == desk_editor
    assert article.updated_by == desk_editor
    assert article.status_changed_at == NOON
    assert article.version == 2
    revision = article.revisions.get()
    assert (revision.action, revision.created_by, revision.created_at) == (
        "Published",
        desk_editor,
        NOON,
    )
    assert revision.snapshot["status"] == "published"
    assert Article.objects.published().filter(pk=article.pk).exists()


def test_republishing_keeps_the_original_time_so_the_address_stays(desk_editor):
    article = make_article()
    first_time, url = article.published_at, article.get_absolute_url()
    services.unpublish_article(article=article, user=desk_editor)
    assert not Article.objects.published().filter(pk=article.pk).exists()
    services.publish_article(article=article, user=desk_editor)
    article.refresh_from_db()
    assert article.published_at == first_time
    assert article.get_absolute_url() == url


def test_scheduled_story_appears_at_exactly_its_time(desk_editor, client, time_machine):
    time_machine.move_to(NOON - datetime.timedelta(hours=3), tick=False)
    article = make_draft("Budget speech at noon", standfirst="The minister speaks.")
    services.schedule_article(article=article, user=desk_editor, at=NOON)
    article.refresh_from_db()
    assert article.is_scheduled
    url = article.get_absolute_url()

    # One microsecond early: nowhere to be seen (the front page is requested first, so any cache
    # that would keep the old page past the scheduled moment is caught below).
    time_machine.move_to(NOON - datetime.timedelta(microseconds=1), tick=False)
    assert "Budget speech at noon" not in client.get("/").content.decode()
    assert client.get(url).status_code == 404
    assert not Article.objects.published().filter(pk=article.pk).exists()

    # At the scheduled instant: live, with no job having run.
    time_machine.move_to(NOON, tick=False)
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert "Budget speech at noon" in client.get("/").content.decode()
    assert client.get(url).status_code == 200


def test_schedule_must_be_in_the_future_and_publish_must_not_be(desk_editor):
    article = make_draft()
    with pytest.raises(ValidationError, match="future"):
        services.schedule_article(
            article=article, user=desk_editor, at=timezone.now() - datetime.timedelta(minutes=1)
        )
    with pytest.raises(ValidationError, match="schedule"):
        services.publish_article(
            article=article, user=desk_editor, at=timezone.now() + datetime.timedelta(hours=1)
        )
    article.refresh_from_db()
    assert article.status == Status.DRAFT and article.version == 1


def test_unpublish_withdraws_a_live_story_and_cancels_a_scheduled_one(desk_editor):
    live = make_article()
    scheduled = make_article(published_at=timezone.now() + datetime.timedelta(days=1))
    for article in (live, scheduled):
        services.unpublish_article(article=article, user=desk_editor)
        article.refresh_from_db()
        assert article.status == Status.UNPUBLISHED
        assert article.revisions.get().action == "Unpublished"
    with pytest.raises(ValidationError):
        services.unpublish_article(article=make_draft(), user=desk_editor)


def test_submit_for_review_and_back_to_draft(reporter):
    article = make_draft()
    services.submit_for_review(article=article, user=reporter)
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW
    services.return_to_draft(article=article, user=reporter)
    article.refresh_from_db()
    assert article.status == Status.DRAFT
    assert [r.action for r in article.revisions.order_by("number")] == [
        "Submitted for review",
        "Returned to draft",
    ]


@pytest.mark.parametrize(
    "action",
    [
        lambda article, user: services.publish_article(article=article, user=user),
        lambda article, user: services.schedule_article(
            article=article, user=user, at=timezone.now() + datetime.timedelta(days=1)
        ),
        lambda article, user: services.unpublish_article(article=article, user=user),
        lambda article, user: services.delete_article(article=article, user=user),
        lambda article, user: services.recover_article(article=article, user=user),
    ],
    ids=["publish", "schedule", "unpublish", "delete", "recover"],
)
def test_reporters_cannot_publish_schedule_unpublish_or_delete(reporter, action):
    article = make_article(status=Status.IN_REVIEW)
    with pytest.raises(PermissionDenied):
        action(article, reporter)
    article.refresh_from_db()
    assert (article.status, article.version, article.deleted_at) == (Status.IN_REVIEW, 1, None)
    assert not Revision.objects.exists()


def test_reporter_cannot_save_a_published_story_or_sneak_in_a_status(reporter):
    live = make_article()
    live.headline = "Rewritten by a reporter"
    with pytest.raises(PermissionDenied):
        services.save_article(article=live, user=reporter)
    draft = make_draft()
    draft.status = Status.PUBLISHED
    with pytest.raises(ValidationError):
        services.save_article(article=draft, user=reporter)
    draft.status = Status.DRAFT
    draft.published_at = timezone.now()
    with pytest.raises(PermissionDenied):
        services.save_article(article=draft, user=reporter)
    assert Article.objects.get(pk=live.pk).headline != "Rewritten by a reporter"
    assert Article.objects.get(pk=draft.pk).published_at is None


def test_reporter_keeps_a_working_draft_of_a_live_story_only(reporter):
    live = make_article(headline="Live words")
    live.headline = "Reporter's words"
    services.save_working_draft(article=live, user=reporter, tags=[], sources=[])
    stored = Article.objects.get(pk=live.pk)
    assert stored.headline == "Live words"
    assert stored.working_draft["headline"] == "Reporter's words"
    assert services.can_draft_changes(reporter, stored) and not services.can_edit(reporter, stored)
    with pytest.raises(PermissionDenied):
        services.publish_changes(article=stored, user=reporter, from_working_draft=True)
    # Not a scheduled story: readers cannot see it, so a save would change it directly.
    scheduled = make_article(published_at=timezone.now() + datetime.timedelta(hours=3))
    assert not services.can_draft_changes(reporter, scheduled)
    with pytest.raises(PermissionDenied):
        services.save_working_draft(article=scheduled, user=reporter, tags=[], sources=[])
    assert Article.objects.get(pk=live.pk).headline == "Live words"


def test_services_validate_with_full_clean(desk_editor):
    article = make_draft()
    article.headline = "x" * 301
    with pytest.raises(ValidationError) as exc:
        services.publish_article(article=article, user=desk_editor)
    assert "headline" in exc.value.message_dict
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_stale_version_is_refused_by_the_save_service(desk_editor):
    article = make_draft(headline="First")
    services.save_article(article=article, user=desk_editor)  # version 2
    stale = Article.objects.get(pk=article.pk)
    stale.headline = "Second"
    with pytest.raises(services.EditConflict):
        services.save_article(article=stale, user=desk_editor, expected_version=1)
    assert Article.objects.get(pk=article.pk).headline == "First"
    stale.headline = "Third"
    services.save_article(article=stale, user=desk_editor, expected_version=2)
    assert Article.objects.get(pk=article.pk).headline == "Third"


def test_soft_delete_hides_everywhere_and_recover_brings_it_back(desk_editor, client):
    article = make_article(headline="Storm warning")
    url = article.get_absolute_url()
    services.delete_article(article=article, user=desk_editor)
    article.refresh_from_db()
    assert article.deleted_at and article.deleted_by == desk_editor
    assert client.get(url).status_code == 404
    assert "Storm warning" not in client.get("/").content.decode()

    services.recover_article(article=article, user=desk_editor)
    article.refresh_from_db()
    assert article.deleted_at is None and article.status == Status.PUBLISHED
    assert client.get(url).status_code == 200
    assert [r.action for r in article.revisions.order_by("number")] == [
        "Moved to the trash",
        "Restored from the trash",
    ]


def test_edits_after_publication_set_the_updated_time(desk_editor, time_machine):
    time_machine.move_to(NOON, tick=False)
    article = make_article(published_at=NOON - datetime.timedelta(hours=1))
    article.byline = "Staff"  # not headline, standfirst or body
    services.save_article(article=article, user=desk_editor)
    assert Article.objects.get(pk=article.pk).content_updated_at is None

    time_machine.move_to(NOON + datetime.timedelta(minutes=30), tick=False)
    article.body = "<p>A corrected body paragraph.</p>"
    services.save_article(article=article, user=desk_editor)
    assert Article.objects.get(pk=article.pk).content_updated_at == NOON + datetime.timedelta(
        minutes=30
    )


def test_edits_before_publication_are_not_updates(desk_editor):
    article = make_draft()
    article.headline = "Changed while a draft"
    services.save_article(article=article, user=desk_editor)
    services.publish_article(article=article, user=desk_editor)
    assert Article.objects.get(pk=article.pk).content_updated_at is None


WIRE = b"""Port strike ends after three days

Dockers accept a new pay offer.

The strike that closed the port ended on Friday.

Source: News Agencies
"""


def test_wire_import_publishes_through_the_service_with_one_revision(desk_editor):
    result = import_parsed(parse_wire(WIRE), publish=True, user=desk_editor)
    article = result.article
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED and article.published_by == desk_editor
    revision = article.revisions.get()
    assert revision.action == "Imported from wire copy; Published"
    assert [s["name"] for s in revision.snapshot["sources"]] == ["News Agencies"]


def test_wire_import_as_draft_records_a_revision_too():
    article = import_parsed(parse_wire(WIRE)).article
    assert article.status == Status.DRAFT
    assert article.revisions.get().action == "Imported from wire copy"
    assert article.revisions.get().created_by is None
