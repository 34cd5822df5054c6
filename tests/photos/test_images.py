"""Uploads that cannot hurt us: accepted by decoding, refused with reasons, re-encoded clean."""

import io
import json
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from PIL import ImageFile

from articles.models import Image
from articles.photos.uploads import open_checked, prepare_original, safe_file_name

from ..helpers.images import (
    HTML_PAGE,
    POLYGLOT_PAYLOAD,
    SVG_WITH_SCRIPT,
    animated_gif_bytes,
    has_private_metadata,
    image_bytes,
    photo_with_exif,
    png_bomb,
    png_html_polyglot,
)

pytestmark = pytest.mark.django_db

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def refusal(data: bytes, name="photo.jpg") -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        open_checked(upload(name, data))
    return caught.value


def decode(data: bytes) -> PILImage.Image:
    picture = PILImage.open(io.BytesIO(data))
    picture.load()
    return picture


class TestAcceptedFormats:
    @pytest.mark.parametrize(
        ("upload_format", "stored_format", "extension"),
        [
            ("JPEG", "JPEG", "jpg"),
            ("PNG", "PNG", "png"),
            ("WEBP", "WEBP", "webp"),
            ("GIF", "PNG", "png"),
        ],
    )
    def test_each_format_is_accepted_and_stored(self, upload_format, stored_format, extension):
        data = image_bytes(upload_format, width=64, height=48)
        image = Image.objects.create(file=upload("holiday.bin", data), alt_text="A square")
        stored = image.file.read()
        assert decode(stored).format == stored_format
        assert re.search(rf"/holiday-[0-9a-f]{{8}}\.{extension}$", image.file.name)
        assert (image.width, image.height) == (64, 48)

    def test_only_the_first_frame_of_an_animation_is_kept(self):
        image = Image.objects.create(file=upload("anim.gif", animated_gif_bytes()))
        stored = decode(image.file.read())
        assert stored.format == "PNG"
        assert getattr(stored, "n_frames", 1) == 1
        assert stored.convert("RGB").getpixel((5, 5)) == (255, 0, 0)  # the first frame is red

    def test_the_browser_content_type_and_name_do_not_matter(self):
        data = image_bytes("PNG")
        checked = open_checked(SimpleUploadedFile("x.svg", data, content_type="image/svg+xml"))
        assert checked.format == "PNG"


class TestRefusals:
    def test_svg_with_script_is_refused(self):
        error = refusal(SVG_WITH_SCRIPT, name="logo.svg")
        assert error.code == "unsupported"
        assert "SVG, HTML and other formats are refused" in error.messages[0]

    def test_html_renamed_to_jpg_is_refused(self):
        assert refusal(HTML_PAGE, name="photo.jpg").code == "unsupported"

    def test_other_image_formats_are_refused(self):
        assert refusal(image_bytes("BMP"), name="photo.bmp").code == "unsupported"

    def test_zero_byte_file_is_refused(self):
        error = refusal(b"")
        assert error.code == "empty"
        assert error.messages == ["The file is empty."]

    @pytest.mark.parametrize("image_format", ["JPEG", "PNG", "GIF"])
    def test_truncated_file_is_refused(self, image_format):
        data = _noisy_image_bytes(image_format)
        error = refusal(data[: len(data) * 2 // 3])
        assert error.code == "corrupt"
        assert "truncated or damaged" in error.messages[0] or "damaged" in error.messages[0]

    def test_garbage_after_a_valid_header_is_refused(self):
        data = image_bytes("PNG", width=200, height=200)
        header_end = data.index(b"IDAT") + 8
        damaged = data[:header_end] + bytes(len(data) - header_end)
        assert refusal(damaged).code == "corrupt"

    def test_over_size_file_is_refused_with_both_sizes(self, settings):
        settings.IMAGE_MAX_UPLOAD_BYTES = 2_000
        data = _noisy_image_bytes("PNG")
        assert len(data) > 2_000
        error = refusal(data)
        assert error.code == "too_large"
        assert re.search(
            r"The file is [\d.]+\xa0KB; photos may be at most 2\.0\xa0KB\.", error.messages[0]
        )

    def test_default_limits_are_20_mb_and_40_megapixels(self):
        assert django_settings.IMAGE_MAX_UPLOAD_BYTES == 20 * 1024 * 1024
        assert django_settings.IMAGE_MAX_PIXELS == 40_000_000

    def test_too_many_pixels_is_refused_naming_the_size(self, settings):
        settings.IMAGE_MAX_PIXELS = 1_000
        error = refusal(image_bytes("PNG", width=50, height=40))
        assert error.code == "too_many_pixels"
        assert error.messages == [
            "The image is 50×40 pixels (0.002 megapixels); the limit is 0.001 megapixels."
        ]

    def test_pillow_bomb_warning_counts_as_a_refusal(self, monkeypatch, settings):
        # Pillow warns (it does not fail) between MAX_IMAGE_PIXELS and twice that.
        settings.IMAGE_MAX_PIXELS = 10_000_000
        monkeypatch.setattr(PILImage, "MAX_IMAGE_PIXELS", 1_500)
        error = refusal(image_bytes("PNG", width=50, height=40))
        assert error.code == "too_many_pixels"


class TestDecompressionBomb:
    def test_bomb_is_a_small_file(self):
        data = png_bomb()
        assert len(data) < 100_000
        assert struct.unpack(">II", data[16:24]) == (20000, 20000)  # the IHDR's claim

    def test_bomb_is_refused_without_decoding(self, monkeypatch):
        def never_decode(self):
            raise AssertionError("the bomb was decoded")

        monkeypatch.setattr(ImageFile.ImageFile, "load", never_decode)
        error = refusal(png_bomb(), name="bomb.png")
        assert error.code == "too_many_pixels"
        assert error.messages == ["The image has far too many pixels (the limit is 40 megapixels)."]

    def test_bomb_just_over_our_limit_names_its_size(self, monkeypatch):
        monkeypatch.setattr(ImageFile.ImageFile, "load", _never_decode)
        error = refusal(png_bomb(8000, 6000), name="bomb.png")  # 48 Mpx: Pillow does not object
        assert error.messages == [
            "The image is 8000×6000 pixels (48 megapixels); the limit is 40 megapixels."
        ]

    def test_refusing_the_bomb_keeps_memory_small(self):
        # Pillow allocates bitmaps outside Python's allocator (tracemalloc cannot see them), so
        # the peak resident memory of a fresh process is measured around the refusal instead.
        # Decoding 20000x20000 pixels would need at least 400 MB.
        script = f"""
import io, json, resource, sys
sys.path.insert(0, {str(PROJECT_ROOT)!r})
import django
django.setup()
from django.core.exceptions import ValidationError
from articles.photos.uploads import open_checked
from tests.helpers.images import png_bomb
data = png_bomb()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    open_checked(io.BytesIO(data))
    code = "accepted"
except ValidationError as error:
    code = error.code
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"code": code, "growth_kb": after - before}}))
"""
        result = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=PROJECT_ROOT,
            env={"DJANGO_SETTINGS_MODULE": "newsroom.settings", "DJANGO_ENV": "test"}
            | _inherited_env(),
            check=True,
        )
        outcome = json.loads(result.stdout.strip().splitlines()[-1])
        assert outcome["code"] == "too_many_pixels"
        assert outcome["growth_kb"] < 20 * 1024, outcome


class TestReEncoding:
    @pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
    def test_exif_gps_device_and_time_are_stripped(self, image_format):
        data = photo_with_exif(image_format)
        assert has_private_metadata(data)
        image = Image.objects.create(file=upload("gps.jpg", data), alt_text="Red and blue")
        assert not has_private_metadata(image.file.read())

    def test_orientation_is_applied_before_stripping(self):
        # Orientation 6: the camera was turned; viewers rotate the 120x80 pixels a quarter turn.
        image = Image.objects.create(file=upload("turned.jpg", photo_with_exif(orientation=6)))
        stored = decode(image.file.read())
        assert stored.size == (80, 120)
        assert (image.width, image.height) == (80, 120)
        assert "exif" not in stored.info
        red, blue = stored.getpixel((40, 10)), stored.getpixel((40, 110))
        assert red[0] > 150 > red[2]  # the left (red) half is now on top
        assert blue[2] > 150 > blue[0]

    def test_png_html_polyglot_comes_out_clean(self):
        data = png_html_polyglot()
        assert POLYGLOT_PAYLOAD in data and decode(data).text
        image = Image.objects.create(file=upload("innocent.png", data), alt_text="Green")
        stored = image.file.read()
        assert b"<script" not in stored.lower()
        assert b"<html" not in stored.lower()
        assert not decode(stored).text
        assert stored.endswith(b"IEND\xaeB`\x82")  # nothing after the image ends

    def test_embedded_colour_profile_is_converted_not_kept(self):
        from PIL import ImageCms

        profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
        buffer = io.BytesIO()
        PILImage.new("RGB", (20, 20), (10, 20, 30)).save(buffer, "JPEG", icc_profile=profile)
        stored = decode(prepare_original(upload("p.jpg", buffer.getvalue())).read())
        assert "icc_profile" not in stored.info

    def test_a_file_replaced_through_the_model_is_re_encoded_too(self):
        image = Image.objects.create(file=upload("one.png", image_bytes("PNG")))
        image.file = upload("two.jpg", photo_with_exif())
        image.save()
        assert not has_private_metadata(image.file.read())
        assert re.search(r"/two-[0-9a-f]{8}\.jpg$", image.file.name)

    def test_model_save_refuses_a_bad_file_that_bypassed_the_form(self):
        with pytest.raises(ValidationError):
            Image.objects.create(file=upload("evil.jpg", HTML_PAGE))
        assert not Image.objects.exists()


class TestFileNames:
    def test_every_upload_gets_a_fresh_name(self):
        first = Image.objects.create(file=upload("same.png", image_bytes("PNG")))
        first_name = first.file.name
        first.delete()
        second = Image.objects.create(file=upload("same.png", image_bytes("PNG")))
        assert second.file.name != first_name

    @pytest.mark.parametrize(
        ("uploaded", "expected"),
        [
            ("../../etc/passwd.jpg", "passwd.png"),
            ("..\\..\\windows\\system32\\evil.png", "evil.png"),
            ("C:\\Photos\\Été à Paris.JPG", "ete-a-paris.png"),
            ("bad\x00name\r\n<script>.png", "badname-script.png"),
            ("shell.php.jpg", "shell-php.png"),
            (".htaccess", "htaccess.png"),
            ("...", "photo.png"),
            ("", "photo.png"),
            ("x" * 300 + ".png", "x" * 80 + ".png"),
        ],
    )
    def test_names_are_sanitised(self, uploaded, expected):
        assert safe_file_name(uploaded, "png") == expected

    def test_stored_under_a_dated_folder_with_the_real_extension(self):
        image = Image.objects.create(file=upload("../../secret/../photo.jpg", image_bytes("PNG")))
        assert re.fullmatch(r"images/\d{4}/\d{2}/\d{2}/photo-[0-9a-f]{8}\.png", image.file.name)
        media_root = Path(django_settings.MEDIA_ROOT).resolve()
        assert Path(image.file.path).resolve().is_relative_to(media_root)


def _noisy_image_bytes(image_format: str, size=(120, 120)) -> bytes:
    """Random pixels, so the encoded file is large and truncation cuts real data."""
    picture = PILImage.effect_noise(size, 80).convert("RGB")
    if image_format == "GIF":
        picture = picture.convert("P")
    buffer = io.BytesIO()
    picture.save(buffer, image_format)
    return buffer.getvalue()


def _never_decode(self):
    raise AssertionError("decoded")


def _inherited_env() -> dict:
    keep = ("PATH", "HOME", "LANG", "DATABASE_URL", "SECRET_KEY", "VIRTUAL_ENV")
    return {key: os.environ[key] for key in keep if key in os.environ}
