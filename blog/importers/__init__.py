"""Bringing posts in from elsewhere: Markdown files with front matter, and WordPress.

Readers (`markdown_files`, `wordpress`) turn a source into ImportedPost values; `save`
writes one into the database the same way for every source: matched by slug, then by its
source id, so importing again updates and never duplicates.
"""

import dataclasses
import datetime as dt
import hashlib
import json
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.text import slugify


class ImportProblem(Exception):
    """Why a file cannot be imported, in words for the person running the import."""


@dataclasses.dataclass
class ImportedPost:
    source_id: str
    title: str
    slug: str
    body: str
    description: str = ""
    authors: list = dataclasses.field(default_factory=list)
    tags: list = dataclasses.field(default_factory=list)
    topics: list = dataclasses.field(default_factory=list)
    publish_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    status: str | None = None
    canonical_url: str = ""
    featured_image: str = ""
    featured_image_alt: str = ""
    noindex: bool = False
    faqs: list = dataclasses.field(default_factory=list)  # [(question, answer)]
    references: list = dataclasses.field(default_factory=list)  # [{title, publisher, year, url}]
    related: list = dataclasses.field(default_factory=list)  # [(title, url)]
    metadata: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Report:
    """What an import did: counts, and one line per problem or unresolved link."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    problems: list = dataclasses.field(default_factory=list)
    notes: list = dataclasses.field(default_factory=list)
    dry_run: bool = False

    def count(self, outcome):
        setattr(self, outcome, getattr(self, outcome) + 1)

    def summary(self):
        prefix = "Dry run, nothing written: would have " if self.dry_run else ""
        skipped = f"{self.unchanged} unchanged" + (
            f", {self.skipped} skipped" if self.skipped else ""
        )
        return (
            f"{prefix}{self.created} created, {self.updated} updated, {skipped}, "
            f"{self.failed} failed."
        )


def import_markdown(sources, *, progress=None, verbose=False, publish_offset=None, **options):
    """Import Markdown files, each in its own transaction. `sources` are (name, source id,
    reader) triples: the source id names the file stably (its path inside the import).
    `publish_offset` (a timedelta) moves every publish time the files give."""
    from blog.importers import markdown_files

    report, imported, slugs = Report(dry_run=options.get("dry_run", False)), [], {}
    for name, source_id, read_bytes in sources:
        try:
            item = markdown_files.read(name, read_bytes(), source_id=source_id)
            if publish_offset and item.publish_at:
                item.publish_at += publish_offset
            if item.slug in slugs:
                raise ImportProblem(f"its slug “{item.slug}” is also that of {slugs[item.slug]}")
            outcome = save(item, note=f"Imported from {name}", **options)
        except Exception as problem:  # noqa: BLE001 - one bad file must not stop the rest
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


class DryRun(Exception):
    """Raised inside a file's transaction to undo it after seeing what it would do."""


def find_post(item):
    """The post an item updates: by slug, then by source id (or the UUID export_posts writes).

    A slug held by a post written here, not imported, is not taken over: that would replace
    someone's work with a file that merely chose the same address.
    """
    from blog.models import Post

    by_slug = Post.objects.filter(slug=item.slug).first()
    if by_slug is not None and (by_slug.source_id or by_slug.source_id == item.source_id):
        return by_slug
    by_source = Post.objects.filter(source_id=item.source_id).exclude(source_id="").first()
    if by_source is None and _is_uuid(item.source_id):
        by_source = Post.objects.filter(uuid=item.source_id).first()
    if by_source is None and by_slug is not None:
        raise ImportProblem(
            f"the slug “{item.slug}” belongs to “{by_slug.title}”, a post written here; give "
            "this file another slug"
        )
    return by_source


def _is_uuid(value):
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def save(item, *, status=None, dry_run=False, overwrite=False, note="Imported"):
    """Create or update the post for `item`; return "created", "updated" or "unchanged".

    `status` (when given) is the status for posts whose source does not ask for a draft. A
    post edited here since its last import is not overwritten unless `overwrite` is true.
    """
    from blog import revisions
    from blog.models import FAQ, Post, Reference

    post = find_post(item)
    body, _ = link_related(item.body, item.related, post or Post(slug=item.slug))
    new_status = _status_for(item, status, post and post.status)
    if post is not None and _unchanged(post, item, body, new_status):
        return "unchanged"  # no write at all: updated_at and the page cache stay as they are
    if (
        post is not None
        and not overwrite
        and post.import_checksum
        and post.import_checksum != _checksum(revisions.snapshot(post))
    ):
        raise ImportProblem(
            f"“{post.title}” was edited here since it was imported; re-import with --overwrite "
            "(or the overwrite option) to replace those edits"
        )
    try:
        with transaction.atomic():
            created = post is None
            post = post or Post(slug=item.slug)
            old_status = None if created else post.status
            post.title = item.title[:200]
            post.slug = item.slug
            post.description = item.description[:300]
            post.body = body
            post.source_id = item.source_id[:255]
            post.canonical_url = item.canonical_url
            post.noindex = item.noindex
            post.featured_image_alt = item.featured_image_alt[:250]
            post.metadata = _metadata(item)
            post.status = new_status
            if item.publish_at:
                post.publish_at = item.publish_at
            post._defer_search_vector = True  # once, at the end, not after every FAQ and tag
            post.save()
            _set_byline(post, [_author(name) for name in item.authors])
            post.tags.set(item.tags, clear=True)
            post.topics.set([_topic(name) for name in item.topics])
            post.faqs.all().delete()
            for order, (question, answer) in enumerate(item.faqs, start=1):
                FAQ.objects.create(post=post, question=question[:300], answer=answer, order=order)
            post.references.all().delete()
            Reference.objects.bulk_create(
                Reference(post=post, order=order, **_reference(reference))
                for order, reference in enumerate(item.references, start=1)
            )
            post._defer_search_vector = False
            post.update_search_vector()
            post.record_state_change(old_status)
            revision = post.save_revision(note=note)
            post.import_checksum = _checksum(revision.data)
            Post.objects.filter(pk=post.pk).update(import_checksum=post.import_checksum)
            if dry_run:
                raise DryRun("created" if created else "updated")
            return "created" if created else "updated"
    except DryRun as dry:
        return dry.args[0]


def _unchanged(post, item, body, status):
    """Whether saving `item` would leave `post` exactly as it is (read-only checks)."""
    from blog import revisions

    authors = [_find_author(name) for name in item.authors]
    topics = [_find_topic(name) for name in item.topics]
    if None in authors or None in topics:
        return False  # the import would create them
    usernames = [author.username for author in authors]
    topics = [topic.slug for topic in topics]
    expected = {
        "title": item.title[:200],
        "slug": item.slug,
        "description": item.description[:300],
        "body": body,
        "status": status,
        "publish_at": (item.publish_at or post.publish_at)
        .replace(microsecond=0)
        .astimezone(dt.UTC)
        .isoformat(),
        "tags": sorted(set(item.tags)),
        "topics": sorted(set(topics)),
        "authors": list(dict.fromkeys(usernames)),
        "faqs": [{"question": q[:300], "answer": a} for q, a in item.faqs],
        "references": [_reference(reference) for reference in item.references],
    }
    return (
        revisions.snapshot(post) == expected
        and post.metadata == _metadata(item)
        and post.source_id == item.source_id[:255]
        and post.canonical_url == item.canonical_url
        and post.noindex == item.noindex
        and post.featured_image_alt == item.featured_image_alt[:250]
    )


def _checksum(snapshot):
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True).encode()).hexdigest()


def _status_for(item, requested, current):
    if item.status == "draft":
        return "draft"
    if current is not None and requested is None:
        return current  # re-importing does not move a post through the workflow
    return requested or item.status or "draft"


def _metadata(item):
    """What the source said that Byline has no field for, as JSON (dates become ISO text)."""
    data = dict(item.metadata)
    if item.featured_image:
        data["featured_image"] = item.featured_image
    if item.updated_at:
        data["updated"] = item.updated_at.isoformat()
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _reference(reference):
    year = reference.get("year")
    return {
        "title": str(reference.get("title") or reference.get("url") or "")[:300],
        "publisher": str(reference.get("publisher") or "")[:200],
        "year": year if isinstance(year, int) and 1000 <= year <= 2999 else None,
        "url": str(reference.get("url") or "")[:500],
    }


def _find_author(name):
    User = get_user_model()
    return (
        User.objects.filter(display_name__iexact=name).first()
        or User.objects.filter(username__iexact=name).first()
    )


def _author(name):
    """The account for a byline name; a missing author becomes a Contributor who cannot log
    in until someone sets a password."""
    if existing := _find_author(name):
        return existing
    User = get_user_model()
    base = slugify(name)[:140] or "author"
    username, n = base, 2
    while User.objects.filter(username=username).exists():
        username, n = f"{base}-{n}", n + 1
    user = User(username=username, display_name=name[:150])
    user.set_unusable_password()
    user.save()
    user.groups.add(*Group.objects.filter(name="Contributor"))
    return user


def _find_topic(name):
    from blog.models import Topic

    return Topic.objects.filter(name__iexact=name[:80]).first()


def _topic(name):
    """The topic of that name, made if missing (names of any script get a slug of their own)."""
    from blog.models import Topic

    if topic := _find_topic(name):
        return topic
    name = name[:80]
    base = slugify(name, allow_unicode=True)[:70] or "topic"
    slug, n = base, 2
    while Topic.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return Topic.objects.create(name=name, slug=slug)


def _set_byline(post, authors):
    from blog.models import PostAuthor

    unique = list(dict.fromkeys(authors))
    if [a.pk for a in post.authors.order_by("postauthor__order")] == [a.pk for a in unique]:
        return
    PostAuthor.objects.filter(post=post).delete()
    PostAuthor.objects.bulk_create(
        PostAuthor(post=post, author=author, order=order)
        for order, author in enumerate(unique, start=1)
    )


def link_related(body, related, post):
    """Point "Related:" links (to # or to a bare title) at the posts they name, where one
    exists; return the new body and the titles that matched no post."""
    from blog.models import Post

    unresolved = []
    for title, url in related:
        if url.startswith(("/", "http:", "https:", "mailto:")):
            continue  # a real address already
        target = Post.objects.filter(title__iexact=title).exclude(slug=post.slug).first()
        if target is None:
            unresolved.append(title)
            continue
        body = body.replace(f"[{title}]({url})", f"[{title}]({target.get_absolute_url()})")
    return body, unresolved


def resolve_related(imported, dry_run=False):
    """After a run, link what pointed at posts imported later in it; `imported` holds
    (slug, related links) pairs. Return (slug, title) for every link still unresolved."""
    from blog.models import Post

    unresolved = []
    titles = {slug for slug, _ in imported}
    for slug, related in imported:
        if not related:
            continue
        post = Post.objects.filter(slug=slug).first()
        if post is None or dry_run:  # a dry run wrote nothing: check the titles only
            unresolved += [
                (slug, title)
                for title, url in related
                if not url.startswith(("/", "http:", "https:", "mailto:"))
                and not Post.objects.filter(title__iexact=title).exists()
                and title not in titles
            ]
            continue
        body, missing = link_related(post.body, related, post)
        unresolved += [(slug, title) for title in missing]
        if body != post.body:
            post.body = body
            post.save(update_fields=["body"])
            post.save_revision(note="Related links resolved")
    return unresolved


def import_wordpress(raw, *, status=None, dry_run=False, overwrite=False, include_pages=False):
    """Import a WordPress export; each post in its own transaction."""
    from blog.importers import wordpress

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
        except Exception as problem:  # noqa: BLE001 - one bad item must not stop the rest
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
