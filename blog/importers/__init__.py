"""Bringing posts in from elsewhere: Markdown files with front matter, and WordPress.

Readers (`markdown_files`, `wordpress`) turn a source into ImportedPost values; `save`
writes one into the database the same way for every source: matched by slug, then by its
source id, so importing again updates and never duplicates.
"""

import dataclasses
import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
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


def import_markdown(sources, *, status=None, dry_run=False, progress=None, verbose=False):
    """Import (name, bytes) pairs of Markdown files, each in its own transaction."""
    from blog.importers import markdown_files

    report, imported = Report(dry_run=dry_run), []
    for name, read_bytes in sources:
        try:
            item = markdown_files.read(name, read_bytes())  # the reader may refuse, too
            outcome = save(item, status=status, dry_run=dry_run, note=f"Imported from {name}")
        except (ImportProblem, OSError) as problem:
            report.count("failed")
            reason = (
                f"cannot be read ({problem.strerror})" if isinstance(problem, OSError) else problem
            )
            report.problems.append(f"{name}: {reason}")
            if progress:
                progress.write(report.problems[-1])
        else:
            report.count(outcome)
            if not dry_run:
                imported.append((item.slug, item.related))
            if verbose and progress:
                progress.write(f"{name}: {outcome} “{item.title}”")
        if progress:
            progress.advance()
    for post, title in resolve_related(imported):
        report.notes.append(f"Unresolved related link in “{post.slug}”: “{title}”")
    return report


class DryRun(Exception):
    """Raised inside a file's transaction to undo it after seeing what it would do."""


def save(item, *, status=None, dry_run=False, note="Imported"):
    """Create or update the post for `item`; return "created", "updated" or "unchanged".

    `status` (when given) is the status for posts whose source does not ask for a draft.
    """
    from blog.models import FAQ, Post, Reference

    post = (
        Post.objects.filter(slug=item.slug).first()
        or Post.objects.filter(source_id=item.source_id).exclude(source_id="").first()
    )
    body, _ = link_related(item.body, item.related, post or Post(slug=item.slug))
    new_status = _status_for(item, status, post and post.status)
    if post is not None and _unchanged(post, item, body, new_status):
        return "unchanged"  # no write at all: updated_at and the page cache stay as they are
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
            post.save_revision(note=note)
            if dry_run:
                raise DryRun("created" if created else "updated")
            return "created" if created else "updated"
    except DryRun as dry:
        return dry.args[0]


def _unchanged(post, item, body, status):
    """Whether saving `item` would leave `post` exactly as it is (read-only checks)."""
    from blog import revisions
    from blog.models import Topic

    User = get_user_model()
    usernames = []
    for name in item.authors:
        user = (
            User.objects.filter(display_name__iexact=name).first()
            or User.objects.filter(username__iexact=name).first()
        )
        if user is None:
            return False
        usernames.append(user.username)
    topics = []
    for name in item.topics:
        topic = (
            Topic.objects.filter(name__iexact=name).first()
            or Topic.objects.filter(slug=slugify(name)).first()
        )
        if topic is None:
            return False
        topics.append(topic.slug)
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
    )


def _status_for(item, requested, current):
    if item.status == "draft":
        return "draft"
    if current is not None and requested is None:
        return current  # re-importing does not move a post through the workflow
    return requested or item.status or "draft"


def _metadata(item):
    data = dict(item.metadata)
    if item.featured_image:
        data["featured_image"] = item.featured_image
    if item.updated_at:
        data["updated"] = item.updated_at.isoformat()
    return data


def _reference(reference):
    return {
        "title": str(reference.get("title") or reference.get("url") or "")[:300],
        "publisher": str(reference.get("publisher") or "")[:200],
        "year": reference.get("year") or None,
        "url": str(reference.get("url") or "")[:500],
    }


def _author(name):
    """The account for a byline name; a missing author becomes a Contributor who cannot log
    in until someone sets a password."""
    User = get_user_model()
    existing = (
        User.objects.filter(display_name__iexact=name).first()
        or User.objects.filter(username__iexact=name).first()
    )
    if existing:
        return existing
    base = slugify(name)[:140] or "author"
    username, n = base, 2
    while User.objects.filter(username=username).exists():
        username, n = f"{base}-{n}", n + 1
    user = User(username=username, display_name=name[:150])
    user.set_unusable_password()
    user.save()
    user.groups.add(*Group.objects.filter(name="Contributor"))
    return user


def _topic(name):
    from blog.models import Topic

    topic = (
        Topic.objects.filter(name__iexact=name).first()
        or Topic.objects.filter(slug=slugify(name)).first()
    )
    return topic or Topic.objects.create(name=name[:80], slug=slugify(name)[:80] or "topic")


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


def resolve_related(imported):
    """After a run, link what pointed at posts imported later in it; `imported` holds
    (slug, related links) pairs. Return (post, title) for every link still unresolved."""
    from blog.models import Post

    unresolved = []
    for slug, related in imported:
        post = Post.objects.filter(slug=slug).first()
        if post is None or not related:
            continue
        body, missing = link_related(post.body, related, post)
        unresolved += [(post, title) for title in missing]
        if body != post.body:
            post.body = body
            post.save(update_fields=["body"])
            post.save_revision(note="Related links resolved")
    return unresolved


def import_wordpress(raw, *, status=None, dry_run=False, include_pages=False):
    """Import a WordPress export; each post in its own transaction."""
    from blog.importers import wordpress

    report = Report(dry_run=dry_run)
    posts, left_out, problems = wordpress.read(raw, include_pages=include_pages)
    report.failed += len(problems)
    report.problems += problems
    for item in posts:
        try:
            outcome = save(item, status=status, dry_run=dry_run, note="Imported from WordPress")
        except ImportProblem as problem:
            report.count("failed")
            report.problems.append(f"“{item.title}”: {problem}")
            continue
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
