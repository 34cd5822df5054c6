"""Authors: linking imported bylines to known people, and merging two records of one person."""

import re

from django.core.exceptions import PermissionDenied, ValidationError

from .. import changes
from ..models import Article, Author, AuthorRedirect, Contributor

MERGE_PERMISSION = "articles.merge_authors"
_NAME_SEPARATORS = re.compile(r"\s*(?:,|;|\band\b|&)\s*", re.IGNORECASE)


def split_byline(byline: str) -> list[str]:
    """ "By Amina Traoré and Jean Dupont" → ["Amina Traoré", "Jean Dupont"]."""
    text = re.sub(r"\A\s*by\s+", "", byline or "", flags=re.IGNORECASE)
    return [" ".join(name.split()) for name in _NAME_SEPARATORS.split(text) if name.strip()]


def link_byline(article: Article) -> None:
    """Turn the names in a story's free-text byline that belong to known authors into "By"
    contributors; unknown names stay as free text until an editor links them."""
    names = split_byline(article.byline)
    if not names:
        return
    known = {author.name.casefold(): author for author in Author.objects.filter(name__in=names)}
    if len(known) < len(names):  # the database's case folding is not Python's
        for author in Author.objects.all().only("pk", "name"):
            if author.name.casefold() in {name.casefold() for name in names}:
                known.setdefault(author.name.casefold(), author)
    linked = [known[name.casefold()] for name in names if name.casefold() in known]
    if not linked:
        return
    already = set(
        Contributor.objects.filter(article=article, role=Contributor.Role.BY).values_list(
            "author_id", flat=True
        )
    )
    start = Contributor.objects.filter(article=article).count()
    Contributor.objects.bulk_create(
        [
            Contributor(article=article, author=author, role=Contributor.Role.BY, position=n)
            for n, author in enumerate((a for a in linked if a.pk not in already), start=start)
        ]
    )
    unknown = [name for name in names if name.casefold() not in known]
    Article.objects.filter(pk=article.pk).update(byline=" and ".join(unknown)[:200])
    article.byline = " and ".join(unknown)[:200]
    changes.record(stories=[article.pk])


@changes.atomic()
def merge_authors(*, keep: Author, others: list[Author], user) -> Author:
    """Make `others` (records of the same person) part of `keep`: their story credits move to
    it (a credit `keep` already has in that role is not doubled), as does an account `keep`
    lacks, then they are deleted; their pages' addresses redirect to `keep`."""
    if user is not None and not user.has_perm(MERGE_PERMISSION):
        raise PermissionDenied("You cannot merge authors.")
    others = [other for other in others if other.pk != keep.pk]
    if not others:
        raise ValidationError("Choose at least one other author to merge into this one.")
    other_ids = [other.pk for other in others]
    stories = set(
        Contributor.objects.filter(author_id__in=other_ids).values_list("article_id", flat=True)
    )
    held = set(Contributor.objects.filter(author=keep).values_list("article_id", "role"))
    for contribution in Contributor.objects.filter(author_id__in=other_ids).order_by("pk"):
        key = (contribution.article_id, contribution.role)
        if key in held:
            contribution.delete()
        else:
            held.add(key)
            contribution.author = keep
            contribution.save(update_fields=["author"])
    for other in others:
        if keep.user_id is None and other.user_id is not None:
            keep.user_id, other.user_id = other.user_id, None
            other.save(update_fields=["user"])
        for field in ("title", "bio", "links"):
            if not getattr(keep, field) and getattr(other, field):
                setattr(keep, field, getattr(other, field))
        if keep.photo_id is None and other.photo_id is not None:
            keep.photo_id = other.photo_id
    keep.save()
    # Their addresses (and those already pointing at them) now lead to `keep`; written before
    # the delete, whose cascade would otherwise take the redirects pointing at them.
    AuthorRedirect.objects.filter(author_id__in=other_ids).update(author=keep)
    for other in others:
        AuthorRedirect.objects.update_or_create(old_slug=other.slug, defaults={"author": keep})
    AuthorRedirect.objects.filter(old_slug=keep.slug).delete()
    Author.objects.filter(pk__in=other_ids).delete()
    changes.record(stories=stories)
    return keep
