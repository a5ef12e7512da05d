"""Bringing posts in from elsewhere: Markdown files with front matter, and WordPress.

Readers (`markdown_files`, `wordpress`) turn a source into ImportedPost values (`records`);
`saving` writes each into the database the same way for every source. The two runs below are
what the import commands and the admin's import call.
"""

from django.core.exceptions import ValidationError

from blog.importers import markdown_files, wordpress
from blog.importers.records import ImportedPost, ImportProblem, Report
from blog.importers.saving import resolve_related, save

__all__ = ["ImportProblem", "ImportedPost", "Report", "import_markdown", "import_wordpress"]


def import_markdown(sources, *, progress=None, verbose=False, publish_offset=None, **options):
    """Import Markdown files, each in its own transaction. `sources` are (name, source id,
    reader) triples: the source id names the file stably (its path inside the import).
    `publish_offset` (a timedelta) moves every publish time the files give."""
    report, imported, slugs = Report(dry_run=options.get("dry_run", False)), [], {}
    for name, source_id, read_bytes in sources:
        try:
            item = markdown_files.read(name, read_bytes(), source_id=source_id)
            if publish_offset and item.publish_at:
                item.publish_at += publish_offset
            if item.slug in slugs:
                raise ImportProblem(f"its slug “{item.slug}” is also that of {slugs[item.slug]}")
            outcome = save(item, note=f"Imported from {name}", **options)
        except Exception as problem:  # one bad file must not stop the rest
            report.count("failed")
            report.problems.append(f"{name}: {describe(problem)}")
            if progress:
                progress.write(report.problems[-1])
        else:
            report.count(outcome)
            slugs[item.slug] = name
            imported.append((item.slug, item.related))
            if verbose and progress:
                progress.write(f"{name}: {outcome} “{item.title}”")
        if progress:
            progress.advance()
    for slug, title in resolve_related(imported, dry_run=report.dry_run):
        report.notes.append(f"Unresolved related link in “{slug}”: “{title}”")
    return report


def describe(problem):
    """A failure in words: ours as they are, anything else named by its kind."""
    if isinstance(problem, ImportProblem):
        return str(problem)
    if isinstance(problem, OSError):
        return f"cannot be read ({problem.strerror or problem})"
    if isinstance(problem, ValidationError) and hasattr(problem, "error_dict"):
        return "; ".join(
            f"{field.replace('_', ' ')}: {' '.join(messages)}"
            for field, messages in problem.message_dict.items()
        )
    return f"could not be saved ({type(problem).__name__}: {problem})"


def import_wordpress(raw, *, status=None, dry_run=False, overwrite=False, include_pages=False):
    """Import a WordPress export; each post in its own transaction."""
    report = Report(dry_run=dry_run)
    posts, left_out, problems = wordpress.read(raw, include_pages=include_pages)
    report.failed += len(problems)
    report.problems += problems
    slugs = set()
    for item in posts:
        try:
            if item.slug in slugs:
                raise ImportProblem(f"its slug “{item.slug}” is taken by another item")
            outcome = save(
                item, status=status, dry_run=dry_run, overwrite=overwrite,
                note="Imported from WordPress",
            )  # fmt: skip
        except Exception as problem:  # one bad item must not stop the rest
            report.count("failed")
            report.problems.append(f"“{item.title}”: {describe(problem)}")
            continue
        slugs.add(item.slug)
        report.count(outcome)
    report.skipped = left_out["pages"] + left_out["other"]
    if left_out["pages"]:
        report.notes.append(
            f"{_count(left_out['pages'], 'page')} left out (ask for pages to import them too)."
        )
    if left_out["other"]:
        report.notes.append(
            f"{_count(left_out['other'], 'item')} in the trash or of other types left out."
        )
    if left_out["comments"]:
        report.notes.append(
            f"{_count(left_out['comments'], 'comment')} left out: Byline has no comments."
        )
    return report


def _count(number, noun):
    return f"{number} {noun}{'' if number == 1 else 's'}"
