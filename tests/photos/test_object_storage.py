"""Media in S3-compatible object storage through django-storages, against moto's S3 server."""

import pytest
import requests
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from articles.models import Image

from ..helpers.images import png_bytes
from ..helpers.servers import ObjectStore, form_fields


@pytest.fixture(scope="module")
def store():
    object_store = ObjectStore()
    yield object_store
    object_store.stop()


@pytest.fixture
def s3_media(settings, store):
    settings.STORAGES = {**settings.STORAGES, "default": store.storages_setting()}
    yield store
    storages._storages.pop("default", None)


def upload_form(editor_client, **fields):
    page = editor_client.get("/admin/articles/image/add/")
    data = form_fields(page.content.decode(), form_id="image_form")
    data.update(
        alt_text="Helicopters on a runway",
        caption="Stored in the bucket",
        credit="Jane Doe/Reuters",
    )
    data.update(fields)
    return data


def test_an_admin_upload_lands_in_the_bucket_and_is_served_from_it(editor_client, s3_media):
    picture = png_bytes(400, 300)
    data = upload_form(editor_client)
    data["file"] = SimpleUploadedFile("runway.png", picture, content_type="image/png")
    response = editor_client.post("/admin/articles/image/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]

    image = Image.objects.get()
    assert image.file.name in s3_media.object_names()
    assert (image.width, image.height) == (400, 300)
    url = image.file.url
    assert url.startswith(f"{s3_media.url}/{s3_media.bucket}/images/")
    assert requests.get(url, timeout=10).content == picture


def test_an_upload_while_the_store_is_down_saves_nothing(editor_client, settings, store):
    # A store that is not running: the endpoint of a port nobody listens on.
    broken = store.storages_setting()
    broken["OPTIONS"]["endpoint_url"] = "http://127.0.0.1:9"
    settings.STORAGES = {**settings.STORAGES, "default": broken}
    try:
        data = upload_form(editor_client, caption="Typed before the store failed")
        data["file"] = SimpleUploadedFile("runway.png", png_bytes(), content_type="image/png")
        response = editor_client.post("/admin/articles/image/add/", data)
    finally:
        storages._storages.pop("default", None)
    assert response.status_code == 502
    page = response.content.decode()
    assert "The file storage failed" in page
    assert "Typed before the store failed" in page
    assert Image.objects.count() == 0
