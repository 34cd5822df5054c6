"""Rebuild the full-text search index of every story from scratch (after imports or repairs)."""

import time

from django.core.management.base import BaseCommand, CommandError

from articles.search.index import rebuild_index


class ProgressBar:
    """`[#####-----]  50%  5,000/10,000 stories` redrawn in place on a terminal; on anything
    else (a log file, CI) one line per tenth, so the output stays readable."""

    width = 30

    def __init__(self, stream):
        self.stream = stream
        self.interactive = stream.isatty()
        self.last_tenth = -1
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        fraction = done / total if total else 1.0
        tenth = int(fraction * 10)
        if not self.interactive and tenth == self.last_tenth and done != total:
            return
        self.last_tenth = tenth
        filled = int(fraction * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.monotonic() - self.started
        line = f"[{bar}] {fraction:4.0%}  {done:,}/{total:,} stories  {elapsed:.0f}s"
        if self.interactive:
            self.stream.write("\r" + line, ending="")
            self.stream.flush()
        else:
            self.stream.write(line)


class Command(BaseCommand):
    help = "Rebuild the search index of every story (drafts too: readers only ever see published)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Stories indexed per transaction."
        )

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        progress = ProgressBar(self.stdout) if options["verbosity"] > 0 else None
        started = time.monotonic()
        count = rebuild_index(batch_size=batch_size, progress=progress)
        if progress and progress.interactive:
            self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {count:,} stor{'y' if count == 1 else 'ies'} "
                f"in {time.monotonic() - started:.1f}s."
            )
        )
