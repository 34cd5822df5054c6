import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from articles.wire.importing import CopyError, KilledCopy, import_parsed, parse_copy

IMPORTABLE_SUFFIXES = {".txt", ".json"}


class ProgressBar:
    """A one-line bar on a terminal, e.g. ``[########............]  8/20  story.txt``.

    Messages are printed above it (the bar is cleared and redrawn), so per-file lines and the bar
    can share a terminal. When disabled it draws nothing.
    """

    WIDTH = 30

    def __init__(self, stream, total: int, *, enabled: bool):
        # `stream` is a command's OutputWrapper: write(..., ending="") keeps the cursor on the line.
        self.stream, self.total, self.enabled = stream, total, enabled
        self.done, self.label, self._drawn = 0, "", False

    def advance(self, label: str):
        self.done += 1
        self.label = label
        self._draw()

    def _draw(self):
        if not self.enabled:
            return
        filled = self.WIDTH * self.done // max(self.total, 1)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        count = f"{self.done}/{self.total}".rjust(2 * len(str(self.total)) + 1)
        label = self.label if len(self.label) <= 40 else "…" + self.label[-39:]
        self.stream.write(f"\r\033[K[{bar}] {count}  {label}", ending="")
        self.stream.flush()
        self._drawn = True

    def clear(self):
        if self.enabled and self._drawn:
            self.stream.write("\r\033[K", ending="")
            self.stream.flush()
            self._drawn = False

    def redraw(self):
        if self.done:
            self._draw()

    def finish(self):
        if self.enabled and self._drawn:
            self.stream.write("")
            self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import wire copy (the agency text format, .txt) and IPTC ninjs (.json) files, or every "
        "such file in a folder, as draft articles. Re-importing a story updates it, so it is safe "
        "to run again. A kill notice withdraws its story (or is remembered, for one never "
        "imported); copy of a story the agency killed is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_FOLDER")
        parser.add_argument(
            "--publish", action="store_true", help="Publish the stories now instead of as drafts."
        )
        progress = parser.add_mutually_exclusive_group()
        progress.add_argument(
            "--progress",
            action="store_true",
            default=None,
            help="Draw a progress bar (the default on a terminal).",
        )
        progress.add_argument("--no-progress", action="store_false", dest="progress")

    def handle(self, *args, **options):
        counts = {"created": 0, "updated": 0, "failed": 0, "refused (killed)": 0, "kills noted": 0}
        files, missing = self._collect(options["paths"])
        show_progress = options["progress"]
        if show_progress is None:
            show_progress = sys.stderr.isatty() and options["verbosity"] > 0
        bar = ProgressBar(self.stderr, len(files), enabled=show_progress)

        for path, reason in missing:
            self._error(bar, path, reason)
            counts["failed"] += 1
        for path in files:
            outcome = self._import_one(path, bar, publish=options["publish"])
            counts[outcome] += 1
            bar.advance(path.name)
        bar.finish()

        summary = ", ".join(
            f"{n} {what}"
            for what, n in counts.items()
            if n or what in ("created", "updated", "failed")
        )
        if counts["failed"]:
            raise CommandError(f"{summary}: fix the files named above and run again.")
        self.stdout.write(self.style.SUCCESS(summary))

    def _collect(self, paths) -> tuple[list[Path], list[tuple[Path, str]]]:
        """Files to import (folders searched recursively, in name order) and paths that fail."""
        files: list[Path] = []
        problems: list[tuple[Path, str]] = []
        seen: set[Path] = set()
        for path in paths:
            if path.is_dir():
                found = sorted(
                    child
                    for child in path.rglob("*")
                    if child.suffix.lower() in IMPORTABLE_SUFFIXES
                    and child.is_file()
                    and not any(part.startswith(".") for part in child.relative_to(path).parts)
                )
                if not found:
                    problems.append((path, "no .txt (wire) or .json (ninjs) files in this folder"))
                candidates = found
            else:
                candidates = [path]  # a missing file is reported when it is read
            for candidate in candidates:
                key = candidate.resolve()
                if key not in seen:
                    seen.add(key)
                    files.append(candidate)
        return files, problems

    def _import_one(self, path: Path, bar: ProgressBar, *, publish: bool) -> str:
        try:
            result = import_parsed(parse_copy(path.read_bytes(), name=path.name), publish=publish)
        except OSError as exc:
            self._error(bar, path, exc.strerror or exc)
            return "failed"
        except KilledCopy as exc:
            self._say(bar, f"refused: {path}: {exc}: not imported")
            return "refused (killed)"
        except CopyError as exc:
            self._error(bar, path, exc)
            return "failed"
        except (ValidationError, DatabaseError) as exc:
            # The import ran in its own transaction, which was rolled back: nothing half-saved.
            self._error(bar, path, f"could not be saved: {exc}")
            return "failed"
        outcome = "created" if result.created else "updated"
        if result.killed and result.article is None:
            self._say(
                bar,
                f"kill noted: {path}: the story was never imported here; copy of it that comes "
                "later will be refused",
            )
            return "kills noted"
        if result.killed:
            outcome = "updated"
            bar.clear()
            self.stdout.write(f"withdrawn (agency kill): {path} → “{result.article.headline}”")
            bar.redraw()
            return outcome
        bar.clear()
        self.stdout.write(
            f"{outcome}: {path} → “{result.article.headline}” "
            f"({result.article.get_status_display().lower()}, id {result.article.pk})"
        )
        bar.redraw()
        return outcome

    def _say(self, bar: ProgressBar, line: str):
        bar.clear()
        self.stdout.write(line)
        bar.redraw()

    def _error(self, bar: ProgressBar, path: Path, reason):
        bar.clear()
        self.stderr.write(self.style.ERROR(f"error: {path}: {reason}"))
        bar.redraw()
