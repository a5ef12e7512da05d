from django.core.management.base import BaseCommand

from blog.backups import read_backup, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into a freshly migrated database: the whole "
        "archive is checked first, then loaded in one transaction, or nothing is."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the users, content and sessions of a database that already has "
            "some (media files of the same name are overwritten; others are left).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only check the archive (checksums, counts, migration state); write nothing.",
        )

    def handle(self, *args, path, force, check, **options):
        backup = read_backup(path)
        manifest = backup.manifest
        counts = manifest["counts"]
        summary = (
            f"{counts.get('accounts.user', 0)} users, {counts.get('blog.post', 0)} posts, "
            f"{sum(counts.values())} rows in all, {len(backup.media)} media files "
            f"(Byline {manifest.get('byline_version', '?')}, {manifest.get('created_at', '?')})"
        )
        if check:
            self.stdout.write(f"{path} is whole: {summary}.")
            return
        restore_backup(backup, force=force)
        self.stdout.write(f"Restored {path}: {summary}.")
