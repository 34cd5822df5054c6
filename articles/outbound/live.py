"""A live story's updates as data: for its JSON-LD `LiveBlogPosting`, its feed entries, the API and
ninjs. Only updates that are not deleted, and only of a story the caller got from `published()`.
"""

from django.db.models import Max

from ..models import LiveUpdate
from .links import absolute_url, image_object, photo_json

# What leaves the site as data carries the newest updates only: a live page can reach hundreds.
OUTBOUND_UPDATES = 100


def shown_updates(article) -> list[LiveUpdate]:
    """The story's updates readers see, newest first (those the page already loaded, if any)."""
    if not article.is_live_coverage:
        return []
    loaded = getattr(article, "shown_live_updates", None)
    if loaded is not None:
        return loaded[:OUTBOUND_UPDATES]
    updates = list(
        LiveUpdate.objects.filter(article=article)
        .shown()
        .select_related("image")
        .newest_first()[:OUTBOUND_UPDATES]
    )
    for update in updates:
        update.article = article
    article.shown_live_updates = updates
    return updates


def plain_text(update: LiveUpdate) -> str:
    return update.plain_text


def last_changed(article, updates=None):
    """When the newest change to the story's updates was, or None."""
    updates = shown_updates(article) if updates is None else updates
    return max((update.updated_at for update in updates), default=None)


def with_updates(last_modified, article):
    """`last_modified`, or the newest change to the story's live updates when that is later (a
    deletion included: it changes what readers get)."""
    if not article.is_live_coverage:
        return last_modified
    changed = LiveUpdate.objects.filter(article=article).aggregate(latest=Max("updated_at"))
    changed = changed["latest"]
    if changed is None or (last_modified is not None and last_modified >= changed):
        return last_modified
    return changed


def live_json(article) -> dict | None:
    """The `live` member of the API's story: the coverage's times and its updates (or None)."""
    if not article.is_live_coverage:
        return None
    return {
        "started_at": article.live_started_at,
        "ended_at": article.live_ended_at,
        "is_live": article.is_live_now,
        "updates": [
            {
                "id": update.pk,
                "url": absolute_url(update.get_absolute_url()),
                "posted_at": update.posted_at,
                "updated_at": update.updated_at,
                "headline": update.headline,
                "body_html": update.body,
                "byline": update.byline,
                "is_key_event": update.is_key_event,
                "image": photo_json(update.public_image),  # none once its licence expired
            }
            for update in shown_updates(article)
        ],
    }


def live_blog_updates(article, updates) -> list[dict]:
    """schema.org `liveBlogUpdate` items (BlogPosting), newest first."""
    items = []
    for update in updates:
        url = absolute_url(update.get_absolute_url())
        item = {
            "@type": "BlogPosting",
            "@id": url,
            "url": url,
            "headline": update.headline or _short(plain_text(update)),
            "datePublished": update.posted_at,
            "dateModified": update.updated_at,
            "articleBody": plain_text(update),
        }
        if update.byline:
            item["author"] = [{"@type": "Person", "name": update.byline}]
        if photo := image_object(update.public_image):
            item["image"] = photo
        items.append(item)
    return items


def _short(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
