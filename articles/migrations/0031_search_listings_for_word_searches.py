"""PostgreSQL: the copies of the search vectors move from the listings to search listings of
their own, so that the listings are narrow again.

Migration 0030 put each story's vector in its listing: word searches read one table, but a
search by tags alone then read 3 kB rows for each of its up to 10,000 matches (at 1,000,000
stories, two tags went from 137 to 230 ms). Word searches now read `SearchListing`, a copy of
the listing with the vector (kept whole in the row, GIN-indexed with its tag and source
copies); everything else reads the narrow `StoryListing`. The listings table is rewritten
(CLUSTER, in time order) to give back the space the dropped column held. Nothing to copy on
SQLite, where FTS5 indexes the documents.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

import articles.search.models

SEARCH_LISTINGS = [
    "ALTER TABLE articles_searchlisting ALTER COLUMN search_vector SET STORAGE MAIN",
    "ALTER TABLE articles_searchlisting SET (toast_tuple_target = 8160)",
    "INSERT INTO articles_searchlisting "
    "(article_id, published_at, expires_at, language, tag_ids, source_ids, search_vector) "
    "SELECT listing.article_id, listing.published_at, listing.expires_at, listing.language, "
    "listing.tag_ids, listing.source_ids, document.search_vector "
    "FROM articles_storylisting AS listing JOIN articles_searchdocument AS document "
    "ON document.article_id = listing.article_id",
    *(
        f"CREATE INDEX search_listing_{column} ON articles_searchlisting USING gin ({column})"
        for column in ("tag_ids", "source_ids", "search_vector")
    ),
    "ANALYZE articles_searchlisting",
]
NARROW_LISTINGS = [
    "CLUSTER articles_storylisting USING listing_newest_first",
    "ANALYZE articles_storylisting",
]
VECTORS_BACK_IN_LISTINGS = [
    "ALTER TABLE articles_storylisting ALTER COLUMN search_vector SET STORAGE MAIN",
    "UPDATE articles_storylisting AS listing SET search_vector = search.search_vector "
    "FROM articles_searchlisting AS search WHERE search.article_id = listing.article_id",
    "CREATE INDEX listing_search_vector ON articles_storylisting USING gin (search_vector)",
]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0030_listings_carry_search_vectors"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchListing",
            fields=[
                ("published_at", models.DateTimeField()),
                ("expires_at", models.DateTimeField(db_index=True, null=True)),
                ("language", models.CharField(default="en", max_length=12)),
                (
                    "tag_ids",
                    articles.search.models.IdListField(blank=True, default=list, editable=False),
                ),
                (
                    "source_ids",
                    articles.search.models.IdListField(blank=True, default=list, editable=False),
                ),
                (
                    "article",
                    articles.search.models.StoryKeyField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_listing",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                (
                    "search_vector",
                    django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["-published_at", "-article"], name="search_listing_newest"),
                    models.Index(
                        fields=["language", "-published_at", "-article"],
                        name="search_listing_language",
                    ),
                ],
            },
        ),
        migrations.RunPython(
            _on_postgresql(SEARCH_LISTINGS), _on_postgresql(VECTORS_BACK_IN_LISTINGS)
        ),
        migrations.RemoveField(model_name="storylisting", name="search_vector"),
        migrations.RunPython(_on_postgresql(NARROW_LISTINGS), migrations.RunPython.noop),
    ]
