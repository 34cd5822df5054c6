import io

import pytest
from django.core.management import call_command

from articles.models import Article

from .factories import make_editor


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    """Tests never write into the real media folder or .local/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LOCAL_DIR = tmp_path / "local"


@pytest.fixture
def seed_story(db) -> Article:
    call_command("seed", stdout=io.StringIO())
    return Article.objects.get()


@pytest.fixture
def editor(db):
    return make_editor()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs the block, then the callbacks a real commit would run
    (e.g. the search index update; tests run inside a transaction that never commits)."""

    def context():
        return django_capture_on_commit_callbacks(execute=True)

    return context
