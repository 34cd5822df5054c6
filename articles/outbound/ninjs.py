"""IPTC ninjs ("News in JSON") out: a published story as a ninjs 3.3 document.

`article_to_ninjs` writes what the shipped official schema (`schemas/ninjs-schema_3.3.json`)
accepts: the headline as the "main" headline, the standfirst as the "summary" description, the HTML
body, tags as subjects, sources as infoSources and the lead photo as the "featuremedia" association
with its caption, alt text, the credit split into `by` (photographer) and `copyrightHolder`
(agency), "Archive material" for file photos, and its renditions when the file exists.

The names defined here are also what articles/wire/ninjs.py reads back, so importing our own
export gives back the same story.
"""

import html
import json
import mimetypes
from functools import cache
from pathlib import Path

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags

from ..models import Article, Image, Rendition
from ..photos.renditions import current_renditions
from . import live
from .links import absolute_url, stored_file_url, story_updated

NINJS_VERSION = "3.3"
SCHEMA_URI = "http://www.iptc.org/std/ninjs/ninjs-schema_3.3.json#"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "ninjs-schema_3.3.json"
LEAD_PHOTO_NAME = "featuremedia"
ARCHIVE_GENRE_URI = "http://cv.iptc.org/newscodes/genre/Archive_material"
ARCHIVE_GENRE_NAME = "Archive material"
# The altIds role under which we carry our own import identity, so a round trip updates in place.
EXTERNAL_ID_ROLE = "newsroom:external-id"
ALT_TEXT_ROLE = "alt-text"


@cache
def ninjs_schema() -> dict:
    """The official IPTC ninjs 3.3 JSON Schema shipped with the app."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def article_uri(article: Article) -> str:
    return absolute_url(reverse("api:article", kwargs={"id": article.pk}))


def _iso(moment) -> str:
    return timezone.localtime(moment, timezone.UTC).isoformat().replace("+00:00", "Z")


def _split_credit(credit: str) -> tuple[str, str]:
    """ "Benoit Tessier/Reuters" → ("Benoit Tessier", "Reuters"); "EPA" → ("", "EPA")."""
    photographer, _, agency = credit.rpartition("/")
    return photographer.strip(), agency.strip()


def _media_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _photo_renditions(image: Image) -> list[dict]:
    href = stored_file_url(image.file) if image.file else ""
    if not href:
        return []
    original = {
        "name": "original",
        "href": href,
        "contentType": _media_type(image.file.name),
    }
    if image.width and image.height:
        original |= {"width": image.width, "height": image.height}
        if image.focal_x is not None and image.focal_y is not None:
            original["poi"] = {
                "x": round(image.focal_x * image.width),
                "y": round(image.focal_y * image.height),
            }
    renditions = [original]
    for rendition in _current_renditions(image):
        if not (href := stored_file_url(rendition.file)):
            continue
        renditions.append(
            {
                "name": f"{rendition.crop}-{rendition.width}-{rendition.format}",
                "href": href,
                "contentType": _media_type(rendition.file.name),
                "width": rendition.width,
                "height": rendition.height,
            }
        )
    return renditions


def _current_renditions(image: Image) -> list[Rendition]:
    """The resized copies made from the photo's current file and focal point, crop by crop."""
    return [
        rendition
        for crop in Rendition.Crop
        for rendition in current_renditions(image, crop)
        if rendition.file
    ]


def _photo_association(article: Article, image: Image) -> dict:
    photographer, agency = _split_credit(image.credit)
    association = {
        "name": LEAD_PHOTO_NAME,
        "uri": f"{article_uri(article)}#{LEAD_PHOTO_NAME}",
        "type": "picture",
    }
    descriptions = []
    if image.caption:
        descriptions.append(
            {"role": "caption", "contentType": "text/plain", "value": image.caption}
        )
    if image.alt_text:
        descriptions.append(
            {"role": ALT_TEXT_ROLE, "contentType": "text/plain", "value": image.alt_text}
        )
    if descriptions:
        association["descriptions"] = descriptions
    if photographer:
        association["by"] = photographer
    if agency:
        association["copyrightHolder"] = agency
    if image.is_file_photo:
        association["genres"] = [{"name": ARCHIVE_GENRE_NAME, "uri": ARCHIVE_GENRE_URI}]
    if renditions := _photo_renditions(image):
        association["renditions"] = renditions
    return association


def live_update_associations(article: Article, updates) -> list[dict]:
    """A live story's updates (newest first) as text items associated with it."""
    items = []
    for update in updates:
        text = live.plain_text(update)
        item = {
            "name": f"live-update-{update.pk}",
            "rel": "liveupdate",
            "uri": absolute_url(update.get_absolute_url()),
            "type": "text",
            "representationType": "full",
            "firstCreated": _iso(update.posted_at),
            "versionCreated": _iso(update.updated_at),
            "bodies": [
                {
                    "role": "main",
                    "contentType": "text/html",
                    "value": update.body,
                    "charCount": len(text),
                    "wordCount": len(text.split()),
                }
            ],
        }
        if update.headline:
            item["headlines"] = [
                {"role": "main", "contentType": "text/plain", "value": update.headline}
            ]
        if update.byline:
            item["by"] = update.byline
        items.append(item)
    return items


def article_to_ninjs(article: Article) -> dict:
    """The published story as an IPTC ninjs 3.3 document (a dict ready for json.dumps)."""
    text = " ".join(html.unescape(strip_tags(article.body)).split())
    doc: dict = {
        "uri": article_uri(article),
        "standard": {"name": "ninjs", "version": NINJS_VERSION, "schema": SCHEMA_URI},
        "type": "text",
        "representationType": "full",
        "version": str(article.version),
        "firstCreated": _iso(article.published_at or article.created_at),
        "versionCreated": _iso(story_updated(article) or article.updated_at),
        "pubStatus": "usable",
        "language": article.language,
        "headlines": [{"role": "main", "contentType": "text/plain", "value": article.headline}],
    }
    if article.standfirst:
        doc["descriptions"] = [
            {"role": "summary", "contentType": "text/plain", "value": article.standfirst}
        ]
    if article.body:
        doc["bodies"] = [
            {
                "role": "main",
                "contentType": "text/html",
                "value": article.body,
                "charCount": len(text),
                "wordCount": len(text.split()),
            }
        ]
    with translation.override(article.language):  # the story's words, whoever asks
        byline = article.byline_text(leading_by=False)
    if byline:
        doc["by"] = byline
    if people := [
        {
            "name": contribution.author.name,
            "rel": f"contributor:{contribution.role}",
            "literal": contribution.author.slug,
            "uri": absolute_url(contribution.author.get_absolute_url()),
        }
        for contribution in article.contributions.all()
    ]:
        doc["people"] = people
    if tags := article.tag_list():
        doc["subjects"] = [
            {
                "name": tag.name,
                "rel": "about",
                "literal": tag.slug,
                "uri": absolute_url(tag.get_absolute_url()),
            }
            for tag in tags
        ]
    if sources := list(article.sources.all()):
        doc["infoSources"] = [
            {
                "name": source.name,
                "role": "source",
                "literal": source.slug,
                "uri": absolute_url(source.get_absolute_url()),
            }
            for source in sources
        ]
    if article.public_lead_image is not None:
        doc["associations"] = [_photo_association(article, article.public_lead_image)]
    if updates := live.shown_updates(article):
        doc.setdefault("associations", []).extend(live_update_associations(article, updates))
    if article.external_id:
        doc["altIds"] = [{"role": EXTERNAL_ID_ROLE, "value": article.external_id}]
    return doc
