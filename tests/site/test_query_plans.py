"""The story, tag, front and source pages, the sitemap index and robots.txt read the big tables
only through indexes: what they cost does not grow with the archive (a constant number of full
scans would still be slow).

On PostgreSQL the plans are asked for with sequential scans disabled, so that a tiny test table
does not hide a missing index: a plan that still scans has no index to use.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..helpers.factories import make_article, make_source

pytestmark = pytest.mark.django_db

BIG_TABLES = (
    "articles_article",
    "articles_storylisting",
    "articles_listinglink",
    "articles_taggedarticle",
    "articles_article_sources",
    "articles_searchdocument",
    "articles_listingcount",
)


def plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def full_scans(plan_text: str) -> list[str]:
    found = []
    for line in plan_text.splitlines():
        for table in BIG_TABLES:
            if connection.vendor == "postgresql":
                if f"Seq Scan on {table} " in line + " ":
                    found.append(line.strip())
            # SQLite: "SCAN t" reads every row (or every entry of an index: still the whole
            # table); "SEARCH t USING …" reads a range.
            elif line.strip().startswith(f"SCAN {table}") and line.strip().split()[1] == table:
                found.append(line.strip())
    return found


@pytest.fixture
def archive(warm_page_cache):
    reuters = make_source("Reuters")
    stories = [
        make_article(f"Story {n}", tags=["Mali", f"Topic {n % 7}"], sources=[reuters])
        for n in range(30)
    ]
    return stories[10]


@pytest.mark.parametrize(
    "page", ["story", "/", "/tags/mali/", "/sources/reuters/", "/sitemap.xml", "/robots.txt"]
)
def test_the_page_never_scans_a_big_table(client, archive, page):
    url = archive.get_absolute_url() if page == "story" else page
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    selects = [
        q["sql"] for q in captured.captured_queries if q["sql"].lstrip().startswith("SELECT")
    ]
    assert selects
    scans = {sql[:120]: full_scans(plan(sql)) for sql in selects}
    assert {sql: lines for sql, lines in scans.items() if lines} == {}


def test_the_language_switcher_flag_reads_translations_by_key(archive):
    # Asking for *published* translations in this subquery read every visible story through the
    # visibility index (a range, so not a "scan" above): the story page cost 4x as much at
    # 20,000 stories as at 1,000. The flag must go by the translation link's index alone.
    Article = type(archive)
    with CaptureQueriesContext(connection) as captured:
        list(Article.objects.filter(pk=archive.pk).with_translations_flag())
    plan_text = plan(captured.captured_queries[-1]["sql"])
    assert not re.search(r"\barticle_visibility\b", plan_text), (
        plan_text
    )  # the (status, time) range
    assert "translation_of" in plan_text, plan_text
