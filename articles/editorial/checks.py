"""Checks before publishing: what a desk editor would catch on a last read, listed with a link to
the field. Blocking ones stop "publish"; the others are warnings the editor may overrule."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from ..models import Article, Image

# About what a search results page shows of a title before cutting it.
HEADLINE_SEARCH_LENGTH = 70
VAGUE_LINK_TEXT = {"click here", "here", "read more", "more", "link", "this", "this link"}
WIRE_SOURCE_LINE = re.compile(r"^\s*source\s*:", re.IGNORECASE)
BRACKETED_CREDIT = re.compile(r"\[\s*(file|photo|picture)\s*:[^\]]*\]", re.IGNORECASE)


@dataclass(frozen=True)
class Check:
    field: str  # the form field to fix ("headline", "body"…), for the link to it
    message: str
    blocking: bool = False


class _BodyReader(HTMLParser):
    """The links (href and text) and the paragraphs' text of a story body."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.paragraphs: list[str] = []
        self._link: list | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._link = [dict(attrs).get("href") or "", ""]
        elif tag in ("p", "li", "blockquote", "h2", "h3", "h4"):
            self._flush()

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None
        elif tag in ("p", "li", "blockquote", "h2", "h3", "h4"):
            self._flush()

    def handle_data(self, data):
        self._text.append(data)
        if self._link is not None:
            self._link[1] += data

    def _flush(self):
        text = " ".join("".join(self._text).split())
        if text:
            self.paragraphs.append(text)
        self._text = []

    def close(self):
        super().close()
        self._flush()


def _broken_href(href: str) -> bool:
    href = href.strip()
    if not href or href == "#":
        return True
    if href.startswith(("/", "#", "mailto:", "tel:")):
        return False
    parts = urlsplit(href)
    return parts.scheme not in ("http", "https") or not parts.netloc or "." not in parts.netloc


def run_checks(
    *, headline: str, standfirst: str, body: str, tags, lead_image: Image | None
) -> list[Check]:
    """Everything worth a second look before this story goes out, blocking ones first."""
    found: list[Check] = []
    headline = " ".join((headline or "").split())
    if len(headline) > HEADLINE_SEARCH_LENGTH:
        found.append(
            Check(
                "headline",
                f"The headline is {len(headline)} characters; search results show about "
                f"{HEADLINE_SEARCH_LENGTH}.",
            )
        )
    if not (standfirst or "").strip():
        found.append(
            Check("standfirst", "There is no standfirst (the summary under the headline).")
        )
    if not list(tags):
        found.append(Check("tags", "The story has no tags: it will be on no topic page."))
    if lead_image is not None:
        if lead_image.file and not lead_image.alt_text.strip():
            found.append(
                Check("lead_image", "The lead photo has no alt text (required).", blocking=True)
            )
        if lead_image.file and not lead_image.credit.strip():
            found.append(Check("lead_image", "The lead photo has no credit."))
    reader = _BodyReader()
    reader.feed(body or "")
    reader.close()
    for href, text in reader.links:
        label = f"“{text}”" if text else "A link with no text"
        if _broken_href(href):
            found.append(
                Check("body", f"{label} links to “{href or '(nothing)'}”: not a web address.")
            )
        if not text:
            found.append(Check("body", f"A link to {href} has no text for readers to click."))
        elif text.lower().strip(" .:!") in VAGUE_LINK_TEXT:
            found.append(Check("body", f"{label} says nothing about where the link goes."))
    for paragraph in reader.paragraphs:
        if WIRE_SOURCE_LINE.match(paragraph):
            found.append(
                Check("body", f"A wire “Source:” line is left in the body: “{paragraph[:80]}”.")
            )
        credit = BRACKETED_CREDIT.search(paragraph)
        if credit:
            found.append(
                Check("body", f"A bracketed photo credit is left in the body: “{credit.group(0)}”.")
            )
    return sorted(found, key=lambda check: not check.blocking)


def checks_for(article: Article, tags) -> list[Check]:
    return run_checks(
        headline=article.headline,
        standfirst=article.standfirst,
        body=article.body,
        tags=tags,
        lead_image=article.lead_image,
    )
