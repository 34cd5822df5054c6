"""Story listings: each published (or scheduled), undeleted story's time and copies of its tag
and source links in one narrow row, for the tag pages and searches that count and facet
thousands of stories (see `StoryListing`). Existing stories get theirs here; on PostgreSQL, GIN
indexes answer "has all of these tags" (`tag_ids @> '{3,5}'`).
"""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models

import articles.search.models

GIN_INDEXES = [
    f"CREATE INDEX listing_{column} ON articles_storylisting USING gin ({column})"
    for column in ("tag_ids", "source_ids")
]
DROP_GIN_INDEXES = [f"DROP INDEX IF EXISTS listing_{column}" for column in ("tag_ids", "source_ids")]
BATCH = 2_000


def list_published_stories(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    StoryListing = apps.get_model("articles", "StoryListing")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")
    ArticleSources = Article.sources.through
    listed = Article.objects.filter(
        status="published", published_at__isnull=False, deleted_at__isnull=True
    ).order_by("pk")
    rows = list(listed.values_list("pk", "published_at"))
    for start in range(0, len(rows), BATCH):
        batch = dict(rows[start : start + BATCH])
        tags, sources = defaultdict(list), defaultdict(list)
        links = TaggedArticle.objects.filter(content_object_id__in=batch)
        for article_id, tag_id in links.values_list("content_object_id", "tag_id"):
            tags[article_id].append(tag_id)
        links = ArticleSources.objects.filter(article_id__in=batch)
        for article_id, source_id in links.values_list("article_id", "source_id"):
            sources[article_id].append(source_id)
        StoryListing.objects.bulk_create(
            StoryListing(article_id=pk, published_at=at, tag_ids=tags[pk], source_ids=sources[pk])
            for pk, at in batch.items()
        )


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_search_vector_stored_inline"),
    ]

    operations = [
        migrations.CreateModel(
            name="StoryListing",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="listing",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                ("published_at", models.DateTimeField()),
                ("tag_ids", articles.search.models.IdListField(blank=True, default=list, editable=False)),
                (
                    "source_ids",
                    articles.search.models.IdListField(blank=True, default=list, editable=False),
                ),
                (
                    "search_document",
                    models.ForeignObject(
                        from_fields=["article"],
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="articles.searchdocument",
                        to_fields=["article"],
                    ),
                ),
                (
                    "sqlite_search_index",
                    models.ForeignObject(
                        from_fields=["article"],
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="articles.sqlitesearchindex",
                        to_fields=["article"],
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["-published_at", "-article"], name="listing_newest_first"
                    )
                ],
            },
        ),
        migrations.RunPython(list_published_stories, migrations.RunPython.noop),
        migrations.RunPython(_on_postgresql(GIN_INDEXES), _on_postgresql(DROP_GIN_INDEXES)),
    ]
