"""`manage.py backup` and `manage.py restore`: everything out of one database and into a new,
empty one (SQLite or PostgreSQL, whichever the suite runs on, into both), with equal counts, the
photo files back in storage and working pages afterwards."""

import datetime
import io
import json
import tarfile

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.editorial.tagging import merge_tags
from articles.management.commands.backup import row_counts
from articles.models import Article, Correction, Image, Revision, ShareLink, Tag

from .helpers.factories import make_article, make_source
from .helpers.images import png_bytes
from .helpers.servers import (
    ObjectStore,
    fresh_database,
    manage,
    missing_service,
    postgres_available,
    server_env,
)

PASSWORD = "restored password 1"
# Run inside the restored site: counts, pages, a sign-in and the photo file, as JSON.
CHECK_SCRIPT = """
import json
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.files.storage import storages
from django.test import Client
from articles.management.commands.backup import row_counts
from articles.models import Article, Image
story = Article.objects.get(headline="Mali receives helicopters")
client = Client()
urls = ["/", story.get_absolute_url(), "/tags/mali/", "/api/articles/", "/search/?q=helicopters"]
pages = {url: client.get(url, secure=True) for url in urls}
image = Image.objects.get(caption="A helicopter")
print("RESULT" + json.dumps({
    "counts": row_counts(),
    "pages": {url: response.status_code for url, response in pages.items()},
    "signs_in": authenticate(username="reporter", password=%(password)r) is not None,
    "groups": list(User.objects.get(username="reporter").groups.values_list("name", flat=True)),
    "photo": storages["default"].open(image.file.name).read().hex(),
    "found": "Mali receives helicopters" in pages["/search/?q=helicopters"].content.decode(),
}))
"""


@pytest.fixture
def newsroom_content(db):
    """A bit of everything a backup must carry."""
    reporter = User.objects.create_user("reporter", "reporter@example.org", PASSWORD)
    reporter.groups.add(Group.objects.get(name="Reporter"))
    image = Image.objects.create(caption="A helicopter", alt_text="A helicopter", credit="Reuters")
    image.file.save("helicopter.png", ContentFile(png_bytes(64, 48)))
    story = make_article(
        "Mali receives helicopters",
        body="<p>Bamako took delivery of <strong>helicopters</strong>.</p>",
        tags=["Mali", "Wagner Group"],
        sources=[make_source("Reuters")],
        lead_image=image,
        created_by=reporter,
    )
    make_article("A second story", tags=["Wagner"])
    make_article("A draft", status=Article.Status.DRAFT)
    merge_tags([Tag.objects.get(name="Wagner Group")], into=Tag.objects.get(name="Wagner"))
    Correction.objects.create(article=story, text="An earlier version misspelt Bamako.")
    Revision.objects.create(
        article=story, number=1, article_version=1, action="Created", snapshot={"headline": "x"}
    )
    ShareLink.objects.create(
        article=story, created_by=reporter, expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    return story


def backup_to(tmp_path) -> tuple:
    archive = tmp_path / "newsroom.tar.gz"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    return archive, out.getvalue()


class TestBackup:
    def test_archive_holds_rows_files_and_a_manifest(self, newsroom_content, tmp_path):
        archive, output = backup_to(tmp_path)
        with tarfile.open(archive) as tar:
            names = tar.getnames()
            manifest = json.load(tar.extractfile("manifest.json"))
            data = json.load(tar.extractfile("data.json"))
        image = Image.objects.get(caption="A helicopter")
        assert f"media/{image.file.name}" in names
        assert manifest["counts"] == row_counts()
        models = {row["model"] for row in data}
        for label in (
            "articles.article",
            "articles.revision",
            "articles.correction",
            "articles.tag",
            "articles.taggedarticle",
            "articles.tagredirect",
            "articles.tagmerge",
            "articles.source",
            "articles.image",
            "articles.sharelink",
            "auth.user",
            "auth.group",
        ):
            assert label in models, label
        assert "Backed up" in output

    def test_refuses_to_overwrite_an_existing_file(self, newsroom_content, tmp_path):
        archive, _ = backup_to(tmp_path)
        with pytest.raises(CommandError, match="already exists"):
            call_command("backup", str(archive), stdout=io.StringIO())

    def test_files_in_object_storage_are_backed_up(self, db, tmp_path, settings):
        store = ObjectStore()
        try:
            settings.STORAGES = {**settings.STORAGES, "default": store.storages_setting()}
            storages["default"].save("images/2026/11/28/in-the-bucket.png", ContentFile(b"png"))
            archive, _ = backup_to(tmp_path)
            with tarfile.open(archive) as tar:
                assert tar.extractfile("media/images/2026/11/28/in-the-bucket.png").read() == b"png"
        finally:
            store.stop()


@pytest.mark.parametrize("target", ["sqlite", "postgres"])
def test_restore_into_an_empty_database(newsroom_content, tmp_path, target):
    if target == "postgres" and not postgres_available():
        missing_service("PostgreSQL is not reachable at 127.0.0.1:5432")
    archive, _ = backup_to(tmp_path)
    expected_counts = row_counts()
    photo = storages["default"].open(Image.objects.get(caption="A helicopter").file.name).read()

    with fresh_database(target, tmp_path) as database_url:
        env = server_env(
            tmp_path / target,
            DATABASE_URL=database_url,
            ALLOWED_HOSTS="testserver",
            MEDIA_ROOT=tmp_path / target / "restored-media",
        )
        restored = manage(env, "restore", str(archive))
        assert "Restored" in restored.stdout

        result = manage(env, "shell", "-c", CHECK_SCRIPT % {"password": PASSWORD})
        report = json.loads(result.stdout.split("RESULT", 1)[1])
        assert report["counts"] == expected_counts
        assert set(report["pages"].values()) == {200}, report["pages"]
        assert report["signs_in"]
        assert report["groups"] == ["Reporter"]
        assert bytes.fromhex(report["photo"]) == photo
        assert report["found"], "the search index was not rebuilt"

        # A second restore into the now-used database is refused, and changes nothing.
        with pytest.raises(AssertionError, match="The database is not empty"):
            manage(env, "restore", str(archive))


def test_restore_rejects_something_that_is_not_a_backup(tmp_path, db):
    bogus = tmp_path / "not-a-backup.tar.gz"
    bogus.write_bytes(b"hello")
    with pytest.raises(CommandError, match="not a readable backup"):
        call_command("restore", str(bogus), stdout=io.StringIO())
