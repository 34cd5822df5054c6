"""Renditions made by a task: the upload only queues them, the desk says they are pending or
failed (with the error), failures are retried with backoff, and pages show the original
meanwhile, never a broken image. (The real worker process: tests/background/test_worker.py.)"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.models import Image, Rendition
from articles.photos import jobs
from articles.photos.renditions import picture_for

from ..helpers.factories import make_article, make_image
from ..helpers.images import image_bytes

pytestmark = pytest.mark.django_db
DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
State = Image.RenditionsState


def upload(committed, **fields):
    with committed():
        return make_image(
            file=SimpleUploadedFile("p.png", image_bytes("PNG", width=900, height=600)),
            alt_text="Soldiers unload a helicopter",
            **fields,
        )


def test_upload_only_queues_the_job_and_the_page_shows_the_original(settings, committed, client):
    settings.TASKS = DUMMY_TASKS  # a queue nobody works on yet
    from django.tasks import default_task_backend

    image = upload(committed)
    image.refresh_from_db()
    assert image.renditions_state == State.PENDING
    assert not image.renditions.exists()
    [queued] = default_task_backend.results
    assert queued.task.name == "make_renditions" and queued.args == [image.pk, ""]

    picture = picture_for(image, "lead")
    assert picture.src == image.file.url and picture.srcset == ""
    story = make_article(lead_image=image)
    page = client.get(story.get_absolute_url()).content.decode()
    assert f'src="{image.file.url}"' in page

    # The worker runs it: ready, and the page switches to the renditions.
    assert jobs.make_renditions.call(image.pk) > 0
    image.refresh_from_db()
    assert image.renditions_state == State.READY
    assert picture_for(image, "lead").srcset


def test_a_failing_job_is_retried_then_shown_to_editors(
    settings, committed, monkeypatch, editor_client
):
    settings.TASK_MAX_ATTEMPTS = 3
    calls = []

    def broken(image, **kwargs):
        calls.append(image.pk)
        raise OSError("storage said no")

    monkeypatch.setattr(jobs, "generate_renditions", broken)
    image = upload(committed)
    image.refresh_from_db()
    assert len(calls) == 3  # tried three times, then given up
    assert image.renditions_state == State.FAILED
    assert image.renditions_error == "OSError: storage said no"
    assert picture_for(image, "lead").src == image.file.url  # the page still shows the photo

    client = editor_client
    listing = client.get(reverse("admin:articles_image_changelist")).content.decode()
    assert "Failed: OSError: storage said no" in listing
    form = client.get(reverse("admin:articles_image_change", args=[image.pk])).content.decode()
    assert "Renditions failed after 3 tries: OSError: storage said no" in form


def test_a_job_that_fails_once_succeeds_on_the_retry(settings, committed, monkeypatch):
    real = jobs.generate_renditions
    calls = []

    def flaky(image, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("timeout")
        return real(image, **kwargs)

    monkeypatch.setattr(jobs, "generate_renditions", flaky)
    image = upload(committed)
    image.refresh_from_db()
    assert len(calls) == 2
    assert image.renditions_state == State.READY and image.renditions_error == ""
    assert image.renditions.filter(crop=Rendition.Crop.FULL).exists()


def test_the_retry_waits_longer_each_time(settings):
    settings.TASK_RETRY_BASE_SECONDS = 30
    from articles.background.jobs import retry_delay

    assert [retry_delay(n) for n in (1, 2, 3)] == [30, 120, 480]


def test_running_the_job_twice_makes_nothing_twice(committed):
    image = upload(committed)
    count = image.renditions.count()
    assert count > 0
    assert jobs.make_renditions.call(image.pk) == 0
    assert image.renditions.count() == count


def test_a_caption_edit_queues_nothing(settings, committed):
    image = upload(committed)
    settings.TASKS = DUMMY_TASKS
    from django.tasks import default_task_backend

    with committed():
        image.caption = "New caption"
        image.save()
    assert default_task_backend.results == []
    image.refresh_from_db()
    assert image.renditions_state == State.READY
