"""Turning parsed copy into stories: one story per agency story, updated when it comes again.

`copy_format` decides, in one place, what copy is (ninjs JSON, a feed, or wire text): the wire
desk's `parse_copy` and the ingest channels set to "decide from the copy" both ask it.
`import_parsed` creates or updates its story through the editorial services, with one revision
per import.

An agency kill is remembered (`KilledStory`, under every identity the story can be imported by),
whether or not the story was imported here: a kill may arrive before copy the agency sent
earlier, and that copy is then refused (`KilledCopy`) on every path, never imported.
"""

import codecs
import dataclasses
import hashlib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.html import strip_tags

from .. import changes
from ..editorial.authors import add_credits, read_byline
from ..editorial.revisions import revision_block
from ..editorial.services import can_publish, kill_story, publish_or_schedule, save_article
from ..ingest.models import KilledStory
from ..languages import codes, detect_language, generic
from ..models import Article, Image, Source
from .ninjs import NinjsError, NinjsKill, NinjsStory, parse_ninjs, uri_external_id
from .text import WireKill, WireParseError, WireStory, parse_wire

# What `parse_copy` raises: the message says what is wrong with the copy.
CopyError = (WireParseError, NinjsError)


@dataclass(frozen=True)
class ImportResult:
    # None only for a kill of a story never imported here (remembered: see `apply_kill`).
    article: Article | None
    created: bool
    killed: bool = False


class KilledCopy(WireParseError):
    """Copy of a story its agency killed: never imported, whichever version or path brings it."""

    def __init__(self, killed: KilledStory):
        self.killed = killed
        super().__init__(killed.notice)


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


def channel_external_id(key: str) -> str:
    """The identity an ingest channel imports a ninjs or feed item under, from its uri or guid."""
    return "ingest:" + hashlib.sha256(key.encode()).hexdigest()[:32]


def identities(external_id: str, uri: str = "") -> list[str]:
    """Every identity copy of one agency story can be imported under: the one it has and, for
    ninjs with a `uri`, the desk's and the channels' keys for that uri (so a kill taken on one
    path holds on the other)."""
    ids = [external_id]
    if uri:
        ids += [uri_external_id(uri), channel_external_id(uri)]
    return list(dict.fromkeys(ids))


def identities_of(story: WireStory | NinjsStory | WireKill | NinjsKill) -> list[str]:
    return identities(external_id_of(story), getattr(story, "uri", ""))


def killed_story(external_ids) -> KilledStory | None:
    """The agency kill remembered for any of these identities, None when there is none."""
    return KilledStory.objects.filter(external_id__in=list(external_ids)).order_by("pk").first()


def refuse_killed(external_ids) -> None:
    """Raise `KilledCopy` when the agency killed the story these identities name."""
    if killed := killed_story(external_ids):
        raise KilledCopy(killed)


def remember_kill(
    external_ids, *, headline: str, reason: str, source: str, article: Article | None
) -> None:
    """Record an agency kill under every identity of its story (kept as first recorded)."""
    for external_id in dict.fromkeys(external_ids):
        KilledStory.objects.get_or_create(
            external_id=external_id,
            defaults={
                "headline": headline[:300],
                "reason": reason,
                "source": source[:300],
                "article": article,
            },
        )


def remember_and_withdraw(
    external_ids, *, headline: str, reason: str, source: str, user=None
) -> Article | None:
    """Apply an agency kill: remember it under every identity of its story (`remember_kill`) and
    withdraw the story imported under any of them (`kill_story`). Returns that story, None when
    none was imported here (the kill is remembered all the same).

    `apply_kill` (the wire desk, import_wire) and the ingest channels (articles/ingest/polling.py)
    both apply kills through it. It opens no transaction of its own: call it inside the caller's
    `changes.atomic()` block, as they do, so the kill and the withdrawal are one change set."""
    ids = list(external_ids)
    article = Article.objects.filter(external_id__in=ids).first()
    remember_kill(
        ids,
        headline=headline or (article.headline if article else ""),
        reason=reason,
        source=source,
        article=article,
    )
    if article is not None:
        kill_story(article=article, user=user, reason=reason, source=source)
    return article


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
    refuse_killed(identities_of(story))
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


@changes.atomic()
def apply_kill(kill: WireKill | NinjsKill, *, user=None, source="Agency kill") -> ImportResult:
    """Withdraw the story an agency killed (see `kill_story`), and remember the kill so that no
    copy of the story is imported after it. A story never imported here has nothing to withdraw
    (the result's `article` is None), but the kill is remembered all the same. Only an editor (or
    the system, `user=None`) applies a kill."""
    if not can_publish(user):
        raise PermissionDenied("Only an editor can apply an agency kill.")
    article = remember_and_withdraw(
        identities_of(kill), headline=kill.headline, reason=kill.reason, source=source, user=user
    )
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
