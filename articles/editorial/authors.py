"""Authors: linking imported bylines and credits to known people, an author's address kept
when it changes, and merging two records of one person."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError

from .. import changes
from ..credits import credit_line, parse_credit_line
from ..models import Article, Author, AuthorRedirect, Contributor

MERGE_PERMISSION = "articles.merge_authors"


@dataclass(frozen=True)
class BylineCredits:
    """A byline read against the known authors: who to credit (in order) and the rest."""

    linked: list[tuple[Author, str]]  # (author, Contributor.Role value)
    free_text: str  # the names of no known author, as a byline ("" when none)


def read_byline(byline: str) -> BylineCredits:
    """ "By Amina Traoré and Someone; editing by Jean Dupont" with Amina and Jean known →
    [(Amina, by), (Jean, edited)] and "Someone". Names match authors whatever their case."""
    credits = parse_credit_line(byline or "", strict=False) or ()
    known = authors_named({credit.name for credit in credits})
    linked = [
        (known[credit.name.casefold()], credit.role)
        for credit in credits
        if credit.name.casefold() in known
    ]
    unknown = [credit for credit in credits if credit.name.casefold() not in known]
    return BylineCredits(linked=linked, free_text=credit_line(unknown)[:200])


def authors_named(names: set[str]) -> dict[str, Author]:
    """The authors called one of `names` (any case), keyed by their casefolded name."""
    if not names:
        return {}
    wanted = {name.casefold() for name in names}
    found = Author.objects.filter(name__in=names).only("pk", "name", "slug")
    known = {author.name.casefold(): author for author in found}
    if len(known) < len(wanted):  # the database's case folding is not Python's
        for author in Author.objects.only("pk", "name", "slug"):
            if author.name.casefold() in wanted:
                known.setdefault(author.name.casefold(), author)
    return known


def add_credits(article: Article, linked: list[tuple[Author, str]]) -> None:
    """Credit these authors on the story after its present contributors, each author once per
    role (a re-import does not double them; an editor's credits stay)."""
    present = list(Contributor.objects.filter(article=article).values_list("author_id", "role"))
    held = set(present)
    new = []
    for author, role in linked:
        if (author.pk, role) not in held:
            held.add((author.pk, role))
            new.append(Contributor(article=article, author=author, role=role))
    for position, contributor in enumerate(new, start=len(present)):
        contributor.position = position
    if new:
        Contributor.objects.bulk_create(new)
        changes.record(stories=[article.pk])  # bulk_create sends no post_save


class SlugTaken(ValidationError):
    """An author's new address is another author's old one (which must keep leading there)."""


def check_free_slug(author: Author, slug: str) -> None:
    """Refuse `slug` for `author` when it is another author's old address (SlugTaken)."""
    held = AuthorRedirect.objects.exclude(author_id=author.pk).filter(old_slug=slug)
    redirect = held.select_related("author").first()
    if redirect is not None:
        raise SlugTaken(
            f"/authors/{slug}/ was an earlier address of “{redirect.author}” and still leads "
            "there: choose another."
        )


@changes.atomic()
def save_author(*, author: Author) -> Author:
    """Save an author; when their slug changes, their old address (and its feeds) redirects to
    the new one, and an address they had before is theirs again."""
    old_slug = (
        Author.objects.filter(pk=author.pk).values_list("slug", flat=True).first()
        if author.pk
        else None
    )
    if author.slug:
        check_free_slug(author, author.slug)
    author.save()
    if old_slug and old_slug != author.slug:
        AuthorRedirect.objects.filter(old_slug=author.slug).delete()
        AuthorRedirect.objects.update_or_create(old_slug=old_slug, defaults={"author": author})
    return author


def restore_contributors(article: Article, credits: list[dict]) -> None:
    """Make the story's contributors these (a revision's `contributors`), in their order. An
    author merged into another since is found by their old address; one deleted is left out."""
    authors = Author.objects.in_bulk([credit["id"] for credit in credits])
    wanted: list[tuple[Author, str]] = []
    for credit in credits:
        author = authors.get(credit["id"]) or AuthorRedirect.target(credit.get("slug") or "")
        if author is not None and (author, credit["role"]) not in wanted:
            wanted.append((author, credit["role"]))
    present = Contributor.objects.filter(article=article).order_by("position", "pk")
    if list(present.values_list("author_id", "role")) == [(a.pk, role) for a, role in wanted]:
        return
    present.delete()
    Contributor.objects.bulk_create(
        [
            Contributor(article=article, author=author, role=role, position=position)
            for position, (author, role) in enumerate(wanted)
        ]
    )
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
