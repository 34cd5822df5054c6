"""IPTC ninjs ("News in JSON"): stories out as ninjs 3.3, and ninjs in.

Export (`article_to_ninjs`) writes what the shipped official schema
(`articles/schemas/ninjs-schema_3.3.json`) accepts: the headline as the "main" headline, the
standfirst as the "summary" description, the HTML body, tags as subjects, sources as infoSources and
the lead photo as the "featuremedia" association with its caption, alt text, the credit split into
`by` (photographer) and `copyrightHolder` (agency), "Archive material" for file photos, and its
renditions when the file exists.

Import (`parse_ninjs` then `import_ninjs_story`) reads that, ninjs 2.x, and the common 1.x shape
(`headline`, `body_html`/`body_xhtml`/`body_text`, `description_text`, `byline`, `subject`, and
`associations`/`renditions` keyed by name). Importing our own export gives back the same story,
and importing it again updates that story instead of duplicating it.
"""

from __future__ import annotations

import hashlib
import html
import json
import mimetypes
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from .importing import ImportResult, import_story
from .models import Article, Image, Rendition
from .outbound import absolute_url, stored_file_url, story_updated
from .renditions import current_renditions

NINJS_VERSION = "3.3"
SCHEMA_URI = "http://www.iptc.org/std/ninjs/ninjs-schema_3.3.json#"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "ninjs-schema_3.3.json"
LEAD_PHOTO_NAME = "featuremedia"
ARCHIVE_GENRE_URI = "http://cv.iptc.org/newscodes/genre/Archive_material"
ARCHIVE_GENRE_NAME = "Archive material"
# The altIds role under which we carry our own import identity, so a round trip updates in place.
EXTERNAL_ID_ROLE = "newsroom:external-id"
ALT_TEXT_ROLE = "alt-text"
MAX_DOCUMENT_BYTES = 5_000_000
MAX_TAG_NAME = 100

_EXTERNAL_ID_RE = re.compile(r"\A(?:wire|ninjs):[0-9a-f]{32}\Z")
_HTML_TYPES = {"text/html", "application/xhtml+xml", "application/xhtml"}
_PHOTO_NAMES = ("featuremedia", "featureimage", "mainpicture", "mainpic", "leadimage", "picture")
_SUMMARY_ROLES = ("summary", "abstract", "standfirst", "description", "teaser")
_CAPTION_ROLES = ("caption", "description", "summary")
_ALT_TEXT_ROLES = (ALT_TEXT_ROLE, "alt", "alttext", "alternative")


@cache
def ninjs_schema() -> dict:
    """The official IPTC ninjs 3.3 JSON Schema shipped with the app."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Export


def article_uri(article: Article) -> str:
    return absolute_url(reverse("api:article", kwargs={"pk": article.pk}))


def _iso(moment) -> str:
    return timezone.localtime(moment, timezone.UTC).isoformat().replace("+00:00", "Z")


def _split_credit(credit: str) -> tuple[str, str]:
    """ "Benoit Tessier/Reuters" → ("Benoit Tessier", "Reuters"); "EPA" → ("", "EPA")."""
    photographer, _, agency = credit.rpartition("/")
    return photographer.strip(), agency.strip()


def _join_credit(photographer: str, agency: str) -> str:
    return "/".join(part for part in (photographer.strip(), agency.strip()) if part)


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
        "language": "en",
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
    if article.byline:
        doc["by"] = article.byline
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
    if article.lead_image is not None:
        doc["associations"] = [_photo_association(article, article.lead_image)]
    if article.external_id:
        doc["altIds"] = [{"role": EXTERNAL_ID_ROLE, "value": article.external_id}]
    return doc


# ---------------------------------------------------------------------------------------------
# Import


class NinjsError(ValueError):
    """The document is not a usable ninjs story; the message says why."""


@dataclass(frozen=True)
class NinjsPhoto:
    caption: str
    credit: str
    is_file_photo: bool
    alt_text: str = ""
    # A file already in our media storage, named by one of our own rendition URLs.
    file_name: str = ""
    focal_x: float | None = None
    focal_y: float | None = None


@dataclass(frozen=True)
class NinjsStory:
    external_id: str
    headline: str
    standfirst: str
    body_html: str
    byline: str = ""
    photo: NinjsPhoto | None = None
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


def looks_like_json(data: str | bytes) -> bool:
    head = data[:64].lstrip() if isinstance(data, str) else data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in ("{", b"{")


def parse_ninjs(data: str | bytes | dict) -> NinjsStory:
    """Read one ninjs story (3.x, 2.x or 1.x) from JSON text, UTF-8 bytes or a parsed dict."""
    doc = data if isinstance(data, dict) else _load_json(data)
    if not isinstance(doc, dict):
        raise NinjsError("a ninjs document is a JSON object")

    headline = _plain(_pick_text(doc.get("headlines"), "headlines", roles=("main", "default")))
    headline = headline or _plain(_string(doc, "headline")) or _plain(_string(doc, "title"))
    headline = " ".join(headline.split())
    if not headline:
        raise NinjsError("no headline (headlines[].value or headline)")
    if len(headline) > 300:
        raise NinjsError(f"headline is {len(headline)} characters; at most 300")

    standfirst = _plain(_pick_text(doc.get("descriptions"), "descriptions", roles=_SUMMARY_ROLES))
    standfirst = (
        standfirst
        or _string(doc, "description_text")
        or _plain(_string(doc, "description_html"), is_html=True)
    )
    body_html = _body_html(doc)
    if not strip_tags(body_html).strip():
        raise NinjsError("no body (bodies[].value, body_html or body_text)")

    return NinjsStory(
        external_id=_external_id(doc, headline),
        headline=headline,
        standfirst=standfirst.strip(),
        body_html=body_html,
        byline=(_string(doc, "by") or _string(doc, "byline")).strip(),
        photo=_photo(doc),
        sources=_names(doc.get("infoSources"), "infoSources"),
        tags=_tag_names(doc),
    )


def _load_json(data: str | bytes):
    if isinstance(data, bytes):
        if len(data) > MAX_DOCUMENT_BYTES:
            raise NinjsError(f"document is larger than {MAX_DOCUMENT_BYTES // 1_000_000} MB")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise NinjsError(f"not valid UTF-8: bad byte at offset {exc.start}") from exc
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise NinjsError(
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    except RecursionError as exc:
        raise NinjsError("not valid JSON: nested too deeply") from exc


def _string(obj: dict, key: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise NinjsError(f"{key} must be a string, not {type(value).__name__}")
    return value


def _plain(value: str, *, is_html: bool = False) -> str:
    if is_html or "<" in value:
        value = html.unescape(strip_tags(value))
    return value.strip()


def _objects(value, field: str) -> list[dict]:
    """A list of objects (3.x) or an object of objects keyed by name (1.x) as a list."""
    if value is None:
        return []
    if isinstance(value, dict):
        items = [
            {"name": name, **item} if isinstance(item, dict) else item
            for name, item in value.items()
        ]
    elif isinstance(value, list):
        items = value
    else:
        raise NinjsError(f"{field} must be a list of objects")
    if not all(isinstance(item, dict) for item in items):
        raise NinjsError(f"{field} must be a list of objects")
    return items


def _pick_text(value, field: str, *, roles: tuple[str, ...], skip_roles=()) -> str:
    """The value of the first entry with a preferred role (in order), else the first entry."""
    entries = [e for e in _objects(value, field) if _role(e, field) not in skip_roles]
    for entry in entries:
        if not isinstance(entry.get("value"), str):
            raise NinjsError(f"{field}[].value must be a string")
    by_role = {}
    for entry in entries:
        by_role.setdefault(_role(entry, field), entry)
    chosen = next((by_role[role] for role in roles if role in by_role), None)
    if chosen is None and entries:
        chosen = by_role.get("", entries[0])
    if chosen is None:
        return ""
    return _plain(chosen["value"], is_html=_content_type(chosen) in _HTML_TYPES)


def _role(entry: dict, field: str) -> str:
    role = entry.get("role", "")
    if not isinstance(role, str):
        raise NinjsError(f"{field}[].role must be a string")
    return role.casefold()


def _content_type(entry: dict) -> str:
    value = entry.get("contentType") or entry.get("mimetype") or ""
    return value.split(";")[0].strip().casefold() if isinstance(value, str) else ""


def _paragraphs_html(text: str) -> str:
    paragraphs = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text)]
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs if p)


def _body_html(doc: dict) -> str:
    bodies = _objects(doc.get("bodies"), "bodies")
    for entry in bodies:
        if not isinstance(entry.get("value"), str):
            raise NinjsError("bodies[].value must be a string")
    html_bodies = [b for b in bodies if _content_type(b) in _HTML_TYPES]
    main_first = sorted(html_bodies, key=lambda b: _role(b, "bodies") not in ("main", ""))
    if main_first:
        return main_first[0]["value"].strip()
    if bodies:
        return _paragraphs_html(bodies[0]["value"])
    for key in ("body_html", "body_xhtml"):
        if value := _string(doc, key):
            return value.strip()
    return _paragraphs_html(_string(doc, "body_text"))


def _names(value, field: str) -> tuple[str, ...]:
    names: list[str] = []
    seen: set[str] = set()
    for item in _objects(value, field):
        name = item.get("name")
        if name is None:
            continue
        if not isinstance(name, str):
            raise NinjsError(f"{field}[].name must be a string")
        name = " ".join(name.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return tuple(names)


def _tag_names(doc: dict) -> tuple[str, ...]:
    names = _names(doc.get("subjects"), "subjects") or _names(doc.get("subject"), "subject")
    for name in names:
        if len(name) > MAX_TAG_NAME:
            raise NinjsError(f"subject name is {len(name)} characters; at most {MAX_TAG_NAME}")
    return names


def _external_id(doc: dict, headline: str) -> str:
    for alt_id in _objects(doc.get("altIds"), "altIds"):
        value = alt_id.get("value")
        is_ours = alt_id.get("role") == EXTERNAL_ID_ROLE and isinstance(value, str)
        if is_ours and _EXTERNAL_ID_RE.match(value):
            return value
    uri = _string(doc, "uri").strip()
    key = f"uri:{uri}" if uri else "headline:" + " ".join(headline.casefold().split())
    return "ninjs:" + hashlib.sha256(key.encode()).hexdigest()[:32]


def _lead_association(doc: dict) -> dict | None:
    associations = _objects(doc.get("associations"), "associations")
    pictures = [item for item in associations if _is_picture(item)]
    for name in _PHOTO_NAMES:
        for item in pictures:
            if item.get("name") == name:
                return item
    return pictures[0] if pictures else None


def _is_picture(item: dict) -> bool:
    kind = item.get("type")
    if kind is None:  # 1.x associations often leave the type out
        return item.get("name") in _PHOTO_NAMES or bool(item.get("renditions"))
    return kind in ("picture", "graphic")


def _photo(doc: dict) -> NinjsPhoto | None:
    item = _lead_association(doc)
    if item is None:
        return None
    descriptions = item.get("descriptions")
    field = "associations[].descriptions"
    caption = _pick_text(descriptions, field, roles=_CAPTION_ROLES, skip_roles=_ALT_TEXT_ROLES)
    caption = caption or _string(item, "description_text")
    caption = caption or _plain(_string(item, "description_html"), is_html=True)
    caption = caption or _plain(_pick_text(item.get("headlines"), "headlines", roles=("main",)))
    caption = caption or _plain(_string(item, "headline"))
    alt_text = ""
    for entry in _objects(descriptions, field):
        if _role(entry, "descriptions") in _ALT_TEXT_ROLES:
            alt_text = _plain(entry["value"])
            break
    photographer = _string(item, "by") or _string(item, "byline")
    agency = _string(item, "copyrightHolder") or _string(item, "copyrightholder")
    genres = _objects(item.get("genres") or item.get("genre"), "genres")
    is_file_photo = any(
        genre.get("uri") == ARCHIVE_GENRE_URI
        or str(genre.get("name", "")).casefold() in {"archive material", "file", "file photo"}
        for genre in genres
    )
    file_name, focal = _own_file(item)
    return NinjsPhoto(
        caption=caption,
        credit=_join_credit(photographer, agency)[:200],
        is_file_photo=is_file_photo,
        alt_text=alt_text[:300],
        file_name=file_name,
        focal_x=focal[0] if focal else None,
        focal_y=focal[1] if focal else None,
    )


def _own_file(item: dict) -> tuple[str, tuple[float, float] | None]:
    """A rendition that points at a photo file already in our own storage, and its focal point.

    Foreign files are never fetched: the editor uploads the photo. Only our original uploads
    (under images/) qualify, so a crafted URL cannot attach some other stored file.
    """
    media_prefix = urlsplit(absolute_url(default_storage.base_url or "/media/"))
    for rendition in _objects(item.get("renditions"), "renditions"):
        href = rendition.get("href")
        if not isinstance(href, str):
            continue
        url = urlsplit(href)
        if (url.scheme, url.netloc) != (media_prefix.scheme, media_prefix.netloc):
            continue
        if not url.path.startswith(media_prefix.path):
            continue
        name = unquote(url.path.removeprefix(media_prefix.path))
        if not name.startswith("images/") or ".." in name.split("/"):
            continue
        try:
            if not default_storage.exists(name):
                continue
        except SuspiciousFileOperation:
            continue
        return name, _focal_point(rendition)
    return "", None


def _focal_point(rendition: dict) -> tuple[float, float] | None:
    poi, width, height = rendition.get("poi"), rendition.get("width"), rendition.get("height")
    if not (isinstance(poi, dict) and isinstance(width, int) and isinstance(height, int)):
        return None
    x, y = poi.get("x"), poi.get("y")
    if not (isinstance(x, int) and isinstance(y, int) and width > 0 and height > 0):
        return None
    return min(max(x / width, 0.0), 1.0), min(max(y / height, 0.0), 1.0)


def import_ninjs_story(story: NinjsStory, *, publish: bool = False, user=None) -> ImportResult:
    """Create or update the article for a parsed ninjs story, like a wire import."""
    photo = None
    if story.photo:
        photo = {
            "caption": story.photo.caption,
            "credit": story.photo.credit,
            "is_file_photo": story.photo.is_file_photo,
        }
        if story.photo.alt_text:
            photo["alt_text"] = story.photo.alt_text
        if story.photo.file_name:
            photo["file"] = story.photo.file_name
        if story.photo.focal_x is not None:
            photo["focal_x"], photo["focal_y"] = story.photo.focal_x, story.photo.focal_y
    return import_story(
        external_id=story.external_id,
        headline=story.headline,
        standfirst=story.standfirst,
        body_html=story.body_html,
        byline=story.byline,
        sources=story.sources,
        photo=photo,
        tags=story.tags,
        publish=publish,
        user=user,
        action="Imported from ninjs",
    )
