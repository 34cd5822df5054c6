"""Search benchmark (not a test): latency of the tag and search pages over N synthetic stories.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/search.py --stories 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/search.py

Fills the database named by DATABASE_URL (migrating it first) with N published stories of 5-8
paragraphs and 3-6 tags each from a vocabulary of ~2,000 (skipped when it already holds N),
builds the search index with the real `rebuild_index`, then requests each page through Django's
test client, uncached (PAGE_CACHE_SECONDS=0), and prints p50/p95 latency and SQL queries per
request. Use a database of its own: it adds stories to whatever is there.
"""

import argparse
import datetime
import itertools
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DJANGO_ENV", "test")
os.environ.setdefault("DEBUG", "false")
os.environ["PAGE_CACHE_SECONDS"] = "0"  # measure the pages, not the page cache

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article, Source, Tag, TaggedArticle, tag_name_key  # noqa: E402
from articles.search import rebuild_index  # noqa: E402

TAG_VOCABULARY = 2_000
BATCH = 2_000
COMMON_WORDS = """
    government minister president election security military army police court talks agreement
    report economy market prices energy water drought harvest border refugees protest strike
    health hospital school students bridge council budget taxes trade exports mining gold oil gas
    helicopters weapons aircraft ceasefire peace attack convoy village capital region province
    journalists statement officials spokesperson
""".split()  # noqa: SIM905 - easier to read and edit as prose


def make_words(rng: random.Random, count: int) -> list[str]:
    """Pronounceable made-up words: a long tail of rare terms, like names in real news."""
    consonants, vowels = "bcdfghjklmnprstvwz", "aeiou"
    words = set()
    while len(words) < count:
        length = rng.randint(2, 4)
        words.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(length)))
    return sorted(words)


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.vocabulary = COMMON_WORDS + make_words(self.rng, 20_000)
        # Zipf-like weights: a few words are everywhere, most are rare.
        self.word_weights = list(
            itertools.accumulate(1 / (rank + 1) for rank in range(len(self.vocabulary)))
        )
        self.tag_weights = list(
            itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(TAG_VOCABULARY))
        )

    def words(self, n: int) -> str:
        return " ".join(self.rng.choices(self.vocabulary, cum_weights=self.word_weights, k=n))

    def sentence(self) -> str:
        text = self.words(self.rng.randint(8, 18))
        return text[0].upper() + text[1:] + "."

    def paragraph(self) -> str:
        return "<p>" + " ".join(self.sentence() for _ in range(self.rng.randint(2, 4))) + "</p>"

    def tag_indexes(self) -> set[int]:
        chosen = set()
        wanted = self.rng.randint(3, 6)
        while len(chosen) < wanted:
            chosen.add(self.rng.choices(range(TAG_VOCABULARY), cum_weights=self.tag_weights)[0])
        return chosen


def generate(total: int, seed: int) -> None:
    existing = Article.objects.count()
    if existing >= total:
        print(f"The database already holds {existing:,} stories; not generating more.")
        return
    gen = Generator(seed)
    with transaction.atomic():
        names = [
            f"{gen.words(1).title()} {gen.words(1).title()} {n}" for n in range(TAG_VOCABULARY)
        ]
        Tag.objects.bulk_create(
            [
                Tag(name=name, slug=f"bench-{n}", name_key=tag_name_key(name))
                for n, name in enumerate(names)
            ],
            ignore_conflicts=True,
        )
        Source.objects.bulk_create(
            [Source(name=f"Agency {n}", slug=f"bench-agency-{n}") for n in range(20)],
            ignore_conflicts=True,
        )
    tag_ids = list(
        Tag.objects.filter(slug__startswith="bench-").order_by("pk").values_list("pk", flat=True)
    )
    source_ids = list(
        Source.objects.filter(slug__startswith="bench-agency-").values_list("pk", flat=True)
    )
    now = timezone.now()
    started = time.monotonic()
    for start in range(existing, total, BATCH):
        size = min(BATCH, total - start)
        with transaction.atomic():
            articles = Article.objects.bulk_create(
                [
                    Article(
                        headline=gen.words(gen.rng.randint(5, 10)).capitalize(),
                        slug=f"bench-story-{start + n}",
                        standfirst=gen.sentence() + " " + gen.sentence(),
                        body="".join(gen.paragraph() for _ in range(gen.rng.randint(5, 8))),
                        status=Article.Status.PUBLISHED,
                        published_at=now
                        - datetime.timedelta(minutes=gen.rng.randint(10, 3 * 525_600)),
                    )
                    for n in range(size)
                ]
            )
            TaggedArticle.objects.bulk_create(
                [
                    TaggedArticle(content_object=article, tag_id=tag_ids[i])
                    for article in articles
                    for i in gen.tag_indexes()
                ]
            )
            Article.sources.through.objects.bulk_create(
                [
                    Article.sources.through(
                        article_id=article.pk, source_id=gen.rng.choice(source_ids)
                    )
                    for article in articles
                ]
            )
        done = start + size
        print(f"\rGenerated {done:,}/{total:,} stories ({time.monotonic() - started:.0f}s)", end="")
    print()


def progress(done: int, total: int) -> None:
    print(f"\rIndexed {done:,}/{total:,} stories", end="" if done < total else "\n")


def measure(client: Client, url: str, repeat: int) -> tuple[list[float], set[int], int]:
    for _ in range(3):  # warm up the connection and the database's caches
        client.get(url)
    timings, query_counts = [], set()
    status = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - began) * 1000)
        status = response.status_code
        query_counts.add(len(queries))
    return timings, query_counts, status


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--stories", type=int, default=100_000, help="stories to generate (default 100,000)"
    )
    parser.add_argument(
        "--repeat", type=int, default=50, help="timed requests per page (default 50)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-index", action="store_true", help="reuse an existing search index")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    generate(args.stories, args.seed)
    if not args.skip_index:
        began = time.monotonic()
        rebuild_index(batch_size=1000, progress=progress)
        print(f"Search index rebuilt in {time.monotonic() - began:.0f}s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    published = Article.objects.published().count()
    # A popular tag, a pair of tags that occur together, and a word of middling frequency.
    top = list(
        Tag.objects.annotate(n=Count("tagged_articles"))
        .order_by("-n")
        .values_list("slug", "n")[:40]
    )
    first, second = top[0][0], top[1][0]
    common = COMMON_WORDS[25]  # in about half of all stories: the worst case for ranking
    rarer = Generator(args.seed).vocabulary[1500]  # in a few percent of the stories
    phrase = f"{COMMON_WORDS[0]} {COMMON_WORDS[1]}"
    pages = {
        f"tag page (/tags/{top[5][0]}/, {top[5][1]:,} stories)": f"/tags/{top[5][0]}/",
        "2-tag search": f"/search/?tag={first}&tag={second}",
        f"text search, rarer word (q={rarer})": f"/search/?q={rarer}",
        f"text search, common word (q={common})": f"/search/?q={common}",
        "text (rarer) + 2-tag search with facets": f"/search/?q={rarer}&tag={first}&tag={second}",
        "text (common) + 2-tag search with facets": f"/search/?q={common}&tag={first}&tag={second}",
        "phrase + exclusion search": f'/search/?q="{phrase}"+-{COMMON_WORDS[2]}',
    }
    client = Client()
    print(
        f"\n{connection.vendor}: {published:,} published stories, {args.repeat} requests per page"
    )
    print(f"{'page':<52} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'status':>7} {'results':>8}")
    for label, url in pages.items():
        timings, query_counts, status = measure(client, url, args.repeat)
        queries = "/".join(str(n) for n in sorted(query_counts))
        found = re.search(r'id="results-heading"[^>]*>\s*([\d,]+) stor', client.get(url).text)
        print(
            f"{label:<52} {statistics.median(timings):8.1f} {percentile(timings, 0.95):8.1f} "
            f"{queries:>8} {status:>7} {found.group(1) if found else '':>8}"
        )


if __name__ == "__main__":
    main()
