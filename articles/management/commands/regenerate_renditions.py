"""Remake photo renditions: all of them, only the missing or stale ones, or those of some photos."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from articles.models import Image
from articles.photos.renditions import generate_renditions


class Command(BaseCommand):
    help = (
        "Make the renditions (resized WebP and JPEG copies) of every photo with a file. "
        "By default all are remade; --missing only fills gaps and replaces stale ones."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing",
            action="store_true",
            help="Only make renditions that are missing or no longer match their photo.",
        )
        parser.add_argument(
            "--image",
            type=int,
            action="append",
            dest="image_ids",
            metavar="ID",
            help="Only this photo (repeatable).",
        )

    def handle(self, *args, missing=False, image_ids=None, **options):
        images = Image.objects.exclude(file="").prefetch_related("renditions").order_by("pk")
        if image_ids:
            images = images.filter(pk__in=image_ids)
            unknown = set(image_ids) - set(images.values_list("pk", flat=True))
            if unknown:
                raise CommandError(
                    f"No photo with a file has id {', '.join(map(str, sorted(unknown)))}."
                )
        made = failed = 0
        for image in images.iterator(chunk_size=100):
            try:
                made += generate_renditions(image, only_missing=missing)
            except (ValidationError, OSError) as exc:
                failed += 1
                reason = "; ".join(exc.messages) if isinstance(exc, ValidationError) else exc
                self.stderr.write(f"Photo {image.pk} ({image.file.name}): {reason}")
        self.stdout.write(f"Made {made} rendition{'s' if made != 1 else ''}.")
        if failed:
            raise CommandError(
                f"{failed} photo{'s' if failed != 1 else ''} could not be processed."
            )
