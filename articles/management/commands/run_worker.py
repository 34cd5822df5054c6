"""The background worker: runs queued tasks (django-tasks-db's `db_worker`) and, beside them,
the scheduler loop that queues due ingest channels, gives back jobs lost with a dead worker and
keeps the database's planner statistics current."""

import logging
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from articles.background.jobs import give_back_lost_jobs
from articles.background.statistics import refresh_statistics_when_due
from articles.ingest.polling import queue_due_channels

logger = logging.getLogger("articles.background")


def scheduler_loop(stop: threading.Event, interval: float) -> None:
    failing = False
    while True:
        try:
            give_back_lost_jobs()
            queue_due_channels()
            refresh_statistics_when_due()
            if failing:
                logger.warning("Scheduler: the database answers again")
            failing = False
        except DatabaseError as error:
            if not failing:  # once per outage, not once per turn
                logger.warning("Scheduler: database unavailable (%s); will keep trying", error)
            failing = True
        finally:
            connection.close()
        if stop.wait(interval):
            return


class Command(BaseCommand):
    help = (
        "Run the background worker: queued tasks (renditions, ingest) and the scheduler loop "
        "(ingest channels that are due, jobs lost with a killed worker). Ctrl-C stops it after "
        "the task in hand."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds between looks at an empty queue (default 1).",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Only run tasks (when another worker runs the scheduler).",
        )

    def handle(self, *args, interval, no_scheduler, verbosity, **options):
        if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
            raise CommandError("TASKS_BACKEND is not 'database': there is no queue to work on.")
        if not no_scheduler:
            stop = threading.Event()
            thread = threading.Thread(
                target=scheduler_loop,
                args=(stop, settings.SCHEDULER_INTERVAL_SECONDS),
                name="scheduler",
                daemon=True,
            )
            thread.start()
        call_command(
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            f"--interval={interval}",
            verbosity=verbosity,
        )
