"""Small factories for test data: real model instances with sensible defaults."""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from articles.models import Article, Image, Source

_counter = itertools.count(1)


def make_source(name=None, **fields) -> Source:
    return Source.objects.create(name=name or f"Agency {next(_counter)}", **fields)


def make_image(**fields) -> Image:
    defaults = {"caption": "A photo caption", "credit": "Jane Doe/Reuters"}
    return Image.objects.create(**(defaults | fields))


def make_article(
    headline=None,
    *,
    status=Article.Status.PUBLISHED,
    published_at=None,
    tags=(),
    sources=(),
    **fields,
) -> Article:
    """A published story from yesterday unless told otherwise."""
    if status == Article.Status.PUBLISHED and published_at is None:
        published_at = timezone.now() - datetime.timedelta(days=1)
    article = Article.objects.create(
        headline=headline or f"Story number {next(_counter)}",
        standfirst=fields.pop("standfirst", "A standfirst."),
        body=fields.pop("body", "<p>A body paragraph.</p>"),
        status=status,
        published_at=published_at,
        **fields,
    )
    if tags:
        article.tags.add(*tags)
    if sources:
        article.sources.set(sources)
    return article


def make_draft(headline=None, **fields) -> Article:
    return make_article(headline, status=Article.Status.DRAFT, **fields)


def make_editor(username="editor", password="correct horse battery staple"):
    return get_user_model().objects.create_superuser(username=username, password=password)


def make_staff(username: str, *, role: str, password="correct horse battery staple"):
    """A non-superuser desk member in the "Reporter" or "Editor" group (made by a migration)."""
    user = get_user_model().objects.create_user(username=username, password=password, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user
