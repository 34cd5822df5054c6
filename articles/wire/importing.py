"""Turning parsed copy into stories: one story per agency story, updated when it comes again.

`copy_format` decides, in one place, what copy is (ninjs JSON, a feed, or wire text): the wire
desk's `parse_copy` and the ingest channels set to "decide from the copy" both ask it.
`import_parsed` creates or updates its story through the editorial services, with one revision
per import.
"""

import codecs
import dataclasses
import hashlib
from dataclasses import dataclass

from django.utils.html import strip_tags

from .. import changes
from ..editorial.authors import add_credits, read_byline
from ..editorial.revisions import revision_block
from ..editorial.services import kill_story, publish_or_schedule, save_article
from ..languages import codes, detect_language, generic
from ..models import Article, Image, Source
from .ninjs import NinjsError, NinjsKill, NinjsStory, parse_ninjs
from .text import WireKill, WireParseError, WireStory, parse_wire

# What `parse_copy` raises: the message says what is wrong with the copy.
CopyError = (WireParseError, NinjsError)


@dataclass(frozen=True)
class ImportResult:
    article: Article
    created: bool
    killed: bool = False


class UnknownKill(WireParseError):
    """A kill notice for a story that was never imported here: nothing to withdraw."""


# What `copy_format` answers: the values of the ingest channels' formats too.
NINJS_COPY, FEED_COPY, WIRE_COPY = "ninjs", "feed", "wire"


def copy_format(content: bytes | str) -> str:
    """What copy is, from how it starts (after a byte-order mark and blank space): `NINJS_COPY`
    for a JSON object (`{`, one story) or array of them (`[` then `{`, or `[]`), `FEED_COPY` for
    XML (`<`: Atom or RSS), else `WIRE_COPY` (a headline may start with `[`, as in "[Updated]")."""
    if isinstance(content, bytes):
        head = content.removeprefix(codecs.BOM_UTF8).lstrip()[:1024].decode("utf-8", "ignore")
    else:
        head = content.removeprefix("\ufeff").lstrip()[:1024]
    if head.startswith("{") or (head.startswith("[") and head[1:].lstrip()[:1] in ("{", "]")):
        return NINJS_COPY
    if head.startswith("<"):
        return FEED_COPY
    return WIRE_COPY


def parse_copy(
    content: bytes | str, *, name: str = ""
) -> WireStory | NinjsStory | WireKill | NinjsKill:
    """Read one story: as ninjs when `name` ends in .json or `copy_format` finds JSON (an array is
    refused: one story is one object), else as wire text (the desk reads no feeds). Raises one of
    `CopyError`."""
    if name.lower().endswith(".json") or copy_format(content) == NINJS_COPY:
        return parse_ninjs(content)
    return parse_wire(content)


def external_id_of(story: WireStory | NinjsStory | WireKill | NinjsKill) -> str:
    """The identity a parsed story is stored under: a re-import of it finds the same story."""
    if isinstance(story, NinjsStory | NinjsKill):
        return story.external_id
    # The same headline (ignoring case and spacing) is the same wire story.
    key = " ".join(story.headline.casefold().split())
    return "wire:" + hashlib.sha256(key.encode()).hexdigest()[:32]


def import_parsed(
    story: WireStory | NinjsStory,
    *,
    publish: bool = False,
    published_at=None,
    tags=(),
    user=None,
    how: str = "",
) -> ImportResult:
    """Create or update the story for parsed copy; a draft unless `publish` is set.

    `how` ends the revision's note: "Imported from wire copy", "Re-imported on the wire desk"…
    """
    if isinstance(story, WireKill | NinjsKill):
        return apply_kill(story, user=user)
    if isinstance(story, NinjsStory):
        return _import_ninjs(story, publish=publish, user=user, how=how or "from ninjs")
    return import_story(
        external_id=external_id_of(story),
        headline=story.headline,
        standfirst=story.standfirst,
        body_html=story.body_html,
        sources=story.sources,
        photo=dataclasses.asdict(story.photo) if story.photo else None,
        byline=story.byline or None,  # a byline and closing credits, when the copy has them
        tags=tags,
        embargoed_until=story.embargoed_until,
        publish=publish,
        published_at=published_at,
        user=user,
        how=how or "from wire copy",
    )


def apply_kill(kill: WireKill | NinjsKill, *, user=None) -> ImportResult:
    """Withdraw the story an agency killed (see `kill_story`); `UnknownKill` when it was never
    imported."""
    article = Article.objects.filter(external_id=external_id_of(kill)).first()
    if article is None:
        raise UnknownKill(
            f"kill notice for a story never imported here (“{kill.headline or '?'}”): "
            "nothing was withdrawn"
        )
    kill_story(article=article, user=user, reason=kill.reason, source="Agency kill")
    return ImportResult(article=article, created=False, killed=True)


@changes.atomic()
@revision_block()  # one revision per import, taken after the sources and tags are set
def import_story(
    *,
    external_id: str,
    headline: str,
    standfirst: str,
    body_html: str,
    sources=(),
    photo: dict | None = None,
    byline: str | None = None,
    tags=(),
    embargoed_until=None,
    language: str = "",
    publish: bool = False,
    published_at=None,
    user=None,
    how: str,
    action: str | None = None,
) -> ImportResult:
    """Create or update the article known by `external_id`, whatever format the copy came in.

    A re-import replaces the copy, sources and photo details and adds tags, but never unpublishes
    a story, removes tags or drops a photo file an editor has uploaded since. `photo` holds Image
    field values (caption, credit, is_file_photo, and optionally alt_text, file, focal point).
    """
    article = Article.objects.select_for_update().filter(external_id=external_id).first()
    created = article is None
    if created:
        article = Article(external_id=external_id, created_by=user)

    article.headline = headline
    article.standfirst = standfirst
    article.body = body_html
    article.language = story_language(
        language, f"{headline}\n{standfirst}\n{strip_tags(body_html)}", current=article.language
    )
    credits = None
    if byline is not None:
        # Names of known authors become credits in their roles; the rest stays free text.
        credits = read_byline(byline)
        article.byline = credits.free_text
    if embargoed_until is not None:  # copy without one never lifts an editor's embargo
        article.embargoed_until = embargoed_until
    article.updated_by = user
    if photo:
        article.lead_image = _save_photo(article.lead_image, photo, user=user)
    action = action or f"{'Imported' if created else 'Re-imported'} {how}"
    save_article(article=article, user=user, action=action)
    if credits is not None:
        add_credits(article, credits.linked)

    article.sources.set([Source.get_or_create_by_name(name) for name in sources])
    if tags:
        article.tags.add(*tags)
    if publish:
        if article.is_embargoed and published_at is None:
            # "Publish" for embargoed copy means as soon as the embargo allows.
            published_at = article.embargoed_until
        publish_or_schedule(article=article, user=user, at=published_at)
    return ImportResult(article=article, created=created)


def story_language(given: str, text: str, *, current: str) -> str:
    """The language the copy says it is in (when configured), else the one its text is in, else
    what the story had (a new story: the default language)."""
    if given and generic(given) in codes():
        return generic(given)
    return detect_language(text) or current


def _save_photo(image: Image | None, fields: dict, *, user) -> Image:
    image = image or Image(uploaded_by=user)
    for name, value in fields.items():
        if name == "file" and image.file:
            continue  # keep the file an editor uploaded
        setattr(image, name, value)
    image.save()
    return image


def _import_ninjs(story: NinjsStory, *, publish: bool, user, how: str) -> ImportResult:
    photo = None
    if story.photo:
        photo = {
            "caption": story.photo.caption,
            "credit": story.photo.credit,
            "is_file_photo": story.photo.is_file_photo,
        }
        if story.photo.alt_text:
            photo["alt_text"] = story.photo.alt_text
        if story.photo.file_name:
            photo["file"] = story.photo.file_name
        if story.photo.focal_x is not None:
            photo["focal_x"], photo["focal_y"] = story.photo.focal_x, story.photo.focal_y
    return import_story(
        external_id=story.external_id,
        headline=story.headline,
        standfirst=story.standfirst,
        body_html=story.body_html,
        byline=story.byline,
        sources=story.sources,
        photo=photo,
        tags=story.tags,
        embargoed_until=story.embargoed_until,
        language=story.language,
        publish=publish,
        user=user,
        how=how,
    )
