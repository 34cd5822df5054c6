import datetime
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

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


def test_index_lists_each_section_with_lastmod(client, stories):
    root = xml(client, "/sitemap.xml")
    assert root.tag == f"{{{NS['sm']}}}sitemapindex"
    entries = {s.find("sm:loc", NS).text: s for s in root.findall("sm:sitemap", NS)}
    assert set(entries) == {
        f"{SITE}/sitemap-stories.xml",
        f"{SITE}/sitemap-tags.xml",
        f"{SITE}/sitemap-sources.xml",
        f"{SITE}/sitemap-news.xml",
    }
    assert lastmod(entries[f"{SITE}/sitemap-stories.xml"]) == stories["fresh"].published_at
    assert lastmod(entries[f"{SITE}/sitemap-sources.xml"]) == stories["old"].published_at


def test_story_sitemap_lists_published_stories_with_lastmod(client, stories):
    found = urls(xml(client, "/sitemap-stories.xml"))
    old, fresh = stories["old"], stories["fresh"]
    assert set(found) == {SITE + old.get_absolute_url(), SITE + fresh.get_absolute_url()}
    assert lastmod(found[SITE + old.get_absolute_url()]) == old.content_updated_at
    assert lastmod(found[SITE + fresh.get_absolute_url()]) == fresh.published_at


def test_tag_and_source_sitemaps_list_only_those_with_published_stories(client, stories):
    tags = urls(xml(client, "/sitemap-tags.xml"))
    assert set(tags) == {f"{SITE}/tags/mali/", f"{SITE}/tags/russia/"}
    assert lastmod(tags[f"{SITE}/tags/mali/"]) == stories["old"].published_at
    sources = urls(xml(client, "/sitemap-sources.xml"))
    assert set(sources) == {f"{SITE}/sources/reuters/"}


def test_every_listed_page_exists(client, stories):
    for section in ("stories", "tags", "sources"):
        for location in urls(xml(client, f"/sitemap-{section}.xml")):
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


def test_bad_sections_and_pages_are_404(client, stories):
    for url in ("/sitemap-drafts.xml", "/sitemap-stories.xml?p=2", "/sitemap-stories.xml?p=x"):
        assert client.get(url).status_code == 404, url


def test_story_sitemap_query_count(client, django_assert_max_num_queries):
    for _ in range(30):
        make_article(tags=["Mali"])
    with django_assert_max_num_queries(3):
        assert len(urls(xml(client, "/sitemap-stories.xml"))) == 30
    with django_assert_max_num_queries(8):  # two per section, whatever the number of stories
        xml(client, "/sitemap.xml")


def test_robots_txt(client):
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
