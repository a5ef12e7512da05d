import re
from pathlib import PurePosixPath

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from blog.models import Image
from blog.uploads import EXTENSIONS, clean_image

# The names clean_image gives: a file under any other name was stored as it was uploaded.
CLEAN_NAME = re.compile(rf"[0-9a-f]{{32}}\.(?:{'|'.join(EXTENSIONS.values())})")


class Command(BaseCommand):
    help = (
        "Put library images and avatars stored before every upload was re-encoded through "
        "the upload path: EXIF and GPS data go, a random name in a date folder comes, "
        "renditions are made again and the original file is deleted. A file that is not an "
        "acceptable image is reported and left for you to replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report, change nothing.")

    def handle(self, *args, dry_run, **options):
        cleaned = refused = 0
        for objects, field in (
            (Image.objects.all(), "file"),
            (get_user_model().objects.exclude(avatar=""), "avatar"),
        ):
            for obj in objects.order_by("pk"):
                image = getattr(obj, field)
                if CLEAN_NAME.fullmatch(PurePosixPath(image.name).name):
                    continue
                try:
                    with image.open("rb"):
                        clean = clean_image(image)
                except (ValidationError, OSError) as problem:
                    refused += 1
                    reason = problem.messages[0] if hasattr(problem, "messages") else problem
                    self.stderr.write(f"{obj} ({field}, {image.name}) left as it is: {reason}")
                    continue
                cleaned += 1
                self.stdout.write(f"{obj}: {image.name}")
                if not dry_run:
                    self._replace(obj, field, clean)
        verb = "Would re-encode" if dry_run else "Re-encoded"
        self.stdout.write(self.style.SUCCESS(f"{verb} {cleaned} images; {refused} refused."))

    def _replace(self, obj, field, clean):
        if isinstance(obj, Image):
            obj.replace_file(clean)  # new renditions, the old files deleted, posts rendered
            return
        image = getattr(obj, field)
        old_names = [image.name]
        image.save(clean.name, clean, save=False)
        obj.save()  # new renditions, and the page cache learns of the change
        for name in old_names:
            image.storage.delete(name)
