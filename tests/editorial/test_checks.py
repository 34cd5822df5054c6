"""Checks before publishing (articles/editorial/checks.py): each one alone, with its field and
whether it blocks publishing."""

import pytest

from articles.editorial.checks import Check, run_checks
from articles.models import Image

CAPTION = "Soldiers unload a helicopter at Bamako airport."


def photo(*, alt="Soldiers beside a helicopter on the tarmac", caption=CAPTION, file="p/x.jpg"):
    # With its size given, an unsaved photo never opens its (absent) file.
    return Image(
        file=file, width=640, height=480, alt_text=alt, caption=caption, credit="A. Person/Reuters"
    )


def checks(*, body="<p>Fine.</p>", lead_image=None) -> list[Check]:
    return run_checks(
        headline="Short", standfirst="S.", body=body, tags=["Mali"], lead_image=lead_image
    )


def test_a_described_photo_and_a_well_ordered_body_pass():
    body = "<h2>Arrival</h2><p>a</p><h3>Detail</h3><p>b</p><h2>Reaction</h2><h3>Paris</h3>"
    assert checks(body=body, lead_image=photo()) == []


def test_missing_alt_text_blocks_and_links_to_the_alt_text_box():
    assert checks(lead_image=photo(alt="  ")) == [
        Check("lead_photo_alt", "The lead photo has no alt text (required).", blocking=True)
    ]


@pytest.mark.parametrize(
    "alt", ["IMG_1234.jpg", "photo.png", "DSC_0042", "img-20240101-wa0003.JPEG", "PXL_2023"]
)
def test_alt_text_that_is_a_file_name_is_a_warning(alt):
    [found] = checks(lead_image=photo(alt=alt))
    assert found.field == "lead_photo_alt" and not found.blocking
    assert found.message == (
        f"The lead photo’s alt text “{alt}” is a file name: say what the photo shows."
    )


@pytest.mark.parametrize("alt", ["A photo of the 2024.results", "Image 3 of the parade"])
def test_alt_text_that_only_mentions_files_or_numbers_passes(alt):
    assert checks(lead_image=photo(alt=alt)) == []


@pytest.mark.parametrize(
    "alt", [CAPTION, "soldiers unload a helicopter at Bamako airport", f"  {CAPTION.upper()} "]
)
def test_alt_text_repeating_the_caption_is_a_warning(alt):
    [found] = checks(lead_image=photo(alt=alt))
    assert found.field == "lead_photo_alt" and not found.blocking
    assert "repeats its caption" in found.message


def test_a_caption_with_no_photo_file_is_a_warning_linking_to_the_file_box():
    [found] = checks(lead_image=photo(file="", alt=""))
    assert found.field == "lead_photo_file" and not found.blocking
    assert "waiting for a photo file" in found.message
    # No file and nothing to show: no finding (and no alt text asked of a photo not there).
    assert checks(lead_image=Image(caption="", credit="")) == []


def test_a_level_one_heading_in_the_body_is_a_warning():
    [found] = checks(body="<h1>Second headline</h1><p>Text.</p>")
    assert found.field == "body" and not found.blocking
    assert "level-1 heading" in found.message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "<h2>A</h2><p>x</p><h4>B</h4>",
            "A level-4 heading follows a level-2 heading: make it level 3",
        ),
        ("<p>x</p><h3>First</h3>", "A level-3 heading follows the headline: make it level 2"),
    ],
)
def test_a_heading_that_skips_a_level_is_a_warning(body, message):
    [found] = checks(body=body)
    assert found.field == "body" and not found.blocking
    assert found.message.startswith(message)


def test_the_same_skip_twice_is_listed_once():
    assert len(checks(body="<h2>A</h2><h4>B</h4><h2>C</h2><h4>D</h4>")) == 1


def test_blocking_checks_come_first():
    found = run_checks(headline="A" * 90, standfirst="", body="", tags=[], lead_image=photo(alt=""))
    assert found[0].blocking and not any(check.blocking for check in found[1:])
