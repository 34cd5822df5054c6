"""Turning parsed wire copy into articles: one story per headline, updated on re-import."""

import dataclasses
import hashlib
from dataclasses import dataclass

from django.db import transaction

from .models import Article, Image, Source
from .revisions import revision_block
from .services import publish_or_schedule, save_article
from .wire import WireStory


@dataclass(frozen=True)
class ImportResult:
    article: Article
    created: bool


def wire_external_id(story: WireStory) -> str:
    """The same headline (ignoring case and spacing) is the same story."""
    key = " ".join(story.headline.casefold().split())
    return "wire:" + hashlib.sha256(key.encode()).hexdigest()[:32]


@transaction.atomic
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
    publish: bool = False,
    published_at=None,
    user=None,
    action: str,
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
    if byline is not None:
        article.byline = byline[:200]
    article.updated_by = user
    if photo:
        article.lead_image = _save_photo(article.lead_image, photo, user=user)
    save_article(article=article, user=user, action=action)

    article.sources.set([Source.get_or_create_by_name(name) for name in sources])
    if tags:
        article.tags.add(*tags)
    if publish:
        publish_or_schedule(article=article, user=user, at=published_at)
    return ImportResult(article=article, created=created)


def _save_photo(image: Image | None, fields: dict, *, user) -> Image:
    image = image or Image(uploaded_by=user)
    for name, value in fields.items():
        if name == "file" and image.file:
            continue  # keep the file an editor uploaded
        setattr(image, name, value)
    image.save()
    return image


def import_wire_story(
    story: WireStory, *, publish: bool = False, published_at=None, tags=(), user=None
) -> ImportResult:
    """Create or update the article for a parsed wire story; drafts unless `publish` is set."""
    return import_story(
        external_id=wire_external_id(story),
        headline=story.headline,
        standfirst=story.standfirst,
        body_html=story.body_html,
        sources=story.sources,
        photo=dataclasses.asdict(story.photo) if story.photo else None,
        tags=tags,
        publish=publish,
        published_at=published_at,
        user=user,
        action="Imported from wire copy",
    )
