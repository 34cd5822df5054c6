"""On SQLite, the story listings' key becomes the table's rowid (`StoryKeyField`): SQLite
rebuilds the table; on PostgreSQL only the foreign key constraint is re-created."""

import articles.search.models
import django.db.models.deletion
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_story_listing"),
    ]

    operations = [
        migrations.AlterField(
            model_name="storylisting",
            name="article",
            field=articles.search.models.StoryKeyField(
                on_delete=django.db.models.deletion.CASCADE,
                primary_key=True,
                related_name="listing",
                serialize=False,
                to="articles.article",
            ),
        ),
    ]
