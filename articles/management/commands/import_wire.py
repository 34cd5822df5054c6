from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.importing import import_wire_story
from articles.wire import WireParseError, parse_wire


class Command(BaseCommand):
    help = "Import agency wire-copy text files as draft articles (re-importing updates them)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--publish", action="store_true", help="Publish the stories now instead of as drafts."
        )

    def handle(self, *files, **options):
        counts = {"created": 0, "updated": 0, "failed": 0}
        for path in options["files"]:
            try:
                story = parse_wire(path.read_bytes())
            except (OSError, WireParseError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
                self.stderr.write(self.style.ERROR(f"error: {path}: {reason}"))
                counts["failed"] += 1
                continue
            result = import_wire_story(story, publish=options["publish"])
            outcome = "created" if result.created else "updated"
            counts[outcome] += 1
            self.stdout.write(
                f"{outcome}: {path} → “{result.article.headline}” "
                f"({result.article.get_status_display().lower()}, id {result.article.pk})"
            )
        summary = ", ".join(f"{n} {what}" for what, n in counts.items())
        if counts["failed"]:
            raise CommandError(f"{summary}: fix the files named above and run again.")
        self.stdout.write(self.style.SUCCESS(summary))
