"""The editors' desk (issue 15, part A): true statuses, the story form's publishing panel, working
drafts of live stories, the desk home, bulk actions, search through the search engine, checks
before publishing and "View on site" for stories readers cannot see yet."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.editorial import services
from articles.editorial.checks import run_checks
from articles.models import Article, Author, Contributor, Revision

from ..helpers.factories import (
    make_article,
    make_draft,
    make_editor,
    make_image,
    make_source,
    make_staff,
)
from ..helpers.images import jpeg_bytes
from ..helpers.workflow_forms import change_url, opened_form

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/articles/article/"
PUBLISH = {"_publish_changes": "Publish changes"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor():
    return client_for(make_staff("ed", role="Editor"))


@pytest.fixture
def reporter():
    return client_for(make_staff("rita", role="Reporter"))


def in_five_hours():
    return timezone.now() + datetime.timedelta(hours=5)


# ---- 1. True statuses ------------------------------------------------------------------------


class TestStatuses:
    def test_a_scheduled_story_never_reads_published(self, editor):
        scheduled = make_article("Embargoed budget story", published_at=in_five_hours())
        make_article("Live story")
        page = editor.get(CHANGELIST).content.decode()
        row = re.search(r"Embargoed budget story.*?</tr>", page, re.S).group(0)
        assert "Scheduled for " in row and "Published" not in row
        assert scheduled.desk_status_label.startswith("Scheduled for ")
        assert "UTC" in scheduled.desk_status_label  # the newsroom's zone, named

    def test_the_status_filter_has_scheduled(self, editor):
        make_article("Embargoed budget story", published_at=in_five_hours())
        make_article("Live story")
        make_draft("A draft")
        page = editor.get(CHANGELIST).content.decode()
        assert "?status=scheduled" in page
        scheduled = editor.get(CHANGELIST + "?status=scheduled").content.decode()
        assert "Embargoed budget story" in scheduled and "Live story" not in scheduled
        published = editor.get(CHANGELIST + "?status=published").content.decode()
        assert "Live story" in published and "Embargoed budget story" not in published

    def test_scheduling_says_scheduled_in_the_save_message(self, editor):
        story = make_draft("Embargoed budget story")
        at = in_five_hours().replace(microsecond=0)
        data = opened_form(editor, story) | {
            "status": "published",
            "published_at_0": at.strftime("%d/%m/%Y"),
            "published_at_1": at.strftime("%H:%M:%S"),
        }
        response = editor.post(change_url(story), data, follow=True)
        message = " ".join(str(m) for m in response.context["messages"])
        assert "Scheduled for " in message and "readers will see it from then" in message
        assert "Published" not in message


# ---- The story form --------------------------------------------------------------------------


class TestStoryForm:
    def test_the_publishing_panel_holds_status_time_and_buttons(self, editor):
        story = make_article("A live story")
        page = editor.get(change_url(story)).content.decode()
        panel = re.search(r'<aside class="desk-panel".*?</aside>', page, re.S).group(0)
        for part in ['name="status"', 'name="published_at_0"', 'name="_publish_changes"']:
            assert part in panel
        assert "Save working draft" in panel
        assert "Publication time (UTC)" in panel  # the zone is named

    def test_tags_are_a_text_box_enhanced_by_a_static_script(self, editor):
        story = make_article("Tagged", tags=["Wagner Group", "Mali"])
        page = editor.get(change_url(story)).content.decode()
        field = re.search(r'<input type="text" name="tags"[^>]*>', page).group(0)
        assert "data-tag-autocomplete" in field
        assert "articles/admin-tags.js" in page
        assert "<script>" not in page.split("</head>")[1].replace("<script src", "")

    def test_view_on_site_opens_the_preview_for_a_draft_or_scheduled_story(self, editor, client):
        for story in (make_draft("Draft"), make_article("Later", published_at=in_five_hours())):
            page = editor.get(change_url(story)).content.decode()
            preview = reverse("admin:articles_article_preview", args=[story.pk])
            assert f'href="{preview}"' in page
            assert editor.get(preview).status_code == 200
        live = make_article("Live")
        assert 'class="viewsitelink"' in editor.get(change_url(live)).content.decode()


# ---- 2. Working drafts -----------------------------------------------------------------------


class TestWorkingDrafts:
    def test_saving_a_live_story_keeps_a_draft_readers_do_not_see(self, editor, client):
        story = make_article("Live headline", tags=["Mali"])
        data = opened_form(editor, story) | {"headline": "Draft headline", "tags": "Mali, Niger"}
        response = editor.post(change_url(story), data, follow=True)
        assert "Saved as a working draft" in " ".join(map(str, response.context["messages"]))
        stored = Article.objects.get(pk=story.pk)
        assert stored.headline == "Live headline"
        assert stored.working_draft["headline"] == "Draft headline"
        assert stored.working_draft["tags"] == ["Mali", "Niger"]
        assert [t.name for t in stored.tags.all()] == ["Mali"]
        reader_page = client.get(stored.get_absolute_url()).content.decode()
        assert "Live headline" in reader_page and "Draft headline" not in reader_page
        # The editor reopens the story and sees the draft, tags included.
        form = opened_form(editor, stored)
        assert form["headline"] == "Draft headline"
        assert "Niger" in form["tags"]
        assert "Working draft" in editor.get(change_url(stored)).content.decode()

    def test_publish_changes_makes_the_draft_live(self, editor, client):
        story = make_article("Live headline", tags=["Mali"])
        editor.post(change_url(story), opened_form(editor, story) | {"headline": "New headline"})
        stored = Article.objects.get(pk=story.pk)
        compare = editor.get(reverse("admin:articles_article_working_draft", args=[story.pk]))
        assert "<del>Live</del>" in compare.content.decode()
        assert "<ins>New</ins>" in compare.content.decode()
        response = editor.post(change_url(stored), opened_form(editor, stored) | PUBLISH)
        assert response.status_code == 302
        stored = Article.objects.get(pk=story.pk)
        assert (stored.headline, stored.working_draft) == ("New headline", None)
        assert "New headline" in client.get(stored.get_absolute_url()).content.decode()
        assert [r.action for r in stored.revisions.order_by("number")] == [
            "Working draft saved",
            "Published changes",
        ]

    def test_publish_from_the_compare_page(self, editor, client):
        story = make_article("Live headline", tags=["Mali"])
        draft = opened_form(editor, story) | {"headline": "New headline", "tags": "Mali, Niger"}
        editor.post(change_url(story), draft)
        url = reverse("admin:articles_article_working_draft", args=[story.pk])
        assert editor.post(url, {"_publish_changes": "1"}).status_code == 302
        stored = Article.objects.get(pk=story.pk)
        assert stored.headline == "New headline" and stored.working_draft is None
        assert sorted(t.name for t in stored.tags.all()) == ["Mali", "Niger"]

    def test_an_editors_plain_save_changes_no_credit_or_alt_text_readers_see(self, editor, client):
        photo = make_image(alt_text="Soldiers by a helicopter")
        story = make_article("Live headline", lead_image=photo)
        amina = Author.objects.create(name="Amina Traoré")
        credited = {
            "contributions-TOTAL_FORMS": "1",
            "contributions-0-author": str(amina.pk),
            "contributions-0-role": Contributor.Role.BY,
            "contributions-0-position": "1",
        }
        for change, refusal in (
            (credited, "its credits change with “Publish changes”"),
            ({"lead_photo_alt": "Changed"}, "its alt text changes with “Publish changes”"),
        ):
            response = editor.post(change_url(story), opened_form(editor, story) | change)
            assert response.status_code == 200  # the form again, with what was typed
            assert refusal in response.content.decode()
        assert not story.contributions.exists()
        photo.refresh_from_db()
        assert photo.alt_text == "Soldiers by a helicopter"
        assert "Amina" not in client.get(story.get_absolute_url()).content.decode()
        # "Publish changes" takes both live.
        both = opened_form(editor, story) | credited | {"lead_photo_alt": "Changed"}
        assert editor.post(change_url(story), both | PUBLISH).status_code == 302
        assert [c.author for c in story.contributions.all()] == [amina]
        photo.refresh_from_db()
        assert photo.alt_text == "Changed"

    def test_a_photo_for_a_waiting_caption_waits_in_the_working_draft(self, editor, client):
        waiting = make_image(caption="Troops arrive in Bamako")  # a wire caption, no file yet
        story = make_article("Live headline", lead_image=waiting)
        upload = SimpleUploadedFile("troops.jpg", jpeg_bytes(), content_type="image/jpeg")
        data = opened_form(editor, story) | {"lead_photo_file": upload, "lead_photo_alt": "Troops"}
        assert editor.post(change_url(story), data).status_code == 302
        waiting.refresh_from_db()
        assert not waiting.file  # the live page's record is untouched
        stored = Article.objects.get(pk=story.pk)
        assert stored.lead_image_id == waiting.pk
        assert stored.working_draft["lead_image"]["id"] != waiting.pk
        assert "troops" not in client.get(story.get_absolute_url()).content.decode()

    def test_a_reporter_drafts_changes_to_a_live_story_and_readers_see_none(self, reporter, client):
        story = make_article("Live headline", tags=["Mali"])
        page = reporter.get(change_url(story)).content.decode()
        assert 'name="_save"' in page and 'value="Save working draft"' in page
        assert 'name="_publish_changes"' not in page  # the button is an editor's
        assert "Your saves go into its working draft; an editor publishes them." in page
        data = opened_form(reporter, story) | {"headline": "Reporter's headline"}
        response = reporter.post(change_url(story), data, follow=True)
        assert "Saved as a working draft" in " ".join(map(str, response.context["messages"]))
        stored = Article.objects.get(pk=story.pk)
        assert stored.headline == "Live headline" and stored.status == Article.Status.PUBLISHED
        assert stored.working_draft["headline"] == "Reporter's headline"
        assert stored.working_draft_by.username == "rita"
        reader_page = client.get(stored.get_absolute_url()).content.decode()
        assert "Live headline" in reader_page and "Reporter's headline" not in reader_page
        # An editor then publishes the reporter's changes.
        editor = client_for(make_staff("ed", role="Editor"))
        url = reverse("admin:articles_article_working_draft", args=[story.pk])
        assert editor.post(url, PUBLISH).status_code == 302
        assert Article.objects.get(pk=story.pk).headline == "Reporter's headline"

    def test_reporters_are_refused_publish_changes_with_a_clear_message(self, reporter):
        story = make_article("Live headline")
        crafted = opened_form(reporter, story) | {"headline": "Reporter's change"} | PUBLISH
        response = reporter.post(change_url(story), crafted)
        assert response.status_code == 200
        assert "Only an editor can publish changes to a live story" in response.content.decode()
        stored = Article.objects.get(pk=story.pk)
        assert (stored.headline, stored.working_draft, stored.version) == (
            "Live headline",
            None,
            story.version,
        )
        # The same from the compare page, with a working draft waiting.
        reporter.post(change_url(story), opened_form(reporter, story) | {"headline": "Draft"})
        url = reverse("admin:articles_article_working_draft", args=[story.pk])
        response = reporter.post(url, PUBLISH, follow=True)
        assert "Only an editor can publish changes" in " ".join(
            map(str, response.context["messages"])
        )
        stored = Article.objects.get(pk=story.pk)
        assert stored.headline == "Live headline" and stored.working_draft["headline"] == "Draft"
        with pytest.raises(services.PermissionDenied):
            services.publish_changes(article=stored, user=make_staff("r2", role="Reporter"))
        assert Article.objects.get(pk=story.pk).headline == "Live headline"

    def test_a_reporters_draft_of_a_live_story_changes_nothing_else(self, reporter):
        story = make_article("Live headline", published_at=timezone.now())
        crafted = opened_form(reporter, story) | {
            "status": "draft",
            "slug": "a-new-address",
            "embargoed_until_0": "01/01/2031",
            "embargoed_until_1": "12:00:00",
        }
        for name in ("status", "slug", "embargoed_until_0", "language", "translation_of"):
            assert f'name="{name}"' not in reporter.get(change_url(story)).content.decode()
        assert reporter.post(change_url(story), crafted).status_code == 302
        stored = Article.objects.get(pk=story.pk)
        assert (stored.status, stored.slug, stored.embargoed_until) == (
            Article.Status.PUBLISHED,
            story.slug,
            None,
        )

    def test_a_reporter_cannot_change_the_live_photos_alt_text_or_credits(self, reporter):
        photo = make_image(alt_text="Soldiers by a helicopter")
        story = make_article("Live headline", lead_image=photo)
        data = opened_form(reporter, story) | {"lead_photo_alt": "Changed"}
        response = reporter.post(change_url(story), data)
        assert response.status_code == 200
        assert "only an editor can change its alt text" in response.content.decode()
        photo.refresh_from_db()
        assert photo.alt_text == "Soldiers by a helicopter"
        # The credits are saved on the story at once, so they are read-only for reporters.
        credit_box = 'name="contributions-0-author"'
        assert credit_box not in reporter.get(change_url(story)).content.decode()
        editor = client_for(make_staff("ed", role="Editor"))
        assert credit_box in editor.get(change_url(story)).content.decode()

    def test_reporters_still_cannot_touch_scheduled_or_withdrawn_stories(self, reporter):
        for story in (
            make_article("Later", published_at=in_five_hours()),
            make_article("Gone", status=Article.Status.UNPUBLISHED),
        ):
            assert 'name="_save"' not in reporter.get(change_url(story)).content.decode()
            crafted = {"headline": "Changed", "opened_version": story.version}
            assert reporter.post(change_url(story), crafted).status_code == 403
            assert Article.objects.get(pk=story.pk).headline == story.headline

    def test_a_scheduled_story_is_edited_directly(self, editor):
        story = make_article("Later", published_at=in_five_hours())
        editor.post(change_url(story), opened_form(editor, story) | {"headline": "Later, sharper"})
        stored = Article.objects.get(pk=story.pk)
        assert (stored.headline, stored.working_draft) == ("Later, sharper", None)


# ---- 3. The desk home ------------------------------------------------------------------------


class TestDeskHome:
    def test_the_home_shows_the_work_in_hand(self, editor, django_assert_max_num_queries):
        user = make_staff("amina", role="Editor")
        client = client_for(user)
        mine = make_draft("My own draft", created_by=user)
        make_draft("Someone else's draft")
        make_article("In review now", status="in_review")
        make_article("Soon", published_at=timezone.now() + datetime.timedelta(hours=1))
        make_article("Later", published_at=timezone.now() + datetime.timedelta(hours=9))
        make_article("Out yesterday")
        with django_assert_max_num_queries(14):
            page = client.get("/admin/").content.decode()
        drafts = re.search(r"My drafts.*?</section>", page, re.S).group(0)
        assert mine.headline in drafts and "Someone else" not in drafts
        assert "In review now" in re.search(r"In review.*?</section>", page, re.S).group(0)
        scheduled = re.search(r"Scheduled, soonest first.*?</section>", page, re.S).group(0)
        assert scheduled.index("Soon") < scheduled.index("Later")
        assert "Out yesterday" in re.search(r"Recently published.*?</section>", page, re.S)[0]
        assert reverse("wiredesk:import") in page
        assert 'name="q"' in page  # the search box

    def test_housekeeping_tables_are_off_the_lists_and_accounts_last(self):
        page = client_for(make_editor("boss")).get("/admin/").content.decode()
        tables = page.split("Everything else")[1]
        lists, housekeeping = tables.split("Housekeeping")
        assert "Tag merges" not in lists and "Tag redirects" not in lists
        assert "Tag merges" in housekeeping and "Tag redirects" in housekeeping
        assert lists.index("Articles") < lists.index("Users")

    def test_reporters_see_no_review_queue(self, reporter):
        make_article("In review now", status="in_review")
        page = reporter.get("/admin/").content.decode()
        assert "My drafts" in page and "In review now" not in page


# ---- 4. Bulk actions -------------------------------------------------------------------------


def bulk(client, action, stories, **extra):
    data = {"action": action, "_selected_action": [s.pk for s in stories], **extra}
    response = client.post(CHANGELIST, data, follow=True)
    return " ".join(str(m) for m in response.context["messages"])


class TestBulkActions:
    def test_publish_with_a_summary_of_what_was_refused(self, editor):
        ready = make_draft("Ready one")
        already = make_article("Already out")
        message = bulk(editor, "publish_now", [ready, already])
        assert "Published 1 story." in message and "1 story already published." in message
        assert Article.objects.get(pk=ready.pk).is_published

    def test_refusals_are_explained_per_story(self, editor):
        fine = make_draft("Fine")
        bad = make_draft("No alt text")
        Article.objects.filter(pk=bad.pk).update(headline="")  # fails full_clean
        message = bulk(editor, "publish_now", [fine, bad])
        assert "Published 1 story." in message and "Refused 1 story" in message
        assert "This field cannot be blank." in message
        assert not Article.objects.get(pk=bad.pk).is_published

    def test_unpublish_and_trash_wording(self, editor, client):
        live, scheduled = make_article("Live"), make_article("Later", published_at=in_five_hours())
        assert "Unpublished 2 stories." in bulk(editor, "unpublish", [live, scheduled])
        message = bulk(editor, "move_to_trash", [live])
        assert message == "Moved to the trash: 1 story."
        assert "deleted" not in message.lower()
        assert Article.objects.get(pk=live.pk).deleted_at is not None

    def test_add_tag(self, editor):
        first, second = make_article("One", tags=["Mali"]), make_draft("Two")
        message = bulk(editor, "add_tag", [first, second], tag="Sahel")
        assert message == "Tagged “Sahel”: 2 stories."
        assert sorted(t.name for t in first.tags.all()) == ["Mali", "Sahel"]
        assert "already tagged" in bulk(editor, "add_tag", [first], tag="sahel")
        assert "Type the tag" in bulk(editor, "add_tag", [first], tag="")

    def test_reporters_get_only_their_actions(self, reporter):
        draft = make_draft("Reporter's copy")
        page = reporter.get(CHANGELIST).content.decode()
        assert 'value="submit_for_review"' in page
        assert 'value="publish_now"' not in page and 'value="unpublish"' not in page
        # Not on their menu (a list opened before their role changed, a hand-made request): each
        # story's service refuses it, and the summary says why.
        other = make_draft("Another draft")
        message = bulk(reporter, "publish_now", [draft, other])
        assert message == (
            "Refused 2 stories: “Reporter's copy”: Only an editor can publish a story.; "
            "“Another draft”: Only an editor can publish a story."
        )
        assert not Article.objects.filter(pk__in=[draft.pk, other.pk], status="published")
        message = bulk(reporter, "move_to_trash", [draft])
        assert message == "Refused 1 story: “Reporter's copy”: You cannot delete stories."
        assert Article.objects.get(pk=draft.pk).deleted_at is None
        assert "Submitted for review: 1 story." in bulk(reporter, "submit_for_review", [draft])
        live = make_article("Editors' story")
        message = bulk(reporter, "add_tag", [live], tag="Sahel")
        assert "Refused 1 story" in message and "cannot change this story" in message

    def test_one_change_set_per_bulk_action(self, editor, committed, monkeypatch):
        from articles.search import index

        drafts = [make_draft(f"Story {n}") for n in range(6)]
        calls = []
        original = index.refresh_listings
        monkeypatch.setattr(
            index, "refresh_listings", lambda ids, **kw: calls.append(ids) or original(ids, **kw)
        )
        with committed():
            bulk(editor, "publish_now", drafts)
        assert len(calls) == 1 and sorted(calls[0]) == sorted(d.pk for d in drafts)
        assert Revision.objects.filter(action="Published").count() == 6

    def test_bulk_publish_queries_are_pinned(self, editor):
        few = [make_draft(f"Few {n}") for n in range(2)]
        many = [make_draft(f"Many {n}") for n in range(8)]

        with CaptureQueriesContext(connection) as two:
            bulk(editor, "publish_now", few)
        with CaptureQueriesContext(connection) as eight:
            bulk(editor, "publish_now", many)
        per_story = (len(eight) - len(two)) / 6
        assert per_story <= 22, per_story  # a fixed cost per story: its service, no N² work


# ---- 5. Search -------------------------------------------------------------------------------


class TestSearch:
    def test_wagner_finds_the_wagner_story(self, editor, seed_story):
        make_draft("Unrelated draft about bridges", body="<p>Concrete and steel.</p>")
        make_draft("A draft about the mercenaries", body="<p>Wagner fighters were seen.</p>")
        page = editor.get(CHANGELIST + "?q=Wagner").content.decode()
        assert seed_story.headline in page  # "Wagner" is in its tags and body
        assert "A draft about the mercenaries" in page  # drafts are searched too
        assert "Unrelated draft" not in page

    def test_bylines_and_contributors_names_find_their_stories(self, editor):
        amina = Author.objects.create(name="Amina Traoré")
        credited = make_draft("Credited story", byline="")
        Contributor.objects.create(article=credited, author=amina, role=Contributor.Role.PHOTOS)
        make_article("Wire story", byline="By Jean Dupont and Kofi Mensah")
        make_draft("Nobody's story", byline="", body="<p>Neither of them.</p>")
        page = editor.get(CHANGELIST + "?q=Traoré").content.decode()
        assert "Credited story" in page and "Nobody" not in page and "Wire story" not in page
        page = editor.get(CHANGELIST + "?q=Mensah").content.decode()
        assert "Wire story" in page and "Credited story" not in page
        # A renamed author's stories are found by the new name, and no longer by the old one.
        amina.name = "Amina Koné"
        amina.save()
        assert "Credited story" in editor.get(CHANGELIST + "?q=Koné").content.decode()
        assert "Credited story" not in editor.get(CHANGELIST + "?q=Traoré").content.decode()
        # A credit removed: not found by that name any more.
        Contributor.objects.filter(article=credited).delete()
        assert "Credited story" not in editor.get(CHANGELIST + "?q=Koné").content.decode()

    def test_search_goes_through_the_index_in_pinned_queries(
        self, editor, django_assert_max_num_queries
    ):
        def credited_stories(first, count):
            for n in range(first, first + count):
                story = make_article(f"Story {n}", byline="By Kofi Mensah")
                writer = Author.objects.create(name=f"Writer {n}")
                Contributor.objects.create(article=story, author=writer)

        credited_stories(0, 3)
        with CaptureQueriesContext(connection) as queries:
            page = editor.get(CHANGELIST + "?q=Mensah").content.decode()
        assert all(f"Story {n}" in page for n in range(3))
        sql = " ".join(query["sql"] for query in queries.captured_queries).upper()
        assert " LIKE " not in sql  # found through the search engine, not a scan
        credited_stories(3, 12)
        # The same for 15 matches as for 3 (14: the list's "By" column reads credits in one query).
        with django_assert_max_num_queries(14):
            page = editor.get(CHANGELIST + "?q=Writer").content.decode()
        assert all(f"Story {n}" in page for n in range(15))

    def test_a_story_number_finds_it(self, editor):
        story = make_draft("Numbered")
        assert "Numbered" in editor.get(CHANGELIST + f"?q={story.pk}").content.decode()

    def test_query_syntax_does_not_break_it(self, editor):
        assert editor.get(CHANGELIST + "?q=%22unclosed -").status_code == 200


# ---- 6. Checks before publishing -------------------------------------------------------------


class TestChecks:
    def test_the_checks_catch_what_a_desk_would(self):
        body = (
            '<p>See <a href="www.example.com">click here</a> and <a href="https://ok.example/">'
            "the report</a>.</p><p>Source: Reuters</p><p>Caption [File: A. Person/AFP]</p>"
        )
        found = run_checks(headline="A" * 90, standfirst="", body=body, tags=[], lead_image=None)
        fields = [check.field for check in found]
        text = " ".join(check.message for check in found)
        assert fields.count("body") == 4 and {"headline", "standfirst", "tags"} <= set(fields)
        assert "90 characters" in text and "not a web address" in text
        assert "says nothing about where the link goes" in text
        assert "Source:" in text and "[File: A. Person/AFP]" in text

    def test_a_clean_story_passes(self):
        assert (
            run_checks(
                headline="Short",
                standfirst="S.",
                body="<p>Fine.</p>",
                tags=["Mali"],
                lead_image=None,
            )
            == []
        )

    def test_the_panel_lists_them_with_links_to_the_fields(self, editor):
        story = make_draft("Draft", standfirst="", body='<p><a href="">here</a></p>')
        page = editor.get(change_url(story)).content.decode()
        panel = re.search(r"Checks before publishing.*?</div>", page, re.S).group(0)
        assert 'href="#id_standfirst"' in panel and 'href="#id_tags"' in panel
        assert "not a web address" in panel

    def test_photo_and_heading_checks_link_to_their_fields(self, editor):
        photo = make_image(file="photos/x.jpg", width=8, height=8, alt_text="IMG_1234.jpg")
        # The body keeps only h2 and h3 (articles/html.py): an h3 before any h2 skips a level.
        story = make_draft("Draft", lead_image=photo, body="<p>A</p><h3>B</h3>")
        page = editor.get(change_url(story)).content.decode()
        panel = re.search(r"Checks before publishing.*?</div>", page, re.S).group(0)
        assert re.search(r'href="#id_lead_photo_alt">[^<]*“IMG_1234.jpg” is a file name', panel)
        assert re.search(r'href="#id_body">A level-3 heading follows the headline', panel)
        assert 'id="id_lead_photo_alt"' in page  # the link has somewhere to go
        waiting = make_draft("Waiting", lead_image=make_image(caption="Troops arrive"))
        page = editor.get(change_url(waiting)).content.decode()
        assert re.search(r'href="#id_lead_photo_file">[^<]*waiting for a photo file', page)
        assert 'id="id_lead_photo_file"' in page


# ---- 12. Speed: the four requests bench/desk.py times, their queries pinned --------------------


class TestDeskQueryCounts:
    """The desk home, the list, a story's change form and a save of a live story (a working
    draft) each cost a fixed number of queries, however many stories, tags and sources there are
    (bench/desk.py times them at 20,000 stories)."""

    @pytest.fixture
    def desk(self, editor):
        for n in range(12):
            make_article(f"Live {n}", tags=[f"t{n}", "common"], sources=[make_source()])
            make_draft(f"Draft {n}", tags=[f"d{n}"])
            make_article(f"Later {n}", published_at=in_five_hours(), tags=["common"])
        story = make_article("The one we edit", tags=["Mali", "Sahel"], sources=[make_source()])
        return editor, story

    def test_desk_home(self, desk, django_assert_max_num_queries):
        client, _ = desk
        with django_assert_max_num_queries(10):
            assert client.get("/admin/").status_code == 200

    def test_story_list(self, desk, django_assert_max_num_queries):
        client, _ = desk
        # 14: the "By" column reads every row's credits in one query.
        with django_assert_max_num_queries(14):
            assert client.get(CHANGELIST).status_code == 200
        with django_assert_max_num_queries(14):
            assert client.get(CHANGELIST + "?status=scheduled&tag=common").status_code == 200

    def test_change_form(self, desk, django_assert_max_num_queries):
        client, story = desk
        with django_assert_max_num_queries(17):
            assert client.get(change_url(story)).status_code == 200

    def test_save_of_a_live_story(self, desk, django_assert_max_num_queries):
        client, story = desk
        form = opened_form(client, story)
        form["headline"] = "The one we edit, edited"
        form["_continue"] = "Save working draft"
        # 29: the live snapshot and the revision both read the credits (revisions keep them).
        with django_assert_max_num_queries(29):
            assert client.post(change_url(story), form).status_code == 302
        story.refresh_from_db()
        assert story.working_draft and story.headline == "The one we edit"
