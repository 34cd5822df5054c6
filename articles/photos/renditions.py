"""Renditions: each photo resized once per width, in WebP with a JPEG fallback.

They are made by a background task queued when a photo's change commits (articles/photos/jobs.py)
and by `manage.py regenerate_renditions`, never while serving a page, and are stored through
Django's storage API so they work on local disk and object storage alike. Widths are never upscaled.
Cropped renditions (cards, thumbnails, social images) keep the editor's focal point in frame.

Pages pick renditions from `image.renditions.all()` (prefetched by `ArticleQuerySet.for_list()`),
showing only those made from the image's current file and focal point; with none, they fall back to
the re-encoded original, and a storage error leaves the caption and credit without an image.
"""

import hashlib
import logging
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image as PILImage

from ..models import Image, Rendition
from .storage import ask_storage
from .uploads import clean_pixels, encode, open_checked

logger = logging.getLogger(__name__)

Crop = Rendition.Crop
Format = Rendition.Format

# Bump when the specs or the encoder settings change, so `regenerate_renditions --missing` remakes
# everything and browsers and CDNs see new file names.
SPEC_VERSION = 1

MIME_TYPES = {Format.WEBP: "image/webp", Format.JPEG: "image/jpeg"}
EXTENSIONS = {Format.WEBP: "webp", Format.JPEG: "jpg"}
ENCODER_FORMATS = {Format.WEBP: "WEBP", Format.JPEG: "JPEG"}
QUALITY = {Format.WEBP: 80, Format.JPEG: 82}


@dataclass(frozen=True)
class CropSpec:
    ratio: float | None  # width / height; None keeps the photo's own shape
    widths: tuple[int, ...]
    formats: tuple[str, ...] = (Format.WEBP, Format.JPEG)


SPECS = {
    Crop.FULL: CropSpec(None, (320, 640, 960, 1280, 1920)),
    Crop.CARD: CropSpec(3 / 2, (320, 640, 960)),
    Crop.THUMB: CropSpec(1.0, (160, 320)),
    # Link previews: one JPEG, the shape every social network expects.
    Crop.SOCIAL: CropSpec(1200 / 630, (1200,), (Format.JPEG,)),
}


@dataclass(frozen=True)
class Usage:
    """How a page shows a photo: which crop, how wide it is drawn, and whether it loads first."""

    crop: str
    sizes: str
    eager: bool = False


USAGES = {
    "lead": Usage(Crop.FULL, "(min-width: 48rem) 46rem, 100vw", eager=True),
    "card": Usage(Crop.CARD, "(min-width: 48rem) 22rem, 100vw"),
    "thumb": Usage(Crop.THUMB, "5rem"),
}
FALLBACK_WIDTH = 1280  # the <img src> for browsers without srcset: the largest up to this


# Geometry ---------------------------------------------------------------------------------------


def crop_size(width: int, height: int, ratio: float | None) -> tuple[int, int]:
    """The largest region of a width x height photo with the given shape."""
    if ratio is None:
        return width, height
    if width / height > ratio:
        return max(1, round(height * ratio)), height
    return width, max(1, round(width / ratio))


def focal_crop_box(width, height, ratio, focal_x=None, focal_y=None) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the `ratio`-shaped region centred as near the focal point as
    the photo's edges allow. No focal point means the centre."""
    crop_width, crop_height = crop_size(width, height, ratio)
    fx = 0.5 if focal_x is None else min(max(focal_x, 0.0), 1.0)
    fy = 0.5 if focal_y is None else min(max(focal_y, 0.0), 1.0)
    left = min(max(round(fx * width - crop_width / 2), 0), width - crop_width)
    top = min(max(round(fy * height - crop_height / 2), 0), height - crop_height)
    return left, top, left + crop_width, top + crop_height


def target_widths(available: int, widths: tuple[int, ...]) -> list[int]:
    """The spec's widths that fit in `available` pixels, plus `available` itself when it is
    narrower than the widest: a rendition is never wider than its source."""
    chosen = [w for w in widths if w < available]
    if available < max(widths) or not chosen:
        chosen.append(min(available, max(widths)))
    return sorted(set(chosen))


def expected_renditions(image: Image, crop: str) -> set[tuple[str, int]]:
    """(format, width) pairs the image should have for `crop`, from its stored dimensions."""
    if not (image.file and image.width and image.height):
        return set()
    spec = SPECS[crop]
    crop_width, _ = crop_size(image.width, image.height, spec.ratio)
    return {(fmt, w) for fmt in spec.formats for w in target_widths(crop_width, spec.widths)}


def source_key(image: Image, crop: str) -> str:
    """What a rendition was made from: the file, and for crops the focal point."""
    parts = [str(SPEC_VERSION), image.file.name or "", crop]
    if SPECS[crop].ratio is not None:
        parts += [repr(image.focal_x), repr(image.focal_y)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


# Making renditions --------------------------------------------------------------------------------


def generate_renditions(image: Image, *, only_missing: bool = False) -> int:
    """Make the image's renditions (all of them, or only those missing or stale); how many made.

    Renditions that no longer match the image's file or focal point are deleted, with their files.
    """
    if not image.file:
        _delete(image.renditions.all())
        return 0
    existing = list(image.renditions.all())
    picture = None
    made = 0
    # One transaction: the new rows appear together, and what reacts to content changes after
    # commit (the page cache's purge) runs once rather than once per rendition.
    try:
        with transaction.atomic():
            for crop, spec in SPECS.items():
                key = source_key(image, crop)
                current = [r for r in existing if r.crop == crop and r.source_key == key]
                expected = expected_renditions(image, crop)
                if only_missing and {(r.format, r.width) for r in current} == expected:
                    continue
                if picture is None:
                    picture = _open_original(image)
                _delete([r for r in existing if r.crop == crop])
                made += _make_crop(image, picture, crop, spec, key)
    finally:
        if picture is not None:
            picture.close()
    return made


def _open_original(image: Image) -> PILImage.Image:
    widest = max(max(spec.widths) for spec in SPECS.values())
    with image.file.open("rb") as stored:
        checked = open_checked(stored, draft_size=(widest, widest))
    try:
        picture = clean_pixels(checked.picture)
    finally:
        checked.picture.close()
    # No rendition is wider than `widest`: shrink huge photos first (a fast box reduction that
    # keeps both sides at least `widest`, like the JPEG draft above), then crop and resize.
    factor = min(picture.size) // widest
    return picture.reduce(factor) if factor >= 2 else picture


def _make_crop(image, picture, crop, spec, key) -> int:
    box = focal_crop_box(*picture.size, spec.ratio, image.focal_x, image.focal_y)
    region = picture.crop(box)
    stem = PurePosixPath(image.file.name).stem[:60]
    made = 0
    # Widest first, each one resized from the previous: far cheaper than starting from the full
    # photo every time, and no visible difference at these ratios.
    crop_width, crop_height = region.size
    for width in sorted(target_widths(crop_width, spec.widths), reverse=True):
        height = max(1, round(crop_height * width / crop_width))
        region = region.resize((width, height), PILImage.Resampling.LANCZOS, reducing_gap=3.0)
        for fmt in spec.formats:
            content = encode(region, ENCODER_FORMATS[fmt], quality=QUALITY[fmt])
            rendition = Rendition(
                image=image, crop=crop, format=fmt, width=width, height=height, source_key=key
            )
            name = f"{stem}-{crop}-{width}-{key[:8]}.{EXTENSIONS[fmt]}"
            rendition.file.save(name, ContentFile(content), save=True)
            made += 1
    return made


def _delete(renditions) -> None:
    for rendition in renditions:
        rendition.delete()  # its file goes once this commits (articles/changes.py)


def remove_stored_file(model, field_name: str, name: str) -> None:
    """Delete a stored file that no row of `model` refers to any more."""
    if not name or model._default_manager.filter(**{field_name: name}).exists():
        return
    model._meta.get_field(field_name).storage.delete(name)


# Choosing renditions for a page ---------------------------------------------------------------


@dataclass(frozen=True)
class Picture:
    """What a `<picture>` element needs; every URL already resolved."""

    src: str
    srcset: str
    webp_srcset: str
    sizes: str
    width: int | None
    height: int | None
    alt: str
    eager: bool


def current_renditions(image: Image, crop: str) -> list[Rendition]:
    """The image's renditions for `crop` made from its current file and focal point, narrowest
    first. Uses the prefetch cache when there is one."""
    key = source_key(image, crop)
    found = [r for r in image.renditions.all() if r.crop == crop and r.source_key == key]
    return sorted(found, key=lambda r: (r.format, r.width))


def picture_for(image: Image | None, usage: str, *, eager: bool | None = None) -> Picture | None:
    """The `<picture>` for showing `image` in `usage`, or None when there is nothing to show
    (no file yet, or storage cannot give its addresses: a page without its photo is better than
    no page)."""
    if image is None or not image.file:
        return None
    spec = USAGES[usage]
    eager = spec.eager if eager is None else eager

    def picture() -> Picture:
        renditions = current_renditions(image, spec.crop)
        webp = [r for r in renditions if r.format == Format.WEBP]
        jpeg = [r for r in renditions if r.format == Format.JPEG]
        if jpeg:
            fitting = [r for r in jpeg if r.width <= FALLBACK_WIDTH] or jpeg[:1]
            fallback = fitting[-1]
            src, width, height = fallback.file.url, fallback.width, fallback.height
        else:
            src, width, height = image.file.url, image.width, image.height
            if webp:  # keep the shape of the cropped renditions, not the original's
                width, height = webp[-1].width, webp[-1].height
        return Picture(
            src=src,
            srcset=_srcset(jpeg),
            webp_srcset=_srcset(webp),
            sizes=spec.sizes,
            width=width,
            height=height,
            alt=image.alt_text,
            eager=eager,
        )

    return ask_storage(picture, about=f"the picture of photo {image.pk}", otherwise=None)


def _srcset(renditions: list[Rendition]) -> str:
    return ", ".join(f"{r.file.url} {r.width}w" for r in renditions)


def social_image(image: Image | None) -> tuple[str, int | None, int | None] | None:
    """(url, width, height) of the link-preview image (the social crop, else the original), or
    None when there is no file or storage cannot give its address."""
    if image is None or not image.file:
        return None

    def found():
        social = current_renditions(image, Crop.SOCIAL)
        if social:
            return social[-1].file.url, social[-1].width, social[-1].height
        return image.file.url, image.width, image.height

    return ask_storage(found, about=f"the social image of photo {image.pk}", otherwise=None)
