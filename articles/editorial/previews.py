"""Previews: a story rendered with the public templates, for the newsroom and its guests only.

Two ways in. Staff preview the saved story or their unsaved changes from the admin (the views are
wired up in articles/desk/workflow.py). Anyone holding a signed share link reads that one story
until the link expires or an editor revokes it; the signature stops guessing and tampering, the
`ShareLink` row makes expiry and revocation possible. Previews are never cached and never indexed.
"""

from django.core import signing
from django.db.models.functions import Lower
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify

from ..models import Article, ShareLink, Tag, format_moment
from ..site.views import live_context

SHARE_LINK_SALT = "articles.share-link"
# A stand-in primary key so the public templates can walk an unsaved story's relations (all of
# them come from the prefetch cache set below; the instance is never saved).
UNSAVED_PK = 0


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def render_preview(request, article: Article, *, banner: str, notes=()) -> HttpResponse:
    """`article` exactly as readers would see it, marked as a preview (and as EMBARGOED while an
    embargo holds: whoever reads a preview must not pass it on before then)."""
    if article.is_embargoed:
        banner = f"EMBARGOED until {format_moment(article.embargoed_until)} — {banner}"
    if article.published_at is None:
        article.published_at = timezone.now()  # when it would go out if published now
    context = {
        "article": article,
        "noindex": True,
        "preview_banner": banner,
        "preview_notes": notes,
    }
    if article.pk and article.is_live_coverage:
        context |= live_context(request, article, polled=False)
    with translation.override(article.language):  # the page in the story's language
        response = render(request, "articles/article_detail.html", context)
    return _private(response)


def _tags_for_preview(values) -> list[Tag]:
    """The form's tags as Tag objects; names not yet in use become unsaved tags."""
    names = [value if isinstance(value, str) else value.name for value in values or []]
    existing = {
        tag.name.lower(): tag
        for tag in Tag.objects.annotate(lower_name=Lower("name")).filter(
            lower_name__in=[name.lower() for name in names]
        )
    }
    return sorted(
        (
            existing.get(name.lower()) or Tag(name=name, slug=slugify(name) or "tag")
            for name in names
        ),
        key=lambda tag: tag.name.lower(),
    )


def render_unsaved_preview(request, form) -> HttpResponse:
    """The story as it would look if `form` (an admin change form) were saved now."""
    valid = form.is_valid()
    article = form.instance  # holds every field that validated
    cleaned = getattr(form, "cleaned_data", {})
    saved = article.pk is not None
    related = dict(getattr(article, "_prefetched_objects_cache", {}))
    if "sources" in cleaned:
        related["sources"] = cleaned["sources"]
    elif not saved:
        related["sources"] = []
    if "tags" in cleaned:
        related["tags"] = _tags_for_preview(cleaned["tags"])
    elif not saved:
        related["tags"] = []
    if saved:
        related.setdefault("corrections", article.corrections.all())
    else:
        related["corrections"] = []
        article.pk = UNSAVED_PK
    article._prefetched_objects_cache = related
    notes = []
    if not valid:
        notes = [
            f"{form.fields[name].label if name in form.fields else 'Story'}: {' '.join(errors)}"
            for name, errors in form.errors.items()
        ]
    banner = "Preview of unsaved changes — not published"
    if notes:
        banner += "; fields with errors are shown as last saved"
    return render_preview(request, article, banner=banner, notes=notes)


# ---- Share links -------------------------------------------------------------------------------


def share_link_token(link: ShareLink) -> str:
    return signing.Signer(salt=SHARE_LINK_SALT).sign_object(
        {"link": link.pk, "article": link.article_id}
    )


def share_link_url(request, link: ShareLink) -> str:
    return request.build_absolute_uri(
        reverse("articles:shared_preview", kwargs={"token": share_link_token(link)})
    )


def _unavailable(request, *, status: int, message: str) -> HttpResponse:
    response = render(
        request,
        "articles/preview_unavailable.html",
        {"message": message, "noindex": True},
        status=status,
    )
    response["Referrer-Policy"] = "no-referrer"
    return _private(response)


def shared_preview(request, token: str) -> HttpResponse:
    """The one story a share link was made for, to anyone holding the link."""
    try:
        data = signing.Signer(salt=SHARE_LINK_SALT).unsign_object(token)
        link_id, article_id = int(data["link"]), int(data["article"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return _unavailable(request, status=404, message="This preview link is not valid.")
    link = ShareLink.objects.filter(pk=link_id, article_id=article_id).first()
    if link is None:
        return _unavailable(request, status=404, message="This preview link is not valid.")
    if link.revoked_at is not None:
        return _unavailable(request, status=410, message="This preview link has been withdrawn.")
    if link.expires_at <= timezone.now():
        return _unavailable(request, status=410, message="This preview link has expired.")
    article = Article.objects.live().for_detail().filter(pk=article_id).first()
    if article is None:
        return _unavailable(request, status=404, message="This story is no longer available.")
    until = timezone.localtime(link.expires_at).strftime("%d %b %Y, %H:%M %Z")
    response = render_preview(
        request,
        article,
        banner=f"Preview shared by the newsroom — not published. Link valid until {until}.",
    )
    response["Referrer-Policy"] = "no-referrer"  # the link is the key: never pass it on
    return response
