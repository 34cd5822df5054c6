"""What a public page costs does not grow with the archive: each page is asked for over a small
archive and again after ten times as many older stories were added under the same tags and
source, and the work the database did is compared. Work is counted, not timed, so the test
holds on a busy machine: SQLite's virtual-machine steps, PostgreSQL's rows through each plan
node (EXPLAIN ANALYZE). Query plans alone miss a range that covers the whole archive."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.background.statistics import refresh_statistics
from articles.models import Source, Tag
from articles.outbound import feeds
from articles.search import results

from ..helpers.factories import make_article, make_source

pytestmark = pytest.mark.django_db

GROWTH_ALLOWED = 1.3
PAGES = [
    "/",
    "/tags/mali/",
    "/sources/reuters/",
    "/search/",
    "/tags/",
    "/sitemap.xml",
    "/robots.txt",
    "/sitemap-tags.xml",
    "/sitemap-sources.xml",
    "/sitemap-news.xml",
    "/feeds/latest.atom",
    "/tags/mali/feed.rss",
    "/sources/reuters/feed.atom",
    "/api/articles/?page_size=10",
    "/api/articles/?tag=mali&page_size=10",
]
# Not here: a search for a word, whose matches grow with the archive (ranked among at most
# 10,000; tests/search).


def sqlite_steps(request) -> int:
    steps = 0

    def tick():
        nonlocal steps
        steps += 1
        return 0

    connection.ensure_connection()
    connection.connection.set_progress_handler(tick, 10)
    try:
        request()
    finally:
        connection.connection.set_progress_handler(None, 10)
    return steps * 10


def postgres_rows(request) -> int:
    with CaptureQueriesContext(connection) as captured:
        request()
    rows = 0
    with connection.cursor() as cursor:
        # As in test_query_plans: on tables this small a sequential scan, or hashing a whole
        # table, is cheapest, and would hide whether an index makes the work independent of the
        # archive.
        for method in ("seqscan", "hashjoin", "mergejoin"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
        # And each row read costs ten times the default, as it does in an archive: on tables
        # this small, reading all of an index in place of a sequential scan could otherwise
        # look cheaper than a few lookups (it did, for one page in four runs).
        cursor.execute("SET LOCAL cpu_tuple_cost = 0.1")
        cursor.execute("SET LOCAL cpu_index_tuple_cost = 0.05")
        for query in captured.captured_queries:
            if not query["sql"].lstrip().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {query['sql']}")
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            rows += _rows_through(plan[0]["Plan"])
    return rows


def _rows_through(node) -> int:
    loops = node.get("Actual Loops", 1)
    read = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
    if node["Node Type"] == "Bitmap Index Scan":
        # Counts the row versions a test's single transaction leaves behind (counts updated
        # once per story), which vacuum removes on a real site; its heap scan counts the rows.
        read = 0
    return read * loops + sum(_rows_through(child) for child in node.get("Plans", ()))


def gather_statistics():
    """What a running site has: SQLite's from the worker, PostgreSQL's from autovacuum (which
    cannot see a test's uncommitted rows)."""
    if not refresh_statistics():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def work(client, url) -> int:
    def request():
        assert client.get(url).status_code == 200

    return (sqlite_steps if connection.vendor == "sqlite" else postgres_rows)(request)


def add_stories(count, *, days_ago, reuters):
    published_at = timezone.now() - datetime.timedelta(days=days_ago)
    return [
        make_article(
            f"Story {days_ago}-{n}",
            tags=["Mali", f"Topic {n % 7}"],
            sources=[reuters],
            published_at=published_at - datetime.timedelta(minutes=n),
        )
        for n in range(count)
    ]


def test_the_pages_cost_the_same_over_ten_times_the_archive(client, settings, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 0
    # Related stories are chosen among the newest few of each of the story's tags: a bound this
    # small archive already reaches.
    monkeypatch.setattr(results, "RELATED_CANDIDATES_PER_TAG", 2)
    monkeypatch.setattr(feeds, "FEED_ITEMS", 10)
    # A vocabulary of a real site's size: the planner would read all of a handful of tags.
    Tag.objects.bulk_create(
        Tag(name=f"Other {n}", slug=f"other-{n}", name_key=f"other {n}") for n in range(300)
    )
    Source.objects.bulk_create(Source(name=f"Agency {n}", slug=f"agency-{n}") for n in range(100))
    reuters = make_source("Reuters")
    story = add_stories(20, days_ago=1, reuters=reuters)[0]
    urls = [*PAGES, story.get_absolute_url(), f"/api/articles/{story.pk}/"]
    urls.append(f"/api/articles/{story.pk}.ninjs")

    def measure():
        gather_statistics()
        for url in urls:
            work(client, url)  # warm: what a process works out once after a change
        return {url: work(client, url) for url in urls}

    small = measure()
    add_stories(200, days_ago=2, reuters=reuters)  # older stories, in the same month
    large = measure()
    grown = {
        url: (small[url], large[url]) for url in urls if large[url] > small[url] * GROWTH_ALLOWED
    }
    assert grown == {}


def test_finding_the_front_pages_stories_costs_the_same_over_ten_times_the_archive():
    # Every story is English: the front page's "newest in the other languages" once read them all.
    reuters = make_source("Reuters")
    add_stories(20, days_ago=1, reuters=reuters)

    def front_page_stories():
        return results.newest_ids_in_language_first("en", 13)

    def measure():
        if connection.vendor == "sqlite":
            return sqlite_steps(front_page_stories)
        return postgres_rows(front_page_stories)

    small = measure()
    add_stories(200, days_ago=2, reuters=reuters)
    large = measure()
    assert large <= small * GROWTH_ALLOWED, (small, large)
