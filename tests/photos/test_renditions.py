"""Renditions: sizes, formats, focal-point crops, regeneration, and pages that never break."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.template import Context, Template
from PIL import Image as PILImage

from articles.models import Rendition
from articles.photos.renditions import (
    crop_size,
    focal_crop_box,
    generate_renditions,
    picture_for,
    social_image,
    target_widths,
)

from ..helpers.factories import make_article, make_image, make_source
from ..helpers.images import focal_test_photo, has_private_metadata, image_bytes, photo_with_exif

pytestmark = pytest.mark.django_db

Crop = Rendition.Crop


@pytest.fixture
def photo(django_capture_on_commit_callbacks):
    """A 2000x1000 photo with its renditions made (as after an upload commits)."""

    def make(data=None, name="wide.png", **fields):
        data = data or image_bytes("PNG", width=2000, height=1000)
        with django_capture_on_commit_callbacks(execute=True):
            return make_image(
                file=SimpleUploadedFile(name, data),
                alt_text=fields.pop("alt_text", "Soldiers unload a helicopter"),
                **fields,
            )

    return make


def decoded(rendition: Rendition) -> PILImage.Image:
    with rendition.file.open("rb") as stored:
        picture = PILImage.open(io.BytesIO(stored.read()))
        picture.load()
    return picture


class TestGeometry:
    def test_widths_never_upscale(self):
        widths = (320, 640, 960, 1280, 1920)
        assert target_widths(2400, widths) == [320, 640, 960, 1280, 1920]
        assert target_widths(1000, widths) == [320, 640, 960, 1000]
        assert target_widths(640, widths) == [320, 640]
        assert target_widths(200, widths) == [200]

    def test_crop_size_keeps_the_largest_region_of_the_shape(self):
        assert crop_size(900, 300, 1.0) == (300, 300)
        assert crop_size(300, 900, 3 / 2) == (300, 200)
        assert crop_size(900, 300, None) == (900, 300)

    def test_focal_point_centres_the_crop_within_the_edges(self):
        assert focal_crop_box(900, 300, 1.0) == (300, 0, 600, 300)  # no focal point: centre
        assert focal_crop_box(900, 300, 1.0, 0.1, 0.5) == (0, 0, 300, 300)  # clamped at the left
        assert focal_crop_box(900, 300, 1.0, 0.5, 0.5) == (300, 0, 600, 300)
        assert focal_crop_box(900, 300, 1.0, 0.9, 0.0) == (600, 0, 900, 300)
        assert focal_crop_box(300, 900, 1.0, 0.5, 0.2) == (0, 30, 300, 330)


class TestGeneration:
    def test_renditions_are_made_on_commit_in_webp_and_jpeg(self, photo):
        image = photo()
        full = image.renditions.filter(crop=Crop.FULL)
        assert sorted({r.width for r in full}) == [320, 640, 960, 1280, 1920]
        for rendition in full:
            picture = decoded(rendition)
            expected_format = {"webp": "WEBP", "jpeg": "JPEG"}[rendition.format]
            assert picture.format == expected_format
            assert picture.size == (rendition.width, rendition.height)
            assert rendition.height == rendition.width // 2
        assert {(r.format, r.width) for r in full} == {
            (fmt, w) for fmt in ("webp", "jpeg") for w in (320, 640, 960, 1280, 1920)
        }

    def test_crops_have_their_shapes(self, photo):
        image = photo()
        sizes = {
            crop: sorted({(r.width, r.height) for r in image.renditions.filter(crop=crop)})
            for crop in Crop.values
        }
        assert sizes[Crop.CARD] == [(320, 213), (640, 427), (960, 640)]
        assert sizes[Crop.THUMB] == [(160, 160), (320, 320)]
        assert sizes[Crop.SOCIAL] == [(1200, 630)]
        assert set(image.renditions.filter(crop=Crop.SOCIAL).values_list("format", flat=True)) == {
            "jpeg"
        }

    def test_small_photo_is_never_upscaled(self, photo):
        image = photo(image_bytes("PNG", width=500, height=400))
        assert max(image.renditions.values_list("width", flat=True)) == 500
        full = sorted(set(image.renditions.filter(crop=Crop.FULL).values_list("width", flat=True)))
        assert full == [320, 500]

    def test_renditions_are_stored_through_the_storage_api(self, photo):
        image = photo()
        for rendition in image.renditions.all():
            assert rendition.file.name.startswith(f"renditions/{image.pk}/")
            assert rendition.file.storage.exists(rendition.file.name)

    def test_gps_is_gone_from_every_rendition(self, photo):
        image = photo(photo_with_exif(width=700, height=500), name="gps.jpg")
        assert image.renditions.count() > 10
        for rendition in image.renditions.all():
            with rendition.file.open("rb") as stored:
                assert not has_private_metadata(stored.read()), rendition

    def test_transparent_png_gets_a_white_jpeg_fallback(self, photo):
        buffer = io.BytesIO()
        PILImage.new("RGBA", (400, 300), (255, 0, 0, 0)).save(buffer, "PNG")
        image = photo(buffer.getvalue())
        jpeg = image.renditions.filter(format="jpeg").first()
        assert decoded(jpeg).getpixel((10, 10)) == (255, 255, 255)
        webp = decoded(image.renditions.filter(format="webp").first())
        assert webp.mode == "RGBA"

    def test_only_missing_makes_nothing_when_complete(self, photo):
        image = photo()
        before = set(image.renditions.values_list("pk", flat=True))
        assert generate_renditions(image, only_missing=True) == 0
        assert set(image.renditions.values_list("pk", flat=True)) == before


class TestFocalPointCrops:
    def black_share(self, rendition: Rendition) -> float:
        picture = decoded(rendition).convert("L")
        dark = sum(1 for value in picture.get_flattened_data() if value < 60)
        return dark / (picture.width * picture.height)

    def test_thumbnail_keeps_the_subject_in_frame(self, photo):
        # The black square (the subject) sits near the left edge of a wide white photo.
        centred = photo(focal_test_photo())
        focused = photo(focal_test_photo(), focal_x=0.1, focal_y=0.5)
        thumb = {"crop": Crop.THUMB, "format": "jpeg", "width": 160}
        assert self.black_share(centred.renditions.get(**thumb)) == 0
        assert self.black_share(focused.renditions.get(**thumb)) > 0.05

    def test_moving_the_focal_point_remakes_only_the_crops(
        self, photo, django_capture_on_commit_callbacks
    ):
        image = photo(focal_test_photo())
        full_before = set(image.renditions.filter(crop=Crop.FULL).values_list("pk", flat=True))
        card_before = set(image.renditions.filter(crop=Crop.CARD).values_list("pk", flat=True))
        old_card_files = list(
            image.renditions.filter(crop=Crop.CARD).values_list("file", flat=True)
        )
        image.focal_x = 0.05
        with django_capture_on_commit_callbacks(execute=True):
            image.save()
        assert set(image.renditions.filter(crop=Crop.FULL).values_list("pk", flat=True)) == (
            full_before
        )
        card_after = set(image.renditions.filter(crop=Crop.CARD).values_list("pk", flat=True))
        assert card_after and not card_after & card_before
        storage = Rendition._meta.get_field("file").storage
        assert not any(storage.exists(name) for name in old_card_files)
        thumb = image.renditions.get(crop=Crop.THUMB, format="jpeg", width=160)
        assert self.black_share(thumb) > 0.05


class TestReplacingTheFile:
    def test_same_record_new_file_old_files_removed(
        self, photo, django_capture_on_commit_callbacks
    ):
        image = photo()
        story = make_article(lead_image=image)
        old_original = image.file.name
        old_renditions = list(image.renditions.values_list("file", flat=True))
        image.file = SimpleUploadedFile("replacement.jpg", image_bytes("JPEG", 800, 600))
        with django_capture_on_commit_callbacks(execute=True):
            image.save()
        image.refresh_from_db()
        story.refresh_from_db()
        assert story.lead_image_id == image.pk
        assert image.file.name.endswith(".jpg") and (image.width, image.height) == (800, 600)
        storage = image.file.storage
        assert not storage.exists(old_original)
        assert not any(storage.exists(name) for name in old_renditions)
        assert max(image.renditions.values_list("width", flat=True)) == 800

    def test_deleting_a_photo_removes_its_files(self, photo, django_capture_on_commit_callbacks):
        image = photo()
        names = [image.file.name, *image.renditions.values_list("file", flat=True)]
        with django_capture_on_commit_callbacks(execute=True):
            image.delete()
        assert not any(image.file.storage.exists(name) for name in names)


class TestRegenerateCommand:
    def test_remakes_everything(self, photo, capsys):
        image = photo()
        before = set(image.renditions.values_list("pk", flat=True))
        call_command("regenerate_renditions")
        after = set(image.renditions.values_list("pk", flat=True))
        assert len(after) == len(before) and not after & before
        assert "Made 21 renditions." in capsys.readouterr().out

    def test_missing_only_fills_gaps(self, photo, capsys):
        image = photo()
        image.renditions.filter(crop=Crop.CARD).delete()
        call_command("regenerate_renditions", "--missing")
        assert image.renditions.filter(crop=Crop.CARD).count() == 6
        assert "Made 6 renditions." in capsys.readouterr().out

    def test_one_photo_by_id(self, photo, capsys):
        first, second = photo(), photo()
        Rendition.objects.all().delete()
        call_command("regenerate_renditions", "--image", str(second.pk))
        assert not first.renditions.exists() and second.renditions.exists()

    def test_unknown_id_is_a_clear_error(self, db):
        with pytest.raises(CommandError, match="No photo with a file has id 999"):
            call_command("regenerate_renditions", "--image", "999")

    def test_a_damaged_stored_file_is_reported_and_the_rest_continue(self, photo, capsys):
        broken, fine = photo(), photo()
        Rendition.objects.all().delete()
        with broken.file.storage.open(broken.file.name, "wb") as stored:
            stored.write(b"not an image any more")
        with pytest.raises(CommandError, match="1 photo could not be processed"):
            call_command("regenerate_renditions")
        assert f"Photo {broken.pk}" in capsys.readouterr().err
        assert fine.renditions.exists() and not broken.renditions.exists()


class TestMarkup:
    def test_lead_photo_is_a_picture_with_srcset_sizes_and_dimensions(self, client, photo):
        story = make_article(lead_image=photo())
        page = client.get(story.get_absolute_url()).content.decode()
        source = re.search(r'<source type="image/webp" srcset="([^"]+)" sizes="([^"]+)">', page)
        assert source
        webp_widths = re.findall(r"\.webp (\d+)w", source.group(1))
        assert webp_widths == ["320", "640", "960", "1280", "1920"]
        assert source.group(2) == "(min-width: 48rem) 46rem, 100vw"
        img = re.search(r"<img [^>]+>", page).group(0)
        assert re.search(r'src="/media/renditions/\d+/wide-[0-9a-f]{8}-full-1280-\w+\.jpg"', img)
        assert re.findall(r"\.jpg (\d+)w", img) == ["320", "640", "960", "1280", "1920"]
        assert 'alt="Soldiers unload a helicopter" width="1280" height="640"' in img
        assert 'fetchpriority="high"' in img and "loading=" not in img

    def test_card_thumbnails_are_lazy_crops(self, client, photo):
        make_article("Lead story")
        make_article("Older story", lead_image=photo(), published_at=_days_ago(3))
        page = client.get("/").content.decode()
        card = page[page.index('class="card"') :]
        img = re.search(r"<img [^>]+>", card).group(0)
        assert 'loading="lazy"' in img
        assert re.search(r'width="960" height="640"', img)
        assert re.findall(r"card-(\d+)-\w+\.jpg \d+w", img) == ["320", "640", "960"]

    def test_without_renditions_the_original_is_shown(self, client):
        image = make_image(file=SimpleUploadedFile("p.png", image_bytes("PNG", 300, 200)))
        image.alt_text = "A plane"
        image.save()
        assert not image.renditions.exists()  # on-commit callbacks did not run
        story = make_article(lead_image=image)
        page = client.get(story.get_absolute_url()).content.decode()
        assert f'<img src="{image.file.url}" alt="A plane" width="300" height="200"' in page
        assert "<source" not in page

    def test_stale_renditions_are_never_shown(self, client, photo):
        image = photo()
        Rendition.objects.update(source_key="made-from-an-older-file")
        story = make_article(lead_image=image)
        page = client.get(story.get_absolute_url()).content.decode()
        assert "/renditions/" not in page
        assert f'src="{image.file.url}"' in page

    def test_unknown_usage_is_a_template_error(self, photo):
        from django.template import TemplateSyntaxError

        with pytest.raises(TemplateSyntaxError, match="Unknown picture usage 'hero'"):
            Template('{% load pictures %}{% picture image "hero" %}').render(
                Context({"image": photo()})
            )

    def test_social_image_is_the_focal_crop(self, photo):
        image = photo()
        url, width, height = social_image(image)
        assert re.fullmatch(r"/media/renditions/\d+/wide-[0-9a-f]{8}-social-1200-\w+\.jpg", url)
        assert (width, height) == (1200, 630)


class TestPagesNeverBreak:
    def test_storage_errors_leave_caption_and_credit(self, client, photo, monkeypatch):
        image = photo(caption="Helicopters at Bamako airport", credit="Jane Doe/Reuters")
        story = make_article(lead_image=image)
        make_article("Another", lead_image=image, published_at=_days_ago(2))

        def unreachable(name):
            raise OSError("object storage is unreachable")

        monkeypatch.setattr(default_storage, "url", unreachable)
        for url in (story.get_absolute_url(), "/"):
            response = client.get(url)
            page = response.content.decode()
            assert response.status_code == 200
            assert "<img" not in page
            if url != "/":
                assert "Helicopters at Bamako airport" in page
                assert "Jane Doe/Reuters" in page

    def test_url_helpers_give_none_on_storage_errors(self, photo, monkeypatch):
        image = photo()
        assert picture_for(image, "lead") is not None
        assert social_image(image) is not None

        def unreachable(name):
            raise OSError("object storage is unreachable")

        monkeypatch.setattr(default_storage, "url", unreachable)
        assert picture_for(image, "lead") is None
        assert social_image(image) is None

    def test_a_deleted_rendition_file_does_not_break_the_page(self, client, photo):
        image = photo()
        for rendition in image.renditions.all():
            rendition.file.storage.delete(rendition.file.name)
        story = make_article(lead_image=image)
        assert client.get(story.get_absolute_url()).status_code == 200

    def test_seed_photo_without_a_file_shows_no_image(self, client, seed_story):
        """Wire copy ships a caption and credit without the photo: the story still renders,
        and readers see neither an image nor a caption or credit until the photo arrives."""
        assert seed_story.lead_image.caption and not seed_story.lead_image.file
        response = client.get(seed_story.get_absolute_url())
        page = response.content.decode()
        assert response.status_code == 200
        assert seed_story.headline in page
        assert "<img" not in page and "<picture" not in page and "<figcaption" not in page
        assert "Benoit Tessier/Reuters" not in page

    def test_query_count_stays_constant_with_renditions(
        self, client, photo, django_assert_max_num_queries
    ):
        image = photo()
        for n in range(12):
            make_article(f"Story {n}", lead_image=image, sources=[make_source()], tags=[f"t{n}"])
        with django_assert_max_num_queries(4):
            page = client.get("/").content.decode()
        assert page.count("<picture>") == 12


class TestCredits:
    def test_credit_as_written_and_file_photo_labelled(self, client, photo):
        image = photo(credit="Benoit Tessier/Reuters", is_file_photo=True)
        story = make_article(lead_image=image)
        page = client.get(story.get_absolute_url()).content.decode()
        assert '<span class="credit__file">File: </span>Benoit Tessier/Reuters' in page

    def test_agency_part_links_to_its_source(self, client, photo):
        reuters = make_source("Reuters")
        image = photo(credit="Benoit Tessier/Reuters")
        assert image.credit_source == reuters  # matched by name when the credit was saved
        story = make_article(lead_image=image)
        page = client.get(story.get_absolute_url()).content.decode()
        assert f'Benoit Tessier/<a href="{reuters.get_absolute_url()}">Reuters</a>' in page

    def test_credit_markup_is_escaped(self, client, photo):
        source = make_source("Agency & Co")
        image = photo(credit="<img src=x onerror=alert(1)>/Agency & Co", credit_source=source)
        page = client.get(make_article(lead_image=image).get_absolute_url()).content.decode()
        assert "<img src=x" not in page
        assert (
            '&lt;img src=x onerror=alert(1)&gt;/<a href="/sources/agency-co/">Agency &amp; Co</a>'
            in page
        )


def _days_ago(days):
    import datetime

    from django.utils import timezone

    return timezone.now() - datetime.timedelta(days=days)
