"""Export everything into one file: `manage.py backup newsroom-2026-11-28.tar.gz`.

The archive holds `data.json` (every row: stories and their revisions, corrections, tags, tag
redirects and merges, sources, photos, share links, users, groups (roles) and their permissions,
with natural keys so it loads into any empty database, SQLite or PostgreSQL), `media/` (every file
in the media storage, local disk or object storage) and `manifest.json` (counts to check a restore
against). The audit trail, second factors and passkeys are kept. Sessions (and the list of where
people are signed in), sign-in failure counts and the search index are left out: people sign in
again, and `restore` rebuilds the index. Restore with `manage.py restore FILE`.
"""

import datetime
import io
import json
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, router

FORMAT_VERSION = 1
# Rebuilt, not restored: derived from the stories, or meaningless in another database.
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "articles.searchdocument",
    "articles.sqlitesearchindex",
    # Made from the stories again on restore (rebuild_index).
    "articles.storylisting",
    "articles.searchlisting",
    "articles.listinglink",
    "articles.listingcount",
    # Who is signed in where, and failed sign-ins being counted: they end with the sessions.
    "articles.usersession",
    "articles.loginfailure",
]


def backed_up_models():
    """The models whose rows go into a backup, in a stable order."""
    excluded_apps = {label for label in EXCLUDED if "." not in label}
    excluded_models = {label for label in EXCLUDED if "." in label}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in excluded_apps or label in excluded_models:
            continue
        if model._meta.proxy or not router.allow_migrate_model(connection.alias, model):
            continue
        yield model


def row_counts() -> dict[str, int]:
    return {model._meta.label_lower: model._default_manager.count() for model in backed_up_models()}


def walk_storage(storage, folder=""):
    """Every file name in `storage` below `folder` (works for local disk and object storage)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from walk_storage(storage, f"{folder}/{sub}" if folder else sub)


def add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.datetime.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


class Command(BaseCommand):
    help = "Export all content, users and media files into one .tar.gz archive."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Where to write the backup, e.g. backup.tar.gz")

    def handle(self, *args, archive, **options):
        target = Path(archive)
        if target.exists():
            raise CommandError(f"{target} already exists; choose a new file name.")
        storage = storages["default"]
        with tempfile.TemporaryDirectory() as tmp:
            data_path = Path(tmp) / "data.json"
            call_command(
                "dumpdata",
                *[f"--exclude={label}" for label in EXCLUDED],
                natural_foreign=True,
                natural_primary=True,
                indent=1,
                output=str(data_path),
                verbosity=0,
            )
            files = sorted(walk_storage(storage))
            manifest = {
                "format": FORMAT_VERSION,
                "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
                "database": connection.vendor,
                "counts": row_counts(),
                "files": files,
            }
            partial = target.with_name(target.name + ".partial")
            try:
                with tarfile.open(partial, "w:gz") as tar:
                    tar.add(data_path, arcname="data.json")
                    for name in files:
                        with storage.open(name, "rb") as media_file:
                            add_bytes(tar, f"media/{name}", media_file.read())
                    add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())
                partial.replace(target)
            finally:
                partial.unlink(missing_ok=True)
        rows = sum(manifest["counts"].values())
        self.stdout.write(f"Backed up {rows} rows and {len(files)} media files to {target}")
