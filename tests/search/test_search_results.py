"""The result-set helpers behind the search and tag pages: one query per search gives the ids and
the facet counts, which equal a brute-force count (on whichever database the suite uses), and the
copies of tag and source links on story rows that make that possible stay true."""

import datetime
import itertools
import random
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from articles.editorial import services
from articles.editorial.tagging import merge_tags
from articles.models import Article, Source, Tag, TaggedArticle
from articles.search import index, results
from articles.search.engines import get_engine
from articles.search.index import rebuild_index
from articles.search.models import SearchListing, StoryListing
from articles.search.query import parse_query
from articles.search.results import find, source_facets, tag_facets

from ..helpers.factories import make_article, make_draft, make_editor, make_source

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


def listings_of(stories):
    return StoryListing.objects.filter(pk__in=stories.values("pk"))


def ids(stories):
    return find(stories).ids


class TestFind:
    def test_ids_come_newest_first(self, tagged_stories):
        newest = tagged_stories.order_by("-published_at", "-pk")
        assert ids(listings_of(tagged_stories).order_by("pk")) == [s.pk for s in newest]

    def test_beyond_the_exact_limit_the_newest_are_kept_and_the_rest_said(
        self, tagged_stories, monkeypatch
    ):
        monkeypatch.setattr(results, "EXACT_UP_TO", 10)
        matches = find(listings_of(tagged_stories))
        newest = list(tagged_stories.order_by("-published_at", "-pk")[:10])
        assert matches.more
        assert matches.ids == [s.pk for s in newest]
        by_hand = Counter(str(t.pk) for s in newest for t in s.tags.all())
        assert matches.tag_counts == by_hand
        monkeypatch.setattr(results, "EXACT_UP_TO", 40)
        assert not find(listings_of(tagged_stories)).more

    def test_a_filter_that_cannot_match_gives_no_ids(self, tagged_stories):
        listings = StoryListing.objects.due()
        assert ids(listings.filter(pk__in=[])) == []
        assert ids(listings.none()) == []
        assert tag_facets(find(listings.none()), limit=10) == []

    def test_ranked_ids_keep_the_ranking(self, committed):
        with committed():
            yesterday = timezone.now() - datetime.timedelta(days=1)
            body = make_article(
                "Minor", body="<p>A drought in the body.</p>", published_at=yesterday
            )
            headline = make_article(
                "Drought in the headline", published_at=yesterday - datetime.timedelta(hours=1)
            )
        query = parse_query("drought")
        engine = get_engine()
        matching = engine.matching(engine.listings(query).due(), query)
        assert find(matching, query=query, ranked=True).ids == [headline.pk, body.pk]
        assert find(matching, query=query).ids == [body.pk, headline.pk]  # newest first

    @pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 ranking bound only")
    def test_too_many_matches_to_rank_at_once_are_newest_first(self, committed, monkeypatch):
        with committed():
            yesterday = timezone.now() - datetime.timedelta(days=1)
            body = make_article("Minor", body="<p>A drought.</p>", published_at=yesterday)
            headline = make_article(
                "Drought in the headline", published_at=yesterday - datetime.timedelta(hours=1)
            )
        query = parse_query("drought")
        engine = get_engine()
        matching = engine.matching(engine.listings(query).due(), query)
        monkeypatch.setattr(get_engine(), "RANK_ALL_UP_TO", 2)
        assert find(matching, query=query, ranked=True).ranked
        monkeypatch.setattr(get_engine(), "RANK_ALL_UP_TO", 1)
        found = find(matching, query=query, ranked=True)
        assert not found.ranked and found.ids == [body.pk, headline.pk]


class TestFacetCounts:
    def test_tag_counts_equal_a_brute_force_count(self, tagged_stories):
        topic = tagged_stories.filter(tags__name="Topic 3")
        facets = tag_facets(find(listings_of(topic)), limit=100)
        assert {tag.name: tag.story_count for tag in facets} == brute_force(topic, "tags")

    def test_source_counts_equal_a_brute_force_count(self, tagged_stories):
        facets = source_facets(find(listings_of(tagged_stories)), limit=100)
        assert {s.name: s.story_count for s in facets} == brute_force(tagged_stories, "sources")

    def test_most_shared_first_then_by_name_and_limited(self, tagged_stories):
        counts = brute_force(tagged_stories, "tags")
        expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:4]
        facets = tag_facets(find(listings_of(tagged_stories)), limit=4)
        assert [(tag.name, tag.story_count) for tag in facets] == expected

    def test_excluded_tags_are_left_out(self, tagged_stories):
        topic = Tag.objects.get(name="Topic 3")
        matches = find(listings_of(tagged_stories.filter(tags=topic)))
        names = {tag.name for tag in tag_facets(matches, exclude=[topic], limit=100)}
        assert "Topic 3" not in names and names

    def test_only_the_matches_are_counted(self, tagged_stories):
        one = tagged_stories.first()
        facets = tag_facets(find(StoryListing.objects.filter(pk=one.pk)), limit=100)
        assert {tag.name: tag.story_count for tag in facets} == {t.name: 1 for t in one.tags.all()}

    def test_a_tag_deleted_since_is_not_shown(self, tagged_stories):
        matches = find(listings_of(tagged_stories))
        Tag.objects.filter(name="Topic 3").delete()
        assert "Topic 3" not in {tag.name for tag in tag_facets(matches, limit=100)}


class TestStoryListings:
    """A `StoryListing` per published or scheduled, undeleted story, with copies of its links,
    rewritten in the same transaction as every change; lists read them."""

    def listing(self, story):
        listing = StoryListing.objects.filter(pk=story.pk).first()
        return listing and (set(listing.tag_ids), set(listing.source_ids))

    def links(self, story):
        story = Article.objects.get(pk=story.pk)
        return {t.pk for t in story.tags.all()}, {s.pk for s in story.sources.all()}

    def test_listed_exactly_while_published_or_scheduled_and_not_deleted(self):
        editor = make_editor()
        story = make_draft("Story", tags=["Mali"])
        assert self.listing(story) is None
        services.publish_article(article=story, user=editor)
        assert self.listing(story) == self.links(story)
        assert list(StoryListing.objects.due().values_list("pk", flat=True)) == [story.pk]
        services.unpublish_article(article=story, user=editor)
        assert self.listing(story) is None
        later = timezone.now() + datetime.timedelta(hours=2)
        services.schedule_article(article=story, user=editor, at=later)
        assert self.listing(story) == self.links(story)
        assert not StoryListing.objects.due().exists()  # listed, but not due yet
        services.publish_article(article=story, user=editor)
        services.delete_article(article=story, user=editor)
        assert self.listing(story) is None
        services.recover_article(article=story, user=editor)
        assert self.listing(story) == self.links(story)
        story.delete()
        assert not StoryListing.objects.exists()

    def test_due_listings_are_the_published_stories(self, tagged_stories):
        make_article("Scheduled", published_at=timezone.now() + datetime.timedelta(days=1))
        make_article("Trashed", deleted_at=timezone.now())
        make_article("Unpublished", status=Article.Status.UNPUBLISHED)
        due = set(StoryListing.objects.due().values_list("pk", flat=True))
        assert due == set(tagged_stories.values_list("pk", flat=True)) and len(due) == 40

    def test_adding_removing_and_clearing_tags_and_sources(self):
        agency, other = make_source("Agency"), make_source("Other")
        story = make_article("Story", tags=["Mali", "Niger"], sources=[agency])
        assert self.listing(story) == self.links(story) and len(self.listing(story)[0]) == 2
        story.tags.add("Chad")
        story.sources.add(other)
        assert self.listing(story) == self.links(story)
        story.tags.remove("Mali")
        story.sources.remove(agency)
        assert self.listing(story) == self.links(story)
        story.tags.clear()
        agency.articles.add(story)  # from the other side of the relation
        assert self.listing(story) == (set(), {agency.pk, other.pk})

    def test_deleting_and_merging_tags_and_deleting_sources(self):
        agency = make_source("Agency")
        story = make_article("Story", tags=["Mali", "Niger", "Chad"], sources=[agency])
        Tag.objects.get(name="Chad").delete()
        assert self.listing(story) == self.links(story) and len(self.listing(story)[0]) == 2
        merge_tags([Tag.objects.get(name="Niger")], into=Tag.objects.get(name="Mali"))
        assert self.listing(story) == ({Tag.objects.get(name="Mali").pk}, {agency.pk})
        agency.delete()
        assert (
            self.listing(story) == self.links(story) == ({Tag.objects.get(name="Mali").pk}, set())
        )

    def test_a_link_made_directly_is_copied(self):
        story = make_article("Story")
        TaggedArticle.objects.create(content_object=story, tag=Tag.objects.create(name="Mali"))
        assert self.listing(story) == self.links(story) != (set(), set())

    def test_thousands_of_stories_are_refreshed_in_batches(self):
        """A merge of a big tag touches thousands of stories: more than SQLite takes as
        parameters of one statement on older versions, in one refresh."""
        now = timezone.now()
        tag = Tag.objects.create(name="Mali")
        stories = Article.objects.bulk_create(
            Article(headline=f"Story {n}", slug=f"story-{n}", status="published", published_at=now)
            for n in range(2_500)
        )
        TaggedArticle.objects.bulk_create(
            TaggedArticle(content_object=story, tag=tag) for story in stories
        )
        assert not StoryListing.objects.exists()  # bulk writes send no signals
        index.refresh_listings(list(Article.objects.values_list("pk", flat=True)))
        assert StoryListing.objects.filter(tag_ids=[tag.pk]).count() == 2_500

    def test_the_rebuild_repairs_listings(self, tagged_stories):
        expected = {listing.pk: listing.tag_ids for listing in StoryListing.objects.all()}
        StoryListing.objects.all().delete()
        make_draft("Stray draft")  # no listing
        rebuild_index()
        assert {listing.pk: listing.tag_ids for listing in StoryListing.objects.all()} == expected

    def test_filters_on_the_copies_agree_with_the_links(self, tagged_stories):
        engine = get_engine()
        topic3, topic5 = Tag.objects.get(name="Topic 3"), Tag.objects.get(name="Topic 5")
        listings = StoryListing.objects.due()

        def ids(queryset):
            return set(queryset.values_list("pk", flat=True))

        both = engine.having_all(listings, "tags", [topic3, topic5])
        assert ids(both) == ids(tagged_stories.filter(tags=topic3).filter(tags=topic5)) != set()
        # Every combination of up to three topics, in either order, and of two sources.
        topics = list(Tag.objects.filter(name__startswith="Topic "))
        for combination in [
            *itertools.permutations(topics[:5], 2),
            *itertools.combinations(topics, 3),
        ]:
            expected = tagged_stories
            for topic in combination:
                expected = expected.filter(tags=topic)
            assert ids(engine.having_all(listings, "tags", combination)) == ids(expected)
        two_agencies = list(Source.objects.filter(name__in=["Agency 1", "Agency 3"]))
        expected = tagged_stories.filter(sources=two_agencies[0]).filter(sources=two_agencies[1])
        assert ids(engine.having_all(listings, "sources", two_agencies)) == ids(expected) != set()
        neither = engine.having_none(listings, "tags", [topic3, topic5])
        assert ids(neither) == ids(tagged_stories.exclude(tags__in=[topic3, topic5])) != set()
        agency = Source.objects.get(name="Agency 2")
        from_agency = engine.having_all(listings, "sources", [agency])
        assert ids(from_agency) == ids(tagged_stories.filter(sources=agency)) != set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL storage setting only")
def test_postgresql_keeps_search_vectors_in_their_rows():
    """Ranking reads every match's vector: stored out of line it cost a TOAST lookup each."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'articles_searchdocument'::regclass AND attname = 'search_vector'"
        )
        assert cursor.fetchone() == ("m",)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's search listings only")
def test_postgresql_word_searches_read_search_listings_with_the_vector_in_the_row():
    """A word search walks the search listings checking each one's own vector: no join to the
    documents, and the vector stored whole in the row (no TOAST fetch, no decompression). A
    search without words reads the listings, which stay narrow."""
    engine = get_engine()
    # Some 400 different words: a vector of several kilobytes.
    long_body = " ".join(f"<p>Berth{n} quay{n} tide{n} ferry{n}.</p>" for n in range(100))
    story = make_article("Harbour pilots strike", body=long_body, tags=["Ports"])
    query = parse_query("pilots")
    sql = str(engine.matching(engine.listings(query), query).query)
    assert "searchdocument" not in sql and "storylisting" not in sql
    assert "searchlisting" not in str(engine.listings(parse_query("")).query)
    with pytest.raises(TypeError):
        engine.matching(StoryListing.objects.all(), query)  # would filter nothing by words
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_size(search_vector), pg_column_size(search_vector || ''::tsvector) "
            "FROM articles_searchlisting WHERE article_id = %s",
            [story.pk],
        )
        stored, whole = cursor.fetchone()
        cursor.execute(
            "SELECT pg_column_size(listing.*) FROM articles_storylisting AS listing "
            "WHERE article_id = %s",
            [story.pk],
        )
        (listing_bytes,) = cursor.fetchone()
    assert stored == whole > 2000  # over the default TOAST threshold, yet neither moved nor packed
    assert listing_bytes < 200

    story.headline = "Harbour pilots end their strike"
    story.save()
    query = parse_query("end strike")
    found = find(engine.matching(engine.listings(query).due(), query))
    assert list(found.ids) == [story.pk]  # the copy follows the story
    copied = SearchListing.objects.values_list("tag_ids", "published_at").get(pk=story.pk)
    assert copied == (story.listing.tag_ids, story.listing.published_at)

    story.status = Article.Status.UNPUBLISHED
    story.save()
    assert not SearchListing.objects.filter(pk=story.pk).exists()  # unlisted, uncopied


def test_story_listings_are_keyed_by_the_story_id_itself():
    """On SQLite an `integer` primary key is the table's rowid, so looking a listing up by story
    is one b-tree search; on PostgreSQL the key is a bigint like the story's id."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT lower(type), pk FROM pragma_table_info('articles_storylisting') "
                "WHERE name = 'article_id'"
            )
            assert cursor.fetchone() == ("integer", 1)
        else:
            cursor.execute(
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_name = 'articles_storylisting' AND column_name = 'article_id'"
            )
            assert cursor.fetchone() == ("bigint",)
