"""Reporter and Editor: every workflow action tried as each role, through the real admin.

The refusals are tested with crafted requests (what a reporter could send by hand), not by
looking for missing buttons: each one must be refused and change nothing.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.editorial import services
from articles.models import Article, Correction, Image, ShareLink

from ..helpers.factories import make_article, make_draft, make_image, make_staff
from ..helpers.workflow_forms import change_url, opened_form

pytestmark = pytest.mark.django_db

Status = Article.Status


def client_for(role: str) -> Client:
    client = Client()
    client.force_login(make_staff(role.lower(), role=role))
    return client


@pytest.fixture
def reporter() -> Client:
    return client_for("Reporter")


@pytest.fixture
def editor() -> Client:
    return client_for("Editor")


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:articles_article_{name}", args=args)


def split_time(moment: datetime.datetime) -> dict:
    local = timezone.localtime(moment)
    return {
        "published_at_0": local.strftime("%d/%m/%Y"),
        "published_at_1": local.strftime("%H:%M:%S"),
    }


def snapshot_of(article: Article) -> tuple:
    fresh = Article.objects.get(pk=article.pk)
    return (fresh.headline, fresh.status, fresh.published_at, fresh.version, fresh.deleted_at)


# ---- The groups themselves --------------------------------------------------------------


def test_the_roles_migration_made_both_groups_with_the_right_permissions():
    reporter = set(
        Group.objects.get(name="Reporter").permissions.values_list("codename", flat=True)
    )
    editor = set(Group.objects.get(name="Editor").permissions.values_list("codename", flat=True))
    assert {
        "add_article",
        "change_article",
        "view_article",
        "add_image",
        "change_image",
    } <= reporter
    custom = {
        "publish_article",
        "restore_revision",
        "recover_article",
        "correct_article",
        "share_preview",
        "merge_tags",
    }
    assert not custom & reporter
    assert "delete_article" not in reporter
    assert custom | {"delete_article"} <= editor
    assert reporter <= editor


# ---- Creating, editing and submitting --------------------------------------------------


@pytest.mark.parametrize("role", ["Reporter", "Editor"])
def test_both_roles_create_edit_and_submit_drafts(role):
    client = client_for(role)
    data = opened_form(client)
    data |= {"headline": f"{role} files a story", "body": "<p>Words.</p>", "status": "draft"}
    assert client.post(admin_url("add"), data).status_code == 302
    article = Article.objects.get(headline=f"{role} files a story")
    assert article.status == Status.DRAFT and article.created_by.username == role.lower()

    data = opened_form(client, article) | {"headline": "Better headline", "status": "in_review"}
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert (article.headline, article.status) == ("Better headline", Status.IN_REVIEW)
    assert [r.action for r in article.revisions.order_by("number")] == [
        "Created",
        "Submitted for review",
    ]


def test_reporter_sees_only_draft_and_review_choices(reporter):
    page = reporter.get(change_url(make_draft())).content.decode()
    assert 'value="in_review"' in page
    assert 'value="published"' not in page and 'value="unpublished"' not in page
    assert 'name="published_at_0"' not in page


# ---- Publishing: refused for reporters, crafted or not ---------------------------------


def test_reporter_crafted_post_to_publish_is_refused_and_changes_nothing(reporter):
    article = make_draft(headline="Embargoed results")
    before = snapshot_of(article)
    data = opened_form(reporter, article) | {"status": "published", "headline": "Sneaky"}
    response = reporter.post(change_url(article), data)
    assert response.status_code == 200
    assert "Only an editor can publish, schedule or unpublish a story." in response.content.decode()
    assert snapshot_of(article) == before
    assert not article.revisions.exists()


def test_reporter_crafted_publication_time_is_refused(reporter):
    article = make_draft()
    before = snapshot_of(article)
    data = opened_form(reporter, article) | split_time(timezone.now())
    response = reporter.post(change_url(article), data)
    assert response.status_code == 200
    assert "Only an editor can set the publication time." in response.content.decode()
    assert snapshot_of(article) == before


def test_reporter_cannot_create_a_story_already_published(reporter):
    data = opened_form(reporter) | {"headline": "Straight to print", "status": "published"}
    response = reporter.post(admin_url("add"), data)
    assert response.status_code == 200
    assert not Article.objects.filter(headline="Straight to print").exists()


def test_editor_publishes_from_the_form(editor):
    article = make_draft()
    data = opened_form(editor, article) | {"status": "published"}
    assert editor.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.is_published and article.published_by.username == "editor"
    assert article.revisions.get().action == "Published"


def test_editor_schedules_from_the_form(editor):
    article = make_draft()
    at = (timezone.now() + datetime.timedelta(days=2)).replace(microsecond=0)
    data = opened_form(editor, article) | {"status": "published"} | split_time(at)
    assert editor.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.is_scheduled and article.published_at == at
    assert article.revisions.get().action.startswith("Scheduled for")


def test_editor_unpublishes_from_the_form(editor):
    article = make_article()
    data = opened_form(editor, article) | {"status": "unpublished"}
    assert editor.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.status == Status.UNPUBLISHED and not article.is_published


# ---- Published stories are the editors' -------------------------------------------------


@pytest.mark.parametrize(
    ("status", "hours"),
    [(Status.PUBLISHED, 5), (Status.UNPUBLISHED, 0)],
    ids=["scheduled", "withdrawn"],
)
def test_reporter_cannot_edit_a_scheduled_or_withdrawn_story(reporter, status, hours):
    article = make_article(
        status=status, published_at=timezone.now() + datetime.timedelta(hours=hours)
    )
    page = reporter.get(change_url(article))
    assert page.status_code == 200  # they may read it…
    assert 'name="_save"' not in page.content.decode()
    before = snapshot_of(article)
    crafted = {
        "headline": "Changed by a reporter",
        "status": "draft",
        "opened_version": article.version,
    }
    assert reporter.post(change_url(article), crafted).status_code == 403  # …not change it
    assert snapshot_of(article) == before


def test_reporter_saves_a_live_story_only_into_its_working_draft(reporter):
    article = make_article()
    before = snapshot_of(article)
    data = opened_form(reporter, article) | {"headline": "Changed by a reporter"}
    assert reporter.post(change_url(article), data).status_code == 302
    stored = Article.objects.get(pk=article.pk)
    assert snapshot_of(article)[:3] == before[:3]  # headline, status and time as they were
    assert stored.working_draft["headline"] == "Changed by a reporter"
    assert stored.revisions.get().action == "Working draft saved"


def test_editor_edits_a_published_story(editor):
    article = make_article()
    data = opened_form(editor, article) | {"headline": "Sharper headline"}
    data["_publish_changes"] = "Publish changes"
    assert editor.post(change_url(article), data).status_code == 302
    saved = Article.objects.get(pk=article.pk)
    assert saved.headline == "Sharper headline"
    # The form shows whole seconds; an untouched publication time stays exactly as it was.
    assert saved.published_at == article.published_at
    assert saved.revisions.get().action == "Published changes"
    assert saved.content_updated_at is not None


# ---- Every other action, as each role ----------------------------------------------------


def delete(client, article):
    return client.post(admin_url("delete", article.pk), {"post": "yes"})


def trash_list(client, article):
    return client.get(admin_url("trash"))


def recover(client, article):
    services.delete_article(article=article, user=None)
    return client.post(admin_url("recover", article.pk))


def restore(client, article):
    article.headline = "Second wording"
    services.save_article(article=article, user=None)
    article.headline = "Third wording"
    services.save_article(article=article, user=None)
    return client.post(admin_url("restore_revision", article.pk, 1))


def correct(client, article):
    return client.post(
        admin_url("corrections", article.pk), {"kind": "correction", "text": "A fix."}
    )


def share(client, article):
    return client.post(admin_url("share", article.pk), {"hours": 48})


def revoke(client, article):
    link = services.create_share_link(article=article, user=None)
    return client.post(admin_url("revoke_share", article.pk, link.pk))


def history(client, article):
    return client.get(admin_url("history", article.pk))


def preview_saved(client, article):
    return client.get(admin_url("preview", article.pk))


ACTIONS = {
    # name: (action, reporter allowed?, what an allowed call leaves behind)
    "delete": (delete, False, lambda a: Article.objects.get(pk=a.pk).deleted_at is not None),
    "trash": (trash_list, False, lambda a: True),
    "recover": (recover, False, lambda a: Article.objects.get(pk=a.pk).deleted_at is None),
    "restore_revision": (
        restore,
        False,
        # A live story: the words come back in its working draft.
        lambda a: (
            (Article.objects.get(pk=a.pk).working_draft or {}).get("headline") == "Second wording"
        ),
    ),
    "correct": (correct, False, lambda a: Correction.objects.filter(article=a).exists()),
    "share": (share, False, lambda a: ShareLink.objects.filter(article=a).exists()),
    "revoke_share": (
        revoke,
        False,
        lambda a: ShareLink.objects.get(article=a).revoked_at is not None,
    ),
    "history": (history, True, lambda a: True),
    "preview": (preview_saved, True, lambda a: True),
}


@pytest.mark.parametrize("role", ["Reporter", "Editor"])
@pytest.mark.parametrize("name", list(ACTIONS))
def test_each_action_as_each_role(role, name):
    action, reporter_allowed, done = ACTIONS[name]
    client = client_for(role)
    article = make_article(headline="First wording")
    response = action(client, article)
    if role == "Editor" or reporter_allowed:
        assert response.status_code in (200, 302), response.status_code
        assert done(article)
    else:
        assert response.status_code == 403, response.status_code
        if name in {"delete", "restore_revision", "correct", "share", "revoke_share"}:
            assert not done(article)
        if name == "recover":
            assert Article.objects.get(pk=article.pk).deleted_at is not None


def test_editors_see_the_trash_link_and_reporters_do_not(reporter, editor):
    changelist = admin_url("changelist")
    assert admin_url("trash") in editor.get(changelist).content.decode()
    assert admin_url("trash") not in reporter.get(changelist).content.decode()


def test_reporters_upload_photos_but_only_editors_delete_them(reporter, editor):
    add_image = reverse("admin:articles_image_add")
    assert reporter.get(add_image).status_code == 200
    photo = make_image()
    delete_photo = reverse("admin:articles_image_delete", args=[photo.pk])
    assert reporter.post(delete_photo, {"post": "yes"}).status_code == 403
    assert Image.objects.filter(pk=photo.pk).exists()
    assert editor.post(delete_photo, {"post": "yes"}).status_code == 302
    assert not Image.objects.filter(pk=photo.pk).exists()
