"""Each listed story under its tags and sources (`ListingLink`), and counts of listed stories in
all, per tag, source, tag pair and month (`ListingCount`), filled here from the listings."""

import datetime
from collections import Counter

import django.db.models.deletion
from django.db import migrations, models

import articles.search.models

BATCH = 2_000


def fill(apps, schema_editor):
    StoryListing = apps.get_model("articles", "StoryListing")
    ListingLink = apps.get_model("articles", "ListingLink")
    ListingCount = apps.get_model("articles", "ListingCount")
    counts = Counter()
    links = []
    rows = StoryListing.objects.order_by("pk").values_list(
        "article_id", "published_at", "tag_ids", "source_ids"
    )
    for article_id, published_at, tag_ids, source_ids in rows.iterator(chunk_size=BATCH):
        month = published_at.astimezone(datetime.UTC)
        counts["a", 0, 0] += 1
        counts["m", month.year * 100 + month.month, 0] += 1
        for kind, ids in (("t", tag_ids), ("s", source_ids)):
            for target in ids:
                counts[kind, target, 0] += 1
                links.append(ListingLink(article_id=article_id, kind=kind, target=target, published_at=published_at))
        for tag in tag_ids:
            for other in tag_ids:
                if tag != other:
                    counts["p", tag, other] += 1
            for source in source_ids:
                counts["x", tag, source] += 1
                counts["y", source, tag] += 1
        if len(links) >= BATCH:
            ListingLink.objects.bulk_create(links)
            links = []
    ListingLink.objects.bulk_create(links)
    now = datetime.datetime.now(datetime.UTC)
    ListingCount.objects.bulk_create(
        (
            ListingCount(kind=kind, target=target, other=other, listed=listed, changed_at=now)
            for (kind, target, other), listed in counts.items()
        ),
        batch_size=BATCH,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0009_story_listing_keyed_by_rowid'),
    ]

    operations = [
        migrations.CreateModel(
            name='ListingCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('a', 'every listed story'), ('t', 'stories with the tag'), ('s', 'stories from the source'), ('p', 'stories with both tags'), ('x', 'stories with the tag, from the source'), ('y', 'stories from the source, with the tag'), ('m', 'stories of a month (UTC)')], max_length=1)),
                ('target', models.BigIntegerField(default=0, help_text='A tag or source id, or a month (yyyymm).')),
                ('other', models.BigIntegerField(default=0, help_text='The second tag of a pair.')),
                ('listed', models.IntegerField(default=0)),
                ('changed_at', models.DateTimeField()),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('kind', 'target', 'other'), name='listing_count_once')],
            },
        ),
        migrations.CreateModel(
            name='ListingLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('t', 'tag'), ('s', 'source')], max_length=1)),
                ('target', models.BigIntegerField(help_text="The tag's or the source's id.")),
                ('published_at', models.DateTimeField()),
                ('article', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='articles.article')),
            ],
            options={
                'indexes': [models.Index(fields=['kind', 'target', '-published_at', '-article'], name='listing_link_newest')],
                'constraints': [models.UniqueConstraint(fields=('article', 'kind', 'target'), name='listing_link_once')],
            },
        ),
        # A story deleted for good leaves its listing for the change pipeline to take out of the
        # counts (it must know what the row held).
        migrations.AlterField(
            model_name='storylisting',
            name='article',
            field=articles.search.models.StoryKeyField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='listing', serialize=False, to='articles.article'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
