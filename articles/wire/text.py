"""Parser for agency "wire copy" plain-text stories.

A wire file is UTF-8 text made of paragraphs separated by one or more blank lines::

    Headline on the first non-blank line

    Standfirst: the paragraph after the headline.

    Lead photo caption, ending in a bracketed credit [File: Benoit Tessier/Reuters]

    Body paragraph...

    Source: Al Jazeera and news agencies

An embargo line anywhere in the copy (``EMBARGOED UNTIL 14:00 GMT 3 December 2026``, also
``EMBARGO: 3 Dec 2026 14:00 UTC`` or an ISO time) is taken out of the text and becomes the
story's ``embargoed_until``; a line that cannot be read as a moment with a time zone is an
error, never ignored. Copy whose first line is ``KILL`` or ``WITHDRAWN`` (``KILL KILL KILL``,
``WITHDRAWN:``…) is an agency kill notice for the story headlined on the next line; the rest
of the text is the reason (``parse_wire`` returns a ``WireKill``).

A byline line under the headline or around the standfirst ("By Amina Traoré and Jean Dupont",
"Reporting by X; Editing by Y") and an agency's closing credits ("(Reporting by X in Bamako;
Writing by Y; Editing by Z)", Reuters' last paragraph, or the end of it) are taken out of the text
and become the story's ordered ``credits`` (roles as in articles/credits.py); a line is a byline
only when every part names its role and every name looks like one, so body copy such as "By
Thursday, the troops had left." stays body copy.

The photo paragraph is the first one after the standfirst that ends in a credit bracket
(``File:`` marks an archive photo); the optional final ``Source:``/``Sources:`` paragraph
lists the sources. Everything else is body copy, kept exactly as written: the parser does
not escape or alter HTML, it only joins hard-wrapped lines of a paragraph with a space.
A BOM, CRLF or lone CR line ends, tabs, non-breaking spaces and extra blank lines are
tolerated. Malformed input raises ``WireParseError`` whose message reads well after a
file name, e.g. ``f"{path}: {exc}"``.
"""

from __future__ import annotations

import datetime
import html
import re
from dataclasses import dataclass

from ..credits import Credit, credit_line, parse_credit_line

MAX_HEADLINE_CHARS = 300
MAX_CREDIT_CHARS = 120

_CREDIT_RE = re.compile(r"\[([^\[\]]*)\]\Z")
_FILE_PREFIX_RE = re.compile(r"\Afile\s*:\s*", re.IGNORECASE)
_SOURCE_RE = re.compile(r"\Asources?\s*:\s*(.*)\Z", re.IGNORECASE | re.DOTALL)
# Commas (with an optional Oxford "and"/"&" after them), " and ", " & ".
_SOURCE_SEP_RE = re.compile(r"\s*,\s*(?:(?:and|&)\s+)?|\s+(?:and|&)\s+", re.IGNORECASE)
_GENERIC_SOURCES = {"news agencies", "agencies"}
MAX_BYLINE_CHARS = 300
# Where a byline may stand: within the first paragraphs after the headline.
BYLINE_PARAGRAPHS = 3
_TRAILER_RE = re.compile(r"\s*\(\s*([^()]+?)\s*\)\s*\Z")


_EMBARGO_RE = re.compile(
    r"\A[\W_]*(?:EMBARGO(?:ED)?\b|embargoed\s+(?:until|till)\b)"
    r"(?:\s*(?:UNTIL|TILL|TO|FOR)\b)?\s*[:\-–—]?\s*(?P<when>.*?)[\W_]*\Z",
    re.IGNORECASE,
)
_EMBARGO_CAPS_RE = re.compile(r"\A[\W_]*(?:EMBARGO|[Ee]mbargoed\s+(?:until|till)\b)")
_KILL_RE = re.compile(
    r"\A[\W_]*(?:(?:KILL|WITHDRAWN|WITHDRAWAL|WITHDRAW)\b[\s:!.\-–—]*)+(?P<rest>.*)\Z"
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_ZONES = {
    "GMT": 0,
    "UTC": 0,
    "Z": 0,
    "BST": 1,
    "WAT": 1,
    "CET": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "PST": -8,
    "PDT": -7,
}
_TIME_RE = re.compile(
    r"\b(\d{1,2})(?:[:.h](\d{2})|(\d{2})(?=\s*(?:GMT|UTC|[A-Z]{3,4}\b))|(?=\s*[ap]m\b))"
    r"\s*(am|pm)?",
    re.I,
)
_ZONE_RE = re.compile(r"\b(" + "|".join(_ZONES) + r")\b(?:\s*([+-]\d{1,2})(?::?(\d{2}))?)?")
_OFFSET_RE = re.compile(r"(?<![\d:])([+-])(\d{2}):?(\d{2})\b")
_DAY_MONTH_YEAR_RE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})\b")
_MONTH_DAY_YEAR_RE = re.compile(r"\b([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_ISO_DATE_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


class WireParseError(ValueError):
    """The text is not a usable wire story; the message says why."""


@dataclass(frozen=True)
class WireKill:
    """An agency's kill or withdrawal notice for the story with this headline."""

    headline: str
    reason: str


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
    embargoed_until: datetime.datetime | None = None
    credits: tuple[Credit, ...] = ()

    @property
    def byline(self) -> str:
        """The credits as one byline ("A and B; reporting by C"), "" when the copy has none."""
        return credit_line(self.credits)

    @property
    def body_html(self) -> str:
        """One escaped ``<p>`` per body paragraph, newline-separated."""
        return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in self.paragraphs)


def parse_wire(text: str | bytes) -> WireStory | WireKill:
    """Parse one wire story from ``text`` (str, or UTF-8 bytes with or without a BOM); a kill
    notice gives a ``WireKill``."""
    text = _decode(text).removeprefix("\ufeff")
    if (nul := text.find("\0")) != -1:
        raise WireParseError(f"contains a NUL character at position {nul}; not a text file")

    blocks = _blocks(text)
    if not blocks:
        raise WireParseError("file is empty")
    if kill := _kill_notice(blocks):
        return kill
    embargoed_until = None
    for block in list(blocks):
        if len(block) == 1 and _EMBARGO_CAPS_RE.match(block[0]):
            embargoed_until = parse_embargo_line(block[0])
            blocks.remove(block)
        elif (
            block
            and _EMBARGO_CAPS_RE.match(block[0])
            and parse_embargo_line(block[0], strict=False)
        ):
            embargoed_until = parse_embargo_line(block[0])
            del block[0]
    blocks = [block for block in blocks if block]
    if not blocks:
        raise WireParseError("file holds only an embargo line")
    headline, *rest_of_first = blocks[0]
    if len(headline) > MAX_HEADLINE_CHARS:
        raise WireParseError(f"first line is not a headline: {len(headline)} characters")
    credits: list[Credit] = []
    if rest_of_first and (found := _credit_line(rest_of_first[0])):
        credits.extend(found)  # a byline right under the headline
        del rest_of_first[0]
    # Lines right under the headline (no blank line between) start the next paragraph.
    paragraphs = [" ".join(block) for block in [rest_of_first, *blocks[1:]] if block]
    if not credits:
        for index, paragraph in enumerate(paragraphs[:BYLINE_PARAGRAPHS]):
            if found := _credit_line(paragraph):
                credits.extend(found)
                del paragraphs[index]
                break
    if not paragraphs:
        raise WireParseError("no standfirst: the file holds only a headline")
    standfirst, *body = paragraphs

    sources: tuple[str, ...] = ()
    if body and (match := _SOURCE_RE.match(body[-1])):
        sources = _split_sources(match.group(1))
        body.pop()
    if body and (trailer := _TRAILER_RE.search(body[-1])):
        # The agency's closing credits: "(Reporting by X; Editing by Y)".
        if found := _credit_line(trailer.group(1)):
            credits.extend(found)
            body[-1] = body[-1][: trailer.start()].strip()
            if not body[-1]:
                body.pop()
    elif body and (found := _credit_line(body[-1])):
        credits.extend(found)
        body.pop()

    photo = None
    for index, paragraph in enumerate(body):
        photo = _parse_photo(paragraph)
        if photo is not None:
            del body[index]
            break

    if not body:
        raise WireParseError("no body paragraphs")
    return WireStory(
        headline,
        standfirst,
        photo,
        tuple(body),
        sources,
        embargoed_until,
        credits=tuple(dict.fromkeys(credits)),  # in order, each credit once
    )


def _credit_line(text: str) -> tuple[Credit, ...] | None:
    """The credits `text` is made of (a byline or closing credits), or None for other copy."""
    if len(text) > MAX_BYLINE_CHARS:
        return None
    return parse_credit_line(text, strict=True)


def _kill_notice(blocks: list[list[str]]) -> WireKill | None:
    match = _KILL_RE.match(blocks[0][0])
    if match is None:
        return None
    lines = [match.group("rest").strip(), *blocks[0][1:]]
    rest = [line for line in lines if line] + [" ".join(block) for block in blocks[1:]]
    if not rest:
        raise WireParseError("kill notice names no story: put its headline on the next line")
    headline, *reason = rest
    if len(headline) > MAX_HEADLINE_CHARS:
        raise WireParseError("kill notice: the line after KILL is not a headline")
    return WireKill(headline, " ".join(reason).strip() or "Agency kill notice")


def parse_embargo_line(line: str, *, strict: bool = True) -> datetime.datetime | None:
    """The moment an embargo line names, e.g. "EMBARGOED UNTIL 14:00 GMT 3 December 2026".

    Raises ``WireParseError`` when the line cannot be read as a date, a time and a time zone
    (an embargo is never guessed); with ``strict=False`` returns None instead."""
    match = _EMBARGO_RE.match(line.strip())
    when = match.group("when").strip() if match else ""
    try:
        return parse_moment(when)
    except WireParseError as exc:
        if not strict:
            return None
        raise WireParseError(f"embargo line “{line.strip()}” not understood: {exc}") from exc


def parse_moment(text: str) -> datetime.datetime:
    """A date, time and time zone written the agencies' ways, as an aware datetime."""
    text = text.strip()
    try:
        moment = datetime.datetime.fromisoformat(
            text.replace(" ", "T", 1) if "T" not in text else text
        )
    except ValueError:
        moment = None
    if moment is not None:
        if moment.tzinfo is None:
            raise WireParseError("no time zone (write e.g. 14:00 GMT)")
        return moment
    date = _date_in(text)
    time_match = _TIME_RE.search(_ISO_DATE_RE.sub(" ", text))
    if time_match is None:
        raise WireParseError("no time of day (write e.g. 14:00 GMT)")
    hour = int(time_match.group(1))
    minute = int(time_match.group(2) or time_match.group(3) or 0)
    meridiem = (time_match.group(4) or "").lower()
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    offset = _offset_in(text)
    try:
        return datetime.datetime(
            date.year, date.month, date.day, hour, minute, tzinfo=datetime.timezone(offset)
        )
    except ValueError as exc:
        raise WireParseError(str(exc)) from exc


def _date_in(text: str) -> datetime.date:
    for pattern, order in (
        (_ISO_DATE_RE, "ymd"),
        (_DAY_MONTH_YEAR_RE, "dmy"),
        (_MONTH_DAY_YEAR_RE, "mdy"),
    ):
        for match in pattern.finditer(text):
            parts = dict(zip(order, match.groups(), strict=True))
            month = parts["m"]
            month = int(month) if month.isdigit() else _MONTHS.get(month.lower())
            if month is None:
                continue
            try:
                return datetime.date(int(parts["y"]), month, int(parts["d"]))
            except ValueError as exc:
                raise WireParseError(str(exc)) from exc
    raise WireParseError("no date (write e.g. 3 December 2026)")


def _offset_in(text: str) -> datetime.timedelta:
    zone = _ZONE_RE.search(text)
    if zone is not None:
        offset = datetime.timedelta(hours=_ZONES[zone.group(1)])
        if zone.group(2):
            sign = -1 if zone.group(2).startswith("-") else 1
            offset += sign * datetime.timedelta(
                hours=abs(int(zone.group(2))), minutes=int(zone.group(3) or 0)
            )
        return offset
    numeric = _OFFSET_RE.search(text)
    if numeric is not None:
        sign = -1 if numeric.group(1) == "-" else 1
        return sign * datetime.timedelta(hours=int(numeric.group(2)), minutes=int(numeric.group(3)))
    raise WireParseError("no time zone (write e.g. 14:00 GMT)")


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
