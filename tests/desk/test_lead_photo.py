"""The lead photo on the story form: captions waiting for a photo, files kept across a form
error, the thumbnail chooser, and what readers see of a caption with no photo."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from articles.models import Article, Image

from ..helpers.factories import make_article, make_draft, make_image, make_staff
from ..helpers.images import image_bytes
from ..helpers.workflow_forms import change_form_data, change_url, opened_form, read_form

pytestmark = pytest.mark.django_db


def photo_upload(name="harbour.png"):
    return SimpleUploadedFile(name, image_bytes("PNG", width=80, height=60), "image/png")


class TestCaptionWithoutPhoto:
    def test_readers_see_no_caption_or_credit_until_a_file_exists(self, client, seed_story):
        image = seed_story.lead_image
        assert image.caption and image.credit and not image.file
        page = client.get(seed_story.get_absolute_url()).content.decode()
        assert image.caption not in page
        assert "BENOIT TESSIER" not in page.upper()
        assert "<figcaption" not in page

    def test_the_api_says_nothing_of_a_photo_without_a_file(self, client, seed_story):
        # (ninjs, the exchange format for other newsrooms, still carries the waiting caption.)
        data = client.get(f"/api/articles/{seed_story.pk}/").json()
        assert data["lead_image"] is None

    def test_the_desk_shows_the_caption_waiting_for_a_photo(self, editor_client, seed_story):
        page = editor_client.get(change_url(seed_story)).content.decode()
        assert "Caption waiting for a photo." in page
        assert seed_story.lead_image.caption in page
        assert 'name="lead_photo_file"' in page

    def test_attaching_a_file_to_the_waiting_caption_shows_both_to_readers(
        self, editor_client, client, seed_story
    ):
        # The seed story is live: the photo reaches readers with "Publish changes" (a plain save
        # keeps it in the working draft, tests/desk/test_desk.py).
        image = seed_story.lead_image
        data = change_form_data(
            seed_story, lead_photo_file=photo_upload(), lead_photo_alt="Two helicopters"
        ) | {"_publish_changes": "Publish changes"}
        response = editor_client.post(change_url(seed_story), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        image.refresh_from_db()
        assert image.file and image.alt_text == "Two helicopters"
        seed_story.refresh_from_db()
        assert seed_story.lead_image_id == image.pk  # the same record, now with its file
        page = client.get(seed_story.get_absolute_url()).content.decode()
        assert image.caption in page and "<figcaption" in page

    def test_a_reporters_photo_for_a_live_story_waits_in_the_working_draft(
        self, client, seed_story
    ):
        image = seed_story.lead_image
        reporter = Client()
        reporter.force_login(make_staff("rita", role="Reporter"))
        data = opened_form(reporter, seed_story) | {"lead_photo_alt": "Two helicopters"}
        response = reporter.post(change_url(seed_story), data | {"lead_photo_file": photo_upload()})
        assert response.status_code == 302, response.content.decode()[:2000]
        image.refresh_from_db()
        assert not image.file  # the live story's record is untouched…
        seed_story.refresh_from_db()
        assert seed_story.lead_image_id == image.pk
        new = Image.objects.get(pk=seed_story.working_draft["lead_image"]["id"])
        # …the new photo, with the waiting caption's words, is in the working draft.
        assert new.file and new.alt_text == "Two helicopters" and new.caption == image.caption
        assert "<figcaption" not in client.get(seed_story.get_absolute_url()).content.decode()


class TestUploadOnTheStoryForm:
    def test_a_new_photo_becomes_the_lead_photo(self, editor_client, editor):
        article = make_draft(headline="Harbour reopens")
        data = change_form_data(article, lead_photo_file=photo_upload(), lead_photo_alt="Boats")
        assert editor_client.post(change_url(article), data).status_code == 302
        article.refresh_from_db()
        assert article.lead_image.file.name.startswith("images/")
        assert article.lead_image.alt_text == "Boats"
        assert article.lead_image.uploaded_by == editor

    def test_a_photo_with_a_file_is_not_overwritten_by_a_new_upload(self, editor_client):
        old = make_image(caption="Old", file=photo_upload("old.png"))
        article = make_draft(lead_image=old)
        old_name = old.file.name
        data = change_form_data(article, lead_photo_file=photo_upload(), lead_photo_alt="New")
        assert editor_client.post(change_url(article), data).status_code == 302
        article.refresh_from_db()
        old.refresh_from_db()
        assert article.lead_image_id != old.pk and old.file.name == old_name

    def test_the_chosen_file_survives_a_form_error(self, editor_client):
        article = make_draft(headline="Harbour reopens")
        data = change_form_data(article, headline="", lead_photo_file=photo_upload("boats.png"))
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 200
        page = response.content.decode()
        assert "Kept from your last try" in page and "boats.png" in page
        kept = read_form(page)
        assert kept["lead_photo_file_kept"]
        # Fixing the error without choosing the file again saves the kept photo.
        kept.update(headline="Harbour reopens at last", lead_photo_alt="Boats in a harbour")
        kept.pop("lead_photo_file", None)
        response = editor_client.post(change_url(article), kept)
        assert response.status_code == 302, response.content.decode()[:3000]
        article.refresh_from_db()
        assert article.headline == "Harbour reopens at last"
        assert article.lead_image.file and article.lead_image.alt_text == "Boats in a harbour"
        # The kept copy is gone once used.
        assert not default_storage.listdir("uploads/kept")[1]
        assert all(
            not default_storage.listdir(f"uploads/kept/{d}")[1]
            for d in default_storage.listdir("uploads/kept")[0]
        )

    def test_a_kept_upload_is_only_usable_by_whoever_chose_it(self, editor_client):
        article = make_draft(headline="Harbour")
        data = change_form_data(article, headline="", lead_photo_file=photo_upload())
        token = read_form(editor_client.post(change_url(article), data).content.decode())[
            "lead_photo_file_kept"
        ]
        other = Client()
        other.force_login(make_staff("amina", role="Editor"))
        data = change_form_data(article, lead_photo_file_kept=token)
        response = other.post(change_url(article), data)
        assert response.status_code == 200
        assert "not yours to use" in response.content.decode()
        assert Article.objects.get(pk=article.pk).lead_image is None

    def test_a_forged_kept_reference_is_refused(self, editor_client):
        article = make_draft(headline="Harbour")
        data = change_form_data(article, lead_photo_file_kept="uploads/kept/x/../../secret")
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 200
        assert "expired; choose it again" in response.content.decode()

    def test_a_file_that_is_not_a_photo_is_refused_with_the_reason(self, editor_client):
        article = make_draft(headline="Harbour")
        fake = SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", "image/png")
        response = editor_client.post(
            change_url(article), change_form_data(article, lead_photo_file=fake)
        )
        assert response.status_code == 200
        assert "lead_photo_file" in response.context["adminform"].form.errors
        assert Image.objects.count() == 0

    def test_publishing_with_a_new_photo_needs_its_alt_text(self, editor_client):
        article = make_draft(headline="Harbour")
        data = change_form_data(
            article, status="published", lead_photo_file=photo_upload(), lead_photo_alt=""
        )
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 200
        assert "Describe the new photo" in response.content.decode()
        assert Article.objects.get(pk=article.pk).status == "draft"

    def test_alt_text_typed_on_the_story_lets_it_publish(self, editor_client):
        image = make_image(caption="Boats", file=photo_upload())
        article = make_draft(headline="Harbour", lead_image=image)
        form = opened_form(editor_client, article)
        assert form["lead_photo_alt"] == ""
        data = change_form_data(article, status="published", lead_photo_alt="Boats at dawn")
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        image.refresh_from_db()
        assert image.alt_text == "Boats at dawn"


class TestChooser:
    def test_lists_thumbnails_of_photos_with_files_and_searches(self, editor_client):
        make_image(caption="Harbour at dawn", file=photo_upload())
        make_image(caption="Market day", file=photo_upload())
        make_image(caption="Waiting for its file")
        url = reverse("admin:articles_image_chooser")
        page = editor_client.get(url).content.decode()
        assert "Harbour at dawn" in page and "Market day" in page
        assert "Waiting for its file" not in page
        assert page.count('class="photo-chooser__choice"') == 2
        found = editor_client.get(url, {"q": "harbour", "fragment": "1"})
        assert "no-store" in found["Cache-Control"]
        text = found.content.decode()
        assert "Harbour at dawn" in text and "Market day" not in text
        assert "<html" not in text  # the fragment the story form's dialog loads

    def test_query_count_is_fixed(self, editor_client, django_assert_max_num_queries):
        for n in range(6):
            make_image(caption=f"Photo {n}", file=photo_upload())
        with django_assert_max_num_queries(9):
            response = editor_client.get(reverse("admin:articles_image_chooser"), {"fragment": 1})
        assert response.content.decode().count("data-photo-id") == 6

    def test_needs_a_desk_account(self, client):
        response = client.get(reverse("admin:articles_image_chooser"))
        assert response.status_code == 302 and "/login/" in response["Location"]

    def test_the_story_form_links_to_it(self, editor_client):
        article = make_article("Harbour")
        page = editor_client.get(change_url(article)).content.decode()
        assert reverse("admin:articles_image_chooser") in page
        assert "desk-photos.js" in page


def test_the_photo_page_offers_the_focal_point_picker(editor_client):
    image = make_image(caption="Boats", file=photo_upload())
    page = editor_client.get(reverse("admin:articles_image_change", args=[image.pk])).content
    page = page.decode()
    assert "data-focal-point-image" in page and "desk-focal-point.js" in page
    assert 'name="focal_x"' in page and 'name="focal_y"' in page  # the no-JS fallback
