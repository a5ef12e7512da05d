"""Bringing posts in from elsewhere: Markdown files with front matter, and WordPress.

Readers (`markdown_files`, `wordpress`) turn a source into ImportedPost values (`records`);
`saving` writes each into the database the same way for every source. The two runs below are
what the import commands and the admin's import call.
"""

from django.conf import settings
from django.core.exceptions import ValidationError

from blog.importers import markdown_files, wordpress, wp_content
from blog.importers.records import ImportedPost, ImportProblem, Report
from blog.importers.saving import resolve_related, save_all
from blog.models import Redirect

__all__ = ["ImportProblem", "ImportedPost", "Report", "import_markdown", "import_wordpress"]


# Files saved in one transaction (each in a savepoint of its own): enough to spread a commit and
# the bulk writes of parts over many files, few enough that progress moves steadily.
BATCH_SIZE = 100
# Files from which parsing in other processes pays for starting them.
PARALLEL_FROM = 50


def import_markdown(
    sources,
    *,
    progress=None,
    verbose=False,
    publish_offset=None,
    batch_size=BATCH_SIZE,
    workers=None,
    media=None,
    **options,
):
    """Import Markdown files, in batches of `batch_size` files per transaction, each file in a
    savepoint of its own (a file that fails rolls back alone). `sources` are (name, source id,
    reader) triples: the source id names the file stably (its path inside the import).
    `publish_offset` (a timedelta) moves every publish time the files give. `workers`
    processes parse files while this one saves (default: see parse_workers). With
    `go_links`, affiliate addresses become the site's /go/ links (see saving.with_go_links).
    With `media` (a media.MediaFolder), images found in that folder become library images."""
    report, imported, slugs = Report(dry_run=options.get("dry_run", False)), [], {}
    go_links = set()
    pending = []  # (name, the file's ImportedPost, or the problem that stopped it)

    def save_pending():
        entries = [(item, f"Imported from {name}") for name, item in pending if _read(item)]
        _take_media(media, [item for item, _ in entries], report)
        outcomes = iter(save_all(entries, **options))
        for name, item in pending:
            outcome = next(outcomes) if _read(item) else item
            if isinstance(outcome, Exception):
                report.count("failed")
                report.problems.append(f"{name}: {describe(outcome)}")
                if progress:
                    progress.write(report.problems[-1])
            else:
                report.count(outcome)
                go_links.update(item.go_links)
                slugs[item.slug] = name
                imported.append((item.slug, item.related))
                if verbose and progress:
                    progress.write(f"{name}: {outcome} “{item.title}”")
            if progress:
                progress.advance()
        pending.clear()

    if workers is None:
        sources = list(sources)
        workers = parse_workers(sources)
    for name, item in markdown_files.read_all(sources, workers=workers):
        if _read(item):
            if publish_offset and item.publish_at:
                item.publish_at += publish_offset
            if any(_read(other) and other.slug == item.slug for _, other in pending):
                save_pending()  # which of the two gets the slug depends on how the first fares
            if item.slug in slugs:
                item = ImportProblem(f"its slug “{item.slug}” is also that of {slugs[item.slug]}")
        pending.append((name, item))
        if len(pending) >= batch_size:
            save_pending()
    save_pending()
    for slug, title in resolve_related(imported, dry_run=report.dry_run):
        report.notes.append(f"Unresolved related link in “{slug}”: “{title}”")
    _note_go_links(report, go_links)
    _note_media(media, report)
    return report


def _take_media(media, items, report):
    """Library images for `items`' images found in the media folder, outside the batch's
    transaction (an image made is kept for the next run even if its post fails); none in a
    dry run, which writes nothing."""
    if media is None or report.dry_run:
        return
    for item in items:
        media.apply(item)


def _note_media(media, report):
    if media is None:
        return
    if report.dry_run:
        report.notes.append("Dry run: no images were taken from the media folder.")
        return
    report.notes.append(media.summary())
    report.notes += media.problems


def _note_go_links(report, slugs):
    if slugs:
        addresses = ", ".join(f"/go/{slug}/" for slug in sorted(slugs))
        report.notes.append(f"Affiliate addresses now link to {addresses}.")


def parse_workers(sources):
    """Processes to parse in: settings.BYLINE_IMPORT_WORKERS, but none for a few files
    (starting them would cost more than they save)."""
    return settings.BYLINE_IMPORT_WORKERS if len(sources) >= PARALLEL_FROM else 0


def _read(item):
    return isinstance(item, ImportedPost)


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


def import_wordpress(
    raw,
    *,
    status=None,
    dry_run=False,
    overwrite=False,
    include_pages=False,
    go_links=False,
    progress=None,
    media=None,
):
    """Import a WordPress export, in batches as import_markdown() does. `progress` is told how
    many items there are once the export is read, then of each item done. `media`: as for
    import_markdown()."""
    report = Report(dry_run=dry_run)
    posts, left_out, problems = wordpress.read(raw, include_pages=include_pages)
    report.failed += len(problems)
    report.problems += problems
    if progress:
        progress.expect(len(posts))
    slugs, pending, go_slugs = set(), [], set()
    redirects_before = Redirect.objects.filter(source=Redirect.Source.IMPORT).count()
    slugs, pending, go_slugs, tally = set(), [], set(), wp_content.Tally()
    options = {"status": status, "dry_run": dry_run, "overwrite": overwrite, "go_links": go_links}

    def save_pending():
        _take_media(media, pending, report)
        outcomes = save_all([(item, "Imported from WordPress") for item in pending], **options)
        for item, outcome in zip(pending, outcomes, strict=True):
            if isinstance(outcome, Exception):
                report.count("failed")
                report.problems.append(f"“{item.title}”: {describe(outcome)}")
            else:
                slugs.add(item.slug)
                go_slugs.update(item.go_links)
                tally.add(item.title, item.conversion)
                report.count(outcome)
            if progress:
                progress.advance()
        pending.clear()

    for item in posts.converted(workers=parse_workers(posts)):
        if not item.conversion:  # its content could not become Markdown (derived says why)
            report.count("failed")
            report.problems.append(f"“{item.title}”: {describe(item.derived[1])}")
            if progress:
                progress.advance()
            continue
        if any(other.slug == item.slug for other in pending):
            save_pending()  # which of the two gets the slug depends on how the first fares
        if item.slug in slugs:
            report.count("failed")
            problem = ImportProblem(f"its slug “{item.slug}” is taken by another item")
            report.problems.append(f"“{item.title}”: {describe(problem)}")
            if progress:
                progress.advance()
            continue
        pending.append(item)
        if len(pending) >= BATCH_SIZE:
            save_pending()
    save_pending()
    _note_go_links(report, go_slugs)
    if kept := Redirect.objects.filter(source=Redirect.Source.IMPORT).count() - redirects_before:
        report.notes.append(
            f"{kept} old address{'es' * (kept != 1)} now redirect{'s' * (kept == 1)} to the "
            "imported posts."
        )
    report.notes += tally.notes()
    report.conversion = tally.as_dict()
    _note_media(media, report)
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
