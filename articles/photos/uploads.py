"""Photo uploads that cannot hurt us: judged by decoding, limited, re-encoded, safely named.

An upload is accepted only when Pillow identifies it as JPEG, PNG, WebP or GIF from its bytes (the
name and the browser's content type are ignored) and fully decodes its first frame. The pixel count
is read from the header and checked *before* decoding, so a tiny file that claims 20000x20000 pixels
is refused without allocating its bitmap. What gets stored is never the uploaded bytes: it is a
fresh encode of the decoded pixels, orientation applied, with no EXIF (GPS, device, timestamps,
thumbnails), XMP, comments or trailing data, and colours converted to sRGB.
"""

import io
import re
import secrets
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from PIL import Image as PILImage
from PIL import ImageCms, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
# What each accepted format is stored as. A GIF keeps only its first frame, so it becomes a PNG.
STORED_FORMAT = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_NAME_LENGTH = 80

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def max_upload_bytes() -> int:
    return settings.IMAGE_MAX_UPLOAD_BYTES


def max_pixels() -> int:
    return settings.IMAGE_MAX_PIXELS


def _refuse(message: str, code: str, **params):
    raise ValidationError(message, code=code, params=params or None)


@dataclass(frozen=True)
class CheckedImage:
    """An upload that passed every check, with its first frame decoded."""

    picture: PILImage.Image
    format: str
    width: int
    height: int


def open_checked(
    file,
    *,
    byte_limit: int | None = None,
    pixel_limit: int | None = None,
    draft_size: tuple[int, int] | None = None,
):
    """Decode `file` (a Django File or binary file object) or raise a ValidationError saying why.

    The returned `CheckedImage.picture` is fully loaded; the caller owns it. With `draft_size`, a
    JPEG may be decoded at a reduced scale no smaller than that size (much faster for big photos).
    """
    byte_limit = max_upload_bytes() if byte_limit is None else byte_limit
    pixel_limit = max_pixels() if pixel_limit is None else pixel_limit

    size = _file_size(file)
    if size == 0:
        _refuse("The file is empty.", "empty")
    if size > byte_limit:
        _refuse(
            "The file is %(size)s; photos may be at most %(limit)s.",
            "too_large",
            size=filesizeformat(size),
            limit=filesizeformat(byte_limit),
        )

    # Pillow closes the file it decoded from when the image is closed: give it its own copy
    # (at most `byte_limit` bytes) so the caller's upload stays open and readable.
    file.seek(0)
    data = io.BytesIO(file.read())
    file.seek(0)
    # Pillow only *warns* about decompression bombs below twice its own limit; here a warning is as
    # good as a refusal. (The warning filter is process-wide for the duration of this block.)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            picture = PILImage.open(data, formats=sorted(ACCEPTED_FORMATS))
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
            _too_many_pixels(None, pixel_limit)
        except UnidentifiedImageError:
            _refuse(
                "This file is not a photo we can use: upload a JPEG, PNG, WebP or GIF image "
                "(SVG, HTML and other formats are refused, whatever the file is called).",
                "unsupported",
            )
        except (OSError, SyntaxError, ValueError, EOFError):
            _refuse("The file is damaged or incomplete and cannot be read as an image.", "corrupt")

        width, height = picture.size
        if width < 1 or height < 1:
            _refuse("The image has no pixels.", "corrupt")
        if width * height > pixel_limit:
            _too_many_pixels((width, height), pixel_limit)

        try:
            picture.seek(0)  # first frame only: animations are not kept
            if draft_size and picture.format == "JPEG":
                picture.draft("RGB", draft_size)
            picture.load()
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
            _too_many_pixels((width, height), pixel_limit)
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError):
            _refuse("The image is truncated or damaged: it could not be fully decoded.", "corrupt")
    return CheckedImage(picture=picture, format=picture.format, width=width, height=height)


def _too_many_pixels(size, pixel_limit):
    limit = f"{pixel_limit / 1_000_000:g} megapixels"
    if size is None:
        _refuse(f"The image has far too many pixels (the limit is {limit}).", "too_many_pixels")
    width, height = size
    _refuse(
        f"The image is {width}×{height} pixels ({width * height / 1_000_000:.4g} megapixels); "
        f"the limit is {limit}.",
        "too_many_pixels",
    )


def _file_size(file) -> int:
    size = getattr(file, "size", None)
    if size is not None:
        return size
    position = file.tell()
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(position)
    return size


def clean_pixels(picture: PILImage.Image) -> PILImage.Image:
    """The decoded pixels, upright, in sRGB, with no metadata at all attached.

    The mode is RGB, RGBA or L (RGBA only when the image has transparency).
    """
    icc_profile = picture.info.get("icc_profile")
    upright = ImageOps.exif_transpose(picture)
    if icc_profile:
        upright = _to_srgb(upright, icc_profile)
    if upright.mode in ("P", "PA", "LA") or "transparency" in upright.info:
        upright = upright.convert("RGBA")
    elif upright.mode.startswith("I") or upright.mode == "F":
        upright = upright.convert("I").point(lambda value: value / 256).convert("L")
    if upright.mode not in ("RGB", "RGBA", "L"):
        upright = upright.convert("RGB")
    clean = upright.copy()
    clean.info = {}
    return clean


def _to_srgb(picture: PILImage.Image, icc_profile: bytes) -> PILImage.Image:
    """Colours converted from the embedded profile to sRGB, so no profile needs to be kept."""
    if picture.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return picture
    output_mode = "RGBA" if picture.mode == "RGBA" else "RGB"
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        return ImageCms.profileToProfile(picture, source, _SRGB, outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return picture  # an unusable profile is simply dropped


def encode(picture: PILImage.Image, image_format: str, *, quality: int = 90) -> bytes:
    """`picture` encoded as JPEG, PNG or WEBP with nothing but pixels in the file."""
    buffer = io.BytesIO()
    if image_format == "JPEG":
        if picture.mode == "RGBA":
            picture = flatten(picture)
        picture.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    elif image_format == "WEBP":
        picture.save(buffer, "WEBP", quality=quality, method=4)
    elif image_format == "PNG":
        picture.save(buffer, "PNG", optimize=False)
    else:
        raise ValueError(f"Cannot encode {image_format}")
    return buffer.getvalue()


def flatten(picture: PILImage.Image, background=(255, 255, 255)) -> PILImage.Image:
    """An RGBA image composited on a plain background (JPEG has no transparency)."""
    flat = PILImage.new("RGB", picture.size, background)
    flat.paste(picture, mask=picture.getchannel("A"))
    return flat


def safe_file_name(original_name: str, extension: str) -> str:
    """A plain ASCII name with no path parts or control characters, ending in `extension`.

    `../../etc/passwd.jpg` becomes `passwd.jpg`; `C:\\photos\\Été à Paris.PNG` becomes
    `ete-a-paris.png`. The real extension comes from the decoded format, never from the upload.
    """
    base = re.split(r"[\\/]", original_name or "")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem = PurePosixPath(base).stem if "." in base.strip(".") else base
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").lower()[:MAX_NAME_LENGTH].strip("-")
    return f"{stem or 'photo'}.{extension}"


def prepare_original(file) -> ContentFile:
    """Validate `file` and return the clean re-encode to store in its place, safely named."""
    checked = open_checked(file)
    try:
        stored_format = STORED_FORMAT[checked.format]
        content = encode(clean_pixels(checked.picture), stored_format, quality=92)
    finally:
        checked.picture.close()
    name = safe_file_name(getattr(file, "name", "") or "", EXTENSIONS[stored_format])
    # A fresh name for every upload: media and renditions are cached by URL, so a name must never
    # come back with different pixels (as "photo.png" could after the first "photo.png" is deleted).
    stem, extension = name.rsplit(".", 1)
    return ContentFile(content, name=f"{stem}-{secrets.token_hex(4)}.{extension}")
