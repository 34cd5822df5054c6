"""Turning parsed wire copy into articles: one story per headline, updated on re-import."""

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import Article, Image, Source
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
    if publish:
        article.status = Article.Status.PUBLISHED
        article.published_at = published_at or article.published_at or timezone.now()
    if not created:
        article.version += 1
    article.save()

    article.sources.set([Source.get_or_create_by_name(name) for name in story.sources])
    if tags:
        article.tags.add(*tags)
    return ImportResult(article=article, created=created)
