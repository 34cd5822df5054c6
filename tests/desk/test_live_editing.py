"""Autosave, restoring it, presence and the live preview endpoint of the story editor."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.editorial import live_editing, services
from articles.models import Article, Autosave, EditingPresence

from ..helpers.factories import make_draft, make_staff
from ..helpers.workflow_forms import change_url, opened_form, read_form

pytestmark = pytest.mark.django_db


def url(name, article):
    return reverse(f"admin:articles_article_{name}", args=[article.pk])


@pytest.fixture
def amina(db):
    client = Client()
    client.user = make_staff("amina", role="Editor")
    client.user.first_name = "Amina"
    client.user.save()
    client.force_login(client.user)
    return client


@pytest.fixture
def bruno(db):
    client = Client()
    client.user = make_staff("bruno", role="Editor")
    client.force_login(client.user)
    return client


@pytest.fixture
def story(db):
    return make_draft(headline="Council approves the bridge", body="<p>The council voted.</p>")


def age_autosave(article, user, seconds=5):
    """Pretend the last autosave was a while ago (autosaves closer together are refused)."""
    Autosave.objects.filter(article=article, user=user).update(
        saved_at=timezone.now() - datetime.timedelta(seconds=seconds)
    )


class TestAutosave:
    def test_keeps_the_typing_in_the_editors_slot_never_the_story(self, amina, story):
        form = opened_form(amina, story)
        form["headline"] = "Council approves the new bridge at last"
        response = amina.post(url("autosave", story), form)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert response.json()["saved_at"]
        story.refresh_from_db()
        assert story.headline == "Council approves the bridge" and story.version == 1
        slot = Autosave.objects.get(article=story, user=amina.user)
        assert slot.data["headline"] == ["Council approves the new bridge at last"]
        assert slot.base_version == 1
        assert "csrfmiddlewaretoken" not in slot.data and "opened_version" not in slot.data

    def test_one_slot_per_editor_per_story(self, amina, story):
        form = opened_form(amina, story)
        for text in ("First", "Second", "Third"):
            form["headline"] = text
            assert amina.post(url("autosave", story), form).status_code == 200
            age_autosave(story, amina.user)
        assert Autosave.objects.filter(article=story).count() == 1
        assert Autosave.objects.get().data["headline"] == ["Third"]
        assert story.revisions.count() == 0

    def test_rate_bounded(self, amina, story):
        form = opened_form(amina, story)
        assert amina.post(url("autosave", story), form).status_code == 200
        too_soon = amina.post(url("autosave", story), form)
        assert too_soon.status_code == 429 and too_soon["Retry-After"] == "1"

    def test_refuses_an_oversized_form(self, amina, story):
        form = opened_form(amina, story)
        form["body"] = "x" * (live_editing.AUTOSAVE_MAX_CHARS + 1)
        assert amina.post(url("autosave", story), form).status_code == 413
        assert not Autosave.objects.exists()

    def test_needs_csrf(self, story):
        client = Client(enforce_csrf_checks=True)
        client.force_login(make_staff("amina", role="Editor"))
        form = {"headline": "x", "opened_version": "1"}
        assert client.post(url("autosave", story), form).status_code == 403
        assert not Autosave.objects.exists()

    def test_only_post(self, amina, story):
        assert amina.get(url("autosave", story)).status_code == 405

    def test_needs_a_desk_account(self, client, story):
        response = client.post(url("autosave", story), {"opened_version": "1"})
        assert response.status_code == 302 and "/login/" in response["Location"]
        assert not Autosave.objects.exists()

    def test_a_reporter_autosaves_a_live_story_but_not_a_withdrawn_one(self, story):
        # Reporters draft changes to a live story (an editor publishes them), so their typing
        # is kept; a withdrawn story is an editor's alone.
        services.publish_article(article=story, user=None)
        reporter = Client()
        reporter.force_login(make_staff("rita", role="Reporter"))
        response = reporter.post(url("autosave", story), {"headline": "x", "opened_version": "2"})
        assert response.status_code == 200
        assert Autosave.objects.get().user.username == "rita"
        Autosave.objects.all().delete()
        services.unpublish_article(article=story, user=None)
        response = reporter.post(url("autosave", story), {"headline": "x", "opened_version": "3"})
        assert response.status_code == 403
        assert not Autosave.objects.exists()

    def test_another_editors_newer_save_is_reported_not_overwritten(self, amina, bruno, story):
        amina_form, bruno_form = opened_form(amina, story), opened_form(bruno, story)
        bruno_form["headline"] = "Bruno's headline"
        assert bruno.post(change_url(story), bruno_form).status_code == 302

        amina_form["headline"] = "Amina's typing"
        response = amina.post(url("autosave", story), amina_form)
        assert response.status_code == 409
        assert response.json()["newer"]["by"] == "bruno"
        story.refresh_from_db()
        assert story.headline == "Bruno's headline"
        # Amina's typing is kept, against the version she opened.
        slot = Autosave.objects.get(user=amina.user)
        assert slot.data["headline"] == ["Amina's typing"] and slot.base_version == 1

    def test_query_count(self, amina, story, django_assert_max_num_queries):
        form = opened_form(amina, story)
        with django_assert_max_num_queries(12):
            assert amina.post(url("autosave", story), form).status_code == 200


class TestRestore:
    def test_reopening_offers_the_unsaved_changes_and_restores_them(self, amina, story):
        form = opened_form(amina, story)
        form["headline"] = "Council approves the new bridge at last"
        form["standfirst"] = "Half-written standfi"
        amina.post(url("autosave", story), form)
        saved_at = timezone.localtime(Autosave.objects.get().saved_at).strftime("%H:%M")

        page = amina.get(change_url(story)).content.decode()
        assert f"You have unsaved changes from {saved_at}" in page
        assert "?autosave=restore" in page
        assert read_form(page)["headline"] == "Council approves the bridge"

        restored = amina.get(change_url(story) + "?autosave=restore").content.decode()
        assert f"Restored your unsaved changes from {saved_at}" in restored
        fields = read_form(restored)
        assert fields["headline"] == "Council approves the new bridge at last"
        assert fields["standfirst"] == "Half-written standfi"
        # Saving the restored form saves the story and empties the slot.
        assert amina.post(change_url(story), fields).status_code == 302
        story.refresh_from_db()
        assert story.headline == "Council approves the new bridge at last"
        assert not Autosave.objects.exists()

    def test_another_editor_never_sees_my_autosave(self, amina, bruno, story):
        form = opened_form(amina, story)
        form["headline"] = "Amina's secret draft headline"
        amina.post(url("autosave", story), form)
        page = bruno.get(change_url(story) + "?autosave=restore").content.decode()
        assert "Amina's secret draft headline" not in page
        assert "You have unsaved changes" not in page and "Restored your" not in page

    def test_restoring_over_a_newer_save_shows_the_conflict_screen(self, amina, bruno, story):
        amina_form = opened_form(amina, story)
        amina_form["headline"] = "Amina's typing"
        amina.post(url("autosave", story), amina_form)
        bruno_form = opened_form(bruno, story)
        bruno_form["headline"] = "Bruno's headline"
        assert bruno.post(change_url(story), bruno_form).status_code == 302

        fields = read_form(amina.get(change_url(story) + "?autosave=restore").content.decode())
        assert fields["headline"] == "Amina's typing" and fields["opened_version"] == "1"
        response = amina.post(change_url(story), fields)
        assert response.status_code == 200
        assert "Changed by someone else since you opened this story" in response.content.decode()
        assert Article.objects.get(pk=story.pk).headline == "Bruno's headline"

    def test_discard(self, amina, story):
        amina.post(url("autosave", story), opened_form(amina, story))
        response = amina.post(url("discard_autosave", story))
        assert response.status_code == 302
        assert not Autosave.objects.exists()
        assert "You have unsaved changes" not in amina.get(change_url(story)).content.decode()


class TestNewStoryAutosave:
    """Typing into "Add story" before its first save: one new-story slot per editor."""

    add_url = staticmethod(lambda: reverse("admin:articles_article_add"))
    autosave_url = staticmethod(lambda: reverse("admin:articles_article_autosave_new"))

    def typed(self, client, headline="Floods close the coast road", standfirst="Rain since Sunday"):
        form = opened_form(client)
        form.update(headline=headline, standfirst=standfirst)
        return form

    def test_the_add_form_autosaves_into_the_editors_new_story_slot(self, amina):
        page = amina.get(self.add_url()).content.decode()
        assert f'data-autosave-url="{self.autosave_url()}"' in page
        assert "data-presence-url" not in page  # nobody else can have an unsaved story open
        response = amina.post(self.autosave_url(), self.typed(amina))
        assert response.status_code == 200, response.content
        assert response.json()["saved_at"] and response.json()["newer"] is None
        assert "no-store" in response["Cache-Control"]
        assert not Article.objects.filter(headline="Floods close the coast road").exists()
        slot = Autosave.objects.get(user=amina.user)
        assert slot.article is None and slot.base_version == 0
        assert slot.data["headline"] == ["Floods close the coast road"]
        assert "opened_version" not in slot.data and "csrfmiddlewaretoken" not in slot.data

    def test_one_slot_per_editor(self, amina, bruno):
        for text in ("First", "Second", "Third"):
            assert amina.post(self.autosave_url(), self.typed(amina, text)).status_code == 200
            Autosave.objects.update(saved_at=timezone.now() - datetime.timedelta(seconds=5))
        assert bruno.post(self.autosave_url(), self.typed(bruno, "Bruno's")).status_code == 200
        slots = dict(Autosave.objects.values_list("user__username", "data__headline"))
        assert slots == {"amina": ["Third"], "bruno": ["Bruno's"]}

    def test_reopening_add_story_offers_it_and_restores_it(self, amina, bruno):
        amina.post(self.autosave_url(), self.typed(amina, standfirst="The road will stay shut unt"))
        saved_at = timezone.localtime(Autosave.objects.get().saved_at).strftime("%H:%M")
        page = amina.get(self.add_url()).content.decode()
        assert f"You have unsaved changes from {saved_at}" in page
        assert read_form(page)["headline"] == ""
        # Nobody else is offered it, nor can restore it.
        other = bruno.get(self.add_url() + "?autosave=restore").content.decode()
        assert "You have unsaved changes" not in other and "Floods close" not in other

        restored = amina.get(self.add_url() + "?autosave=restore").content.decode()
        assert f"Restored your unsaved changes from {saved_at}" in restored
        fields = read_form(restored)
        assert fields["headline"] == "Floods close the coast road"
        assert fields["standfirst"] == "The road will stay shut unt"
        fields["slug"] = "floods-close-the-coast-road"
        response = amina.post(self.add_url(), fields)
        assert response.status_code == 302, response.content.decode()[:3000]
        story = Article.objects.get(headline="Floods close the coast road")
        assert story.standfirst == "The road will stay shut unt"
        assert not Autosave.objects.exists()  # the slot has done its job

    def test_a_story_form_never_offers_the_new_story_slot(self, amina, story):
        amina.post(self.autosave_url(), self.typed(amina))
        page = amina.get(change_url(story)).content.decode()
        assert "You have unsaved changes" not in page
        restored = amina.get(change_url(story) + "?autosave=restore").content.decode()
        assert "Floods close the coast road" not in restored

    def test_discard(self, amina):
        amina.post(self.autosave_url(), self.typed(amina))
        response = amina.post(reverse("admin:articles_article_discard_autosave_new"))
        assert response.status_code == 302 and response["Location"] == self.add_url()
        assert not Autosave.objects.exists()
        assert "You have unsaved changes" not in amina.get(self.add_url()).content.decode()

    def test_a_reporter_may_a_desk_member_without_add_permission_may_not(self, db):
        reporter = Client()
        reporter.force_login(make_staff("rita", role="Reporter"))
        assert reporter.post(self.autosave_url(), self.typed(reporter)).status_code == 200
        nobody = Client()
        nobody.force_login(get_user_model().objects.create_user(username="visitor", is_staff=True))
        assert nobody.post(self.autosave_url(), {"headline": "x"}).status_code == 403
        discard = reverse("admin:articles_article_discard_autosave_new")
        assert nobody.post(discard).status_code == 403
        assert Autosave.objects.count() == 1

    def test_needs_csrf_and_post(self, db):
        client = Client(enforce_csrf_checks=True)
        client.force_login(make_staff("amina", role="Editor"))
        assert client.post(self.autosave_url(), {"headline": "x"}).status_code == 403
        assert client.get(self.autosave_url()).status_code == 405
        assert not Autosave.objects.exists()


class TestPresence:
    def test_each_sees_the_other(self, amina, bruno, story):
        first = amina.post(url("presence", story), {"opened_version": "1"})
        assert first.status_code == 200 and first.json()["others"] == []
        assert "no-store" in first["Cache-Control"]
        others = bruno.post(url("presence", story), {"opened_version": "1"}).json()["others"]
        assert [other["name"] for other in others] == ["Amina"]
        assert others[0]["since"] == timezone.localtime().strftime("%H:%M")
        others = amina.post(url("presence", story), {"opened_version": "1"}).json()["others"]
        assert [other["name"] for other in others] == ["bruno"]
        assert EditingPresence.objects.count() == 2

    def test_someone_gone_quiet_is_not_shown(self, amina, bruno, story):
        amina.post(url("presence", story))
        EditingPresence.objects.update(
            last_seen=timezone.now() - live_editing.PRESENCE_TIMEOUT - datetime.timedelta(seconds=1)
        )
        assert bruno.post(url("presence", story)).json()["others"] == []

    def test_a_newer_save_by_the_other_is_announced(self, amina, bruno, story):
        bruno_form = opened_form(bruno, story)
        bruno_form["headline"] = "Bruno's headline"
        assert bruno.post(change_url(story), bruno_form).status_code == 302
        newer = amina.post(url("presence", story), {"opened_version": "1"}).json()["newer"]
        assert newer["by"] == "bruno" and newer["version"] == 2
        # Bruno's own save is not news to Bruno.
        assert bruno.post(url("presence", story), {"opened_version": "1"}).json()["newer"] is None

    def test_works_without_the_cache(self, amina, bruno, story, settings):
        settings.CACHES = {
            "default": {
                "BACKEND": "articles.http.redis_cache.ResilientRedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            }
        }
        amina.post(url("presence", story))
        response = bruno.post(url("presence", story))
        assert response.status_code == 200
        assert [other["name"] for other in response.json()["others"]] == ["Amina"]
        assert bruno.get(change_url(story)).status_code == 200

    def test_needs_csrf_and_permission(self, story):
        client = Client(enforce_csrf_checks=True)
        client.force_login(make_staff("amina", role="Editor"))
        assert client.post(url("presence", story)).status_code == 403
        services.publish_article(article=story, user=None)
        services.unpublish_article(article=story, user=None)  # withdrawn: an editor's alone
        reporter = Client()
        reporter.force_login(make_staff("rita", role="Reporter"))
        assert reporter.post(url("presence", story)).status_code == 403
        assert not EditingPresence.objects.exists()

    def test_query_count(self, amina, story, django_assert_max_num_queries):
        # Each desk request also asks (one query) whether a staff member without a verified
        # second factor has one enrolled or needs one (accounts' SecondFactorMiddleware).
        with django_assert_max_num_queries(14):  # the first beat creates the row
            assert amina.post(url("presence", story), {"opened_version": "1"}).status_code == 200
        with django_assert_max_num_queries(8):  # then one UPDATE and one SELECT
            assert amina.post(url("presence", story), {"opened_version": "1"}).status_code == 200


class TestLivePreview:
    def test_renders_the_unsaved_form_with_the_public_template(self, amina, story):
        form = opened_form(amina, story)
        form["headline"] = "A headline typed a moment ago"
        form["body"] = "<p>Fresh text.</p><script>alert(1)</script>"
        response = amina.post(url("preview", story), form)
        assert response.status_code == 200
        page = response.content.decode()
        assert "A headline typed a moment ago" in page and "Fresh text." in page
        assert "alert(1)" not in page
        assert "no-store" in response["Cache-Control"]
        assert Article.objects.get(pk=story.pk).headline == "Council approves the bridge"

    def test_the_change_form_has_the_panel_and_its_widths(self, amina, story):
        page = amina.get(change_url(story)).content.decode()
        assert "data-live-preview" in page and 'sandbox="allow-same-origin"' in page
        for width in ("375", "768", "1280"):
            assert f'data-preview-width="{width}"' in page
        assert f'data-preview-url="{url("preview", story)}"' in page

    def test_needs_csrf_and_permission(self, story):
        client = Client(enforce_csrf_checks=True)
        client.force_login(make_staff("amina", role="Editor"))
        assert client.post(url("preview", story), {"headline": "x"}).status_code == 403
        services.publish_article(article=story, user=None)
        services.unpublish_article(article=story, user=None)  # withdrawn: an editor's alone
        reporter = Client()
        reporter.force_login(make_staff("rita", role="Reporter"))
        assert reporter.post(url("preview", story), {"headline": "x"}).status_code == 403
