"""Previews of unsaved changes, and signed share-preview links."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.editorial import services
from articles.editorial.previews import share_link_token
from articles.models import Article, Revision

from ..helpers.factories import make_article, make_draft, make_source, make_staff
from ..helpers.workflow_forms import opened_form

pytestmark = pytest.mark.django_db


def logged_in(role: str) -> Client:
    client = Client()
    client.force_login(make_staff(role.lower(), role=role))
    return client


@pytest.fixture
def editor() -> Client:
    return logged_in("Editor")


def preview_url(article=None) -> str:
    if article is None:
        return reverse("admin:articles_article_preview_new")
    return reverse("admin:articles_article_preview", args=[article.pk])


def assert_private(response):
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    assert not any(part.startswith(("public", "s-maxage")) for part in directives)
    assert "noindex" in response["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


# ---- Previewing from the change form -------------------------------------------------------


def test_preview_shows_unsaved_changes_with_the_public_template(editor):
    article = make_draft(headline="Saved headline", tags=["Weather"])
    reuters = make_source("Reuters")
    data = opened_form(editor, article) | {
        "headline": "Unsaved headline",
        "body": "<p>Unsaved words.</p>",
        "tags": "Weather, Brand new topic",
        "sources": [str(reuters.pk)],
    }
    response = editor.post(preview_url(article), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 class="story__headline">Unsaved headline</h1>' in page
    assert "<p>Unsaved words.</p>" in page
    assert "Brand new topic" in page and "Weather" in page
    assert "Reuters" in page
    assert "Preview of unsaved changes" in page
    assert_private(response)

    article.refresh_from_db()  # nothing was saved
    assert (article.headline, article.version) == ("Saved headline", 1)
    assert not Revision.objects.exists()
    assert not article.sources.exists()


def test_preview_of_a_story_not_yet_saved(editor):
    data = opened_form(editor) | {"headline": "A story nobody saved", "body": "<p>Hi.</p>"}
    response = editor.post(preview_url(), data)
    assert response.status_code == 200
    assert "A story nobody saved" in response.content.decode()
    assert_private(response)
    assert not Article.objects.exists()


def test_preview_with_invalid_fields_explains_instead_of_failing(editor):
    article = make_draft(headline="Kept headline")
    data = opened_form(editor, article) | {"headline": "", "slug": "not a slug!"}
    response = editor.post(preview_url(article), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "fields with errors are shown as last saved" in page
    assert "Kept headline" in page


def test_preview_of_the_saved_story(editor):
    article = make_draft(headline="Saved draft")
    response = editor.get(preview_url(article))
    assert response.status_code == 200 and "Saved draft" in response.content.decode()
    assert_private(response)


def test_change_form_offers_the_preview_button(editor):
    article = make_draft()
    page = editor.get(reverse("admin:articles_article_change", args=[article.pk])).content
    assert f'formaction="{preview_url(article)}"' in page.decode()


def test_anonymous_readers_never_see_previews(client):
    article = make_draft(headline="Secret draft")
    for response in (client.get(preview_url(article)), client.post(preview_url(article), {})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
        assert "Secret draft" not in response.content.decode()


def test_reporter_previews_drafts_and_live_changes_but_cannot_post_to_a_withdrawn_story():
    reporter = logged_in("Reporter")
    draft, live = make_draft(headline="My draft"), make_article()
    withdrawn = make_article(status=Article.Status.UNPUBLISHED)
    assert reporter.get(preview_url(draft)).status_code == 200
    assert reporter.post(preview_url(draft), opened_form(reporter, draft)).status_code == 200
    # Reporters draft changes to live stories, so they preview them too.
    assert reporter.post(preview_url(live), opened_form(reporter, live)).status_code == 200
    assert reporter.post(preview_url(withdrawn), {"headline": "x"}).status_code == 403


def test_no_preview_for_deleted_or_unknown_stories(editor):
    article = make_draft()
    services.delete_article(article=article, user=None)
    assert editor.get(preview_url(article)).status_code == 404
    assert editor.get("/admin/articles/article/abc/preview/").status_code == 404


# ---- Share links --------------------------------------------------------------------------


def shared_url(link) -> str:
    return reverse("articles:shared_preview", kwargs={"token": share_link_token(link)})


def test_editor_creates_a_share_link_anyone_can_read(editor, client):
    article = make_draft(headline="Draft for the lawyers")
    other = make_draft(headline="Another draft")
    share_page = reverse("admin:articles_article_share", args=[article.pk])
    assert editor.post(share_page, {"hours": 48}).status_code == 302
    link = article.share_links.get()
    assert link.expires_at - link.created_at == datetime.timedelta(hours=48)
    assert shared_url(link) in editor.get(share_page).content.decode()

    response = client.get(shared_url(link))  # no account
    assert response.status_code == 200
    page = response.content.decode()
    assert "Draft for the lawyers" in page and "Another draft" not in page
    assert "not published" in page
    assert_private(response)
    assert response["Referrer-Policy"] == "no-referrer"
    assert client.get(other.get_absolute_url()).status_code == 404

    # The link shows the story as last saved.
    article.headline = "Draft for the lawyers, revised"
    services.save_article(article=article, user=None)
    assert "Draft for the lawyers, revised" in client.get(shared_url(link)).content.decode()


def test_share_link_expires_at_exactly_its_time(client, time_machine):
    start = datetime.datetime(2030, 1, 1, 9, 0, tzinfo=datetime.UTC)
    time_machine.move_to(start, tick=False)
    link = services.create_share_link(article=make_draft(), user=None)
    url = shared_url(link)
    time_machine.move_to(start + datetime.timedelta(hours=48, microseconds=-1), tick=False)
    assert client.get(url).status_code == 200
    time_machine.move_to(start + datetime.timedelta(hours=48), tick=False)
    response = client.get(url)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert_private(response)


def test_revoked_share_link_stops_working(editor, client):
    article = make_draft()
    link = services.create_share_link(article=article, user=None)
    url = shared_url(link)
    assert client.get(url).status_code == 200
    revoke = reverse("admin:articles_article_revoke_share", args=[article.pk, link.pk])
    assert editor.post(revoke).status_code == 302
    response = client.get(url)
    assert response.status_code == 410 and "withdrawn" in response.content.decode()


def test_tampered_or_made_up_share_links_are_refused(client):
    mine, theirs = make_draft(headline="Mine"), make_draft(headline="Theirs")
    link = services.create_share_link(article=mine, user=None)
    token = share_link_token(link)
    payload, signature = token.rsplit(":", 1)
    forged_signature = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    forged_payload = share_link_token(link).replace(payload, payload[::-1])
    for bad in (payload + ":" + forged_signature, forged_payload, "nonsense", "a:b:c"):
        response = client.get(reverse("articles:shared_preview", kwargs={"token": bad}))
        assert response.status_code == 404, bad
        assert "Mine" not in response.content.decode()
    # A valid signature for a link that does not belong to that story is refused too.
    link.article = theirs
    assert client.get(shared_url(link)).status_code == 404


def test_share_link_of_a_deleted_story_is_dead(client):
    article = make_draft()
    link = services.create_share_link(article=article, user=None)
    services.delete_article(article=article, user=None)
    assert client.get(shared_url(link)).status_code == 404


def test_share_link_lifetime_is_bounded(editor):
    article = make_draft()
    share_page = reverse("admin:articles_article_share", args=[article.pk])
    response = editor.post(share_page, {"hours": 24 * 365})
    assert response.status_code == 200
    assert not article.share_links.exists()
    assert editor.post(share_page, {"hours": 2}).status_code == 302
    link = article.share_links.get()
    assert link.expires_at <= timezone.now() + datetime.timedelta(hours=2)
