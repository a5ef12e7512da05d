from django.core.management.base import BaseCommand

from blog.images import make_renditions
from blog.models import Image


class Command(BaseCommand):
    help = (
        "Make the renditions (AVIF and WebP widths, the 16:9 card crop) of library images that "
        "lack them: those that were featured images before the library, or all with --all "
        "(after changing the widths or formats). Posts using them are rendered again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="Every image, not only those lacking renditions."
        )

    def handle(self, *args, all, **options):
        made = failed = 0
        for image in Image.objects.order_by("pk").iterator():
            if not all and any(r["format"] == "avif" for r in image.renditions):
                continue
            old = [r["name"] for r in image.renditions]
            try:
                image.renditions = make_renditions(image)
            except OSError as problem:
                failed += 1
                self.stderr.write(f"{image} ({image.file.name}): {problem}")
                continue
            image.save(update_fields=["renditions"])
            new = {r["name"] for r in image.renditions}
            for name in old:
                if name not in new:
                    image.file.storage.delete(name)
            image.render_users_again()
            made += 1
        self.stdout.write(self.style.SUCCESS(f"Made renditions of {made} images; {failed} failed."))
