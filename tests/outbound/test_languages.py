"""Feeds per language, and translations as alternates in the sitemaps."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils.html import escape

from articles.editorial import services
from articles.models import Author, Contributor

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


def _french_and_arabic_live_stories_with_a_correction():
    from articles.editorial import live

    stories = {}
    for language, headline in [("fr", "Soirée électorale"), ("ar", "ليلة الانتخابات")]:
        story = make_article(headline, language=language, published_at=PUBLISHED)
        services.add_correction(article=story, user=None, text="…")
        live.start_coverage(article=story, user=None)
        update = live.post_update(article=story, user=None, body="<p>…</p>", byline="Jane Doe")
        live.set_key_event(update=update, user=None, is_key_event=True)
        live.end_coverage(article=story, user=None)
        stories[language] = story
    return stories


# The words of a live story's entry in a feed, by the story's language (the feed's own title too).
FEED_WORDS = {
    "fr": [
        "The Newsroom : dernières nouvelles (Français)",
        "Les dernières nouvelles de The Newsroom.",
        "Mises à jour en direct",
        "Ce direct est terminé.",
        "(Moment clé)",
        "Par Jane Doe",
        "Corrections et mises à jour",
    ],
    "ar": [
        "The Newsroom: آخر الأخبار (العربيّة)",
        "التحديثات المباشرة",
        "انتهت هذه التغطية المباشرة.",
        "بقلم Jane Doe",
    ],
}
ENGLISH_FEED_WORDS = [
    "Live updates",
    "coverage has ended",
    "Key event",
    "By Jane",
    "Corrections and updates",
]


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_languages_feed_speaks_its_language_live_updates_and_corrections_included(
    client, language
):
    story = _french_and_arabic_live_stories_with_a_correction()[language]
    for kind in ["atom", "rss"]:
        feed = client.get(f"/feeds/{language}/latest.{kind}").content.decode()
        assert story.headline in feed
        for words in FEED_WORDS[language]:
            assert escape(words) in feed, (kind, words)
        for words in ENGLISH_FEED_WORDS:
            assert words not in feed, (kind, words)
        assert "latest stories" not in feed


def test_every_entry_of_the_all_languages_feed_is_in_its_storys_language(client):
    stories = _french_and_arabic_live_stories_with_a_correction()
    english = make_article("Helicopters for Mali", published_at=PUBLISHED)
    services.add_correction(article=english, user=None, text="…")
    feed = ET.fromstring(client.get("/feeds/latest.atom").content)
    atom = "{http://www.w3.org/2005/Atom}"
    content = {
        entry.find(f"{atom}title").text: entry.find(f"{atom}content").text
        for entry in feed.iter(f"{atom}entry")
    }
    assert "Mises à jour en direct" in content[stories["fr"].headline]
    french_months = r"\d+ (janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)"
    assert re.search(french_months, content[stories["fr"].headline])  # the update's time
    assert "التحديثات المباشرة" in content[stories["ar"].headline]
    assert "Corrections and updates" in content[english.headline]


@pytest.mark.parametrize(
    ("language", "by"),
    [
        ("fr", "Jean Dupont et Amina Traoré; reportage de Ali Hassan"),
        ("ar", "Jean Dupont و Amina Traoré"),
    ],
)
def test_a_storys_credits_leave_in_its_language_whoever_asks(client, language, by):
    story = make_article("Une histoire", language=language, published_at=PUBLISHED)
    names = ["Jean Dupont", "Amina Traoré", "Ali Hassan"]
    roles = ["by", "by", "reporting"]
    for position, (name, role) in enumerate(zip(names, roles, strict=True)):
        author = Author.objects.create(name=name)
        Contributor.objects.create(article=story, author=author, role=role, position=position)

    ninjs = client.get(f"/api/articles/{story.pk}.ninjs", HTTP_ACCEPT_LANGUAGE="en").json()

    assert ninjs["by"].startswith(by)
    assert "By" not in ninjs["by"] and " and " not in ninjs["by"]
