import io

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import override_settings

MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """Static files collected once, the way production serves them (DEBUG off)."""
    static_root = tmp_path_factory.mktemp("static")
    with override_settings(DEBUG=False, STATIC_ROOT=static_root, STORAGES=MANIFEST_STORAGES):
        call_command("collectstatic", "--no-input", stdout=io.StringIO())
        yield static_root


def test_static_names_are_hashed_and_precompressed(collected_static):
    url = static("css/site.css")
    assert url.startswith("/static/css/site.") and url.endswith(".css")
    assert url != "/static/css/site.css"
    hashed = collected_static / url.removeprefix("/static/")
    assert hashed.exists()
    assert hashed.with_name(hashed.name + ".gz").exists()
    assert hashed.with_name(hashed.name + ".br").exists()


@pytest.mark.django_db
def test_pages_link_the_hashed_stylesheet(collected_static, client, seed_story):
    page = client.get(seed_story.get_absolute_url()).content.decode()
    assert f'href="{static("css/site.css")}"' in page
