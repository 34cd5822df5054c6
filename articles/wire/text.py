"""Parser for agency "wire copy" plain-text stories.

A wire file is UTF-8 text made of paragraphs separated by one or more blank lines::

    Headline on the first non-blank line

    Standfirst: the paragraph after the headline.

    Lead photo caption, ending in a bracketed credit [File: Benoit Tessier/Reuters]

    Body paragraph...

    Source: Al Jazeera and news agencies

The photo paragraph is the first one after the standfirst that ends in a credit bracket
(``File:`` marks an archive photo); the optional final ``Source:``/``Sources:`` paragraph
lists the sources. Everything else is body copy, kept exactly as written: the parser does
not escape or alter HTML, it only joins hard-wrapped lines of a paragraph with a space.
A BOM, CRLF or lone CR line ends, tabs, non-breaking spaces and extra blank lines are
tolerated. Malformed input raises ``WireParseError`` whose message reads well after a
file name, e.g. ``f"{path}: {exc}"``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

MAX_HEADLINE_CHARS = 300
MAX_CREDIT_CHARS = 120

_CREDIT_RE = re.compile(r"\[([^\[\]]*)\]\Z")
_FILE_PREFIX_RE = re.compile(r"\Afile\s*:\s*", re.IGNORECASE)
_SOURCE_RE = re.compile(r"\Asources?\s*:\s*(.*)\Z", re.IGNORECASE | re.DOTALL)
# Commas (with an optional Oxford "and"/"&" after them), " and ", " & ".
_SOURCE_SEP_RE = re.compile(r"\s*,\s*(?:(?:and|&)\s+)?|\s+(?:and|&)\s+", re.IGNORECASE)
_GENERIC_SOURCES = {"news agencies", "agencies"}


class WireParseError(ValueError):
    """The text is not a usable wire story; the message says why."""


@dataclass(frozen=True)
class WirePhoto:
    caption: str
    credit: str
    is_file_photo: bool


@dataclass(frozen=True)
class WireStory:
    headline: str
    standfirst: str
    photo: WirePhoto | None
    paragraphs: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def body_html(self) -> str:
        """One escaped ``<p>`` per body paragraph, newline-separated."""
        return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in self.paragraphs)


def parse_wire(text: str | bytes) -> WireStory:
    """Parse one wire story from ``text`` (str, or UTF-8 bytes with or without a BOM)."""
    text = _decode(text).removeprefix("\ufeff")
    if (nul := text.find("\0")) != -1:
        raise WireParseError(f"contains a NUL character at position {nul}; not a text file")

    blocks = _blocks(text)
    if not blocks:
        raise WireParseError("file is empty")
    headline, *rest_of_first = blocks[0]
    if len(headline) > MAX_HEADLINE_CHARS:
        raise WireParseError(f"first line is not a headline: {len(headline)} characters")
    # Lines right under the headline (no blank line between) start the next paragraph.
    paragraphs = [" ".join(block) for block in [rest_of_first, *blocks[1:]] if block]
    if not paragraphs:
        raise WireParseError("no standfirst: the file holds only a headline")
    standfirst, *body = paragraphs

    sources: tuple[str, ...] = ()
    if body and (match := _SOURCE_RE.match(body[-1])):
        sources = _split_sources(match.group(1))
        body.pop()

    photo = None
    for index, paragraph in enumerate(body):
        photo = _parse_photo(paragraph)
        if photo is not None:
            del body[index]
            break

    if not body:
        raise WireParseError("no body paragraphs")
    return WireStory(headline, standfirst, photo, tuple(body), sources)


def split_credit(credit: str) -> tuple[str, str]:
    """Split ``"Photographer/Agency"`` into ``(photographer, agency)`` at the last slash."""
    credit = credit.strip().strip("/").strip()
    photographer, _, agency = credit.rpartition("/")
    return photographer.strip(), agency.strip()


def _decode(text: str | bytes) -> str:
    if isinstance(text, str):
        return text
    if not isinstance(text, bytes):
        raise TypeError(f"parse_wire() expects str or bytes, not {type(text).__name__}")
    try:
        # Plain "utf-8" (BOM removed by the caller) so error offsets count the BOM's bytes;
        # "utf-8-sig" would report positions relative to the end of the BOM.
        return text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WireParseError(f"not valid UTF-8: bad byte at offset {exc.start}") from exc


def _blocks(text: str) -> list[list[str]]:
    """Group stripped, non-blank lines into paragraphs separated by blank lines."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():  # handles \n, \r\n and lone \r
        line = line.strip()  # str.strip() also removes tabs and non-breaking spaces
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _parse_photo(paragraph: str) -> WirePhoto | None:
    match = _CREDIT_RE.search(paragraph)
    if match is None:
        return None
    credit = match.group(1).strip()
    is_file_photo = _FILE_PREFIX_RE.match(credit) is not None
    credit = _FILE_PREFIX_RE.sub("", credit)
    if not _looks_like_credit(credit):
        return None
    return WirePhoto(paragraph[: match.start()].strip(), credit, is_file_photo)


def _looks_like_credit(credit: str) -> bool:
    # Reject footnote marks such as "[1]" and editorial "[sic]" at the end of a quote.
    return (
        0 < len(credit) <= MAX_CREDIT_CHARS
        and any(char.isalpha() for char in credit)
        and credit.casefold().rstrip("!") != "sic"
    )


def _split_sources(value: str) -> tuple[str, ...]:
    names: list[str] = []
    seen: set[str] = set()
    for raw in _SOURCE_SEP_RE.split(value.strip().rstrip(".")):
        name = raw.strip()
        if name.casefold() in _GENERIC_SOURCES:
            name = "News Agencies"
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return tuple(names)
