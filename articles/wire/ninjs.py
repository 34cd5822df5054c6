"""IPTC ninjs ("News in JSON") in: one story read from a ninjs document into plain data.

`parse_ninjs` reads ninjs 3.x (what articles/outbound/ninjs.py exports), 2.x, and the common 1.x
shape (`headline`, `body_html`/`body_xhtml`/`body_text`, `description_text`, `byline`, `subject`,
and `associations`/`renditions` keyed by name). It touches no database; articles/wire/importing.py
turns the result into a story.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import json
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.utils.html import strip_tags

from ..outbound.links import absolute_url
from ..outbound.ninjs import ALT_TEXT_ROLE, ARCHIVE_GENRE_URI, EXTERNAL_ID_ROLE

MAX_DOCUMENT_BYTES = 5_000_000
MAX_TAG_NAME = 100

_EXTERNAL_ID_RE = re.compile(r"\A(?:wire|ninjs):[0-9a-f]{32}\Z")
_HTML_TYPES = {"text/html", "application/xhtml+xml", "application/xhtml"}
_PHOTO_NAMES = ("featuremedia", "featureimage", "mainpicture", "mainpic", "leadimage", "picture")
_SUMMARY_ROLES = ("summary", "abstract", "standfirst", "description", "teaser")
_CAPTION_ROLES = ("caption", "description", "summary")
_ALT_TEXT_ROLES = (ALT_TEXT_ROLE, "alt", "alttext", "alternative")


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
    embargoed_until: datetime.datetime | None = None
    # The copy's `language` as given (BCP 47, e.g. "fr" or "fr-FR"); "" when not given.
    language: str = ""
    # The agency's `uri` for the story ("" when not given): how a kill names it on any path.
    uri: str = ""


# pubStatus values by which an agency takes a story back.
KILL_STATUSES = {"canceled", "cancelled", "withheld"}


@dataclass(frozen=True)
class NinjsKill:
    """An agency's `pubStatus: canceled` (or `withheld`) for the story it sent as `uri`."""

    external_id: str
    headline: str
    reason: str
    uri: str = ""


def parse_ninjs(data: str | bytes | dict) -> NinjsStory | NinjsKill:
    """Read one ninjs story (3.x, 2.x or 1.x) from JSON text, UTF-8 bytes or a parsed dict; a
    `pubStatus` of canceled or withheld gives a `NinjsKill` for the story its `uri` names."""
    doc = data if isinstance(data, dict) else _load_json(data)
    if not isinstance(doc, dict):
        raise NinjsError("a ninjs document is a JSON object")

    headline = _plain(_pick_text(doc.get("headlines"), "headlines", roles=("main", "default")))
    headline = headline or _plain(_string(doc, "headline")) or _plain(_string(doc, "title"))
    headline = " ".join(headline.split())
    pub_status = _string(doc, "pubStatus").strip().casefold()
    if pub_status in KILL_STATUSES:
        if not (_string(doc, "uri").strip() or headline):
            raise NinjsError(f"pubStatus {pub_status} names no story (no uri or headline)")
        note = _plain(_string(doc, "ednote")) or _plain(_string(doc, "description_text"))
        reason = f"ninjs pubStatus {pub_status}" + (f": {note}" if note else "")
        uri = _string(doc, "uri").strip()
        return NinjsKill(_external_id(doc, headline), headline, reason, uri=uri)
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
        embargoed_until=_embargo(doc),
        language=_string(doc, "language").strip(),
        uri=_string(doc, "uri").strip(),
    )


def _embargo(doc: dict) -> datetime.datetime | None:
    value = _string(doc, "embargoedUntil") or _string(doc, "embargoed")
    if not value.strip():
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise NinjsError(f"embargoedUntil “{value}” is not a date and time") from exc
    if moment.tzinfo is None:
        raise NinjsError(f"embargoedUntil “{value}” has no time zone")
    return moment


def _join_credit(photographer: str, agency: str) -> str:
    return "/".join(part for part in (photographer.strip(), agency.strip()) if part)


def _load_json(data: str | bytes):
    if isinstance(data, bytes):
        if len(data) > MAX_DOCUMENT_BYTES:
            raise NinjsError(f"document is larger than {MAX_DOCUMENT_BYTES // 1_000_000} MB")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise NinjsError(f"not valid UTF-8: bad byte at offset {exc.start}") from exc
    try:
        return json.loads(data.removeprefix("\ufeff"))  # a text editor's byte-order mark
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
    if uri:
        return uri_external_id(uri)
    key = "headline:" + " ".join(headline.casefold().split())
    return "ninjs:" + hashlib.sha256(key.encode()).hexdigest()[:32]


def uri_external_id(uri: str) -> str:
    """The identity a ninjs story with this `uri` is imported under (from the desk or a file)."""
    return "ninjs:" + hashlib.sha256(f"uri:{uri}".encode()).hexdigest()[:32]


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
