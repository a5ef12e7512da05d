from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blog.importers import ImportProblem, import_wordpress
from blog.management.commands.import_posts import add_import_options, media_folder


class Command(BaseCommand):
    help = (
        "Import a WordPress export (Tools → Export, a WXR .xml file): posts, authors, "
        "categories as topics, tags, statuses, dates, slugs and featured images (their "
        "addresses, or library images with --media-dir). "
        "Importing again updates the same posts."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.xml")
        parser.add_argument(
            "--pages", action="store_true", help="Import its pages too, as standalone pages."
        )
        add_import_options(parser)

    def handle(
        self, *args, file, pages, status, dry_run, overwrite, go_links, media_dir, **options
    ):
        media = media_folder(media_dir)
        try:
            raw = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: cannot be read ({error.strerror})") from None
        try:
            report = import_wordpress(
                raw,
                status=status,
                dry_run=dry_run,
                overwrite=overwrite,
                include_pages=pages,
                go_links=go_links,
                media=media,
            )
        except ImportProblem as problem:
            raise CommandError(f"{file}: {problem}") from None
        for problem in report.problems:
            self.stderr.write(self.style.ERROR(f"{file}: {problem}"))
        for note in report.notes:
            self.stdout.write(note)
        if report.failed:
            self.stdout.write(self.style.WARNING(report.summary()))
            raise CommandError(f"{report.failed} items could not be imported.")
        self.stdout.write(self.style.SUCCESS(report.summary()))
