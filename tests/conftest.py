import io

import pytest
from asgiref.local import Local
from django.core.management import call_command
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.tasks import task_backends

from articles.http import page_cache
from articles.models import Article

from .helpers.factories import make_editor

IMMEDIATE_TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@receiver(setting_changed)
def _reset_task_backends(setting, **kwargs):
    if setting == "TASKS":
        task_backends.__dict__.pop("settings", None)
        task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks run inside the code that queues them, unless a test asks for the
    database queue (`settings.TASKS = DATABASE_TASKS`) and runs a worker."""
    settings.TASKS = IMMEDIATE_TASKS
    settings.TASK_RETRY_BASE_SECONDS = 0


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


@pytest.fixture
def warm_page_cache(db):
    """The page cache as on a running site: its content generation, and when the next scheduled
    story is due, already known (working those out costs one query per content change). Query
    counts pinned with it are what every uncached page costs."""
    page_cache.cache_lifetime(page_cache.current_generation())
