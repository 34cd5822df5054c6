"""Rights: embargoes (refused on every path, lifted at the exact moment), kills and withdrawals
(410 everywhere at once, republishing only with confirmation), and expiry at the boundary."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from articles.editorial import services
from articles.editorial.previews import share_link_token
from articles.models import Article
from articles.search.models import ListingCount, StoryListing
from articles.wire.importing import import_parsed, parse_copy

from ..helpers.factories import make_article, make_draft, make_image, make_staff
from ..helpers.images import jpeg_bytes
from ..helpers.workflow_forms import change_url, opened_form

pytestmark = pytest.mark.django_db

Status = Article.Status
NOON = datetime.datetime(2030, 5, 4, 12, 0, tzinfo=datetime.UTC)
LIFT = datetime.datetime(2030, 5, 4, 14, 0, tzinfo=datetime.UTC)
LIFT_TEXT = "Embargoed until 14:00 UTC, 4 May 2030"


@pytest.fixture
def desk_editor(db):
    return make_staff("ed", role="Editor")


@pytest.fixture
def editor_client(desk_editor):
    client = Client()
    client.force_login(desk_editor)
    return client


@pytest.fixture
def at_noon(time_machine):
    time_machine.move_to(NOON, tick=False)
    return time_machine


def embargoed_draft(headline="Budget leaks at two", **fields):
    return make_draft(headline, embargoed_until=LIFT, **fields)


# ---- Embargo: refused on every path -----------------------------------------------------------


def test_publishing_now_under_an_embargo_is_refused_saying_when_it_lifts(desk_editor, at_noon):
    article = embargoed_draft()
    with pytest.raises(ValidationError) as refused:
        services.publish_article(article=article, user=desk_editor)
    assert LIFT_TEXT in " ".join(refused.value.messages)
    article.refresh_from_db()
    assert article.status == Status.DRAFT and article.version == 1


def test_backdating_or_scheduling_before_the_embargo_is_refused(desk_editor, at_noon):
    article = embargoed_draft()
    with pytest.raises(ValidationError, match="Embargoed until 14:00"):
        services.publish_or_schedule(
            article=article, user=desk_editor, at=NOON - datetime.timedelta(days=1)
        )
    with pytest.raises(ValidationError, match="Embargoed until 14:00"):
        services.schedule_article(
            article=article, user=desk_editor, at=LIFT - datetime.timedelta(seconds=1)
        )
    assert not Article.objects.listed().filter(pk=article.pk).exists()


def test_a_schedule_at_the_embargo_is_accepted_and_appears_at_that_moment(
    desk_editor, client, at_noon, committed
):
    article = embargoed_draft(standfirst="The budget.")
    with committed():
        services.schedule_article(article=article, user=desk_editor, at=LIFT)
    url = article.get_absolute_url()
    at_noon.move_to(LIFT - datetime.timedelta(microseconds=1), tick=False)
    assert client.get(url).status_code == 404
    assert "Budget leaks at two" not in client.get("/").content.decode()
    at_noon.move_to(LIFT, tick=False)
    assert client.get(url).status_code == 200
    assert "Budget leaks at two" in client.get("/").content.decode()


def test_publishing_is_accepted_once_the_embargo_has_lifted(desk_editor, at_noon):
    article = embargoed_draft()
    at_noon.move_to(LIFT, tick=False)
    services.publish_article(article=article, user=desk_editor)
    assert Article.objects.published().filter(pk=article.pk).exists()


def test_an_embargo_cannot_be_put_on_a_story_already_out(desk_editor, at_noon):
    article = make_article(published_at=NOON - datetime.timedelta(hours=1))
    article.embargoed_until = LIFT
    with pytest.raises(ValidationError, match="Embargoed until 14:00"):
        services.save_article(article=article, user=desk_editor)


def test_the_database_refuses_a_bulk_update_that_would_break_an_embargo(at_noon):
    article = embargoed_draft()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(
            status=Status.PUBLISHED, published_at=NOON - datetime.timedelta(hours=1)
        )


def test_published_never_shows_an_embargoed_story(at_noon):
    # Even a row written around every check (as a broken restore might) stays hidden.
    article = make_article(published_at=LIFT, embargoed_until=LIFT)
    at_noon.move_to(LIFT - datetime.timedelta(seconds=1), tick=False)
    assert not Article.objects.published().filter(pk=article.pk).exists()
    at_noon.move_to(LIFT, tick=False)
    assert Article.objects.published().filter(pk=article.pk).exists()


def test_restoring_a_revision_keeps_the_embargo(desk_editor, at_noon):
    article = embargoed_draft()
    services.save_article(article=article, user=desk_editor)
    first = article.revisions.order_by("number").first()
    services.restore_revision(revision=first, user=desk_editor)
    article.refresh_from_db()
    assert article.embargoed_until == LIFT
    with pytest.raises(ValidationError, match="Embargoed"):
        services.publish_article(article=article, user=desk_editor)


def test_the_admin_refuses_to_publish_under_an_embargo(at_noon, editor_client):
    article = embargoed_draft()
    data = opened_form(editor_client, article) | {"status": "published"}
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200  # the form again, with the reason
    assert LIFT_TEXT in response.content.decode()
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_the_admin_schedules_at_the_embargo(at_noon, editor_client):
    article = embargoed_draft()
    data = opened_form(editor_client, article) | {
        "status": "published",
        "published_at_0": "2030-05-04",
        "published_at_1": "14:00:00",
    }
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.is_scheduled and article.published_at == LIFT


def test_import_with_publish_schedules_embargoed_copy_at_the_lift(at_noon):
    copy = (
        "EMBARGOED UNTIL 14:00 GMT 4 May 2030\n\nMinisters agree the budget\n\nThe standfirst.\n\n"
        "A body paragraph.\n"
    )
    article = import_parsed(parse_copy(copy), publish=True).article
    article.refresh_from_db()
    assert article.embargoed_until == LIFT
    assert article.is_scheduled and article.published_at == LIFT
    assert "EMBARGOED" not in article.body
    with pytest.raises(ValidationError, match="Embargoed until 14:00"):
        import_parsed(parse_copy(copy), publish=True, published_at=NOON)


def test_previews_and_share_links_say_embargoed_and_are_never_cached(
    at_noon, editor_client, desk_editor
):
    article = embargoed_draft()
    preview = editor_client.get(reverse("admin:articles_article_preview", args=[article.pk]))
    link = services.create_share_link(article=article, user=desk_editor)
    shared = Client().get(reverse("articles:shared_preview", args=[share_link_token(link)]))
    for response in (preview, shared):
        assert response.status_code == 200
        assert f"EMBARGOED until {LIFT_TEXT.removeprefix('Embargoed until ')}" in (
            response.content.decode()
        )
        assert {"private", "no-store"} <= {
            part.strip() for part in response["Cache-Control"].split(",")
        }


def test_the_desk_shows_the_embargo_and_the_time_left(at_noon, editor_client):
    article = embargoed_draft()
    listing = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "Embargoed · 2 h 0 min left" in listing
    form = editor_client.get(change_url(article)).content.decode()
    assert f"EMBARGOED until {LIFT_TEXT.removeprefix('Embargoed until ')} (2 h 0 min left)" in form


# ---- Kills and withdrawals ----------------------------------------------------------------------


def test_kill_takes_the_story_off_and_its_address_answers_410(desk_editor, client, committed):
    article = make_article("Minister resigns", tags=["Politics"])
    url = article.get_absolute_url()
    assert client.get(url).status_code == 200
    with committed():
        services.kill_story(article=article, user=desk_editor, reason="Legal")
    response = client.get(url)
    assert response.status_code == 410
    page = response.content.decode()
    assert "withdrawn" in page and "Minister resigns" not in page
    api = client.get(reverse("api:article", kwargs={"id": article.pk}))
    assert api.status_code == 410 and api.json()["error"]["code"] == "withdrawn"
    assert client.get(reverse("api:article-ninjs", kwargs={"id": article.pk})).status_code == 410
    assert not StoryListing.objects.filter(article=article).exists()
    assert ListingCount.objects.due("t") == {}
    article.refresh_from_db()
    assert article.status == Status.UNPUBLISHED
    assert (article.withdrawn_by, article.withdrawal_reason) == (desk_editor, "Legal")
    assert article.revisions.first().action == "Withdrawn: Legal"


def test_kill_purges_the_page_cache_in_the_same_change(
    desk_editor, client, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 300
    article = make_article("Cached then killed")
    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.kill_story(article=article, user=desk_editor, reason="Agency kill")
    assert len(callbacks) >= 1
    assert client.get(article.get_absolute_url()).status_code == 410
    assert "Cached then killed" not in client.get("/").content.decode()


def test_republishing_a_withdrawn_story_needs_confirmation(desk_editor):
    article = make_article()
    services.kill_story(article=article, user=None, reason="Withheld", source="AFP kill")
    with pytest.raises(services.WithdrawnStory, match="withdrawn by the system"):
        services.publish_article(article=article, user=desk_editor)
    services.publish_article(article=article, user=desk_editor, confirm_withdrawn=True)
    article.refresh_from_db()
    assert article.is_published and article.withdrawn_at is None


def test_a_reporter_cannot_withdraw(db):
    reporter = make_staff("rita", role="Reporter")
    article = make_article()
    with pytest.raises(services.PermissionDenied):
        services.kill_story(article=article, user=reporter, reason="No")


def test_withdraw_from_the_desk(editor_client):
    article = make_article("Desk withdraws this")
    url = reverse("admin:articles_article_withdraw", args=[article.pk])
    assert editor_client.get(url).status_code == 200
    response = editor_client.post(url, {"reason": "Wrong person named"})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.withdrawn_at and article.withdrawal_reason == "Wrong person named"
    form = editor_client.get(change_url(article)).content.decode()
    assert "WITHDRAWN by ed" in form and "Wrong person named" in form
    assert "Republish this withdrawn story" in form


def test_the_admin_republishes_a_withdrawn_story_only_when_confirmed(editor_client):
    article = make_article("Back after all")
    services.kill_story(article=article, user=None, reason="Agency kill")
    data = opened_form(editor_client, article) | {"status": "published"}
    data.pop("confirm_republish", None)
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "tick the box to confirm" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Status.UNPUBLISHED
    data = opened_form(editor_client, article) | {"status": "published", "confirm_republish": "on"}
    assert editor_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.is_published and article.withdrawn_at is None


def test_a_wire_kill_notice_withdraws_the_imported_story(client, committed):
    copy = "Rebels seize the port\n\nThe standfirst.\n\nA body paragraph.\n"
    with committed():
        article = import_parsed(parse_copy(copy), publish=True).article
    assert client.get(article.get_absolute_url()).status_code == 200
    notice = "KILL KILL KILL\n\nRebels seize the port\n\nThe story is withdrawn: legal reasons.\n"
    with committed():
        result = import_parsed(parse_copy(notice))
    assert result.killed and result.article == article
    article.refresh_from_db()
    assert "legal reasons" in article.withdrawal_reason
    assert client.get(article.get_absolute_url()).status_code == 410


def test_a_ninjs_cancel_withdraws_the_story_it_names(client, committed):
    story = {
        "uri": "urn:agency:story:42",
        "headline": "Dam bursts upstream",
        "body_text": "A body paragraph.",
        "pubStatus": "usable",
    }
    with committed():
        article = import_parsed(parse_copy(json.dumps(story)), publish=True).article
    cancel = {"uri": "urn:agency:story:42", "pubStatus": "canceled", "ednote": "Wrong dam"}
    with committed():
        result = import_parsed(parse_copy(json.dumps(cancel)))
    assert result.killed and result.article == article
    assert client.get(article.get_absolute_url()).status_code == 410
    assert "Dam bursts" not in client.get(reverse("api:articles")).content.decode()


def test_a_kill_for_an_unknown_story_withdraws_nothing_and_is_remembered():
    result = import_parsed(parse_copy("WITHDRAWN\n\nNo such story ever\n"))
    assert result.killed and result.article is None
    with pytest.raises(ValueError, match="the agency killed “No such story ever”"):
        import_parsed(parse_copy("No such story ever\n\nStandfirst.\n\nBody.\n"))


# ---- Expiry -------------------------------------------------------------------------------------


def test_a_story_leaves_every_list_at_its_expiry_second(client, at_noon, committed):
    with committed():
        article = make_article(
            "Rights run out at noon",
            tags=["Rights"],
            published_at=NOON - datetime.timedelta(days=1),
            expires_at=NOON + datetime.timedelta(seconds=1),
        )
    url = article.get_absolute_url()
    assert client.get(url).status_code == 200
    assert "Rights run out" in client.get(reverse("articles:tag", args=["rights"])).content.decode()
    assert ListingCount.objects.due("t")
    at_noon.move_to(NOON + datetime.timedelta(seconds=1), tick=False)
    assert client.get(url).status_code == 404
    assert "Rights run out" not in client.get("/").content.decode()
    assert "Rights run out" not in client.get(reverse("syndication:latest-atom")).content.decode()
    assert "Rights run out" not in client.get(reverse("api:articles")).content.decode()
    assert ListingCount.objects.due("t") == {}
    # The next change anywhere drops the expired listing for good.
    with committed():
        make_article("Another story")
    assert not StoryListing.objects.filter(article=article).exists()


def test_an_expired_photo_is_replaced_by_nothing(client, at_noon, committed):
    upload = SimpleUploadedFile("dam.jpg", jpeg_bytes(640, 400), content_type="image/jpeg")
    image = make_image(alt_text="A dam", file=upload, expires_at=NOON + datetime.timedelta(1))
    with committed():
        article = make_article("Photo runs out", lead_image=image)
    assert "<picture" in client.get(article.get_absolute_url()).content.decode()
    at_noon.move_to(NOON + datetime.timedelta(days=1), tick=False)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<picture" not in page and "<img" not in page.split("story__body")[0]
    assert "Photo runs out" in page
    api = client.get(reverse("api:article", kwargs={"id": article.pk})).json()
    assert api.get("image") is None
