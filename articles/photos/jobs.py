"""Renditions in the background: asked for when a photo's change commits, made by a task.

The photo's `renditions_state` tells the desk what is happening (pending, failed with the
error, ready); pages meanwhile show whatever renditions exist, else the original. Failures are
retried with backoff (articles/background/jobs.py), then shown to editors. The task is idempotent:
it makes only what is missing, so running it twice (a retry, a job given back after its worker
was killed) makes nothing twice.
"""

import logging

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from ..background.jobs import enqueue, retry_delay
from ..models import Image
from .renditions import (
    SPECS,
    current_renditions,
    expected_renditions,
    generate_renditions,
    remove_stored_file,
)

logger = logging.getLogger(__name__)
State = Image.RenditionsState


def renditions_missing(image: Image) -> bool:
    return any(
        {(r.format, r.width) for r in current_renditions(image, crop)}
        != expected_renditions(image, crop)
        for crop in SPECS
    )


def request_renditions(image_pk: int, previous_file: str = "") -> None:
    """After a photo's change commits: queue the task when there is anything to do."""
    image = Image.objects.filter(pk=image_pk).prefetch_related("renditions").first()
    current_file = image.file.name if image else ""
    replaced = bool(previous_file) and previous_file != current_file
    needed = image is not None and bool(image.file) and renditions_missing(image)
    if needed:
        Image.objects.filter(pk=image_pk).update(
            renditions_state=State.PENDING,
            renditions_error="",
            renditions_attempts=0,
            renditions_requested_at=timezone.now(),
        )
    if needed or replaced:
        enqueue(make_renditions, image_pk, previous_file if replaced else "")


@task()
def make_renditions(image_pk: int, previous_file: str = "") -> int:
    """Remove a replaced original, make the photo's missing renditions; how many were made."""
    if previous_file:
        remove_stored_file(Image, "file", previous_file)
    image = Image.objects.filter(pk=image_pk).first()
    if image is None:
        return 0
    mine = Image.objects.filter(pk=image_pk, renditions_requested_at=image.renditions_requested_at)
    try:
        made = generate_renditions(image, only_missing=True)
    # Whatever the decoder or the storage raised: the job is retried, then its error is shown on
    # the photo for editors; the page meanwhile shows the original.
    except Exception as error:
        attempts = image.renditions_attempts + 1
        message = f"{type(error).__name__}: {error}"
        logger.warning("Renditions of photo %s failed (try %d): %s", image_pk, attempts, message)
        if attempts < settings.TASK_MAX_ATTEMPTS:
            mine.update(renditions_attempts=attempts, renditions_error=message)
            enqueue(make_renditions, image_pk, delay=retry_delay(attempts))
        else:
            mine.update(
                renditions_attempts=attempts,
                renditions_error=message,
                renditions_state=State.FAILED,
            )
        return 0
    # A newer request (the file changed again meanwhile) keeps its own pending state.
    mine.update(renditions_state=State.READY, renditions_error="", renditions_attempts=0)
    return made
