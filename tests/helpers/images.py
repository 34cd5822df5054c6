"""Real image bytes made with Pillow for upload tests."""

import io
import struct
import zlib

from PIL import ExifTags
from PIL import Image as PILImage

GPS_LATITUDE = (48.0, 51.0, 24.0)
CAMERA_MODEL = "SecretCam X100"
TAKEN_AT = "2024:05:06 07:08:09"


def png_bytes(width=32, height=24, color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes(width=32, height=24, color=(30, 30, 200)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buffer, "JPEG")
    return buffer.getvalue()


def image_bytes(image_format: str, width=64, height=48, color=(30, 120, 200), **save_args) -> bytes:
    """A plain image in any format Pillow writes (JPEG, PNG, WEBP, GIF…)."""
    mode = "P" if image_format == "GIF" else "RGB"
    picture = PILImage.new("RGB", (width, height), color)
    if mode == "P":
        picture = picture.convert("P")
    buffer = io.BytesIO()
    picture.save(buffer, image_format, **save_args)
    return buffer.getvalue()


def animated_gif_bytes(width=40, height=30) -> bytes:
    colors = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    frames = [PILImage.new("RGB", (width, height), c).convert("P") for c in colors]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def private_exif(orientation: int | None = None) -> PILImage.Exif:
    """EXIF with everything that must not reach readers: GPS position, device, time taken."""
    exif = PILImage.Exif()
    exif[ExifTags.Base.Model] = CAMERA_MODEL
    exif[ExifTags.Base.Make] = "SecretMaker"
    exif[ExifTags.Base.DateTime] = TAKEN_AT
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 21.0, 3.0)
    return exif


def photo_with_exif(image_format="JPEG", width=120, height=80, orientation=None) -> bytes:
    """A photo carrying GPS, device and timestamp EXIF (and XMP for JPEG).

    The left half is red and the right half blue, so a rotation shows in the pixels.
    """
    picture = PILImage.new("RGB", (width, height), (220, 20, 20))
    picture.paste((20, 20, 220), (width // 2, 0, width, height))
    buffer = io.BytesIO()
    extra = {"xmp": b"<x:xmpmeta>GPSLatitude 48.85</x:xmpmeta>"} if image_format == "JPEG" else {}
    picture.save(buffer, image_format, exif=private_exif(orientation), **extra)
    return buffer.getvalue()


def has_private_metadata(data: bytes) -> bool:
    """Whether `data` carries EXIF, GPS, the camera model, the time taken or XMP in any form."""
    picture = PILImage.open(io.BytesIO(data))
    exif = picture.getexif()
    return bool(
        len(exif)
        or exif.get_ifd(ExifTags.IFD.GPSInfo)
        or "exif" in picture.info
        or "xmp" in picture.info
        or CAMERA_MODEL.encode() in data
        or TAKEN_AT.encode() in data
        or b"GPSLatitude" in data
    )


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b"<script>alert(document.cookie)</script><rect width="
    b'"100" height="100" fill="red"/></svg>'
)
HTML_PAGE = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
POLYGLOT_PAYLOAD = b"<html><body><script>alert('polyglot')</script></body></html>"


def png_html_polyglot() -> bytes:
    """A valid PNG with HTML both in a text chunk and after the end of the image."""
    picture = PILImage.new("RGB", (50, 40), (10, 150, 10))
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", POLYGLOT_PAYLOAD.decode())
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue() + POLYGLOT_PAYLOAD


def png_bomb(width=20000, height=20000) -> bytes:
    """A real, decodable 1-bit PNG of width x height pixels that weighs a few dozen KB.

    Written chunk by chunk (compressing rows of zeros as a stream) so the test itself never holds
    the bitmap in memory either.
    """

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed pixels
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row * 100) for _ in range(height // 100)]
    parts.append(compressor.compress(row * (height % 100)))
    parts.append(compressor.flush())
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(parts))
        + chunk(b"IEND", b"")
    )


def focal_test_photo(width=900, height=300) -> bytes:
    """A wide photo: white, with a black square near the left edge (the subject)."""
    picture = PILImage.new("RGB", (width, height), (255, 255, 255))
    picture.paste((0, 0, 0), (40, 100, 140, 200))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()
