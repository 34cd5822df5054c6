"""Small helpers shared by everything that leaves the site as data: feeds, sitemaps, the API,
ninjs and structured data."""

from django.conf import settings

from ..photos.storage import ask_storage


def absolute_url(path: str) -> str:
    """`path` on the site's public origin (settings.SITE_URL), never on whatever Host was sent."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def story_updated(article):
    """When readers' copy last changed: the latest of publication and a later content update."""
    updated = article.content_updated_at
    if updated and article.published_at and updated > article.published_at:
        return updated
    return article.published_at


def stored_file_url(file) -> str:
    """The absolute URL of a stored file, or "" when storage cannot give one right now."""
    return ask_storage(
        lambda: absolute_url(file.url), about=f"the URL of {file.name}", otherwise=""
    )


def stored_file_size(file) -> int | None:
    """The size in bytes of a stored file, or None when storage cannot tell right now."""
    return ask_storage(lambda: file.size, about=f"the size of {file.name}", otherwise=None)


def image_object(image) -> dict | None:
    """schema.org ImageObject for a photo readers may see, or None when storage cannot give its
    address (no broken image is announced)."""
    url = stored_file_url(image.file) if image is not None and image.file else ""
    if not url:
        return None
    return {
        "@type": "ImageObject",
        "url": url,
        "contentUrl": url,
        **({"width": image.width, "height": image.height} if image.width else {}),
        **({"caption": image.caption} if image.caption else {}),
        **({"creditText": image.display_credit} if image.credit else {}),
    }


def photo_json(image) -> dict | None:
    """The read API's photo: for one readers may see (`public_lead_image`, `public_image`), or
    None; a caption still waiting for its file is for the desk, not for readers."""
    if image is None or not image.file:
        return None
    return {
        "url": stored_file_url(image.file) or None,
        "width": image.width,
        "height": image.height,
        "alt_text": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
        "is_file_photo": image.is_file_photo,
    }


def lead_photo_url(article) -> str:
    """The absolute URL of the story's lead photo file, or "" when it has none (yet)."""
    image = article.public_lead_image
    if image is None or not image.file:
        return ""
    return stored_file_url(image.file)
