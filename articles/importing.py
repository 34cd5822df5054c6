"""Turning parsed wire copy into articles: one story per headline, updated on re-import."""

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
def import_wire_story(
    story: WireStory,
    *,
    publish: bool = False,
    published_at=None,
    tags=(),
    user=None,
) -> ImportResult:
    """Create or update the article for `story`; drafts unless `publish` is set.

    A re-import replaces the copy (headline, standfirst, body, photo caption and credit, sources)
    but never unpublishes a story or drops a photo file an editor has uploaded since.
    """
    external_id = wire_external_id(story)
    article = Article.objects.select_for_update().filter(external_id=external_id).first()
    created = article is None
    if created:
        article = Article(external_id=external_id, created_by=user)

    article.headline = story.headline
    article.standfirst = story.standfirst
    article.body = story.body_html
    article.updated_by = user
    if story.photo:
        image = article.lead_image or Image(uploaded_by=user)
        image.caption = story.photo.caption
        image.credit = story.photo.credit
        image.is_file_photo = story.photo.is_file_photo
        image.save()
        article.lead_image = image
    save_article(article=article, user=user, action="Imported from wire copy")

    article.sources.set([Source.get_or_create_by_name(name) for name in story.sources])
    if tags:
        article.tags.add(*tags)
    if publish:
        publish_or_schedule(article=article, user=user, at=published_at)
    return ImportResult(article=article, created=created)
