"""The listing rows, their links under tags and sources, and the kept counts always agree with
the stories, whatever happened to them (articles/search/index.py)."""

import datetime
import random
from collections import Counter

import pytest
from django.utils import timezone

from articles.editorial import services
from articles.editorial.tagging import merge_tags, rename_tag
from articles.models import Article, Source, Tag
from articles.search import index
from articles.search.models import (
    Counted,
    ListingCount,
    ListingLink,
    StoryListing,
    contributions,
)

from ..helpers.factories import make_article, make_draft, make_editor, make_source

pytestmark = pytest.mark.django_db


def expected_state():
    """Listings, links and counts computed from scratch from the stories themselves."""
    listings, links, counts = {}, set(), Counter()
    for story in Article.objects.listed().prefetch_related("tags", "sources"):
        tags = sorted(tag.pk for tag in story.tags.all())
        sources = sorted(source.pk for source in story.sources.all())
        listings[story.pk] = (story.published_at, tags, sources)
        links |= {("t", tag, story.pk, story.published_at) for tag in tags}
        links |= {("s", source, story.pk, story.published_at) for source in sources}
        counts.update(contributions(story.published_at, tags, sources))
    return listings, links, +counts


def kept_state():
    listings = {
        pk: (at, tags, sources)
        for pk, at, tags, sources in StoryListing.objects.values_list(
            "article_id", "published_at", "tag_ids", "source_ids"
        )
    }
    links = set(ListingLink.objects.values_list("kind", "target", "article_id", "published_at"))
    counts = Counter(
        {
            (kind, target, other): listed
            for kind, target, other, listed in ListingCount.objects.values_list(
                "kind", "target", "other", "listed"
            )
        }
    )
    return listings, links, +counts


def test_kept_in_step_through_every_kind_of_change():
    rng = random.Random(7)
    editor = make_editor()
    tags = [Tag.objects.create(name=f"Topic {n}") for n in range(6)]
    sources = [make_source(f"Agency {n}") for n in range(3)]
    stories = [
        make_article(f"Story {n}", tags=rng.sample(tags, 3), sources=rng.sample(sources, 1))
        for n in range(12)
    ] + [make_draft(f"Draft {n}", tags=rng.sample(tags, 2)) for n in range(3)]
    assert kept_state() == expected_state()

    for step in range(60):
        story = Article.objects.get(pk=rng.choice(stories).pk)
        action = rng.randrange(9)
        if action == 0:
            story.tags.add(rng.choice(tags))
        elif action == 1 and story.tags.exists():
            story.tags.remove(rng.choice(list(story.tags.all())))
        elif action == 2:
            story.sources.set(rng.sample(sources, rng.randint(0, 2)))
        elif action == 3 and story.status != Article.Status.PUBLISHED:
            services.publish_article(article=story, user=editor)
        elif action == 4 and story.status == Article.Status.PUBLISHED:
            services.unpublish_article(article=story, user=editor)
        elif action == 5 and story.status != Article.Status.PUBLISHED:
            at = timezone.now() + datetime.timedelta(hours=rng.randint(1, 48))
            services.schedule_article(article=story, user=editor, at=at)
        elif action == 6:
            if story.deleted_at is None:
                services.delete_article(article=story, user=editor)
            else:
                services.recover_article(article=story, user=editor)
        elif action == 7:
            story.headline = f"Edited at step {step}"
            services.save_article(article=story, user=editor)
        elif action == 8:
            story.published_at = story.published_at and story.published_at - datetime.timedelta(
                days=rng.randint(1, 90)
            )
            story.save()
        assert kept_state() == expected_state(), f"step {step}, action {action}"

    rename_tag(tags[0], new_name="Renamed topic")
    merge_tags(tags[1:3], into=tags[3], user=editor)
    Tag.objects.get(pk=tags[4].pk).delete()
    Source.objects.get(pk=sources[0].pk).delete()
    Article.objects.get(pk=stories[0].pk).delete()
    assert kept_state() == expected_state()


def test_rebuild_recomputes_damaged_counts_and_links():
    make_article("One", tags=["Mali", "Niger"], sources=[make_source("Reuters")])
    make_article("Two", tags=["Mali"])
    ListingCount.objects.filter(kind=Counted.TAG).update(listed=99)
    ListingLink.objects.all().delete()
    index.rebuild_index()
    assert kept_state() == expected_state()


def test_due_counts_leave_out_scheduled_stories():
    mali = Tag.objects.create(name="Mali")
    make_article("Out now", tags=[mali])
    make_article("Tonight", tags=[mali], published_at=timezone.now() + datetime.timedelta(hours=3))
    assert ListingCount.objects.get(kind=Counted.TAG, target=mali.pk).listed == 2
    assert ListingCount.objects.due(Counted.TAG, [mali.pk]) == {mali.pk: 1}
    assert ListingCount.objects.due(Counted.ALL) == {0: 1}
