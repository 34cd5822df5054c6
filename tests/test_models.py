import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from articles.html import sanitize_body
from articles.models import Article, Source, Tag

from .helpers.factories import make_article, make_draft, make_source

pytestmark = pytest.mark.django_db


class TestPublished:
    def test_published_story_in_the_past_is_visible(self):
        story = make_article()
        assert list(Article.objects.published()) == [story]
        assert story.is_published

    def test_draft_is_not_visible(self):
        make_draft(published_at=timezone.now() - datetime.timedelta(days=1))
        assert not Article.objects.published().exists()

    @pytest.mark.parametrize("status", ["draft", "in_review", "unpublished"])
    def test_every_unpublished_status_is_hidden(self, status):
        make_article(status=status, published_at=timezone.now() - datetime.timedelta(hours=1))
        assert not Article.objects.published().exists()

    def test_future_story_is_hidden_until_its_time(self, time_machine):
        due = timezone.now() + datetime.timedelta(hours=2)
        story = make_article(published_at=due)
        assert not Article.objects.published().exists()
        assert story.is_scheduled
        time_machine.move_to(due + datetime.timedelta(seconds=1))
        assert list(Article.objects.published()) == [story]

    def test_deleted_story_is_hidden(self):
        make_article(deleted_at=timezone.now())
        assert not Article.objects.published().exists()

    def test_published_without_a_date_is_hidden(self):
        Article.objects.create(headline="No date", status=Article.Status.PUBLISHED)
        assert not Article.objects.published().exists()


class TestSlugsAndUrls:
    def test_url_is_built_from_the_publication_date(self):
        story = make_article(
            "Mali receives helicopters",
            published_at=datetime.datetime(2021, 10, 1, 9, 0, tzinfo=datetime.UTC),
        )
        assert story.get_absolute_url() == "/2021/10/01/mali-receives-helicopters/"

    def test_same_headline_same_day_gets_a_distinct_slug(self):
        when = datetime.datetime(2021, 10, 1, 9, 0, tzinfo=datetime.UTC)
        first = make_article("Same headline", published_at=when)
        second = make_article("Same headline", published_at=when + datetime.timedelta(hours=1))
        assert first.slug == "same-headline"
        assert second.slug == "same-headline-2"

    def test_same_headline_other_day_keeps_the_plain_slug(self):
        make_article("Same headline", published_at=timezone.now() - datetime.timedelta(days=3))
        other = make_article("Same headline")
        assert other.slug == "same-headline"

    def test_headline_without_latin_letters_still_gets_a_slug(self):
        assert make_article("!!!").slug == "untitled"


class TestNames:
    def test_source_names_are_unique_ignoring_case(self):
        make_source("Reuters")
        with pytest.raises(IntegrityError):
            Source.objects.create(name="REUTERS", slug="reuters-2")

    def test_get_or_create_by_name_matches_case_and_spacing(self):
        reuters = make_source("Reuters")
        assert Source.get_or_create_by_name("  reuters ") == reuters
        assert Source.objects.count() == 1

    def test_tags_are_case_insensitive(self):
        story = make_article(tags=["Mali"])
        story.tags.add("mali", "MALI")
        assert [tag.name for tag in story.tags.all()] == ["Mali"]
        assert Tag.objects.count() == 1


class TestBodySanitising:
    @pytest.mark.parametrize(
        ("dirty", "forbidden"),
        [
            ("<p>Hi<script>alert(1)</script></p>", "<script"),
            ('<p><img src="x" onerror="alert(1)"></p>', "onerror"),
            ('<p><a href="javascript:alert(1)">click</a></p>', "javascript:"),
            ('<p style="color:red" onclick="x()">styled</p>', "onclick"),
            ("<iframe src='https://evil.example'></iframe>", "<iframe"),
        ],
    )
    def test_hostile_markup_is_removed_on_save(self, dirty, forbidden):
        story = make_article(body=dirty)
        story.refresh_from_db()
        assert forbidden not in story.body

    def test_editorial_markup_survives(self):
        html = (
            "<h2>Sub</h2><p><strong>b</strong> <em>i</em> "
            '<a href="https://example.org/">link</a></p><blockquote><p>q</p></blockquote>'
            "<ul><li>one</li></ul><ol><li>two</li></ol>"
        )
        cleaned = sanitize_body(html)
        for fragment in [
            "<h2>Sub</h2>",
            "<strong>b</strong>",
            "<em>i</em>",
            "<blockquote>",
            "<ul><li>one</li></ul>",
            "<ol><li>two</li></ol>",
        ]:
            assert fragment in cleaned
        assert 'href="https://example.org/"' in cleaned
        assert 'rel="noopener noreferrer"' in cleaned

    def test_empty_editor_document_is_stored_empty(self):
        assert sanitize_body("<p></p>") == ""


def test_addresses_are_what_the_url_patterns_reverse_to():
    from django.urls import reverse

    from articles.models import Tag

    story = make_article("Россия и Мали", tags=["Россия", "Côte d’Ivoire"])
    story.slug = "ру-slug"
    day = story.url_date
    assert story.get_absolute_url() == reverse(
        "articles:detail",
        kwargs={
            "year": day.year,
            "month": f"{day.month:02d}",
            "day": f"{day.day:02d}",
            "slug": story.slug,
        },
    )
    for tag in Tag.objects.all():
        assert tag.get_absolute_url() == reverse("articles:tag", kwargs={"slug": tag.slug})
    source = make_source("Agence France-Presse")
    assert source.get_absolute_url() == reverse("articles:source", kwargs={"slug": source.slug})
