import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blog import importers
from blog.importers import markdown_files
from blog.importers.progress import Progress
from blog.models import Post

SUFFIXES = {".md", ".markdown", ".mdown", ".txt"}


class Command(BaseCommand):
    help = (
        "Import Markdown files with YAML (---) or TOML (+++) front matter. PATH may be a file, "
        "a folder (searched recursively) or - for standard input. Importing again updates the "
        "same posts."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--status",
            choices=[choice for choice, _ in Post.Status.choices],
            help="Status of imported posts (default: draft; a post marked draft stays a draft; "
            "re-imports keep the status a post has unless this is given).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report, but write nothing.")

    def handle(self, *args, paths, status, dry_run, verbosity, **options):
        sources = list(self._sources(paths))
        if not sources:
            raise CommandError("No Markdown files found in " + ", ".join(paths))
        counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
        imported = []
        with Progress(len(sources), self.stderr) as progress:
            for name, read_bytes in sources:
                try:
                    item = markdown_files.read(name, read_bytes())
                    outcome = importers.save(
                        item, status=status or None, dry_run=dry_run, note=f"Imported from {name}"
                    )
                except (importers.ImportProblem, OSError) as problem:
                    counts["failed"] += 1
                    progress.write(self.style.ERROR(f"{name}: {_reason(problem)}"))
                else:
                    counts[outcome] += 1
                    if not dry_run and outcome != "unchanged":
                        imported.append(item.slug)
                    if verbosity >= 2:
                        progress.write(f"{name}: {outcome} “{item.title}”")
                progress.advance()

        if imported:
            posts = Post.objects.filter(slug__in=imported)
            for post, title in importers.resolve_related(posts):
                self.stdout.write(f"Unresolved related link in “{post.slug}”: “{title}”")
        prefix = "Dry run, nothing written: would have " if dry_run else ""
        summary = (
            f"{prefix}{counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} skipped (unchanged), {counts['failed']} failed."
        )
        if counts["failed"]:
            self.stdout.write(self.style.WARNING(summary))
            raise CommandError(f"{counts['failed']} of {len(sources)} files could not be imported.")
        self.stdout.write(self.style.SUCCESS(summary))

    def _sources(self, paths):
        for path in paths:
            if path == "-":
                data = sys.stdin.buffer.read()
                yield "-", lambda data=data: data
                continue
            location = Path(path)
            if location.is_dir():
                for file in sorted(location.rglob("*")):
                    if file.is_file() and file.suffix.lower() in SUFFIXES:
                        yield str(file), file.read_bytes
            elif location.is_file():
                yield str(location), location.read_bytes
            else:
                raise CommandError(f"{path}: no such file or folder")


def _reason(problem):
    if isinstance(problem, OSError):
        return f"cannot be read ({problem.strerror or problem})"
    return str(problem)
