"""Tag hygiene, rename and merge with redirects, the tag index and pages, related stories."""

import datetime
import re
import unicodedata

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.editorial.tagging import TagConflict, merge_tags, rename_tag
from articles.models import Article, Tag, TaggedArticle, TagMerge, TagRedirect

from ..helpers.factories import make_article, make_draft
from ..helpers.workflow_forms import change_form_data

pytestmark = pytest.mark.django_db

CÔTE_NFC = unicodedata.normalize("NFC", "Côte d’Ivoire")
CÔTE_NFD = unicodedata.normalize("NFD", "Côte d’Ivoire")


class TestOneTagPerName:
    def test_case_spacing_and_unicode_forms_are_one_tag(self):
        story = make_article(tags=["Mali"])
        story.tags.add("mali", " MALI ", "MALI\t", CÔTE_NFC, CÔTE_NFD, "côte  D’IVOIRE")
        assert sorted(tag.name for tag in story.tags.all()) == [CÔTE_NFC, "Mali"]
        assert Tag.objects.count() == 2

    def test_non_ascii_case_is_folded_on_every_database(self):
        first = Tag.objects.get_or_create_named("École")
        assert Tag.objects.get_or_create_named("ÉCOLE") == first
        assert Tag.objects.get_or_create_named("straße") == Tag.objects.get_or_create_named(
            "STRASSE"
        )

    def test_variants_in_one_call_never_raise(self):
        story = make_article()
        story.tags.set(["Sahel", "sahel", " SAHEL", "Sahel  "])
        assert [tag.name for tag in story.tags.all()] == ["Sahel"]

    def test_the_admin_tags_box_accepts_variants_of_existing_tags(self, editor_client):
        Tag.objects.get_or_create_named("Mali")
        Tag.objects.get_or_create_named(CÔTE_NFC)
        story = make_article("Tagged in the admin", status="draft")
        url = reverse("admin:articles_article_change", args=[story.pk])
        data = change_form_data(story, tags=f'mali, " MALI ", "{CÔTE_NFD}", côte d’ivoire, New one')
        response = editor_client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert sorted(t.name for t in story.tags.all()) == sorted([CÔTE_NFC, "Mali", "New one"])
        assert Tag.objects.count() == 3

    def test_the_tag_admin_refuses_a_duplicate_with_a_message(self, editor_client):
        Tag.objects.get_or_create_named("Mali")
        response = editor_client.post(
            reverse("admin:articles_tag_add"), {"name": " MALI ", "slug": "mali-2"}
        )
        assert response.status_code == 200
        assert "“Mali” already exists" in response.content.decode()
        assert Tag.objects.count() == 1

    def test_non_latin_and_punctuation_only_names_get_working_addresses(self, client):
        make_article(tags=["Россия", "!!!"])
        for tag in Tag.objects.all():
            assert tag.slug
            assert client.get(tag.get_absolute_url()).status_code == 200


class TestRename:
    def test_rename_keeps_stories_and_redirects_the_old_address(self, client, committed):
        with committed():
            story = make_article("A story", tags=["Ivory Coast"])
            tag = Tag.objects.get()
            rename_tag(tag, new_name=CÔTE_NFD)
        tag.refresh_from_db()
        assert tag.name == CÔTE_NFC
        assert list(story.tags.all()) == [tag]
        old = client.get("/tags/ivory-coast/")
        assert old.status_code == 301
        assert old["Location"] == tag.get_absolute_url()
        assert client.get(old["Location"]).status_code == 200
        # The search index has the new name.
        assert "A story" in client.get("/search/?q=côte").content.decode()

    def test_renaming_back_gives_the_address_back(self, client):
        make_article(tags=["Ivory Coast"])
        tag = rename_tag(Tag.objects.get(), new_name="Cote dIvoire")
        rename_tag(tag, new_name="Ivory Coast")
        assert client.get("/tags/ivory-coast/").status_code == 200
        assert client.get("/tags/cote-divoire/").status_code == 301

    def test_rename_onto_another_tag_is_refused(self):
        Tag.objects.get_or_create_named("Mali")
        with pytest.raises(TagConflict):
            rename_tag(Tag.objects.get_or_create_named("Niger"), new_name="MALI")

    def test_admin_rename_action(self, editor_client):
        make_article(tags=["Ivory Coast"])
        tag = Tag.objects.get()
        url = reverse("admin:articles_tag_changelist")
        form = editor_client.post(url, {"action": "rename_action", ACTION_CHECKBOX_NAME: [tag.pk]})
        assert "New name" in form.content.decode()
        done = editor_client.post(
            url,
            {
                "action": "rename_action",
                ACTION_CHECKBOX_NAME: [tag.pk],
                "apply": "1",
                "new_name": "Côte d’Ivoire",
            },
        )
        assert done.status_code == 302
        assert Tag.objects.get().name == "Côte d’Ivoire"
        assert TagRedirect.objects.get().old_slug == "ivory-coast"

    def test_editing_the_name_in_the_change_form_is_a_rename(self, editor_client):
        make_article(tags=["Ivory Coast"])
        tag = Tag.objects.get()
        response = editor_client.post(
            reverse("admin:articles_tag_change", args=[tag.pk]), {"name": "Cote d'Ivoire"}
        )
        assert response.status_code == 302
        tag.refresh_from_db()
        assert tag.slug == "cote-divoire"
        assert TagRedirect.objects.get().old_slug == "ivory-coast"


class TestMerge:
    def test_merge_keeps_every_story_tagged_records_and_redirects(self, client, editor, committed):
        with committed():
            both = make_article("Both", tags=["Wagner", "Wagner Group"])
            only_old = make_article("Only old", tags=["Wagner", "Mali"])
            make_article("Only new", tags=["Wagner Group"])
            old, new = Tag.objects.get(name="Wagner"), Tag.objects.get(name="Wagner Group")
            rename_tag(old, new_name="Wagner PMC")  # an older address of the merged tag
            [record] = merge_tags([old, new], into=new, user=editor)
        assert not Tag.objects.filter(name="Wagner PMC").exists()
        assert sorted(t.name for t in both.tags.all()) == ["Wagner Group"]
        assert sorted(t.name for t in only_old.tags.all()) == ["Mali", "Wagner Group"]
        assert TaggedArticle.objects.filter(tag=new).count() == 3
        assert (record.merged_name, record.into, record.merged_by, record.article_count) == (
            "Wagner PMC",
            new,
            editor,
            2,
        )
        for old_address in ["/tags/wagner/", "/tags/wagner-pmc/"]:
            response = client.get(old_address)
            assert response.status_code == 301
            assert response["Location"] == "/tags/wagner-group/"
        assert "3 stories" in client.get("/tags/wagner-group/").content.decode()
        # Re-indexed: the merged story is found under its new tag's name.
        assert "Only old" in client.get("/search/?q=%22wagner+group%22").content.decode()

    def test_admin_merge_action_needs_the_merge_permission(self, editor_client):
        from django.contrib.auth import get_user_model
        from django.test import Client

        make_article(tags=["Wagner", "Wagner Group"])
        ids = list(Tag.objects.values_list("pk", flat=True))
        url = reverse("admin:articles_tag_changelist")
        clerk = get_user_model().objects.create_user("clerk", password="x", is_staff=True)
        clerk.user_permissions.add(
            *Permission.objects.filter(codename__in=["view_tag", "change_tag"])
        )
        clerk_client = Client()
        clerk_client.force_login(clerk)
        refused = clerk_client.post(
            url, {"action": "merge_action", ACTION_CHECKBOX_NAME: ids, "apply": "1"}
        )
        assert Tag.objects.count() == 2
        assert refused.status_code == 302  # "no action selected": not offered to them
        assert "merge_action" not in clerk_client.get(url).content.decode()
        assert "rename_action" in clerk_client.get(url).content.decode()
        into = Tag.objects.get(name="Wagner Group")
        form = editor_client.post(url, {"action": "merge_action", ACTION_CHECKBOX_NAME: ids})
        assert "Keep this tag" in form.content.decode()
        done = editor_client.post(
            url,
            {"action": "merge_action", ACTION_CHECKBOX_NAME: ids, "apply": "1", "into": into.pk},
        )
        assert done.status_code == 302
        assert list(Tag.objects.all()) == [into]
        assert TagMerge.objects.get().merged_name == "Wagner"


class TestTagIndexAndPages:
    def test_index_counts_published_stories_only(self, client):
        make_article(tags=["Mali", "Niger"])
        make_article(tags=["Mali"])
        make_draft(tags=["Mali", "Secret"])
        make_article(
            tags=["Mali", "Secret"], published_at=timezone.now() + datetime.timedelta(days=1)
        )
        text = client.get("/tags/").content.decode()
        counts = dict(re.findall(r'>([^<>]+)</a> <span class="facet-count">(\d+)</span>', text))
        assert counts == {"Mali": "2", "Niger": "1"}
        assert "Secret" not in text
        by_count = client.get("/tags/?sort=count").content.decode()
        assert by_count.index(">Mali<") < by_count.index(">Niger<")

    def test_index_query_count_is_constant(
        self, client, warm_page_cache, django_assert_max_num_queries
    ):
        for n in range(30):
            make_article(tags=[f"Topic {n}", "Common"])
        # the kept counts, the scheduled stories they leave out, the tags in name order, the
        # names of those on the page
        with django_assert_max_num_queries(4):
            assert client.get("/tags/").status_code == 200

    def test_index_pages_through_many_tags(self, client, monkeypatch):
        from articles.site import views

        monkeypatch.setattr(views, "TAGS_PER_PAGE", 2)
        for n, name in enumerate(["Alpha", "Beta", "Gamma", "Delta", "Epsilon"]):
            for _ in range(n + 1):
                make_article(tags=[name])
        first = client.get("/tags/").content.decode()
        assert "5 topics" in first
        assert ">Alpha</a>" in first and ">Beta</a>" in first and ">Gamma</a>" not in first
        assert "Page 1 of 3" in first
        third = client.get("/tags/?page=3").content.decode()
        assert ">Gamma</a> <span" in third  # A to Z: Alpha Beta | Delta Epsilon | Gamma
        by_count = client.get("/tags/?sort=count").content.decode()
        assert by_count.index(">Epsilon</a>") < by_count.index(">Delta</a>")
        assert 'href="?sort=count&amp;page=2"' in by_count
        assert client.get("/tags/?page=9").status_code == 404

    def test_tag_page_links_to_search_and_shows_co_occurring_tags(self, client):
        make_article(tags=["Mali", "Russia"])
        make_article(tags=["Mali", "Russia", "France"])
        make_draft(tags=["Mali", "Secret"])
        text = client.get("/tags/mali/").content.decode()
        assert 'href="/search/?tag=mali">search within Mali</a>' in text
        assert '?tag=mali&amp;tag=russia">Russia</a> <span class="facet-count">2</span>' in text
        assert '>France</a> <span class="facet-count">1</span>' in text
        assert "Secret" not in text


class TestRelatedStories:
    def test_most_tags_in_common_first_newest_breaks_ties_published_only(self, client):
        now = timezone.now()
        story = make_article("The story", tags=["Mali", "Russia", "Wagner"])
        make_article(
            "Two in common, old",
            tags=["Mali", "Russia"],
            published_at=now - datetime.timedelta(days=9),
        )
        make_article(
            "One in common, new", tags=["Wagner"], published_at=now - datetime.timedelta(hours=2)
        )
        make_article(
            "One in common, older", tags=["Mali"], published_at=now - datetime.timedelta(days=5)
        )
        make_article("Nothing in common", tags=["Weather"])
        make_draft("Draft with all three", tags=["Mali", "Russia", "Wagner"])
        text = client.get(story.get_absolute_url()).content.decode()
        related = re.findall(
            r'<li><a href="[^"]+">([^<]+)</a> <time', text.split("Related stories")[1]
        )
        assert related == ["Two in common, old", "One in common, new", "One in common, older"]

    def test_chosen_among_a_bounded_number_of_each_tags_newest(self, monkeypatch):
        from articles.search import results

        now = timezone.now()

        def story(headline, tags, hours):
            return make_article(
                headline, tags=tags, published_at=now - datetime.timedelta(hours=hours)
            )

        the_story = story("The story", ["Mali", "Russia"], 1)
        old_match = story("Both tags, long ago", ["Mali", "Russia"], 2000)
        names = [(tag, n) for n in range(3) for tag in ("Mali", "Russia")]
        recent = [story(f"{tag} {n}", [tag], 2 + i) for i, (tag, n) in enumerate(names)]
        assert results.related_stories(the_story, limit=5)[0] == old_match
        monkeypatch.setattr(results, "RELATED_CANDIDATES_PER_TAG", 3)
        # Only the three newest of each tag are looked at: the old story with both is not.
        assert results.related_stories(the_story, limit=6) == recent
        the_story = Article.objects.prefetch_related("tags").get(pk=the_story.pk)  # as the page
        with CaptureQueriesContext(connection) as captured:
            results.related_stories(the_story, limit=5)
        assert len(captured) == 2  # the candidates of every tag in one statement, then the five

    def test_no_related_block_without_tags(self, client):
        story = make_article("Alone")
        make_article("Other")
        assert "Related stories" not in client.get(story.get_absolute_url()).content.decode()


class TestAutocomplete:
    def test_suggests_existing_tags_most_used_first(self, editor_client):
        make_article(tags=["Mali", "Malawi"])
        make_article(tags=["Mali"])
        make_article(tags=["West Mali region"])
        response = editor_client.get(reverse("admin:articles_tag_autocomplete") + "?q=mal")
        assert response.json() == {"results": ["Mali", "Malawi", "West Mali region"]}
        assert (
            editor_client.get(reverse("admin:articles_tag_autocomplete") + "?q=%00").status_code
            == 200
        )

    def test_readers_cannot_use_it(self, client):
        response = client.get(reverse("admin:articles_tag_autocomplete") + "?q=mal")
        assert response.status_code == 302  # to the admin login

    def test_the_article_form_offers_it_and_stays_a_text_box(self, editor_client):
        story = make_article(tags=["Wagner Group", "Mali"])
        text = editor_client.get(
            reverse("admin:articles_article_change", args=[story.pk])
        ).content.decode()
        field = re.search(r'<input type="text" name="tags"[^>]*>', text).group(0)
        assert 'value="&quot;Wagner Group&quot;, Mali"' in field
        assert f'data-tag-autocomplete="{reverse("admin:articles_tag_autocomplete")}"' in field
        assert "articles/admin-tags.js" in text
