from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from blog.backups import write_backup


class Command(BaseCommand):
    help = (
        "Write users, groups, content (posts with every part and their history) and media "
        "files into one .tar.gz with a manifest of counts and checksums; `restore` reads it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            metavar="FILE",
            help="Where to write; by default var/backups/byline-<UTC time>.tar.gz.",
        )

    def handle(self, *args, path, **options):
        if path is None:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            path = Path(settings.VAR_DIR) / "backups" / f"byline-{stamp}.tar.gz"
        path = Path(path)
        if path.is_dir():
            raise CommandError(f"{path} is a folder; name the archive file to write")
        if not path.parent.is_dir():
            path.parent.mkdir(parents=True)
        manifest = write_backup(path)
        counts = manifest["counts"]
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        self.stdout.write(
            f"Wrote {path}: {counts.get('accounts.user', 0)} users, "
            f"{counts.get('blog.post', 0)} posts, {sum(counts.values())} rows in all, "
            f"{media} media files."
        )
