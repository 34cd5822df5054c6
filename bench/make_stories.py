"""Add N synthetic published stories (tags, sources, searchable words) for the load benchmark.

Usage: python bench/make_stories.py N   (with the same environment as manage.py)
"""

import datetime
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article, Source, Tag, TaggedArticle  # noqa: E402
from articles.search.index import rebuild_index  # noqa: E402

WORDS = [
    "government",
    "minister",
    "election",
    "army",
    "ceasefire",
    "drought",
    "harvest",
    "river",
    "border",
    "market",
    "currency",
    "inflation",
    "parliament",
    "court",
    "protest",
    "school",
    "hospital",
    "vaccine",
    "port",
    "railway",
    "mining",
    "gold",
    "cotton",
    "bank",
    "treaty",
    "summit",
    "delegation",
    "refugees",
    "rainfall",
    "flood",
    "festival",
]
PLACES = ["Mali", "Niger", "Senegal", "Ghana", "Kenya", "Ethiopia", "Nigeria", "Chad", "Sudan"]
TOPICS = ["Politics", "Economy", "Security", "Health", "Climate", "Culture", "Sport", "Energy"]


def sentence(rng: random.Random, words: int = 14) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def main(count: int) -> None:
    rng = random.Random(20261128)
    sources = [Source.get_or_create_by_name(f"Agency {n}") for n in range(1, 11)]
    tags = [Tag.objects.get_or_create(name=name)[0] for name in PLACES + TOPICS]
    now = timezone.now()
    stories = []
    for n in range(count):
        place = rng.choice(PLACES)
        headline = f"{place}: {sentence(rng, 7)[:-1]} ({n})"
        body = "".join(f"<p>{sentence(rng)} {sentence(rng)}</p>" for _ in range(6))
        stories.append(
            Article(
                headline=headline,
                slug=f"synthetic-story-{n}",
                standfirst=sentence(rng, 20),
                body=body,
                byline="Bench Reporter",
                status=Article.Status.PUBLISHED,
                published_at=now - datetime.timedelta(minutes=17 * (n + 1)),
            )
        )
    with transaction.atomic():
        created = Article.objects.bulk_create(stories, batch_size=500)
        links, through = [], Article.sources.through
        for story in created:
            for tag in rng.sample(tags, 3):
                links.append(TaggedArticle(content_object=story, tag=tag))
        TaggedArticle.objects.bulk_create(links, batch_size=1000)
        through.objects.bulk_create(
            [through(article=story, source=rng.choice(sources)) for story in created],
            batch_size=1000,
        )
    rebuild_index()
    print(f"Added {len(created)} synthetic stories.")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
