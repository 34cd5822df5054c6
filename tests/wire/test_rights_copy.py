"""Rights in agency copy: embargo lines read in the agencies' ways (never guessed), and kill
notices told apart from stories."""

import datetime

import pytest

from articles.wire.text import WireKill, WireParseError, parse_embargo_line, parse_wire

LIFT = datetime.datetime(2026, 12, 3, 14, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "line",
    [
        "EMBARGOED UNTIL 14:00 GMT 3 December 2026",
        "EMBARGOED UNTIL 14:00 GMT, 3 December 2026",
        "*** EMBARGO: 3 Dec 2026 14:00 UTC ***",
        "Embargoed until 2pm GMT on December 3, 2026",
        "EMBARGOED UNTIL 1500 CET 3 December 2026",
        "EMBARGO 2026-12-03T14:00:00Z",
        "EMBARGOED TO 16:00 +02:00 3 December 2026",
    ],
)
def test_embargo_lines_in_the_agencies_ways(line):
    assert parse_embargo_line(line) == LIFT


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("EMBARGOED UNTIL 14:00 3 December 2026", "no time zone"),
        ("EMBARGOED UNTIL 14:00 GMT", "no date"),
        ("EMBARGOED UNTIL FURTHER NOTICE", "no date"),
    ],
)
def test_an_unreadable_embargo_line_is_an_error_not_ignored(line, reason):
    with pytest.raises(WireParseError, match=reason):
        parse_wire(f"{line}\n\nHeadline\n\nStandfirst.\n\nBody.\n")


def test_the_embargo_line_leaves_the_copy():
    story = parse_wire(
        "Budget agreed\n\nEMBARGOED UNTIL 14:00 GMT 3 December 2026\n\nStandfirst.\n\nBody.\n"
    )
    assert story.embargoed_until == LIFT
    assert story.headline == "Budget agreed" and story.standfirst == "Standfirst."
    assert "EMBARGO" not in story.body_html


def test_a_body_sentence_about_an_embargo_is_copy():
    story = parse_wire("Trade\n\nStandfirst.\n\nEmbargoed goods were seized at the port.\n")
    assert story.embargoed_until is None
    assert "Embargoed goods" in story.body_html


@pytest.mark.parametrize(
    "text",
    [
        "KILL KILL KILL\n\nRebels seize the port\n\nLegal reasons.\n",
        "WITHDRAWN: Rebels seize the port\n\nLegal reasons.\n",
        "KILL\nRebels seize the port\nLegal reasons.\n",
    ],
)
def test_kill_notices(text):
    assert parse_wire(text) == WireKill("Rebels seize the port", "Legal reasons.")


def test_a_headline_starting_with_kill_in_normal_case_is_a_story():
    story = parse_wire("Kill switch fitted to trains\n\nStandfirst.\n\nBody.\n")
    assert story.headline == "Kill switch fitted to trains"
