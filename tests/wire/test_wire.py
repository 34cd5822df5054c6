"""Tests for the wire-copy parser (pure Python: no Django, no database)."""

from __future__ import annotations

import pytest

from articles.management.commands.seed import SEED_FILE
from articles.wire.text import WireParseError, WirePhoto, WireStory, parse_wire, split_credit

SEED = SEED_FILE

SIMPLE = (
    "Headline here\n"
    "\n"
    "The standfirst.\n"
    "\n"
    "Caption text [Ahmed Jallanzo/EPA]\n"
    "\n"
    "First body paragraph.\n"
    "\n"
    "Second body paragraph.\n"
    "\n"
    "Source: Al Jazeera and news agencies\n"
)


def _blank_line_paragraphs(text: str) -> list[str]:
    return [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


# --- the seed story ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_story() -> WireStory:
    return parse_wire(SEED.read_text(encoding="utf-8"))


def test_seed_headline_and_standfirst(seed_story: WireStory) -> None:
    assert seed_story.headline == "Mali receives helicopters and weapons from Russia"
    assert seed_story.standfirst.startswith("The delivery of military equipment")
    assert seed_story.standfirst.endswith("key ally Paris.")


def test_seed_photo(seed_story: WireStory) -> None:
    assert seed_story.photo == WirePhoto(
        caption="France has warned Mali that hiring Wagner fighters would isolate the country "
        "internationally",
        credit="Benoit Tessier/Reuters",
        is_file_photo=True,
    )


def test_seed_sources(seed_story: WireStory) -> None:
    assert seed_story.sources == ("News Agencies",)


def test_seed_body_is_everything_between_photo_and_source(seed_story: WireStory) -> None:
    raw = _blank_line_paragraphs(SEED.read_text(encoding="utf-8"))
    assert raw[2].endswith("[File: Benoit Tessier/Reuters]")
    assert raw[-1].startswith("Source:")
    assert seed_story.paragraphs == tuple(p.strip() for p in raw[3:-1])
    assert len(seed_story.paragraphs) == 16
    assert seed_story.paragraphs[0].startswith("A cargo plane")
    assert seed_story.paragraphs[-1].endswith("he told Radio France International.")


def test_seed_keeps_typography(seed_story: WireStory) -> None:
    quote = next(p for p in seed_story.paragraphs if p.startswith("\u201cMali bought these"))
    assert quote.startswith("\u201cMali bought these helicopters")
    assert "partnership,\u201d he told" in quote
    assert "battle \u2013 alongside" in seed_story.paragraphs[1]  # en dashes untouched
    assert "Mali\u2019s" in seed_story.paragraphs[5]  # curly apostrophe untouched


def test_seed_body_html(seed_story: WireStory) -> None:
    lines = seed_story.body_html.split("\n")
    assert len(lines) == len(seed_story.paragraphs)
    assert lines[0].startswith("<p>A cargo plane") and lines[0].endswith("</p>")
    # quote=False: quotes stay readable instead of becoming entities.
    assert "<p>\u201cMali bought" in seed_story.body_html
    assert "&quot;" not in seed_story.body_html and "&#x27;" not in seed_story.body_html


def test_seed_as_bytes_matches_str(seed_story: WireStory) -> None:
    assert parse_wire(SEED.read_bytes()) == seed_story


def test_story_is_frozen(seed_story: WireStory) -> None:
    with pytest.raises(AttributeError):
        seed_story.headline = "changed"  # type: ignore[misc]
    assert seed_story.photo is not None
    with pytest.raises(AttributeError):
        seed_story.photo.credit = "changed"  # type: ignore[misc]


# --- structure variants ----------------------------------------------------------------------


def test_credit_without_file_prefix_and_two_sources() -> None:
    story = parse_wire(SIMPLE)
    assert story.photo == WirePhoto("Caption text", "Ahmed Jallanzo/EPA", is_file_photo=False)
    assert story.paragraphs == ("First body paragraph.", "Second body paragraph.")
    assert story.sources == ("Al Jazeera", "News Agencies")


@pytest.mark.parametrize(
    "bracket",
    [
        "[File: Benoit Tessier/Reuters]",
        "[file:Benoit Tessier/Reuters]",
        "[FILE :  Benoit Tessier/Reuters ]",
    ],
)
def test_file_prefix_variants(bracket: str) -> None:
    story = parse_wire(f"H\n\nS\n\nCaption {bracket}\n\nBody.")
    assert story.photo == WirePhoto("Caption", "Benoit Tessier/Reuters", is_file_photo=True)


def test_no_photo_paragraph() -> None:
    story = parse_wire("Headline\n\nStandfirst.\n\nBody one.\n\nBody two.\n\nSource: Reuters")
    assert story.photo is None
    assert story.paragraphs == ("Body one.", "Body two.")
    assert story.sources == ("Reuters",)


def test_no_source_line_gives_no_sources() -> None:
    story = parse_wire("Headline\n\nStandfirst.\n\nCaption [EPA]\n\nBody one.")
    assert story.sources == ()
    assert story.paragraphs == ("Body one.",)
    assert story.photo == WirePhoto("Caption", "EPA", is_file_photo=False)


def test_only_first_credit_paragraph_is_the_photo() -> None:
    story = parse_wire("H\n\nS\n\nFirst [AFP]\n\nBody.\n\nSecond caption [Reuters]\n\nMore.")
    assert story.photo == WirePhoto("First", "AFP", is_file_photo=False)
    assert story.paragraphs == ("Body.", "Second caption [Reuters]", "More.")


def test_photo_paragraph_found_after_a_body_paragraph() -> None:
    story = parse_wire("H\n\nS\n\nBody one.\n\nCaption [Jane Doe/AP]\n\nBody two.")
    assert story.photo == WirePhoto("Caption", "Jane Doe/AP", is_file_photo=False)
    assert story.paragraphs == ("Body one.", "Body two.")


@pytest.mark.parametrize(
    "paragraph",
    [
        "The army [of Mali] said it would leave.",  # bracket in the middle
        "He said [Reuters] was there, he added.",
        "It was their fault [sic]",  # editorial mark, not a credit
        "As noted before [1]",  # footnote, not a credit
        "Empty brackets at the end []",
        "Nested [brackets [Reuters]]",
        "Too long [" + "x" * 121 + "]",
        "Just a prefix [File: ]",
    ],
)
def test_bracket_that_is_not_a_credit_stays_in_body(paragraph: str) -> None:
    story = parse_wire(f"Headline\n\nStandfirst.\n\n{paragraph}\n\nSource: AFP")
    assert story.photo is None
    assert story.paragraphs == (paragraph,)


def test_credit_up_to_120_characters_is_accepted() -> None:
    credit = "A" * 116 + "/AFP"
    story = parse_wire(f"H\n\nS\n\nCaption [{credit}]\n\nBody.")
    assert story.photo is not None and story.photo.credit == credit


def test_hard_wrapped_lines_are_joined_with_one_space() -> None:
    story = parse_wire("Headline\n\nStand\nfirst\n\nCaption\nline [AP]\n\nBody\n  wrapped\there.")
    assert story.standfirst == "Stand first"
    assert story.photo == WirePhoto("Caption line", "AP", is_file_photo=False)
    assert story.paragraphs == ("Body wrapped\there.",)  # inner tab kept as written


def test_lines_right_under_headline_become_standfirst() -> None:
    story = parse_wire("Headline\nStandfirst line.\n\nBody.")
    assert story.headline == "Headline"
    assert story.standfirst == "Standfirst line."
    assert story.paragraphs == ("Body.",)


# --- sources ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Source: News Agencies", ("News Agencies",)),
        ("Source: news agencies", ("News Agencies",)),
        ("Source: Agencies", ("News Agencies",)),
        ("Source: Al Jazeera and news agencies", ("Al Jazeera", "News Agencies")),
        ("Sources: Al Jazeera, Reuters & AFP", ("Al Jazeera", "Reuters", "AFP")),
        ("SOURCES:Al Jazeera, Reuters, and AFP.", ("Al Jazeera", "Reuters", "AFP")),
        ("source: Reuters and reuters, REUTERS", ("Reuters",)),
        ("Source: agencies and News Agencies", ("News Agencies",)),
        ("Source: Reuters/AFP", ("Reuters/AFP",)),  # only , / and / & separate
        ("Source: Anderson Media", ("Anderson Media",)),  # "and" inside a word
        ("Source:", ()),
    ],
)
def test_sources(line: str, expected: tuple[str, ...]) -> None:
    story = parse_wire(f"Headline\n\nStandfirst.\n\nBody.\n\n{line}")
    assert story.sources == expected
    assert story.paragraphs == ("Body.",)


def test_source_mentioned_mid_story_is_body() -> None:
    story = parse_wire("H\n\nS\n\nSource: a senior official.\n\nBody.")
    assert story.sources == ()
    assert story.paragraphs == ("Source: a senior official.", "Body.")


# --- encodings, line ends, whitespace --------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        "\ufeff" + SIMPLE.replace("\n", "\r\n"),
        ("\ufeff" + SIMPLE.replace("\n", "\r\n")).encode("utf-8"),
        SIMPLE.encode("utf-8"),
        SIMPLE.replace("\n", "\r"),
        SIMPLE.replace("\n", "\r").encode("utf-8"),
    ],
    ids=["bom-crlf-str", "bom-crlf-bytes", "plain-bytes", "lone-cr-str", "lone-cr-bytes"],
)
def test_bom_and_line_endings(payload: str | bytes) -> None:
    assert parse_wire(payload) == parse_wire(SIMPLE)


def test_extra_blank_lines_and_stray_whitespace() -> None:
    messy = (
        "\n \n\t\n  Headline here \t\n"
        "\n\n\n \u00a0\n"
        "\u00a0The standfirst.\u00a0\n"
        "   \n\t\n"
        "\tCaption text   [Ahmed Jallanzo/EPA]  \n"
        "\n\n"
        "First body paragraph.\n"
        "\t \n"
        "   Second body paragraph.\u00a0\u00a0\n"
        "\n\n\n"
        "  Source: Al Jazeera and news agencies  \n\n\n"
    )
    assert parse_wire(messy) == parse_wire(SIMPLE)


def test_non_ascii_bytes_decode() -> None:
    story = parse_wire("Caf\u00e9 headline\n\nStand\u2013first\n\n\u201cQuote\u201d".encode())
    assert story.headline == "Caf\u00e9 headline"
    assert story.standfirst == "Stand\u2013first"
    assert story.paragraphs == ("\u201cQuote\u201d",)


# --- hostile text ----------------------------------------------------------------------------


def test_hostile_html_is_kept_as_text_and_escaped_only_in_body_html() -> None:
    story = parse_wire(
        "<script>alert('h')</script> Headline\n\n"
        "Standfirst <b>bold</b> & more\n\n"
        'Caption <img src=x onerror="x()"> [File: <script>/AFP]\n\n'
        "Body <script>alert(\"x\")</script> & 'quotes'\n\n"
        "Source: <i>Evil</i>"
    )
    assert story.headline == "<script>alert('h')</script> Headline"
    assert story.standfirst == "Standfirst <b>bold</b> & more"
    assert story.photo == WirePhoto('Caption <img src=x onerror="x()">', "<script>/AFP", True)
    assert story.paragraphs == ("Body <script>alert(\"x\")</script> & 'quotes'",)
    assert story.sources == ("<i>Evil</i>",)
    assert story.body_html == (
        "<p>Body &lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; 'quotes'</p>"
    )
    assert "<script>" not in story.body_html


def test_body_html_joins_paragraphs_with_newlines() -> None:
    story = parse_wire("H\n\nS\n\nOne.\n\nTwo & three.")
    assert story.body_html == "<p>One.</p>\n<p>Two &amp; three.</p>"


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("", "file is empty"),
        (b"", "file is empty"),
        (" \n\t\r\n\u00a0\n", "file is empty"),
        ("\ufeff", "file is empty"),
        (b"\xef\xbb\xbf\r\n", "file is empty"),
        ("Only a headline\n\n\n", "no standfirst: the file holds only a headline"),
        ("Headline\n\nStandfirst only.", "no body paragraphs"),
        ("Headline\n\nStandfirst.\n\nCaption [File: X/AFP]", "no body paragraphs"),
        ("Headline\n\nStandfirst.\n\nSource: AFP", "no body paragraphs"),
        ("Headline\n\nStand\x00first\n\nBody.", "contains a NUL character at position 15"),
        (b"Headline\n\nBody\x00", "contains a NUL character at position 14"),
        ("x" * 301 + "\n\nS\n\nBody.", "first line is not a headline: 301 characters"),
    ],
)
def test_parse_errors(payload: str | bytes, reason: str) -> None:
    with pytest.raises(WireParseError) as excinfo:
        parse_wire(payload)
    assert str(excinfo.value).startswith(reason)


def test_headline_of_300_characters_is_allowed() -> None:
    assert parse_wire("x" * 300 + "\n\nS\n\nBody.").headline == "x" * 300


@pytest.mark.parametrize(
    ("payload", "offset"),
    [
        (b"Headline\n\n\xffStandfirst", 10),
        (b"\xef\xbb\xbfHead\xc3(line", 7),  # offset counts the BOM's three bytes
        (b"Caf\xe9 latin-1", 3),
    ],
)
def test_invalid_utf8_names_byte_offset(payload: bytes, offset: int) -> None:
    with pytest.raises(WireParseError, match=rf"^not valid UTF-8: bad byte at offset {offset}$"):
        parse_wire(payload)


def test_error_is_a_value_error_that_reads_after_a_file_name() -> None:
    with pytest.raises(ValueError) as excinfo:
        parse_wire("   ")
    assert isinstance(excinfo.value, WireParseError)
    assert f"story.txt: {excinfo.value}" == "story.txt: file is empty"


def test_non_text_input_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_wire(42)  # type: ignore[arg-type]


# --- split_credit ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        ("Benoit Tessier/Reuters", ("Benoit Tessier", "Reuters")),
        ("EPA", ("", "EPA")),
        ("Reuters", ("", "Reuters")),
        ("Ahmed Jallanzo / EPA", ("Ahmed Jallanzo", "EPA")),
        ("  Jane Doe/AP  ", ("Jane Doe", "AP")),
        ("Jane Doe/John Roe/AFP", ("Jane Doe/John Roe", "AFP")),
        ("Reuters/", ("", "Reuters")),
        ("", ("", "")),
    ],
)
def test_split_credit(credit: str, expected: tuple[str, str]) -> None:
    assert split_credit(credit) == expected
