import datetime
from pathlib import Path

from django.core.management.base import BaseCommand

from articles.models import Article
from articles.wire.importing import external_id_of, import_parsed
from articles.wire.text import parse_wire

SEED_FILE = Path(__file__).resolve().parents[2] / "seed" / "000_cd1a546ec4361aab.txt"
# The day the agencies ran the story.
SEED_PUBLISHED_AT = datetime.datetime(2021, 10, 1, 9, 0, tzinfo=datetime.UTC)
SEED_TAGS = ["Mali", "Russia", "France", "Wagner Group", "Sahel", "Africa"]


class Command(BaseCommand):
    help = "Load the first story (an agency wire story about Mali), published. Safe to re-run."

    def handle(self, *args, **options):
        story = parse_wire(SEED_FILE.read_bytes())
        existing = Article.objects.filter(external_id=external_id_of(story)).first()
        if existing:
            self.stdout.write(
                f"Seed story already loaded: “{existing.headline}” (id {existing.pk})."
            )
            return
        result = import_parsed(story, publish=True, published_at=SEED_PUBLISHED_AT, tags=SEED_TAGS)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the seed story “{result.article.headline}” at "
                f"{result.article.get_absolute_url()}"
            )
        )
