"""Load a `manage.py backup` archive into an empty database: `manage.py restore backup.tar.gz`.

Creates the tables if needed (migrate), loads every row, puts the media files back into the media
storage (local disk or object storage), rebuilds the search index, and checks that every table has
as many rows as the backup says. Works across databases (e.g. a SQLite backup into PostgreSQL).
Refuses a database that already holds stories, photos, tags, sources or users.
"""

import json
import shutil
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.management.commands.backup import FORMAT_VERSION, row_counts
from articles.search.index import rebuild_index

# Rows that mean "this database is in use"; groups (roles) may already exist from migrations.
CONTENT_TABLES = [
    "articles.article",
    "articles.image",
    "articles.tag",
    "articles.source",
    "auth.user",
]


def safe_member_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise CommandError(f"The archive contains an unsafe path: {name!r}")
    return str(path)


class Command(BaseCommand):
    help = "Restore a backup archive (manage.py backup) into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="A .tar.gz written by manage.py backup")

    def handle(self, *args, archive, **options):
        source = Path(archive)
        if not source.is_file():
            raise CommandError(f"No backup at {source}")
        with tempfile.TemporaryDirectory() as tmp:
            tmp_path = Path(tmp)
            manifest = self._unpack(source, tmp_path)
            call_command("migrate", interactive=False, verbosity=0)
            self._check_empty()
            with transaction.atomic():
                call_command("loaddata", str(tmp_path / "data.json"), verbosity=0)
            restored_files = self._restore_media(tmp_path / "media", manifest["files"])
        rebuild_index()
        self._check_counts(manifest["counts"])
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {rows} rows and {restored_files} media files from {source}"
            )
        )

    def _unpack(self, source: Path, tmp_path: Path) -> dict:
        try:
            with tarfile.open(source, "r:gz") as tar:
                for member in tar.getmembers():
                    safe_member_name(member.name)
                tar.extractall(tmp_path, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise CommandError(f"{source} is not a readable backup: {exc}") from exc
        try:
            manifest = json.loads((tmp_path / "manifest.json").read_text())
        except (FileNotFoundError, ValueError) as exc:
            raise CommandError(f"{source} has no valid manifest.json") from exc
        if manifest.get("format") != FORMAT_VERSION:
            raise CommandError(f"Unsupported backup format {manifest.get('format')!r}")
        return manifest

    def _check_empty(self) -> None:
        counts = row_counts()
        used = {label: counts[label] for label in CONTENT_TABLES if counts.get(label)}
        if used:
            listing = ", ".join(f"{count} × {label}" for label, count in used.items())
            raise CommandError(
                f"The database is not empty ({listing}). Restore into a new, empty database."
            )

    def _restore_media(self, media_dir: Path, names: list[str]) -> int:
        storage = storages["default"]
        restored = 0
        for name in names:
            local = media_dir / safe_member_name(name)
            if storage.exists(name):
                continue
            with local.open("rb") as handle:
                stored_as = storage.save(name, File(handle, name=name))
            if stored_as != name:
                raise CommandError(f"The media storage renamed {name} to {stored_as}")
            restored += 1
        shutil.rmtree(media_dir, ignore_errors=True)
        return restored

    def _check_counts(self, expected: dict[str, int]) -> None:
        actual = row_counts()
        wrong = {
            label: (count, actual.get(label))
            for label, count in expected.items()
            if actual.get(label) != count
        }
        if wrong:
            details = "; ".join(
                f"{label}: {want} expected, {got} found" for label, (want, got) in wrong.items()
            )
            raise CommandError(f"The restored database does not match the backup: {details}")
