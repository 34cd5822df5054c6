"""The result-set helpers behind the search and tag pages: one list of ids per search, and facet
counts computed from it that equal a brute-force count (on whichever database the suite uses)."""

import datetime
import random

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article, Tag
from articles.search import get_engine, ordered_ids, parse_query, source_facets, tag_facets

from .factories import make_article, make_draft, make_source

pytestmark = pytest.mark.django_db


def brute_force(stories, attribute):
    counts = {}
    for story in stories:
        for obj in getattr(story, attribute).all():
            counts[obj.name] = counts.get(obj.name, 0) + 1
    return counts


@pytest.fixture
def tagged_stories():
    """Forty stories with random tags and sources (fixed seed), and a draft sharing them."""
    rng = random.Random(7)
    sources = [make_source(f"Agency {n}") for n in range(5)]
    names = [f"Topic {n}" for n in range(12)]
    now = timezone.now()
    for n in range(40):
        make_article(
            f"Story {n}",
            tags=rng.sample(names, rng.randint(1, 5)),
            sources=rng.sample(sources, rng.randint(1, 2)),
            published_at=now - datetime.timedelta(hours=n + 1),
        )
    make_draft("Draft", tags=names, sources=sources)
    return Article.objects.published()


class TestOrderedIds:
    def test_ids_come_in_the_querysets_order(self, tagged_stories):
        newest = tagged_stories.order_by("-published_at", "-pk")
        assert ordered_ids(newest) == [story.pk for story in newest]
        oldest = tagged_stories.order_by("published_at", "pk")
        assert ordered_ids(oldest) == [story.pk for story in oldest]

    def test_a_filter_that_cannot_match_gives_no_ids(self, tagged_stories):
        assert ordered_ids(tagged_stories.filter(pk__in=[])) == []
        assert ordered_ids(tagged_stories.none()) == []

    def test_ranked_ids_keep_the_ranking(self, committed):
        with committed():
            body = make_article("Minor", body="<p>A drought in the body.</p>")
            headline = make_article("Drought in the headline")
        ranked = get_engine().matching(Article.objects.published(), parse_query("drought"))
        assert ordered_ids(ranked) == [headline.pk, body.pk]


class TestFacetCounts:
    def test_tag_counts_equal_a_brute_force_count(self, tagged_stories):
        stories = list(tagged_stories.filter(tags__name="Topic 3"))
        ids = [story.pk for story in stories]
        facets = tag_facets(ids, limit=100)
        assert {tag.name: tag.story_count for tag in facets} == brute_force(stories, "tags")

    def test_source_counts_equal_a_brute_force_count(self, tagged_stories):
        stories = list(tagged_stories)
        facets = source_facets([story.pk for story in stories], limit=100)
        assert {s.name: s.story_count for s in facets} == brute_force(stories, "sources")

    def test_most_shared_first_then_by_name_and_limited(self, tagged_stories):
        stories = list(tagged_stories)
        counts = brute_force(stories, "tags")
        expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:4]
        facets = tag_facets([story.pk for story in stories], limit=4)
        assert [(tag.name, tag.story_count) for tag in facets] == expected

    def test_excluded_tags_are_left_out(self, tagged_stories):
        topic = Tag.objects.get(name="Topic 3")
        ids = ordered_ids(tagged_stories.filter(tags=topic))
        names = {tag.name for tag in tag_facets(ids, exclude=[topic], limit=100)}
        assert "Topic 3" not in names and names

    def test_ids_outside_the_list_are_not_counted(self, tagged_stories):
        one = tagged_stories.first()
        facets = tag_facets([one.pk], limit=100)
        assert {tag.name: tag.story_count for tag in facets} == {t.name: 1 for t in one.tags.all()}
        assert tag_facets([], limit=10) == [] and source_facets([], limit=10) == []

    def test_thousands_of_ids_travel_as_one_parameter(self, tagged_stories):
        """More ids than SQLite allows parameters in one statement, ids of no story included."""
        ids = [story.pk for story in tagged_stories] + list(range(10**7, 10**7 + 40_000))
        facets = tag_facets(ids, limit=100)
        assert {tag.name: tag.story_count for tag in facets} == brute_force(tagged_stories, "tags")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL storage setting only")
def test_postgresql_keeps_search_vectors_in_their_rows():
    """Ranking reads every match's vector: stored out of line it cost a TOAST lookup each."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'articles_searchdocument'::regclass AND attname = 'search_vector'"
        )
        assert cursor.fetchone() == ("m",)
