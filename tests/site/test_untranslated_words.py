"""No English left on French and Arabic pages: the main public pages (and the language's feed),
made with French or Arabic stories, must not show a word of the English interface. The catalogue
test (tests/test_translations.py) catches a marked string without its translation; this one
catches a string nobody marked.

The words are the English interface's own (navigation, bylines, dates, counts, live coverage,
search, pagination, errors), matched as whole words in what a reader sees or hears: text, and the
alt, title, aria-label, placeholder and description attributes. The site's name ("The Newsroom")
and the language menu's "English" are not interface words and are taken out first."""

import datetime
import html
import re

import pytest
from django.core.cache import cache
from django.utils import translation

from articles.editorial import live, services
from articles.models import Author, Contributor

from ..helpers.factories import make_article, make_image, make_source

pytestmark = pytest.mark.django_db

PUBLISHED = datetime.datetime(2025, 3, 1, 10, 42, tzinfo=datetime.UTC)

ENGLISH = [
    "the", "of", "and", "from", "with", "for", "to", "in", "by", "no", "more", "all",
    "Skip", "content", "Front page", "Search", "Topics", "Topic", "Updated", "Update", "Updates",
    "Corrections", "Live", "Latest", "Show", "Newest", "Oldest", "first", "story", "stories",
    "Page not found", "Authors", "Author", "Languages", "Language", "Sort", "Sorted", "results",
    "feed", "Link", "Key event", "Key events", "Words", "reporting", "Reporting", "Related",
    "Next", "Previous", "Choose", "Menu", "Photo by", "Caption", "news", "ended", "coverage",
    "January", "February", "March", "April", "June", "July", "August", "September", "October",
    "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Oct",
    "Nov", "Dec",
]  # fmt: skip
# English words that are French words too, and so allowed on French pages.
ALSO_FRENCH = {"Corrections"}
_ENGLISH = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ENGLISH)) + r")(?![\w-])")
_HEARD = re.compile(
    r'\s(?:alt|title|aria-label|placeholder)="([^"]*)"'
    r'|<meta (?:name|property)="(?:description|og:title|og:description|twitter:\w+)" '
    r'content="([^"]*)"'
)


def what_a_reader_meets(page: str) -> str:
    heard = " ¶ ".join(a or b for a, b in _HEARD.findall(page))
    page = re.sub(r"<(script|style)\b.*?</\1>|<!--.*?-->", " ", page, flags=re.S)
    shown = re.sub(r"<[^>]+>", " ¶ ", page)
    text = html.unescape(f"{shown} ¶ {heard}")
    text = text.replace("The Newsroom", " ").replace("English", " ")
    return re.sub(r"\s+", " ", text)


def english_words(page: str, language: str = "ar") -> list[str]:
    text = what_a_reader_meets(page)
    allowed = ALSO_FRENCH if language == "fr" else set()
    return sorted({f"{m.group(1)!r} in …{text[max(0, m.start() - 40) : m.end() + 40]}…"
                   for m in _ENGLISH.finditer(text) if m.group(1) not in allowed})  # fmt: skip


STORIES = {
    "fr": {
        "headline": "Le Mali reçoit des hélicoptères de la Russie",
        "standfirst": "Quatre appareils sont arrivés à Bamako.",
        "body": "<p>Les hélicoptères ont été livrés mardi.</p>",
        "caption": "Un hélicoptère à l’aéroport",
        "tag": "Défense",
        "live": "Soirée électorale",
        "update": "Les bureaux de vote ferment.",
        "correction": "Le nombre d’appareils a été corrigé.",
        "search": "hélicoptères",
    },
    "ar": {
        "headline": "مالي تتسلم مروحيات من روسيا",
        "standfirst": "وصلت أربع طائرات إلى باماكو.",
        "body": "<p>سُلّمت المروحيات يوم الثلاثاء.</p>",
        "caption": "مروحية في المطار",
        "tag": "دفاع",
        "live": "ليلة الانتخابات",
        "update": "أغلقت مراكز الاقتراع.",
        "correction": "صُحّح عدد الطائرات.",
        "search": "المروحيات",
    },
}


@pytest.fixture
def pages(settings):
    """Every main public page of each language, with stories in it that have everything a page
    can show: photo, byline with authors and roles, source, tag, correction, live updates (one a
    key event, the coverage ended), and a second page of a list."""
    settings.ARTICLES_PER_PAGE = 1
    cache.clear()
    urls = {}
    for language, words in STORIES.items():
        author = Author.objects.create(name=f"Amina Traoré {language}")
        story = make_article(
            words["headline"],
            language=language,
            standfirst=words["standfirst"],
            body=words["body"],
            tags=[words["tag"]],
            sources=[make_source(f"AFP {language}")],
            lead_image=make_image(alt_text=words["caption"], caption=words["caption"]),
            published_at=PUBLISHED,
        )
        for position, role in enumerate([Contributor.Role.BY, Contributor.Role.ADDITIONAL]):
            Contributor.objects.create(article=story, author=author, role=role, position=position)
        services.add_correction(article=story, user=None, text=words["correction"])
        coverage = make_article(
            words["live"],
            language=language,
            standfirst=words["standfirst"],
            body=words["body"],
            tags=[words["tag"]],
            published_at=PUBLISHED,
        )
        live.start_coverage(article=coverage, user=None)
        update = live.post_update(
            article=coverage, user=None, body=f"<p>{words['update']}</p>", byline="Jane Doe"
        )
        live.set_key_event(update=update, user=None, is_key_event=True)
        ended = make_article(
            words["live"] + " 2",
            language=language,
            standfirst=words["standfirst"],
            body=words["body"],
            published_at=PUBLISHED,
        )
        live.start_coverage(article=ended, user=None)
        live.post_update(article=ended, user=None, body=f"<p>{words['update']}</p>")
        live.end_coverage(article=ended, user=None)
        tag = story.tags.get()
        prefix = f"/{language}"
        with translation.override(language):  # whatever an earlier test left active
            tag_page, author_page = tag.get_absolute_url(), author.get_absolute_url()
        urls[language] = {
            "front page": f"{prefix}/",
            "story": story.get_absolute_url(),
            "live story": coverage.get_absolute_url(),
            "ended live story": ended.get_absolute_url(),
            "topics": f"{prefix}/tags/",
            "topic": tag_page,
            "topic, page 2": f"{tag_page}?page=2",
            "source": f"{prefix}/sources/afp-{language}/",
            "authors": f"{prefix}/authors/",
            "author": author_page,
            "search": f"{prefix}/search/?q={words['search']}&language={language}",
            "search, page 2": f"{prefix}/search/?tag={tag.slug}&page=2",
            "search, nothing found": f"{prefix}/search/?q=zzzz",
            "search form": f"{prefix}/search/",
            "not found": f"{prefix}/no-such-page/",
            "feed": f"/feeds/{language}/latest.atom",
        }
    return urls


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_no_english_interface_words_on_the_languages_pages(client, pages, language):
    left = {}
    for name, url in pages[language].items():
        response = client.get(url)
        assert response.status_code == (404 if name == "not found" else 200), (name, url)
        if found := english_words(response.content.decode(), language):
            left[name] = found
    assert not left, f"English on the {language} pages: {left}"


def test_the_check_sees_english(client, pages):
    # The same pages in English are full of these words: the check is not blind.
    page = client.get(pages["fr"]["story"].removeprefix("/fr")).content.decode()
    assert not english_words(page)  # a French story is read on its French address only
    english = make_article("Helicopters", published_at=PUBLISHED)
    services.add_correction(article=english, user=None, text="Fixed.")
    found = english_words(client.get(english.get_absolute_url()).content.decode())
    assert any("'Corrections'" in word for word in found)
    assert any("'Topics'" in word for word in found)
