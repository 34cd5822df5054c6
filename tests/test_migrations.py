"""Upgrading a database that already holds stories: the data migrations must carry them along."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from articles.models import Article
from articles.search.engines import get_engine
from articles.search.query import parse_query

BEFORE_SEARCH = [("articles", "0002_image_renditions")]


@pytest.fixture
def database_at_foundation(transactional_db):
    """The schema as the first release left it, with a tagged, published story in it."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_SEARCH)
    apps = executor.loader.project_state(BEFORE_SEARCH).apps
    OldArticle = apps.get_model("articles", "Article")
    OldTag = apps.get_model("articles", "Tag")
    OldTaggedArticle = apps.get_model("articles", "TaggedArticle")
    story = OldArticle.objects.create(
        headline="Helicopters land in Bamako",
        slug="helicopters-land-in-bamako",
        body="<p>A cargo plane delivered them.</p>",
        status="published",
        published_at=datetime.datetime(2021, 10, 1, 9, tzinfo=datetime.UTC),
    )
    # Two spellings of one tag, as the first release could store them.
    for number, name in enumerate(["Mali", "MALI ", "Wagner Group"]):
        tag = OldTag.objects.create(name=name, slug=f"old-tag-{number}")
        OldTaggedArticle.objects.create(tag=tag, content_object=story)
    yield story.pk
    call_command("migrate", verbosity=0)  # leave the schema complete for the next test


def test_upgrade_indexes_existing_stories_with_their_tags(database_at_foundation):
    call_command("migrate", verbosity=0)
    article = Article.objects.get(pk=database_at_foundation)
    assert sorted(tag.name for tag in article.tags.all()) == ["Mali", "Wagner Group"]
    for words in ["helicopters", "wagner"]:  # a body word, and a tag
        found = get_engine().matching(Article.objects.published(), parse_query(words))
        assert list(found.values_list("pk", flat=True)) == [article.pk]
