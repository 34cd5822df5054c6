"""Queueing tasks, retrying them with backoff, and giving back jobs whose worker died."""

import datetime
import logging

from django.conf import settings
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


def enqueue(task, *args, delay: float = 0, **kwargs):
    """Queue `task`; after `delay` seconds when the backend can wait (the immediate backend,
    used by tests, runs it at once)."""
    if delay > 0 and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + datetime.timedelta(seconds=delay))
    return task.enqueue(*args, **kwargs)


def retry_delay(attempt: int) -> float:
    """Seconds to wait after failed try number `attempt` (1-based): 30 s, 2 min, 8 min…"""
    return settings.TASK_RETRY_BASE_SECONDS * 4 ** (attempt - 1)


def give_back_lost_jobs() -> int:
    """Queue again every job that has been running longer than the lease: its worker was killed
    or its machine went away. Returns how many."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return 0
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.TASK_LEASE_SECONDS)
    lost = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
    count = lost.update(status=TaskResultStatus.READY, started_at=None)
    if count:
        logger.warning("Queued again %d job(s) whose worker stopped in the middle", count)
    return count
