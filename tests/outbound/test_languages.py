"""Feeds per language, and translations as alternates in the sitemaps."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest

from articles.editorial import services

from ..helpers.factories import make_article

pytestmark = pytest.mark.django_db

PUBLISHED = datetime.datetime(2025, 3, 1, 10, 42, tzinfo=datetime.UTC)
XHTML = "{http://www.w3.org/1999/xhtml}link"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def pair(db):
    english = make_article("Helicopters for Mali", published_at=PUBLISHED)
    french = services.translate_article(article=english, language="fr", user=None)
    french.headline = "Des hélicoptères pour le Mali"
    services.save_article(article=french, user=None)
    services.publish_article(article=french, user=None, at=PUBLISHED)
    return english, french


def test_sitemap_lists_each_story_with_its_translations_as_alternates(client, pair, settings):
    english, french = pair
    lonely = make_article("No translation", published_at=PUBLISHED)
    root = ET.fromstring(client.get("/sitemap-stories-2025-03.xml").content)
    alternates = {}
    for url in root.iter(f"{SITEMAP}url"):
        location = url.find(f"{SITEMAP}loc").text
        alternates[location] = {link.get("hreflang"): link.get("href") for link in url.iter(XHTML)}
    site = settings.SITE_URL
    both = {"en": site + english.get_absolute_url(), "fr": site + french.get_absolute_url()}
    assert alternates[site + english.get_absolute_url()] == both
    assert alternates[site + french.get_absolute_url()] == both
    assert alternates[site + lonely.get_absolute_url()] == {}


def test_a_draft_translation_is_no_alternate(client, pair):
    _, french = pair
    services.unpublish_article(article=french, user=None)
    body = client.get("/sitemap-stories-2025-03.xml").content.decode()
    assert "xhtml:link" not in body and "/fr/" not in body


def test_news_sitemap_names_each_storys_language(client):
    make_article("Récent", language="fr")
    body = client.get("/sitemap-news.xml").content.decode()
    assert "<news:language>fr</news:language>" in body


def test_a_feed_per_language(client, pair):
    english, french = pair
    feed = client.get("/feeds/fr/latest.atom").content.decode()
    assert french.headline in feed and english.headline not in feed
    assert 'xml:lang="fr"' in feed
    rss = client.get("/feeds/en/latest.rss").content.decode()
    assert english.headline in rss and french.headline not in rss
    assert "<language>en</language>" in rss
    assert client.get("/feeds/xx/latest.rss").status_code == 404


def test_the_page_links_its_languages_feed_only_through_the_site_feeds(client, pair):
    # The all-language feed keeps every story.
    feed = client.get("/feeds/latest.atom").content.decode()
    assert pair[0].headline in feed and pair[1].headline in feed


def test_robots_keeps_previews_out_in_every_language(client):
    body = client.get("/robots.txt").content.decode()
    assert re.search(r"^Disallow: /fr/preview/$", body, re.M)
    assert re.search(r"^Disallow: /ar/preview/$", body, re.M)
