"""The site in three languages: story pages in their language and direction, translations
linked both ways, the interface translated, addresses and caches per language."""

import contextlib
import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.utils import translation

from articles.editorial import services
from articles.http import page_cache

from ..helpers.factories import make_article, make_draft, make_image, make_source

pytestmark = pytest.mark.django_db

PUBLISHED = datetime.datetime(2025, 3, 1, 10, 42, tzinfo=datetime.UTC)


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def stories(db):
    """An English original with published French and Arabic translations."""
    english = make_article(
        "Mali receives helicopters from Russia",
        byline="Staff",
        tags=["Mali"],
        sources=[make_source("AFP")],
        lead_image=make_image(alt_text="Helicopters"),
        published_at=PUBLISHED,
    )
    versions = {"en": english}
    for language, headline in [
        ("fr", "Le Mali reçoit des hélicoptères de la Russie"),
        ("ar", "مالي تتسلم مروحيات من روسيا"),
    ]:
        draft = services.translate_article(article=english, language=language, user=None)
        draft.headline = headline
        draft.byline = "Jane Doe" if language == "ar" else "Staff"
        services.save_article(article=draft, user=None)
        versions[language] = services.publish_article(article=draft, user=None, at=PUBLISHED)
    return versions


def test_each_story_lives_under_its_languages_prefix(stories):
    assert stories["en"].get_absolute_url().startswith("/2025/03/01/")
    assert stories["fr"].get_absolute_url().startswith("/fr/2025/03/01/")
    assert stories["ar"].get_absolute_url().startswith("/ar/2025/03/01/")


def test_a_story_at_another_languages_address_redirects_to_its_own(client, stories):
    arabic = stories["ar"].get_absolute_url()
    response = client.get(arabic.removeprefix("/ar"))
    assert response.status_code == 301 and response["Location"] == arabic
    response = client.get("/fr" + stories["en"].get_absolute_url())
    assert response.status_code == 301 and response["Location"] == stories["en"].get_absolute_url()


def test_french_page_is_french_with_french_dates(client, stories):
    page = text(client.get(stories["fr"].get_absolute_url()))
    assert '<html lang="fr" dir="ltr">' in page
    assert "1 mars 2025, 10:42 UTC" in page
    assert ">Thèmes</a>" in page and "Aller au contenu" in page and "Source :" in page
    assert 'href="/fr/search/"' in page  # the navigation stays in French


def test_arabic_page_is_right_to_left_with_arabic_interface(client, stories):
    page = text(client.get(stories["ar"].get_absolute_url()))
    assert '<html lang="ar" dir="rtl">' in page
    assert "1 مارس 2025" in page
    assert "بقلم <bdi>Jane Doe</bdi>" in page  # an English name isolated in Arabic text
    assert ">المواضيع</a>" in page and "انتقل إلى المحتوى" in page
    assert 'href="/ar/tags/"' in page


def test_translations_link_both_ways_with_hreflang_and_a_switcher(client, stories):
    for language, story in stories.items():
        page = text(client.get(story.get_absolute_url()))
        alternates = dict(
            re.findall(r'<link rel="alternate" hreflang="(\w+)" href="([^"]+)">', page)
        )
        assert set(alternates) == {"en", "fr", "ar"}, language
        for other, version in stories.items():
            assert alternates[other].endswith(version.get_absolute_url())
        switcher = re.search(r'<nav class="language-switcher".*?</nav>', page, re.S).group(0)
        assert f'<span aria-current="page" lang="{language}">' in switcher
        assert switcher.count("<a ") == 2


def test_unpublished_translations_are_never_linked(client, stories):
    services.unpublish_article(article=stories["ar"], user=None)
    draft_only = make_article("Alone", published_at=PUBLISHED)
    services.translate_article(article=draft_only, language="fr", user=None)
    page = text(client.get(stories["en"].get_absolute_url()))
    assert 'hreflang="ar"' not in page.split("</head>")[0]
    assert stories["ar"].headline not in page and "/ar/2025" not in page
    page = text(client.get(draft_only.get_absolute_url()))
    assert 'hreflang="fr"' not in page.split("</head>")[0]
    assert "language-switcher" not in page


def test_a_translated_story_page_costs_one_query_more(
    client, stories, warm_page_cache, django_assert_max_num_queries
):
    # story (with the flag for translations), sources, tags, renditions, corrections, related
    # (candidates and their stories), the published versions for the switcher, and the credits
    with django_assert_max_num_queries(9):
        page = text(client.get(stories["fr"].get_absolute_url()))
    assert stories["en"].headline not in page.split("</header>", 2)[2]  # not "related"


def test_interface_pages_in_each_language(client, stories):
    assert '<html lang="en" dir="ltr">' in text(client.get("/search/"))
    page = text(client.get("/fr/search/"))
    assert '<html lang="fr" dir="ltr">' in page and ">Mots</label>" in page
    page = text(client.get("/ar/search/?q=zzzz"))
    assert '<html lang="ar" dir="rtl">' in page
    assert "لا يوجد خبر منشور يطابق هذا البحث." in page
    page = text(client.get("/ar/no-such-page/"))
    assert "الصفحة غير موجودة" in page
    assert text(client.get("/fr/tags/")).count("Thèmes") >= 2


def test_numbers_are_formatted_for_the_language(client):
    with translation.override("fr"):
        from django.contrib.humanize.templatetags.humanize import intcomma

        assert intcomma(12345) == "12\xa0345"
    with translation.override("en"):
        assert intcomma(12345) == "12,345"


def test_cached_pages_are_kept_per_language(client, settings, stories):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    english, french = client.get("/search/"), client.get("/fr/search/")
    assert english["X-Page-Cache"] == french["X-Page-Cache"] == "miss"
    again = client.get("/fr/search/")
    assert again["X-Page-Cache"] == "hit" and ">Mots</label>" in text(again)
    assert ">Words</label>" in text(client.get("/search/"))
    assert "Accept-Language" not in again.get("Vary", "")  # the path says it all
    assert again["Content-Language"] == "fr"


def test_one_purge_covers_every_language(settings, stories, monkeypatch):
    sent = []
    settings.CACHE_PURGE_URLS = ["http://varnish.invalid/"]

    def urlopen(request, timeout):
        sent.append(request)
        return contextlib.nullcontext(io.BytesIO(b"Banned"))

    monkeypatch.setattr(page_cache.urllib.request, "urlopen", urlopen)
    page_cache.purge_http_caches()
    pattern = re.compile(sent[0].get_header("X-ban-url"))
    for story in stories.values():
        assert pattern.match(story.get_absolute_url())


def test_the_desk_follows_the_editors_language(admin_client):
    page = text(admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="ar"))
    assert 'dir="rtl"' in page and 'lang="ar"' in page
    page = text(admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert 'lang="fr"' in page
    assert "Accept-Language" in admin_client.get("/admin/").get("Vary", "")


def test_drafts_in_any_language_stay_hidden(client):
    draft = make_draft("Brouillon secret", language="fr")
    assert client.get("/fr/search/?q=brouillon").content.decode().count("Brouillon secret") == 0
    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_languages_front_page_is_its_own_canonical_and_offers_its_feeds(client, language):
    page = text(client.get(f"/{language}/"))
    assert re.search(rf'<link rel="canonical" href="http[^"]+/{language}/">', page)
    feeds = re.findall(r'<link rel="alternate" type="application/(?:atom|rss)\+xml"[^>]*>', page)
    assert len(feeds) == 2
    assert all(f'href="/feeds/{language}/latest.' in link for link in feeds)
    assert all("latest stories" not in link for link in feeds)
    english = text(client.get("/"))
    assert re.search(r'<link rel="canonical" href="http[^"]+:\d+/">', english)
    assert 'title="The Newsroom: latest news (Atom)" href="/feeds/latest.atom"' in english


def front_page_headlines(client, path) -> list[str]:
    page = text(client.get(path))
    return re.findall(r'<h2 id="lead-headline"[^>]*><a [^>]*>([^<]*)</a>', page) + re.findall(
        r'class="card__headline"><a [^>]*>([^<]*)</a>', page
    )


def test_each_front_page_leads_with_its_languages_stories_each_story_once(client, stories):
    # Newest first: an English story of today, then the three versions of March's story.
    now = datetime.datetime.now(datetime.UTC)
    today = make_article("Today in English", published_at=now - datetime.timedelta(hours=2))
    latest_french = make_article(
        "Aujourd’hui en français", language="fr", published_at=now - datetime.timedelta(hours=1)
    )
    fr = front_page_headlines(client, "/fr/")
    assert fr == [latest_french.headline, stories["fr"].headline, today.headline]
    ar = front_page_headlines(client, "/ar/")
    assert ar == [stories["ar"].headline, latest_french.headline, today.headline]
    en = front_page_headlines(client, "/")
    assert en == [today.headline, stories["en"].headline, latest_french.headline]


def test_a_lead_story_in_another_language_says_so(client):
    english = make_article("Only English so far")
    page = text(client.get("/ar/"))
    assert '<h2 id="lead-headline" class="lead-story__headline" lang="en" dir="ltr">' in page
    assert '<p class="standfirst" lang="en" dir="ltr">' in page and english.headline in page
    assert '<h2 id="lead-headline" class="lead-story__headline"><a' in text(client.get("/"))
    make_article("Une autre", language="ar", standfirst="مقدمة.")  # the lead now; English a card
    cache.clear()
    page = text(client.get("/ar/"))
    assert '<p class="card__standfirst" lang="en" dir="ltr">A standfirst.</p>' in page


def test_link_previews_name_the_pages_locale(client, stories):
    for path, locale in [
        ("/", "en_GB"),
        ("/fr/tags/", "fr_FR"),
        (stories["fr"].get_absolute_url(), "fr_FR"),
        (stories["ar"].get_absolute_url(), "ar_AR"),
        (stories["en"].get_absolute_url(), "en_GB"),
    ]:
        assert f'<meta property="og:locale" content="{locale}">' in text(client.get(path)), path


def test_an_arabic_headline_makes_an_arabic_address(client):
    story = make_article("مالي تتسلم مروحيات من روسيا", language="ar", published_at=PUBLISHED)
    assert story.slug == "مالي-تتسلم-مروحيات-من-روسيا"  # not "untitled"
    url = story.get_absolute_url()
    assert url.startswith("/ar/2025/03/01/%D9%85%D8%A7%D9%84%D9%8A-")  # an IRI, encoded
    response = client.get(url)
    assert response.status_code == 200
    assert "مالي تتسلم مروحيات من روسيا" in text(response)
    assert url in text(client.get("/sitemap-stories-2025-03.xml"))
