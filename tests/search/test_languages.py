"""Search in three languages: French stemmed and accent-blind, Arabic blind to diacritics,
results narrowed by language."""

import re

import pytest
from django.db import connection

from ..helpers.factories import make_article

pytestmark = pytest.mark.django_db


def headlines(response) -> list[str]:
    page = response.content.decode()
    return re.findall(r'class="card__headline"><a [^>]*>([^<]*)</a>', page)


@pytest.fixture
def stories(db):
    return {
        "fr": make_article(
            "Les élections présidentielles reportées au Mali",
            language="fr",
            standfirst="La junte a annoncé un nouveau calendrier électoral.",
            body="<p>Les électeurs maliens attendront encore avant de voter.</p>",
        ),
        "ar": make_article(
            "تأجيل الانتِخاباتِ الرئاسيّة في مالي",
            language="ar",
            standfirst="أعلن المجلس العسكري جدولًا زمنيًا جديدًا.",
            body="<p>سينتظر النَّاخبون الماليون قبل التصويت.</p>",
        ),
        "en": make_article(
            "Mali postpones the presidential vote",
            language="en",
            body="<p>Voters will wait.</p>",
        ),
    }


@pytest.mark.parametrize("words", ["élections", "elections", "ELECTIONS", "Élections reportees"])
def test_french_matches_whatever_the_accents(client, stories, words):
    assert stories["fr"].headline in headlines(client.get("/search/", {"q": words}))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="French stemming is PostgreSQL's")
@pytest.mark.parametrize("words", ["élection", "election", "présidentielle", "reporté"])
def test_french_is_stemmed_on_postgresql(client, stories, words):
    assert stories["fr"].headline in headlines(client.get("/search/", {"q": words}))


@pytest.mark.parametrize("words", ["الانتخابات", "الانتِخاباتِ", "الناخبون", "النَّاخبون"])
def test_arabic_matches_with_or_without_diacritics(client, stories, words):
    assert stories["ar"].headline in headlines(client.get("/ar/search/", {"q": words}))


def test_arabic_snippet_marks_the_match(client, stories):
    page = client.get("/ar/search/", {"q": "النَّاخبون"}).content.decode()
    assert "<mark>الناخبون</mark>" in page


def test_results_can_be_narrowed_to_a_language(client, stories):
    response = client.get("/search/", {"q": "Mali"})
    found = headlines(response)
    assert {stories["fr"].headline, stories["en"].headline} <= set(found)
    facets = re.search(r"<h2[^>]*>Languages</h2>\s*<ul.*?</ul>", response.content.decode(), re.S)
    links = re.findall(
        r'<a href="([^"]+)" lang="(\w+)">[^<]+</a> <span class="facet-count">(\d+)', facets.group(0)
    )
    assert {language: count for _, language, count in links} == {
        "en": "1",
        "fr": "1",
    }  # no Arabic story says "Mali" in Latin letters
    french_only = client.get("/search/", {"q": "Mali", "language": "fr"})
    assert headlines(french_only) == [stories["fr"].headline]
    assert "in French" in french_only.content.decode()  # an active filter, removable


def test_an_unknown_language_is_a_clear_error(client, stories):
    response = client.get("/search/", {"language": "xx"})
    assert response.status_code == 400
    assert "There are no stories in the language “xx”." in response.content.decode()


def test_language_only_filter_lists_that_language(client, stories):
    assert headlines(client.get("/search/", {"language": "ar"})) == [stories["ar"].headline]


@pytest.mark.parametrize("words", ["electeurs", "électeurs", "ÉLECTEURS"])
def test_french_snippet_marks_the_match_whatever_the_accents(client, stories, words):
    page = client.get("/fr/search/", {"q": words}).content.decode()
    assert "<mark>électeurs</mark>" in page


@pytest.mark.parametrize("words", ["الناخبون", "النَّاخبون", "النّاخبُون"])
def test_arabic_snippet_marks_the_match_with_or_without_diacritics(client, stories, words):
    page = client.get("/ar/search/", {"q": words}).content.decode()
    assert "<mark>الناخبون</mark>" in page
