import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blog.importers import import_markdown
from blog.importers.media import MediaFolder
from blog.importers.progress import Progress
from blog.models import Post

SUFFIXES = {".md", ".markdown", ".mdown", ".txt"}


def add_import_options(parser):
    """The options every import command takes."""
    parser.add_argument(
        "--status",
        choices=[choice for choice, _ in Post.Status.choices],
        help="Status of the imported posts. Without it, a post takes the status its source "
        "gives, or draft; a post already here keeps its own. A draft always stays one.",
    )
    parser.add_argument("--dry-run", action="store_true", help="Report, but write nothing.")
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="Replace posts even where they were edited here since their last import.",
    )
    parser.add_argument(
        "--go-links",
        action="store_true",
        help="Link affiliate addresses (in bodies and FAQ answers) through the site's /go/ "
        "links, making a sponsored link for each address that has none.",
    )
    parser.add_argument(
        "--media-dir",
        metavar="DIR",
        help="A folder holding the posts' images (e.g. a copy of wp-content/uploads): images "
        "the bodies and featured images name that are found there (by the path after "
        "wp-content/uploads/, or the relative path) become library images, once, and the "
        "bodies refer to them. Without it, image addresses stay as they are.",
    )


def media_folder(path):
    """The MediaFolder of --media-dir, or None."""
    if not path:
        return None
    try:
        return MediaFolder(path)
    except ValueError as problem:
        raise CommandError(str(problem)) from None


class Command(BaseCommand):
    help = (
        "Import Markdown files with YAML (---) or TOML (+++) front matter. PATH may be a file, "
        "a folder (searched recursively) or - for standard input. Importing again updates the "
        "same posts, never duplicates them."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        add_import_options(parser)

    def handle(
        self, *args, paths, status, dry_run, overwrite, go_links, media_dir, verbosity, **options
    ):
        media = media_folder(media_dir)
        sources = list(self._sources(paths))
        if not sources:
            raise CommandError("No Markdown files found in " + ", ".join(paths))
        with Progress(len(sources), self.stderr) as progress:
            report = import_markdown(
                sources,
                status=status,
                dry_run=dry_run,
                overwrite=overwrite,
                go_links=go_links,
                media=media,
                progress=progress,
                verbose=verbosity > 1,
            )
        for note in report.notes:
            self.stdout.write(note)
        if report.failed:
            self.stdout.write(self.style.WARNING(report.summary()))
            raise CommandError(f"{report.failed} of {len(sources)} files could not be imported.")
        self.stdout.write(self.style.SUCCESS(report.summary()))

    def _sources(self, paths):
        for path in paths:
            if path == "-":
                data = sys.stdin.buffer.read()
                yield "-", None, lambda data=data: data
                continue
            location = Path(path)
            if location.is_dir():
                for file in sorted(location.rglob("*")):
                    if file.is_file() and file.suffix.lower() in SUFFIXES:
                        # The path inside the folder names the file: bundles' index.md differ.
                        source_id = file.relative_to(location).with_suffix("").as_posix()
                        yield str(file), source_id, file.read_bytes
            elif location.is_file():
                yield str(location), location.stem, location.read_bytes
            else:
                raise CommandError(f"{path}: no such file or folder")
