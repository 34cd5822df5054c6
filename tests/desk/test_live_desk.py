"""The live desk on a story's change page: start, post, edit, pin, delete, end and reopen, by
role, with crafted requests refused on the server."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.editorial import live
from articles.models import LiveUpdate
from tests.helpers.factories import make_article, make_staff

pytestmark = pytest.mark.django_db


def client_for(role: str) -> Client:
    client = Client()
    client.force_login(make_staff(role.lower(), role=role))
    return client


@pytest.fixture
def editor() -> Client:
    return client_for("Editor")


@pytest.fixture
def reporter() -> Client:
    return client_for("Reporter")


@pytest.fixture
def story():
    return live.start_coverage(article=make_article("Coup in Bamako"), user=None)


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def desk_url(name: str, *args) -> str:
    return reverse(f"admin:articles_article_live_{name}", args=args)


def test_an_editor_starts_posts_pins_deletes_ends_and_reopens(editor):
    article = make_article("Summit")
    page = editor.get(change_url(article)).content.decode()
    assert 'id="live-desk"' in page and "Start live coverage" in page
    response = editor.post(desk_url("coverage", article.pk, "start"))
    assert response.status_code == 302 and response["Location"].endswith("#live-desk")
    article.refresh_from_db()
    assert article.is_live_now

    page = editor.get(change_url(article)).content.decode()
    assert "Post update" in page and "data-ctrl-enter-submits" in page
    assert "articles/admin-live.js" in page
    response = editor.post(
        desk_url("post", article.pk),
        {
            "live-headline": "Leaders arrive",
            "live-body": "<p>The first car.</p>",
            "live-byline": "A",
        },
    )
    assert response.status_code == 302
    update = LiveUpdate.objects.get()
    assert (update.headline, update.body, update.byline) == (
        "Leaders arrive",
        "<p>The first car.</p>",
        "A",
    )

    editor.post(desk_url("action", article.pk, update.pk, "pin"))
    update.refresh_from_db()
    assert update.is_key_event
    page = editor.get(change_url(article)).content.decode()
    assert "Unpin" in page and "Leaders arrive" in page

    editor.post(desk_url("action", article.pk, update.pk, "delete"))
    update.refresh_from_db()
    assert update.deleted_at is not None
    page = editor.get(change_url(article)).content.decode()
    assert "Deleted updates (1)" in page

    editor.post(desk_url("coverage", article.pk, "end"))
    article.refresh_from_db()
    assert article.live_ended_at is not None
    assert "Reopen live coverage" in editor.get(change_url(article)).content.decode()
    editor.post(desk_url("coverage", article.pk, "start"))
    article.refresh_from_db()
    assert article.is_live_now


def test_editing_an_update_keeps_its_history(editor, story):
    update = live.post_update(article=story, user=None, body="<p>Shots heard.</p>")
    url = desk_url("edit", story.pk, update.pk)
    page = editor.get(url).content.decode()
    assert "Shots heard." in page and "History of this update" in page
    response = editor.post(url, {"live-body": "<p>Shots heard near the palace.</p>"})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.body == "<p>Shots heard near the palace.</p>"
    assert list(update.revisions.values_list("action", flat=True)) == ["Edited", "Posted"]


def test_an_empty_update_is_refused_and_what_was_typed_comes_back(editor, story):
    response = editor.post(
        desk_url("post", story.pk),
        {"live-headline": "", "live-body": "<p></p>", "live-byline": "Kept"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "an update needs text" in page and 'value="Kept"' in page
    assert not LiveUpdate.objects.exists()


def test_a_reporter_posts_to_a_published_live_story_but_cannot_pin_or_end(reporter, story):
    page = reporter.get(change_url(story)).content.decode()
    assert "Post update" in page
    assert "Pin as key event" not in page and "End live coverage" not in page
    assert "live-is_key_event" not in page
    response = reporter.post(desk_url("post", story.pk), {"live-body": "<p>From the scene.</p>"})
    assert response.status_code == 302
    update = LiveUpdate.objects.get()
    assert update.created_by.username == "reporter"
    assert "Edit" in reporter.get(change_url(story)).content.decode()

    assert reporter.post(desk_url("action", story.pk, update.pk, "pin")).status_code == 403
    assert reporter.post(desk_url("coverage", story.pk, "end")).status_code == 403
    # A crafted key-event flag is ignored: the field is not on a reporter's form.
    reporter.post(
        desk_url("post", story.pk), {"live-body": "<p>Sneaky.</p>", "live-is_key_event": "on"}
    )
    assert not LiveUpdate.objects.filter(is_key_event=True).exists()
    story.refresh_from_db()
    assert story.is_live_now


def test_a_reporter_cannot_edit_or_delete_someone_elses_update(reporter, story):
    update = live.post_update(article=story, user=None, body="<p>The desk's.</p>")
    assert reporter.get(desk_url("edit", story.pk, update.pk)).status_code == 403
    assert reporter.post(desk_url("action", story.pk, update.pk, "delete")).status_code == 403
    update.refresh_from_db()
    assert update.deleted_at is None


def test_staff_without_a_role_see_no_desk_and_cannot_post(story):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("viewer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_article"))
    client = Client()
    client.force_login(user)
    assert 'id="live-desk"' not in client.get(change_url(story)).content.decode()
    assert client.post(desk_url("post", story.pk), {"live-body": "<p>x</p>"}).status_code == 403
    assert not LiveUpdate.objects.exists()


def test_the_desk_refuses_get_for_writes(editor, story):
    assert editor.get(desk_url("coverage", story.pk, "end")).status_code == 404
    story.refresh_from_db()
    assert story.is_live_now
