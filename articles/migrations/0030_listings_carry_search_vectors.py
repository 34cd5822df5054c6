"""PostgreSQL: each listing carries a copy of its story's search vector, kept in the row and
GIN-indexed, so that the public search reads one table.

A search for a common word walks the listings newest first and checks each one's vector. With
the vector in the search document, that was a join per row and a row of another table (and, for
a vector over 2 kB, a TOAST fetch): about three times the rest of the work. The rows keep their
vectors uncompressed up to a page (`toast_tuple_target`, STORAGE MAIN), so checking one is a
binary search in memory. Existing listings get theirs from the documents here; the GIN index
is built after, in one pass. Nothing to do on SQLite, where FTS5 indexes the documents.
"""

import django.contrib.postgres.search
from django.db import migrations

IN_THE_ROW = [
    "ALTER TABLE articles_storylisting ALTER COLUMN search_vector SET STORAGE MAIN",
    "ALTER TABLE articles_storylisting SET (toast_tuple_target = 8160)",
    "UPDATE articles_storylisting AS listing SET search_vector = document.search_vector "
    "FROM articles_searchdocument AS document WHERE document.article_id = listing.article_id",
    "CREATE INDEX listing_search_vector ON articles_storylisting USING gin (search_vector)",
]
BACK = [
    "DROP INDEX IF EXISTS listing_search_vector",
    "ALTER TABLE articles_storylisting RESET (toast_tuple_target)",
]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0029_remember_agency_kills"),
    ]

    operations = [
        migrations.AddField(
            model_name="storylisting",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(_on_postgresql(IN_THE_ROW), _on_postgresql(BACK)),
        # The joins a listing made to find its text. They have no column, so only the state
        # changes (SQLite's schema editor fails on removing a ForeignObject).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="storylisting", name="search_document"),
                migrations.RemoveField(model_name="storylisting", name="sqlite_search_index"),
            ]
        ),
    ]
