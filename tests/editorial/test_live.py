"""The live-coverage services: who may do what, revisions, and one change set per write."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from articles.editorial import live
from articles.models import Article, LiveUpdate, LiveUpdateRevision, Revision
from tests.helpers.factories import make_article, make_editor, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    article = make_article("Election night")
    return live.start_coverage(article=article, user=None)


@pytest.fixture
def reporter():
    return make_staff("rita", role="Reporter")


@pytest.fixture
def desk_editor():
    return make_staff("eddie", role="Editor")


def test_the_roles_migration_grants_posting_to_both_roles_and_managing_to_editors():
    reporter = set(
        Group.objects.get(name="Reporter").permissions.values_list("codename", flat=True)
    )
    editor = set(Group.objects.get(name="Editor").permissions.values_list("codename", flat=True))
    assert "post_live_update" in reporter
    assert "manage_live_coverage" not in reporter
    assert {"post_live_update", "manage_live_coverage"} <= editor


def test_starting_ending_and_reopening_are_story_revisions_without_a_version_bump():
    article = make_article()
    version = article.version
    editor = make_editor()
    live.start_coverage(article=article, user=editor)
    assert article.is_live_now
    live.end_coverage(article=article, user=editor)
    stored = Article.objects.get(pk=article.pk)
    assert stored.live_ended_at is not None and not stored.is_live_now
    live.start_coverage(article=stored, user=editor)
    stored = Article.objects.get(pk=article.pk)
    assert stored.is_live_now and stored.version == version
    actions = list(Revision.objects.filter(article=article).values_list("action", flat=True))
    assert actions[:3] == ["Live coverage reopened", "Live coverage ended", "Live coverage started"]


def test_a_reporter_posts_and_edits_their_own_update_with_history(story, reporter):
    update = live.post_update(article=story, user=reporter, body="<p>Polls close.</p>")
    assert update.byline == "rita"
    live.edit_update(update=update, user=reporter, body="<p>Polls have closed.</p>", headline="8pm")
    update.refresh_from_db()
    assert (update.headline, update.body) == ("8pm", "<p>Polls have closed.</p>")
    history = list(update.revisions.order_by("pk").values_list("action", flat=True))
    assert history == ["Posted", "Edited"]
    assert update.revisions.order_by("pk").first().snapshot["body"] == "<p>Polls close.</p>"


def test_posting_does_not_bump_the_story_version(story, reporter):
    version = Article.objects.get(pk=story.pk).version
    live.post_update(article=story, user=reporter, body="<p>One.</p>")
    assert Article.objects.get(pk=story.pk).version == version


def test_the_body_is_sanitised_like_story_bodies(story):
    update = live.post_update(
        article=story, user=None, body='<p onclick="x()">Hi<script>alert(1)</script></p>'
    )
    assert update.body == "<p>Hi</p>"


def test_an_empty_update_is_refused(story):
    with pytest.raises(ValidationError):
        live.post_update(article=story, user=None, body="<p></p>")
    assert not LiveUpdate.objects.exists()


def test_reporters_cannot_pin_start_end_or_touch_others_updates(story, reporter, desk_editor):
    theirs = live.post_update(article=story, user=desk_editor, body="<p>Editor's.</p>")
    with pytest.raises(PermissionDenied):
        live.set_key_event(update=theirs, user=reporter, is_key_event=True)
    with pytest.raises(PermissionDenied):
        live.edit_update(update=theirs, user=reporter, body="<p>Mine now.</p>")
    with pytest.raises(PermissionDenied):
        live.delete_update(update=theirs, user=reporter)
    with pytest.raises(PermissionDenied):
        live.end_coverage(article=story, user=reporter)
    with pytest.raises(PermissionDenied):
        live.start_coverage(article=make_article(), user=reporter)
    with pytest.raises(PermissionDenied):
        live.post_update(article=story, user=reporter, body="<p>x</p>", is_key_event=True)
    theirs.refresh_from_db()
    assert theirs.body == "<p>Editor's.</p>" and theirs.deleted_at is None
    assert not theirs.is_key_event


def test_a_user_without_the_role_cannot_post(story):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody", is_staff=True)
    with pytest.raises(PermissionDenied):
        live.post_update(article=story, user=nobody, body="<p>x</p>")


def test_editors_pin_and_delete_any_update_and_history_keeps_the_deleted(
    story, reporter, desk_editor
):
    update = live.post_update(article=story, user=reporter, body="<p>Reporter's.</p>")
    live.set_key_event(update=update, user=desk_editor, is_key_event=True)
    live.delete_update(update=update, user=desk_editor)
    update.refresh_from_db()
    assert update.is_key_event and update.deleted_at is not None
    assert update.deleted_by == desk_editor
    assert not LiveUpdate.objects.shown().exists()
    assert list(
        LiveUpdateRevision.objects.filter(update=update)
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["Posted", "Pinned", "Deleted"]
    with pytest.raises(ValidationError):
        live.edit_update(update=update, user=desk_editor, body="<p>Back?</p>")


def test_posting_needs_coverage_that_is_running(story):
    with pytest.raises(ValidationError):
        live.post_update(article=make_article(), user=None, body="<p>Not live.</p>")
    live.end_coverage(article=story, user=None)
    with pytest.raises(ValidationError, match="ended"):
        live.post_update(article=story, user=None, body="<p>Too late.</p>")


def test_one_post_is_one_change_set_one_purge(story, committed, monkeypatch):
    from articles import changes

    bumps, purges = [], []
    monkeypatch.setattr(changes, "bump_generation", lambda: bumps.append(1))
    monkeypatch.setattr(changes, "purge_http_caches", lambda: purges.append(1))
    with committed():
        live.post_update(article=story, user=None, body="<p>One.</p>", headline="First")
    assert (len(bumps), len(purges)) == (1, 1)


def test_posting_costs_a_fixed_number_of_queries(story, django_assert_max_num_queries):
    editor = make_editor("chief")
    with django_assert_max_num_queries(8):
        live.post_update(article=story, user=editor, body="<p>One.</p>")
