"""One change set per transaction (articles/changes.py): whatever a write touches, the listings and
search documents are rewritten once inside its transaction, and after it commits the readers'
caches are invalidated once and each HTTP cache purged once."""

import collections
import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import changes
from articles.editorial import services
from articles.editorial.tagging import merge_tags
from articles.models import Article, Revision, ShareLink, Tag, TagMerge, TagRedirect
from articles.search import index
from articles.search.models import SearchDocument, StoryListing
from articles.wire.importing import import_parsed
from articles.wire.text import parse_wire

from .helpers.factories import make_article, make_draft, make_editor
from .helpers.workflow_forms import change_form_data

pytestmark = pytest.mark.django_db

WIRE = """Floods close the road to Mopti

Heavy rain has cut the main road between Ségou and Mopti.

Trucks waited on both sides of the water on Tuesday.

Source: News Agencies
"""


@pytest.fixture
def work(monkeypatch):
    """How often each piece of the pipeline ran."""
    counts = collections.Counter()

    def counting(name, function):
        def counted(*args, **kwargs):
            counts[name] += 1
            return function(*args, **kwargs)

        return counted

    monkeypatch.setattr(changes, "bump_generation", counting("bump", changes.bump_generation))
    monkeypatch.setattr(changes, "purge_http_caches", counting("purge", changes.purge_http_caches))
    monkeypatch.setattr(index, "refresh_listings", counting("listings", index.refresh_listings))
    return counts


def queries_during(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


# Ceilings measured on SQLite and PostgreSQL (PostgreSQL adds a statement for the search vector);
# before the change sets, an admin save of this kind ran 66 queries on SQLite. 54 on SQLite since
# rights (the expiry sweep of the listings) met desk-core's working drafts and autosaves and the
# accounts' audit entry. One more on each since the search documents carry the contributors'
# names (desk-rules: their credits are read with the stories being indexed), and one more since
# revisions keep the credits (authors). 58 on PostgreSQL since listings carry a copy of the search
# vector (one UPDATE per change set).
ADMIN_SAVE_QUERIES = 58
# An import: 51 on PostgreSQL since rights' expiry sweep (one SELECT per change set); 52 since
# the contributors' names are indexed; 53 since revisions keep the credits; 54 since an import
# first asks whether the agency killed the story (one SELECT); 55 since listings carry a copy of
# the search vector (one UPDATE per change set, PostgreSQL).
IMPORT_QUERIES = 55
MERGE_QUERIES = 40
# A bulk action (moving N stories to the trash): the request, the change list and the one change
# set's listing, search and count work are paid once (24 on SQLite, 26 on PostgreSQL, whose
# listings carry a copy of the search vector); each story then costs its own service call, 15 on
# both (its savepoints, the lock, the save, the audit entry, and its revision's snapshot): 53/56
# for 2 stories, 173/176 for 10.
BULK_QUERIES = 26
BULK_QUERIES_PER_STORY = 15


class TestOnePerTransaction:
    def test_an_admin_save_with_a_new_tag(self, editor_client, seed_story, committed, work):
        url = reverse("admin:articles_article_change", args=[seed_story.pk])
        tags = 'Mali, Russia, France, "Wagner Group", Sahel, Africa, Bamako'
        data = change_form_data(seed_story, headline="Mali takes delivery", tags=tags)
        data["_publish_changes"] = "Publish changes"  # the story is live
        with committed():
            queries = queries_during(lambda: editor_client.post(url, data))
        assert queries <= ADMIN_SAVE_QUERIES
        assert work == {"listings": 1, "bump": 1, "purge": 1}
        listing = StoryListing.objects.get(article=seed_story)
        assert Tag.objects.get(name="Bamako").pk in listing.tag_ids
        assert SearchDocument.objects.get(article=seed_story).headline == "Mali takes delivery"
        assert seed_story.revisions.count() == 2  # the seed's, and this save's

    def test_a_working_draft_changes_nothing_readers_see(self, editor_client, committed, work):
        with committed():  # its own transaction, as on a real site
            story = make_article("Mali receives helicopters", tags=["Mali"])
        work.clear()
        url = reverse("admin:articles_article_change", args=[story.pk])
        data = change_form_data(story, headline="Mali takes delivery", tags="Mali, Bamako")
        with committed():
            queries = queries_during(lambda: editor_client.post(url, data))
        assert queries <= ADMIN_SAVE_QUERIES
        assert work == {}  # no listing, search document, cache or purge work
        assert Article.objects.get(pk=story.pk).working_draft["headline"] == "Mali takes delivery"
        assert SearchDocument.objects.get(article=story).headline == "Mali receives helicopters"
        assert not Tag.objects.filter(name="Bamako").exists()

    def test_a_wire_import_that_publishes(self, committed, work):
        with committed():
            queries = queries_during(
                lambda: import_parsed(parse_wire(WIRE), publish=True, tags=["Mali", "Floods"])
            )
        assert queries <= IMPORT_QUERIES
        assert work == {"listings": 1, "bump": 1, "purge": 1}
        story = Article.objects.get()
        assert [r.action for r in story.revisions.all()] == ["Imported from wire copy; Published"]
        assert StoryListing.objects.filter(article=story).exists()

    def test_the_wire_desk_writes_one_revision(self, editor_client, committed, work):
        with committed():
            editor_client.post(reverse("wiredesk:import"), {"text": WIRE})
        story = Article.objects.get()
        assert [r.action for r in story.revisions.all()] == ["Imported on the wire desk"]
        assert work == {"listings": 1, "bump": 1, "purge": 1}

    def test_a_tag_merge_over_25_stories(self, committed, work):
        for n in range(25):
            make_article(f"Story {n}", tags=["Wagner Group", "Mali"] if n % 2 else ["Wagner"])
        work.clear()
        wagner_group, wagner = Tag.objects.get(name="Wagner Group"), Tag.objects.get(name="Wagner")
        with committed():
            queries = queries_during(lambda: merge_tags([wagner_group], into=wagner))
        assert queries <= MERGE_QUERIES
        assert work == {"listings": 1, "bump": 1, "purge": 1}
        every_listing = StoryListing.objects.values_list("tag_ids", flat=True)
        assert all(wagner.pk in tag_ids for tag_ids in every_listing)
        assert not any(wagner_group.pk in tag_ids for tag_ids in every_listing)

    @pytest.mark.parametrize("count", [2, 10])
    def test_a_bulk_action(self, editor_client, committed, work, count):
        stories = [make_article(f"Story {n}") for n in range(count)]
        work.clear()
        data = {
            "action": "move_to_trash",
            ACTION_CHECKBOX_NAME: [s.pk for s in stories],
        }
        with committed():
            queries = queries_during(
                lambda: editor_client.post(reverse("admin:articles_article_changelist"), data)
            )
        assert queries <= BULK_QUERIES + BULK_QUERIES_PER_STORY * count
        assert work == {"listings": 1, "bump": 1, "purge": 1}
        assert not StoryListing.objects.exists()
        assert Article.objects.in_trash().count() == count

    def test_a_restore_of_a_revision(self, committed, work):
        editor = make_editor()
        # In review: the restore changes the story itself (a live one's goes to its working draft).
        story = make_article("First words", tags=["Mali"], status="in_review")
        services.save_article(article=story, user=editor)
        story.headline = "Second words"
        story.tags.set(["Niger"])
        services.save_article(article=story, user=editor)
        work.clear()
        with committed():
            services.restore_revision(revision=story.revisions.last(), user=editor)
        assert work == {"listings": 1, "bump": 1, "purge": 1}
        assert SearchDocument.objects.get(article=story).tags == "Mali"


class TestWhatCounts:
    def test_bookkeeping_rows_are_not_content(self, committed, work):
        with committed():  # its own transaction, as on a real site
            story = make_draft("A draft")
            editor = make_editor()
            tag = Tag.objects.create(name="Mali")
        work.clear()
        with committed():
            Revision.objects.create(
                article=story, number=9, article_version=1, action="x", snapshot={}
            )
            ShareLink.objects.create(
                article=story, expires_at=timezone.now() + datetime.timedelta(hours=1)
            )
            TagMerge.objects.create(merged_name="Old", merged_slug="old", into=tag, article_count=0)
            TagRedirect.objects.create(old_slug="old", tag=tag, created_at=timezone.now())
            services.create_share_link(article=story, user=editor)
        assert work == {}

    def test_a_rollback_runs_nothing(self, committed, work):
        with committed(), pytest.raises(RuntimeError), changes.atomic():
            make_article("Never published")
            raise RuntimeError("the write fails")
        assert work == {}
        assert not StoryListing.objects.exists()

    def test_a_plain_transaction_keeps_listings_current_as_it_goes(self, committed, work):
        with committed(), transaction.atomic():
            story = make_article("Outside any change block", tags=["Mali"])
            assert StoryListing.objects.get(article=story).tag_ids == [story.tags.get().pk]
        assert work["bump"] == 1 and work["purge"] == 1

    def test_listings_are_written_before_the_commit(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False), changes.atomic():
            story = make_article("Written in the transaction")
            assert not StoryListing.objects.filter(article=story).exists()  # not yet: one write
        assert StoryListing.objects.filter(article=story).exists()  # at the block's end

    def test_deleting_a_tag_does_not_load_its_links(self):
        tag = Tag.objects.create(name="Everywhere")
        few = [make_article(f"Few {n}", tags=[tag]) for n in range(2)]
        few_queries = queries_during(lambda: Tag.objects.get(pk=tag.pk).delete())
        tag = Tag.objects.create(name="Everywhere")
        many = [make_article(f"Many {n}", tags=[tag]) for n in range(20)]
        many_queries = queries_during(lambda: Tag.objects.get(pk=tag.pk).delete())
        # 19 on PostgreSQL: its search-vector statement and, since rights, the expiry sweep; since
        # desk-rules, the indexed stories' credits (contributors' names); the listings' copy of
        # the search vector.
        assert many_queries == few_queries <= 20
        assert all(StoryListing.objects.get(article=s).tag_ids == [] for s in few + many)
