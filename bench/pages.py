"""Page benchmark (not a test): what every public page costs, uncached, over N stories.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/pages.py --stories 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/pages.py \
        --stories 1000000

Fills the database named by DATABASE_URL (migrating it first) up to N published stories (default
100,000) of 5-8 paragraphs and 3-6 tags each from a vocabulary of 2,000, words and tags
Zipf-distributed, published over three years (skipped when it already holds N; a larger N adds
to it). Stories go in with bulk inserts, with their tag and source links, listings, links under
tags and sources and search documents, with a progress line; the kept counts are made by the
site's own `recount()` and the full-text index in one pass at the end. Generated rows are checked
against what the site itself would make, on a sample.

Then it requests every public page through Django's test client with the page cache off
(PAGE_CACHE_SECONDS=0) and DEBUG off, and prints p50 and p95 in ms, the SQL queries per request,
each page's p50 as a multiple of a floor measured in the same run (/api/, a view that runs no
query), and the median CPU time of this process per request, which a busy machine inflates less.
Ratios hold across machines where milliseconds do not. `--only word` keeps the pages whose label
contains the word. Use a database of its own: it adds stories to whatever is there.
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
from django.utils import timezone  # noqa: E402

from articles.background.statistics import refresh_statistics  # noqa: E402
from articles.models import Article, Source, Tag, TaggedArticle, tag_name_key  # noqa: E402
from articles.search import index  # noqa: E402
from articles.search.engines import document_for, get_engine  # noqa: E402
from articles.search.models import (  # noqa: E402
    ListedUnder,
    ListingLink,
    SearchDocument,
    StoryListing,
)
from articles.search.query import parse_query  # noqa: E402

TAG_VOCABULARY = 2_000
BATCH = 5_000
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
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 4)))

    def tag_indexes(self) -> set[int]:
        chosen = set()
        wanted = self.rng.randint(3, 6)
        while len(chosen) < wanted:
            chosen.add(self.rng.choices(range(TAG_VOCABULARY), cum_weights=self.tag_weights)[0])
        return chosen


def _executemany(sql: str, rows: list[tuple]) -> None:
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def generate(total: int, seed: int) -> bool:
    """Add stories until the database holds `total`, in batches of plain INSERTs.

    Stories, their listings and links under tags and sources go in with `bulk_create`; their
    tag and source links and their search documents (the same text
    `articles.search.engines.document_for` would make) with raw `executemany`. The counts and the
    search index are made once at the end (`build_index`).
    """
    existing = Article.objects.count()
    if existing >= total:
        print(f"The database already holds {existing:,} stories; not generating more.")
        return False
    gen = Generator(seed + existing)  # a resumed run does not repeat the first stories
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
    tags = list(
        Tag.objects.filter(slug__startswith="bench-").order_by("pk").values_list("pk", "name")
    )
    source_ids = list(
        Source.objects.filter(slug__startswith="bench-agency-").values_list("pk", flat=True)
    )
    tagged_table = TaggedArticle._meta.db_table
    sources_table = Article.sources.through._meta.db_table
    documents_table = SearchDocument._meta.db_table
    now = timezone.now()
    started = time.monotonic()
    for start in range(existing, total, BATCH):
        size = min(BATCH, total - start)
        stories = []
        for n in range(size):
            paragraphs = [gen.paragraph() for _ in range(gen.rng.randint(5, 8))]
            stories.append(
                (
                    Article(
                        headline=gen.words(gen.rng.randint(5, 10)).capitalize(),
                        slug=f"bench-story-{start + n}",
                        standfirst=gen.sentence() + " " + gen.sentence(),
                        body="".join(f"<p>{paragraph}</p>" for paragraph in paragraphs),
                        status=Article.Status.PUBLISHED,
                        published_at=now
                        - datetime.timedelta(minutes=gen.rng.randint(10, 3 * 525_600)),
                    ),
                    " ".join(paragraphs),
                    sorted((tags[i] for i in gen.tag_indexes()), key=lambda t: t[1].lower()),
                )
            )
        story_sources = [gen.rng.choice(source_ids) for _ in stories]
        with transaction.atomic():
            Article.objects.bulk_create([article for article, _, _ in stories])
            StoryListing.objects.bulk_create(
                StoryListing(
                    article_id=article.pk,
                    published_at=article.published_at,
                    tag_ids=[tag_id for tag_id, _ in story_tags],
                    source_ids=[source_id],
                )
                for (article, _, story_tags), source_id in zip(stories, story_sources, strict=True)
            )
            ListingLink.objects.bulk_create(
                [
                    ListingLink(article_id=article.pk, kind=kind, target=target, published_at=at)
                    for (article, _, story_tags), source_id in zip(
                        stories, story_sources, strict=True
                    )
                    for at in [article.published_at]
                    for kind, target in [
                        *((ListedUnder.TAG, tag_id) for tag_id, _ in story_tags),
                        (ListedUnder.SOURCE, source_id),
                    ]
                ],
                batch_size=2000,
            )
            _executemany(
                f"INSERT INTO {tagged_table} (tag_id, content_object_id) VALUES (%s, %s)",
                [(tag_id, a.pk) for a, _, story_tags in stories for tag_id, _ in story_tags],
            )
            _executemany(
                f"INSERT INTO {sources_table} (article_id, source_id) VALUES (%s, %s)",
                [
                    (a.pk, source_id)
                    for (a, _, _), source_id in zip(stories, story_sources, strict=True)
                ],
            )
            _executemany(
                f"INSERT INTO {documents_table} "
                "(article_id, headline, standfirst, tags, body, language) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    (
                        a.pk,
                        a.headline,
                        a.standfirst,
                        " ".join(name for _, name in t),
                        body,
                        a.language,
                    )
                    for a, body, t in stories
                ],
            )
        done = start + size
        elapsed = time.monotonic() - started
        print(f"\rGenerated {done:,}/{total:,} stories ({elapsed:.0f}s)", end="", flush=True)
    print()
    check_documents(seed)
    return True


def check_documents(seed: int, sample: int = 20) -> None:
    """The generated search documents and listings must be what the site itself would make."""
    rng = random.Random(seed)
    ids = list(Article.objects.filter(slug__startswith="bench-story-").values_list("pk", flat=True))
    for article in Article.objects.filter(pk__in=rng.sample(ids, min(sample, len(ids)))):
        expected = document_for(article)
        stored = SearchDocument.objects.get(pk=article.pk)
        fields = ["headline", "standfirst", "tags", "body", "language"]
        if any(getattr(stored, f) != getattr(expected, f) for f in fields):
            raise SystemExit(f"Generated search document of story {article.pk} is not the site's")
        links = (
            sorted(article.tags.values_list("pk", flat=True)),
            sorted(article.sources.values_list("pk", flat=True)),
        )
        listing = StoryListing.objects.get(pk=article.pk)
        if (listing.tag_ids, listing.source_ids) != links:
            raise SystemExit(f"Generated listing of story {article.pk} is not the site's")
        under = set(ListingLink.objects.filter(article_id=article.pk).values_list("kind", "target"))
        if under != {("t", t) for t in links[0]} | {("s", s) for s in links[1]}:
            raise SystemExit(f"Generated links of story {article.pk} are not the site's")


def build_index() -> None:
    began = time.monotonic()
    print("Counting the listings…", end="", flush=True)
    index.recount()
    print(f" {time.monotonic() - began:.0f}s")
    began = time.monotonic()
    print("Building the search index…", end="", flush=True)
    get_engine().index_stored_documents()
    print(f" {time.monotonic() - began:.0f}s")


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(
    client: Client, url: str, repeat: int
) -> tuple[list[float], list[float], set[int], int]:
    """Wall-clock and this process's CPU milliseconds per request, the query counts, the status.

    The CPU time leaves out time spent waiting for a busy machine; on SQLite it includes the
    database's work (it runs in this process), on PostgreSQL it does not.
    """
    for _ in range(3):  # warm up the connection and the database's caches
        client.get(url)
    timings, cpu_timings, query_counts = [], [], set()
    status = 0
    for _ in range(repeat):
        # Counted by a bare execute wrapper, which does no work of its own in the timed request.
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            began, began_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings.append((time.perf_counter() - began) * 1000)
            cpu_timings.append((time.process_time() - began_cpu) * 1000)
        status = response.status_code
        query_counts.add(counter.count)
    return timings, cpu_timings, query_counts, status


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--stories", type=int, default=100_000, help="stories to hold (default 100,000)"
    )
    parser.add_argument(
        "--repeat", type=int, default=50, help="timed requests per page (default 50)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default="", help="only the pages whose label has this word")
    parser.add_argument("--fill-only", action="store_true", help="fill the database, time nothing")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if generate(args.stories, args.seed):
        build_index()
    # Statistics as a running site has them: the worker's on SQLite, autovacuum's on PostgreSQL.
    if not refresh_statistics():
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    if args.fill_only:
        return

    published = Article.objects.published().count()
    top_tags = list(
        Tag.objects.annotate(n=Count("tagged_articles")).order_by("-n").values_list("slug", "n")[:6]
    )
    (first, first_n), (second, second_n), (tag_page, tag_page_n) = (
        top_tags[0],
        top_tags[1],
        top_tags[5],
    )
    typical = typical_word(Generator(args.seed).vocabulary, published)
    common = COMMON_WORDS[25]  # in about two thirds of all stories: the worst case for ranking
    phrase = f"{COMMON_WORDS[0]} {COMMON_WORDS[1]}"
    story = Article.objects.published().filter(slug__startswith="bench-story-").order_by("pk")
    story = story[published // 2]
    source = Source.objects.filter(slug__startswith="bench-agency-").first()
    month = story.published_at.astimezone(datetime.UTC)
    print(
        f"\n{connection.vendor}: {published:,} published stories, {args.repeat} requests per page"
    )
    print(
        f"Tags: {tag_page} ({tag_page_n:,} stories), {first} ({first_n:,}), {second} ({second_n:,})"
    )
    for word in (typical, common):
        share = word_matches(word) / published
        print(f"Word {word!r}: in {word_matches(word):,} stories ({share:.1%})")
    pages = {
        "floor: /api/ (no query)": "/api/",
        "front page": "/",
        "story page": story.get_absolute_url(),
        "tag page": f"/tags/{tag_page}/",
        "tag page, most used tag": f"/tags/{first}/",
        "tag index": "/tags/",
        "source page": f"/sources/{source.slug}/",
        "search: nothing asked": "/search/",
        "search: 2 tags": f"/search/?tag={first}&tag={second}",
        f"search: typical word ({typical})": f"/search/?q={typical}",
        f"search: word + 2 tags ({typical})": f"/search/?q={typical}&tag={first}&tag={second}",
        f"search: very common word ({common})": f"/search/?q={common}",
        f"search: common word + 2 tags ({common})": f"/search/?q={common}&tag={first}&tag={second}",
        "search: phrase + exclusion": f'/search/?q="{phrase}"+-{COMMON_WORDS[2]}',
        "feed: latest (Atom)": "/feeds/latest.atom",
        "feed: tag (RSS)": f"/tags/{tag_page}/feed.rss",
        "API: list": "/api/articles/",
        "API: list by tag": f"/api/articles/?tag={tag_page}",
        "API: story": f"/api/articles/{story.pk}/",
        "API: ninjs": f"/api/articles/{story.pk}.ninjs",
        "sitemap index": "/sitemap.xml",
        "sitemap: a month": f"/sitemap-stories-{month:%Y-%m}.xml",
    }
    pages = {label: url for label, url in pages.items() if args.only in label or "floor" in label}
    client = Client()
    print(
        f"{'page':<46} {'p50 ms':>7} {'p95 ms':>7} {'× floor':>8} {'cpu p50':>8} "
        f"{'queries':>8} {'status':>7} {'results':>8}"
    )
    floor = None
    for label, url in pages.items():
        timings, cpu_timings, query_counts, status = measure(client, url, args.repeat)
        p50 = statistics.median(timings)
        floor = floor or p50
        queries = "/".join(str(n) for n in sorted(query_counts))
        print(
            f"{label:<46} {p50:7.2f} {percentile(timings, 0.95):7.2f} {p50 / floor:8.1f} "
            f"{statistics.median(cpu_timings):8.2f} {queries:>8} {status:>7} "
            f"{result_count(client.get(url).text):>8}"
        )
    print(f"URLs: {', '.join(pages.values())}")
    print(f"Load average after the run: {', '.join(f'{n:.1f}' for n in os.getloadavg())}")
    print(
        f"This machine's speed: a pure-Python loop (sum of range(10**7)) took {cpu_yardstick()} ms"
    )


def cpu_yardstick() -> int:
    """Milliseconds for a fixed pure-Python loop (best of 3), to compare machines' figures."""
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        sum(range(10**7))
        best = min(best, time.perf_counter() - began)
    return round(best * 1000)


def word_matches(word: str) -> int:
    return get_engine().matching(Article.objects.published(), parse_query(word)).count()


def typical_word(vocabulary: list[str], published: int) -> str:
    """A word found in 0.5-5% of the stories (about 2% when the Zipf weights hold)."""
    for rank in (1200, 800, 2000, 500, 3000):
        if 0.005 <= word_matches(vocabulary[rank]) / published <= 0.05:
            return vocabulary[rank]
    raise SystemExit("No word of the vocabulary is found in 0.5-5% of the stories.")


def result_count(page: str) -> str:
    """The number of stories the page says it found (search results or a tag's stories)."""
    found = re.search(r">\s*((?:More than )?[\d,]+) stor(?:y|ies)\b", page)
    return found.group(1).replace("More than ", ">") if found else ""


if __name__ == "__main__":
    main()
