"""Tag suggestions: which existing tags (and which sources) a story's text mentions.

Suggestions are only ever shown to an editor, who picks which to add; nothing here changes a story.

A name matches as a whole word or phrase ("Wagner Group", not "Wagnerian"), longest first, so
"Wagner Group" is not also counted as "Wagner". Names written with capitals are proper nouns and
match in that spelling or in capitals ("France", "FRANCE", not "france"); all-lowercase names match
in any case ("climate" matches "Climate").
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.utils.html import strip_tags

from ..models import Article, Source, Tag

MAX_SUGGESTIONS = 12
# A mention in the headline or standfirst counts for this many in the body.
HEADLINE_WEIGHT = 3


@dataclass(frozen=True)
class Suggestion:
    item: Tag | Source
    mentions: int
    applied: bool  # the story already has it

    @property
    def name(self) -> str:
        return self.item.name


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _matches_case(name: str, found: str) -> bool:
    if name == name.lower():
        return True
    found = " ".join(found.split())
    return found == name or found == name.upper()


def _mentions(items, texts: list[tuple[str, int]]) -> dict[int, int]:
    """Weighted mention counts by item pk for names of `items` found in the (text, weight) list."""
    by_key: dict[str, list] = {}
    for item in items:
        if item.name.strip():
            by_key.setdefault(_key(item.name), []).append(item)
    if not by_key:
        return {}
    alternatives = sorted(by_key, key=len, reverse=True)
    pattern = re.compile(
        r"(?<!\w)(?:"
        + "|".join(r"\s+".join(map(re.escape, key.split())) for key in alternatives)
        + r")(?!\w)",
        re.IGNORECASE,
    )
    counts: dict[int, int] = {}
    for text, weight in texts:
        for match in pattern.finditer(text):
            for item in by_key.get(_key(match.group()), ()):
                if _matches_case(item.name, match.group()):
                    counts[item.pk] = counts.get(item.pk, 0) + weight
    return counts


def _ranked(items, counts, applied_pks) -> list[Suggestion]:
    found = [
        Suggestion(item=item, mentions=counts[item.pk], applied=item.pk in applied_pks)
        for item in items
        if item.pk in counts
    ]
    found.sort(key=lambda s: (-s.mentions, s.name.casefold()))
    return found[:MAX_SUGGESTIONS]


def story_texts(*, headline="", standfirst="", body_html="", caption="") -> list[tuple[str, int]]:
    body = html.unescape(strip_tags(body_html))
    return [(headline, HEADLINE_WEIGHT), (standfirst, HEADLINE_WEIGHT), (body, 1), (caption, 1)]


def suggest_tags(texts: list[tuple[str, int]], *, applied=()) -> list[Suggestion]:
    """Existing tags mentioned in `texts`, most mentioned first."""
    tags = list(Tag.objects.only("pk", "name", "slug"))
    applied_pks = {tag.pk for tag in applied}
    return _ranked(tags, _mentions(tags, texts), applied_pks)


def suggest_sources(texts: list[tuple[str, int]], *, applied=()) -> list[Suggestion]:
    """Existing sources (agencies, outlets) named in `texts`, most mentioned first."""
    sources = list(Source.objects.only("pk", "name", "slug"))
    applied_pks = {source.pk for source in applied}
    return _ranked(sources, _mentions(sources, texts), applied_pks)


def texts_of(article: Article) -> list[tuple[str, int]]:
    image = article.lead_image
    return story_texts(
        headline=article.headline,
        standfirst=article.standfirst,
        body_html=article.body,
        caption=f"{image.caption} {image.credit}" if image else "",
    )


def suggestions_for(article: Article) -> tuple[list[Suggestion], list[Suggestion]]:
    """(tag suggestions, source suggestions) for a saved story, marking what it already has."""
    texts = texts_of(article)
    return (
        suggest_tags(texts, applied=article.tags.all()),
        suggest_sources(texts, applied=article.sources.all()),
    )
