import datetime
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from articles.outbound.sitemaps import StorySitemap

from ..helpers.factories import make_article, make_draft, make_source

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    cache.clear()


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def lastmod(element):
    return datetime.datetime.fromisoformat(element.find("sm:lastmod", NS).text)


def urls(root):
    return {url.find("sm:loc", NS).text: url for url in root.findall("sm:url", NS)}


@pytest.fixture
def stories(db):
    now = timezone.now().replace(microsecond=0)
    agency = make_source("Reuters")
    return {
        "old": make_article(
            "Old story",
            tags=["Mali"],
            sources=[agency],
            published_at=now - datetime.timedelta(days=5),
            content_updated_at=now - datetime.timedelta(days=4),
        ),
        "fresh": make_article(
            "Fresh story", tags=["Russia"], published_at=now - datetime.timedelta(hours=2)
        ),
        "draft": make_draft("Draft story", tags=["Draft tag"], sources=[make_source("Secret")]),
        "scheduled": make_article(
            "Scheduled story", tags=["Mali"], published_at=now + datetime.timedelta(hours=3)
        ),
        "deleted": make_article("Deleted story", deleted_at=now),
    }


def month_file(moment) -> str:
    return f"{SITE}/sitemap-stories-{moment:%Y-%m}.xml"


def test_index_lists_a_file_per_month_then_tags_sources_and_news(
    client, stories, committed, time_machine
):
    root = xml(client, "/sitemap.xml")
    assert root.tag == f"{{{NS['sm']}}}sitemapindex"
    entries = {s.find("sm:loc", NS).text: s for s in root.findall("sm:sitemap", NS)}
    months = {month_file(stories[name].published_at) for name in ("old", "fresh")}
    assert set(entries) == months | {
        f"{SITE}/sitemap-tags.xml",
        f"{SITE}/sitemap-sources.xml",
        f"{SITE}/sitemap-news.xml",
    }
    # lastmod: when the file's set of stories last changed.
    old_month = entries[month_file(stories["old"].published_at)]
    before = lastmod(old_month)
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=5))
    with committed():
        stories["old"].headline = "Old story, edited"
        stories["old"].save()
    cache.clear()
    again = {s.find("sm:loc", NS).text: s for s in xml(client, "/sitemap.xml")}
    assert lastmod(again[month_file(stories["old"].published_at)]) > before


def test_a_month_file_lists_that_months_published_stories_with_lastmod(client, stories):
    old, fresh = stories["old"], stories["fresh"]
    found = urls(xml(client, month_file(old.published_at).removeprefix(SITE)))
    assert SITE + old.get_absolute_url() in found
    assert lastmod(found[SITE + old.get_absolute_url()]) == old.content_updated_at
    every = {
        url
        for name in ("old", "fresh")
        for url in urls(xml(client, month_file(stories[name].published_at).removeprefix(SITE)))
    }
    assert every == {SITE + old.get_absolute_url(), SITE + fresh.get_absolute_url()}


def test_a_long_month_is_split_in_pages(client, monkeypatch):
    monkeypatch.setattr(StorySitemap, "limit", 2)
    day = timezone.now().replace(day=1, hour=12, microsecond=0) - datetime.timedelta(days=40)
    day = day.replace(day=3)
    for n in range(5):
        make_article(f"Story {n}", published_at=day + datetime.timedelta(hours=n))
    index = [s.find("sm:loc", NS).text for s in xml(client, "/sitemap.xml")]
    file = month_file(day)
    assert [url for url in index if url.startswith(file)] == [file, f"{file}?p=2", f"{file}?p=3"]
    pages = [
        urls(xml(client, url.removeprefix(SITE))) for url in (file, f"{file}?p=2", f"{file}?p=3")
    ]
    assert [len(page) for page in pages] == [2, 2, 1]


def test_the_old_single_stories_file_redirects_to_the_index(client, stories):
    response = client.get("/sitemap-stories.xml")
    assert response.status_code == 301
    assert response["Location"] == "/sitemap.xml"


def test_tag_and_source_sitemaps_list_only_those_with_published_stories(client, stories):
    tags = urls(xml(client, "/sitemap-tags.xml"))
    assert set(tags) == {f"{SITE}/tags/mali/", f"{SITE}/tags/russia/"}
    assert lastmod(tags[f"{SITE}/tags/mali/"]) >= stories["old"].published_at
    sources = urls(xml(client, "/sitemap-sources.xml"))
    assert set(sources) == {f"{SITE}/sources/reuters/"}


def test_every_listed_page_exists(client, stories):
    index = [s.find("sm:loc", NS).text for s in xml(client, "/sitemap.xml")]
    files = [url for url in index if "news" not in url]
    for file in files:
        for location in urls(xml(client, file.removeprefix(SITE))):
            assert client.get(location.removeprefix(SITE)).status_code == 200, location


def test_news_sitemap_holds_the_last_48_hours(client, stories):
    make_article("Three days old", published_at=timezone.now() - datetime.timedelta(days=3))
    hostile = make_article("Tom & Jerry <script>", published_at=timezone.now())
    root = xml(client, "/sitemap-news.xml")
    found = urls(root)
    assert set(found) == {
        SITE + stories["fresh"].get_absolute_url(),
        SITE + hostile.get_absolute_url(),
    }
    news = found[SITE + stories["fresh"].get_absolute_url()].find("news:news", NS)
    assert news.find("news:publication/news:name", NS).text == "The Newsroom"
    assert news.find("news:publication/news:language", NS).text == "en"
    assert news.find("news:title", NS).text == "Fresh story"
    published = datetime.datetime.fromisoformat(news.find("news:publication_date", NS).text)
    assert published == stories["fresh"].published_at
    hostile_news = found[SITE + hostile.get_absolute_url()].find("news:news", NS)
    assert hostile_news.find("news:title", NS).text == "Tom & Jerry <script>"


def test_without_stories_of_the_last_48_hours_there_is_no_news_sitemap(client):
    make_article("Three days old", published_at=timezone.now() - datetime.timedelta(days=3))
    assert client.get("/sitemap-news.xml").status_code == 404  # never an empty <urlset>
    index = [s.find("sm:loc", NS).text for s in xml(client, "/sitemap.xml")]
    assert f"{SITE}/sitemap-news.xml" not in index
    assert "sitemap-news" not in client.get("/robots.txt").content.decode()


def test_bad_sections_and_pages_are_404(client, stories):
    file = month_file(stories["fresh"].published_at).removeprefix(SITE)
    for url in (
        "/sitemap-drafts.xml",
        f"{file}?p=2",
        f"{file}?p=x",
        "/sitemap-stories-2021-13.xml",
    ):
        assert client.get(url).status_code == 404, url


def test_sitemap_query_counts_do_not_grow(client, django_assert_max_num_queries):
    moment = timezone.now() - datetime.timedelta(days=1)
    for n in range(30):
        make_article(
            tags=["Mali", f"Tag {n}"], published_at=moment - datetime.timedelta(days=20 * n)
        )
    with django_assert_max_num_queries(3):
        assert len(urls(xml(client, month_file(moment).removeprefix(SITE)))) >= 1
    # Whatever the number of months, tags and stories: months (4), the newest change under
    # tags and under sources (3 each), the news file (2). The work per query is pinned in
    # tests/site/test_archive_growth.py.
    with django_assert_max_num_queries(12):
        xml(client, "/sitemap.xml")


def test_robots_txt(client, db):
    make_article("Out today")
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    assert f"Sitemap: {SITE}/sitemap-news.xml" in lines
    disallowed = [line.split(": ", 1)[1] for line in lines if line.startswith("Disallow: ")]
    preview = reverse("articles:shared_preview", kwargs={"token": "abc"})
    assert any(preview.startswith(prefix) for prefix in disallowed)
