"""The alt-text publish rule and the photo library in the admin."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from articles.editorial import services
from articles.models import Article, Image, Rendition

from ..helpers.factories import make_article, make_draft, make_image, make_source
from ..helpers.images import HTML_PAGE, SVG_WITH_SCRIPT, has_private_metadata, image_bytes, png_bomb
from ..helpers.workflow_forms import change_form_data

pytestmark = pytest.mark.django_db


def photo_file(name="photo.png", width=64, height=48):
    return SimpleUploadedFile(name, image_bytes("PNG", width=width, height=height))


class TestAltTextPublishRule:
    def test_publishing_with_a_photo_file_but_no_alt_text_is_refused(self):
        image = make_image(caption="Helicopters at Bamako airport", file=photo_file())
        article = make_draft(lead_image=image)
        article.status = Article.Status.PUBLISHED
        article.published_at = timezone.now()
        with pytest.raises(ValidationError) as caught:
            article.full_clean()
        message = caught.value.message_dict["lead_image"][0]
        assert "“Helicopters at Bamako airport”" in message
        assert f"photo #{image.pk}" in message
        assert "has no alt text" in message

    def test_the_publish_service_applies_the_rule(self, editor):
        image = make_image(caption="Tarmac", file=photo_file())
        article = make_draft(lead_image=image)
        with pytest.raises(ValidationError) as caught:
            services.publish_article(article=article, user=editor)
        assert "lead_image" in caught.value.message_dict
        article.refresh_from_db()
        assert article.status == Article.Status.DRAFT

        image.alt_text = "A cargo plane on the tarmac"
        image.save()
        services.publish_article(article=Article.objects.get(pk=article.pk), user=editor)
        assert Article.objects.published().filter(pk=article.pk).exists()

    def test_a_draft_may_keep_a_photo_without_alt_text(self):
        article = make_draft(lead_image=make_image(file=photo_file()))
        article.full_clean()  # no error

    def test_whitespace_is_not_alt_text(self):
        image = make_image(file=photo_file(), alt_text="   ")
        article = make_draft(lead_image=image)
        article.status = Article.Status.PUBLISHED
        with pytest.raises(ValidationError):
            article.full_clean()

    def test_a_photo_without_a_file_publishes_fine(self, seed_story, editor):
        assert seed_story.lead_image.file.name in ("", None)
        assert not seed_story.lead_image.alt_text
        seed_story.full_clean()
        draft = make_draft(lead_image=seed_story.lead_image)
        services.publish_article(article=draft, user=editor)
        assert Article.objects.published().filter(pk=draft.pk).exists()

    def test_admin_form_shows_the_error_on_the_lead_photo(self, editor_client):
        image = make_image(caption="Soldiers at the airport", file=photo_file())
        article = make_draft(lead_image=image)
        url = reverse("admin:articles_article_change", args=[article.pk])
        now = timezone.localtime()
        response = editor_client.post(
            url,
            change_form_data(
                article,
                status="published",
                published_at_0=now.strftime("%d/%m/%Y"),
                published_at_1=now.strftime("%H:%M:%S"),
            ),
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "The lead photo “Soldiers at the airport”" in page
        assert "has no alt text" in page
        article.refresh_from_db()
        assert article.status == Article.Status.DRAFT

    def test_alt_text_cannot_be_removed_from_a_published_lead_photo(self, editor_client):
        image = make_image(caption="Market", alt_text="A busy market", file=photo_file())
        make_article("Market day", lead_image=image)
        url = reverse("admin:articles_image_change", args=[image.pk])
        response = editor_client.post(url, {"alt_text": "", "caption": "Market", "credit": ""})
        assert response.status_code == 200
        assert "This photo leads the published story “Market day”" in response.content.decode()
        image.refresh_from_db()
        assert image.alt_text == "A busy market"


class TestUploadsInTheAdmin:
    def add(self, client, upload, **fields):
        data = {"alt_text": "x", "caption": "c", "credit": ""} | fields
        return client.post(reverse("admin:articles_image_add"), {"file": upload, **data})

    @pytest.mark.parametrize(
        ("name", "data", "message"),
        [
            ("logo.svg", SVG_WITH_SCRIPT, "This file is not a photo we can use"),
            ("photo.jpg", HTML_PAGE, "This file is not a photo we can use"),
            ("bomb.png", png_bomb(), "The image has far too many pixels"),
            ("cut.png", image_bytes("PNG", 300, 300)[:200], "damaged"),
            ("empty.jpg", b"", "The submitted file is empty."),
        ],
    )
    def test_refusals_are_clear_form_errors(self, editor_client, name, data, message):
        response = self.add(editor_client, SimpleUploadedFile(name, data))
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not Image.objects.exists()

    def test_over_size_upload_is_refused(self, editor_client, settings):
        settings.IMAGE_MAX_UPLOAD_BYTES = 100
        response = self.add(editor_client, photo_file())
        assert "photos may be at most 100\xa0bytes" in response.content.decode()

    def test_upload_is_stored_clean_with_renditions(
        self, editor_client, django_capture_on_commit_callbacks
    ):
        from ..helpers.images import photo_with_exif

        upload = SimpleUploadedFile("../../IMG 0001.JPG", photo_with_exif(width=700, height=500))
        with django_capture_on_commit_callbacks(execute=True):
            response = self.add(editor_client, upload)
        assert response.status_code == 302
        image = Image.objects.get()
        assert re.fullmatch(r"images/\d{4}/\d{2}/\d{2}/img-0001-[0-9a-f]{8}\.jpg", image.file.name)
        assert not has_private_metadata(image.file.read())
        assert image.uploaded_by.username == "editor"
        assert image.renditions.filter(format="webp").exists()

    def test_replacing_the_file_keeps_the_record_and_its_stories(
        self, editor_client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            image = make_image(alt_text="Old", file=photo_file("old.png", 400, 300))
        story = make_article(lead_image=image)
        old_name = image.file.name
        url = reverse("admin:articles_image_change", args=[image.pk])
        with django_capture_on_commit_callbacks(execute=True):
            response = editor_client.post(
                url,
                {
                    "file": photo_file("new.png", 500, 250),
                    "alt_text": "New",
                    "caption": image.caption,
                    "credit": image.credit,
                },
            )
        assert response.status_code == 302
        image.refresh_from_db()
        assert Image.objects.count() == 1
        assert re.search(r"/new-[0-9a-f]{8}\.png$", image.file.name) and (
            image.width,
            image.height,
        ) == (500, 250)
        assert not image.file.storage.exists(old_name)
        story.refresh_from_db()
        assert story.lead_image_id == image.pk
        assert max(image.renditions.values_list("width", flat=True)) == 500


class TestPhotoLibrary:
    def test_list_has_thumbnails_and_story_counts(
        self, editor_client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            image = make_image(alt_text="Square", file=photo_file(width=400, height=300))
        make_article("First use", lead_image=image)
        make_article("Second use", lead_image=image)
        page = editor_client.get(reverse("admin:articles_image_changelist")).content.decode()
        thumb = image.renditions.get(crop=Rendition.Crop.THUMB, format="jpeg", width=160)
        assert f'<img src="{thumb.file.url}" alt="" width="64" height="64"' in page
        assert re.search(r'<td class="field-story_count">2</td>', page)

    @pytest.mark.parametrize(
        "query", ["Bamako airport", "Tessier", "Reuters", "cargo plane on the tarmac"]
    )
    def test_search_by_caption_credit_and_alt_text(self, editor_client, query):
        make_image(
            caption="Helicopters at Bamako airport",
            credit="Benoit Tessier/Reuters",
            alt_text="A cargo plane on the tarmac",
        )
        make_image(caption="Something else", credit="Someone/AFP", alt_text="Other")
        url = reverse("admin:articles_image_changelist")
        page = editor_client.get(url, {"q": query}).content.decode()
        assert "Helicopters at Bamako airport" in page
        assert "Something else" not in page

    def test_change_page_lists_the_stories_using_the_photo(self, editor_client):
        image = make_image(caption="Shared photo")
        story = make_article("A story with <b>markup</b>", lead_image=image)
        make_article("Unrelated story")
        page = editor_client.get(
            reverse("admin:articles_image_change", args=[image.pk])
        ).content.decode()
        change_url = reverse("admin:articles_article_change", args=[story.pk])
        assert f'<a href="{change_url}">A story with &lt;b&gt;markup&lt;/b&gt;</a>' in page
        assert "Unrelated story" not in page

    def test_missing_alt_text_filter(self, editor_client):
        make_image(caption="Described", alt_text="Something")
        make_image(caption="Undescribed", alt_text="")
        url = reverse("admin:articles_image_changelist")
        page = editor_client.get(url, {"alt": "missing"}).content.decode()
        assert "Undescribed" in page and "Described</a>" not in page

    def test_credit_source_is_matched_and_editable(self, editor_client):
        afp = make_source("AFP")
        image = make_image(credit="Jane Doe/AFP")
        assert image.credit_source == afp
        page = editor_client.get(
            reverse("admin:articles_image_change", args=[image.pk])
        ).content.decode()
        assert 'name="credit_source"' in page

    def test_regenerate_action(self, editor_client):
        image = make_image(alt_text="x", file=photo_file(width=400, height=300))
        assert not image.renditions.exists()
        response = editor_client.post(
            reverse("admin:articles_image_changelist"),
            {"action": "regenerate_renditions", "_selected_action": [image.pk]},
            follow=True,
        )
        assert "Made 13 renditions." in response.content.decode()
        assert image.renditions.count() == 13
