"""Bylines and agency closing credits in wire text: read into ordered credits with their roles,
taken out of the copy, and linked to known authors on import (unknown names stay free text)."""

import pytest

from articles import credits
from articles.credits import Credit, credit_line, parse_credit_line
from articles.models import Article, Author, Contributor
from articles.wire.importing import import_parsed, parse_copy
from articles.wire.text import parse_wire

Role = Contributor.Role

# Reuters copy as it arrives: a dateline, and the closing credits in brackets on the last line.
REUTERS = """Mali junta frees two detained former ministers

Two former ministers held since a coup in May were released on Friday, their lawyers said.

BAMAKO (Reuters) - Mali's military authorities on Friday released two former ministers who had \
been detained since a coup in May, their lawyers told Reuters.

By Thursday evening, supporters had gathered outside the gendarmerie camp in the capital.

(Reporting by Tiemoko Diallo in Bamako and Jean Dupont in Dakar; Additional reporting by Li Wei; \
Writing by Amina Traoré; Editing by Alex Richardson)
"""

# A desk's own copy: the byline right under the headline.
BYLINED = """Floods close roads in the capital
By Amina Traoré and Jean Dupont

Heavy rain overnight cut power to thousands of homes.

Rescue workers wade through a flooded street [Ahmed Jallanzo/EPA]

The river burst its banks before dawn. (Reporting by Sara Lind; Editing by Omar Haidara)

Source: Al Jazeera and news agencies
"""


def test_roles_are_the_contributor_roles():
    assert set(credits.ROLES) == set(Role.values)


def test_reuters_closing_credits_become_ordered_credits_and_leave_the_body():
    story = parse_wire(REUTERS)
    assert story.credits == (
        Credit("reporting", "Tiemoko Diallo"),
        Credit("reporting", "Jean Dupont"),
        Credit("additional", "Li Wei"),
        Credit("by", "Amina Traoré"),
        Credit("edited", "Alex Richardson"),
    )
    assert story.paragraphs[-1] == (
        "By Thursday evening, supporters had gathered outside the gendarmerie camp in the capital."
    )
    assert "Reporting by" not in story.body_html and "Editing" not in story.body_html


def test_a_byline_under_the_headline_and_credits_ending_the_last_paragraph():
    story = parse_wire(BYLINED)
    assert story.credits == (
        Credit("by", "Amina Traoré"),
        Credit("by", "Jean Dupont"),
        Credit("reporting", "Sara Lind"),
        Credit("edited", "Omar Haidara"),
    )
    assert story.standfirst == "Heavy rain overnight cut power to thousands of homes."
    assert story.paragraphs == ("The river burst its banks before dawn.",)
    assert story.sources == ("Al Jazeera", "News Agencies")
    assert story.byline == (
        "Amina Traoré and Jean Dupont; reporting by Sara Lind; edited by Omar Haidara"
    )


def test_a_byline_paragraph_after_the_standfirst():
    story = parse_wire(
        "Port reopens\n\nShips are moving again.\n\n"
        "Reporting by Ursula von der Leyen; Editing by Mohamed al-Bashir\n\n"
        "The harbour master said the channel was clear.\n"
    )
    assert story.credits == (
        Credit("reporting", "Ursula von der Leyen"),
        Credit("edited", "Mohamed al-Bashir"),
    )
    assert story.standfirst == "Ships are moving again."
    assert story.paragraphs == ("The harbour master said the channel was clear.",)


@pytest.mark.parametrize(
    "line",
    [
        "By Thursday, the troops had left.",
        "By then it was too late to evacuate the town.",
        "(The ministry did not say by how much.)",
        "(ISIS)",
    ],
)
def test_body_copy_that_looks_a_little_like_credits_stays(line):
    story = parse_wire(f"Port reopens\n\nShips are moving.\n\nThe channel is clear.\n\n{line}\n")
    assert story.credits == ()
    assert story.paragraphs[-1] == line


def test_copy_without_credits_has_no_byline():
    assert parse_wire("Port reopens\n\nShips are moving.\n\nThe channel is clear.\n").byline == ""


def test_credit_lines_read_back_as_written():
    line = credit_line(parse_credit_line(REUTERS.strip().splitlines()[-1].strip("()")))
    assert line == (
        "Amina Traoré; reporting by Tiemoko Diallo and Jean Dupont; additional reporting by "
        "Li Wei; edited by Alex Richardson"
    )
    assert parse_credit_line(line, strict=False) == (
        Credit("by", "Amina Traoré"),
        Credit("reporting", "Tiemoko Diallo"),
        Credit("reporting", "Jean Dupont"),
        Credit("additional", "Li Wei"),
        Credit("edited", "Alex Richardson"),
    )


@pytest.mark.django_db
class TestImport:
    @pytest.fixture
    def known(self):
        return {
            name: Author.objects.create(name=name)
            for name in ("Amina Traoré", "Jean Dupont", "Li Wei")
        }

    def test_known_names_become_credits_in_their_roles_and_unknown_ones_stay_free_text(self, known):
        article = import_parsed(parse_copy(REUTERS)).article
        assert [
            (c.author.name, c.role, c.position)
            for c in article.contributions.select_related("author")
        ] == [  # in the order the byline reads: by role, then as the copy lists them
            ("Amina Traoré", Role.BY, 0),
            ("Jean Dupont", Role.REPORTING, 1),
            ("Li Wei", Role.ADDITIONAL, 2),
        ]
        article.refresh_from_db()
        assert article.byline == "Reporting by Tiemoko Diallo; edited by Alex Richardson"
        assert article.byline_text() == (
            "By Amina Traoré; reporting by Jean Dupont and Tiemoko Diallo; additional reporting "
            "by Li Wei; edited by Alex Richardson"
        )
        assert "Reporting by" not in article.body
        assert Author.objects.count() == 3  # no author is made up from copy

    def test_a_reimport_does_not_double_the_credits(self, known):
        article = import_parsed(parse_copy(REUTERS)).article
        again = import_parsed(parse_copy(REUTERS))
        assert not again.created and again.article.pk == article.pk
        assert article.contributions.count() == 3
        article.refresh_from_db()
        assert article.byline == "Reporting by Tiemoko Diallo; edited by Alex Richardson"

    def test_the_page_reads_the_free_text_roles_naturally(self, client, known):
        article = import_parsed(parse_copy(BYLINED), publish=True).article
        page = client.get(article.get_absolute_url()).content.decode()
        assert (
            '<span class="byline">By <a class="byline__author" href="/authors/amina-traore/">'
            'Amina Traoré</a> and <a class="byline__author" href="/authors/jean-dupont/">'
            "Jean Dupont</a>; reporting by <bdi>Sara Lind</bdi>; edited by <bdi>Omar Haidara</bdi>"
            "</span>"
        ) in page

    def test_copy_with_no_known_name_keeps_its_whole_byline_as_free_text(self, client):
        article = import_parsed(parse_copy(REUTERS), publish=True).article
        assert not article.contributions.exists()
        assert Article.objects.get(pk=article.pk).byline_text() == (
            "By Amina Traoré; reporting by Tiemoko Diallo and Jean Dupont; additional reporting "
            "by Li Wei; edited by Alex Richardson"
        )
        page = client.get(article.get_absolute_url()).content.decode()
        assert '<span class="byline">By <bdi>Amina Traoré</bdi>; reporting by <bdi>' in page

    def test_free_text_writers_are_persons_in_the_storys_json_ld_and_editors_are_not(self, client):
        import json
        import re

        article = import_parsed(parse_copy(REUTERS), publish=True).article
        page = client.get(article.get_absolute_url()).content.decode()
        scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page)
        news = next(json.loads(s) for s in scripts if '"NewsArticle"' in s)
        assert [person["name"] for person in news["author"]] == [
            "Amina Traoré",
            "Tiemoko Diallo",
            "Jean Dupont",
            "Li Wei",
        ]
