"""PostgreSQL: keep each story's search vector inside its row instead of in the TOAST table.

Ranking reads the vector of every match; fetched out of line (the default for values over 2 kB)
that cost a TOAST index lookup per match, about three times the rest of the work. With
STORAGE MAIN a vector stays in the row whenever it fits in a page, while the long texts (only
read for the page's highlights) still move out, so a row is small. Existing vectors are
rewritten once so that they move in. Nothing to do on SQLite.
"""

from django.db import migrations

STORED_INLINE = [
    "ALTER TABLE articles_searchdocument ALTER COLUMN search_vector SET STORAGE MAIN",
    # Concatenating the empty vector changes nothing but makes a new value, stored the new way.
    "UPDATE articles_searchdocument SET search_vector = search_vector || ''::tsvector "
    "WHERE search_vector IS NOT NULL",
]
STORED_OUT_OF_LINE = [
    "ALTER TABLE articles_searchdocument ALTER COLUMN search_vector SET STORAGE EXTENDED",
]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_tagged_article_by_tag_index"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(STORED_INLINE), _on_postgresql(STORED_OUT_OF_LINE)),
    ]
