"""Writing an ImportedPost into the database, the same way for every source: matched by slug,
then by its source id, so importing again updates and never duplicates; a post edited here
since its last import is not overwritten unless asked."""

import dataclasses
import hashlib
import json
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q

from blog.affiliate_urls import replace_affiliate_urls
from blog.affiliates import current_rules
from blog.compliance import NO_DISCLOSURE, problems
from blog.disclosure import disclosure_text
from blog.importers import body_sections
from blog.importers.old_addresses import keep_old_addresses
from blog.importers.records import ImportProblem, year
from blog.models import Post, Topic, WaitingRelatedLink
from blog.models.content import HistoryBatch
from blog.models.waiting import title_key
from blog.rendering import rendered_or_invalid
from blog.rows import update_rows
from blog.slugs import unique_slug
from blog.workflow import Status

# Addresses a "Related:" link may already have; anything else names a post by its title.
REAL_ADDRESS = ("/", "http:", "https:", "mailto:")


class DryRun(Exception):
    """Raised inside a batch's transaction to undo it after seeing what it would do."""


def save_all(entries, *, status=None, dry_run=False, overwrite=False, go_links=False):
    """Create or update the post of each (item, note) pair, in one transaction: an item that
    fails rolls back alone. Returns each item's outcome
    ("created", "updated" or "unchanged"), or the exception that stopped it, in order.

    `status` (when given) is the status for posts whose source does not ask for a draft. A
    post edited here since its last import is not overwritten unless `overwrite` is true.
    With `go_links`, every affiliate address the body and FAQ answers link to becomes the
    site's /go/ link for it, made if missing (see with_go_links).

    The posts' parts, search text and history are written for all of them at the end (see
    HistoryBatch); should that fail, the items are saved again one transaction each, so the
    failure is pinned on its own item and the others still go in.

    A batch is saved first without a savepoint per item (two statements less an item); if an
    item fails, the batch is undone and saved again with them."""
    for savepoints in (False, True):
        try:
            with transaction.atomic():
                outcomes = _save_batch(entries, status, overwrite, go_links, savepoints)
                if dry_run:
                    raise DryRun(outcomes)
        except DryRun as dry:
            return dry.args[0]
        except _Redo as redo:
            if len(entries) == 1:
                return [redo.__cause__]  # all it wrote is undone: the same as with a savepoint
            continue
        except Exception as problem:
            if len(entries) == 1:
                return [problem]
            return [
                outcome
                for entry in entries
                for outcome in save_all(
                    [entry], status=status, dry_run=dry_run, overwrite=overwrite, go_links=go_links
                )
            ]
        return outcomes


class _Redo(Exception):
    """An item failed in a batch saved without savepoints: save it again with them."""


def _save_batch(entries, status, overwrite, go_links, savepoints=True):
    batch, known, outcomes = HistoryBatch(announce=False), Known([item for item, _ in entries]), []
    position = 0
    while position < len(entries):
        item, note = entries[position]
        try:
            post = find_post(item, known)  # reads only
            if post is not None and post.pk in known.staged:
                raise InBatch
            with transaction.atomic(savepoint=savepoints):
                outcomes.append(_stage(item, post, note, status, overwrite, batch, known, go_links))
        except InBatch:
            # This file updates a post an earlier file of the batch did: write that first, as
            # if the files had come in two batches.
            _write(batch)
            batch, known = (
                HistoryBatch(announce=False),
                Known([item for item, _ in entries[position:]]),
            )
            continue
        except Exception as problem:  # one bad file must not stop the rest
            if not savepoints:
                raise _Redo from problem
            known.forget()  # what it made was rolled back with it
            outcomes.append(problem)
        position += 1
    _write(batch)
    return outcomes


class InBatch(Exception):
    """The post a file updates is already in the batch."""


def _write(batch):
    posts = [post for post, *_ in batch.entries]
    for post, revision in zip(posts, batch.write(), strict=True):
        post.import_checksum = _checksum(revision.data)
    update_rows(posts, ["import_checksum"])


def _stage(item, post, note, status, overwrite, batch, known, go_links=False):
    """Write `item`'s post row (`post`: find_post()'s) into `batch` (see save_with_history);
    return the outcome."""
    known.touch(item, post)
    if go_links:  # on a copy: a batch saved again (save_all) starts from the file as read
        staged = with_go_links(item)
        item.go_links, item = staged.go_links, staged
    body, _ = link_related(item.body, item.related, post or Post(slug=item.slug))
    new_status = _status_for(item, status, post and post.status)
    if post is not None and _holds(post, item, body, new_status, known):
        keep_old_addresses(post, item.old_addresses)
        return "unchanged"  # no write at all: updated_at and the page cache stay as they are
    if (
        post is not None
        and not overwrite
        and post.import_checksum
        and post.import_checksum != _checksum(post.content())
    ):
        raise ImportProblem(
            f"“{post.title}” was edited here since it was imported; re-import with --overwrite "
            "(or the overwrite option) to replace those edits"
        )
    created = post is None
    post = post or Post()
    for field, value in _fields(item).items():
        setattr(post, field, value)
    authors = [_author(name, known).username for name in item.authors]
    topics = [_topic(name, known).slug for name in item.topics]
    post.apply_content(_content(item, body, new_status, authors, topics))
    derived = item.derived[1] if item.derived else None
    if isinstance(derived, Exception) and item.derived[0] == post.body:
        raise derived
    # Rendered in a parsing worker with the rules as they were then: unless a link made since
    # (with_go_links) has moved them on, the body and FAQ answers need no render here.
    if isinstance(derived, dict) and derived["rules"] == current_rules().fingerprint:
        if item.derived[0] == post.body:
            post.use_derived(post.body, derived)
        post.rendered_answers = derived["answers_html"]  # for item.slug, the post's now
    _check_disclosure(post, item, new_status)
    post.save_with_history(note=note, batch=batch)
    keep_old_addresses(post, item.old_addresses)
    known.staged.add(post.pk)
    return "created" if created else "updated"


def _check_disclosure(post, item, status):
    """A file imported as published with sponsored links needs a disclosure to show, as
    publishing in the admin does (the site's, unless an editor has blanked it)."""
    if status != Post.Status.PUBLISHED or disclosure_text(post):
        return
    answers = [answer for _, answer in item.faqs]
    if NO_DISCLOSURE in problems(post, body=post.body, faq_answers=answers):
        raise ImportProblem(
            "it has sponsored or affiliate links, and neither the site nor the post has a "
            "disclosure to show before them: set the site's in Site settings, or import it "
            "as a draft"
        )


def with_go_links(item):
    """A copy of `item` with its affiliate links (body and FAQ answers) pointing at the site's
    /go/ links, made where missing, here in the saving process (the parsing ones have no
    database), and their slugs in `go_links`. The same file imported again finds the same
    links: nothing changes."""
    body, links = replace_affiliate_urls(item.body)
    faqs = []
    for question, answer in item.faqs:
        answer, more = replace_affiliate_urls(answer)
        faqs.append((question, answer))
        links += more
    go_links = sorted({link.slug for link in links})
    return dataclasses.replace(item, body=body, faqs=faqs, go_links=go_links)


class Known:
    """What a batch looks up once: the posts its items may update (by slug or source id), and
    the authors and topics found or made, by the name a file gives them. A file that fails
    makes the batch forget the authors and topics (its savepoint took back what it made); a
    post whose slug or source id a file of the batch touched is looked up again, and `staged`
    holds the posts the batch saves (a second file for one of them starts a new batch)."""

    def __init__(self, items=()):
        self.authors, self.topics, self.touched, self.staged = {}, {}, set(), set()
        slugs = {item.slug for item in items}
        source_ids = {item.source_id for item in items} - {""}
        lookup = Q(slug__in=slugs) | Q(source_id__in=source_ids)
        # Read under their row locks, held until the batch is written: what an item is compared
        # with (unchanged? edited here since?) and what it replaces is the post as it is then.
        posts = Post.objects.select_for_update().filter(lookup)
        self.posts = list(posts) if items else []  # in find_post's order
        Post.load_parts(self.posts)  # what an unchanged item is compared with

    def forget(self):
        self.authors.clear()
        self.topics.clear()

    def posts_for(self, item):
        """The posts with `item`'s slug or source id, or None if they must be looked up."""
        if {("slug", item.slug), ("source", item.source_id)} & self.touched:
            return None
        return [
            post
            for post in self.posts
            if post.slug == item.slug or (item.source_id and post.source_id == item.source_id)
        ]

    def touch(self, item, post):
        """`item` is being saved, into `post` (or a new post): what it changes is not known."""
        self.touched |= {("slug", item.slug), ("source", item.source_id)}
        if post is not None:
            self.touched |= {("slug", post.slug), ("source", post.source_id)}


def prepare(item, rules=None):
    """Work out beforehand what saving `item` needs and no database (given the affiliate
    `rules`, else the current ones): its body rendered, and its FAQ answers (as {answer:
    HTML}, under "answers_html"; one that cannot be is left to the save, which says why), with
    the fingerprint of the rules used (under "rules")."""
    rules = rules or current_rules()
    try:
        derived = Post.derive(item.body, rules, item.slug)
    except ValidationError as refused:
        item.derived = (item.body, refused)
        return item
    derived["rules"] = rules.fingerprint
    derived["answers_html"] = {}
    for _, answer in item.faqs:
        try:
            derived["answers_html"][answer] = rendered_or_invalid(
                answer, "answer", rules, item.slug
            )[0]
        except ValidationError:
            pass
    item.derived = (item.body, derived)
    return item


def find_post(item, known=None):
    """The post an item updates: by slug, then by source id (or the UUID export_posts writes).

    A slug held by a post written here, not imported, is not taken over: that would replace
    someone's work with a file that merely chose the same address.
    """
    found = known.posts_for(item) if known else None
    if found is None:  # one query for both (in the model's order, as .first() would pick)
        lookup = Q(slug=item.slug) | (Q(source_id=item.source_id) & ~Q(source_id=""))
        found = list(Post.objects.select_for_update().filter(lookup))  # as Known reads them
    by_slug = next((post for post in found if post.slug == item.slug), None)
    if by_slug is not None and (by_slug.source_id or by_slug.source_id == item.source_id):
        return by_slug
    by_source = next(
        (post for post in found if post.source_id and post.source_id == item.source_id), None
    )
    if by_source is None and _is_uuid(item.source_id):
        by_source = Post.objects.select_for_update().filter(uuid=item.source_id).first()
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


def _content(item, body, status, authors, topics):
    """What `item` says, as post content (see Post.apply_content)."""
    content = {
        "title": item.title[:200],
        "slug": item.slug,
        "description": item.description[:300],
        "body": body,
        "status": status,
        "tags": item.tags,
        "topics": topics,
        "authors": authors,
        "faqs": [{"question": q[:300], "answer": a} for q, a in item.faqs],
        "references": [_reference(reference) for reference in item.references],
    }
    if item.publish_at:
        content["publish_at"] = item.publish_at
    return content


def _fields(item):
    """The post's fields outside its content that an import sets (the featured image only when
    the import's media folder gave it one: see blog/importers/media.py)."""
    fields = {
        "kind": item.kind,
        "source_id": item.source_id[:255],
        "canonical_url": item.canonical_url,
        "noindex": item.noindex,
        "featured_image_alt": item.featured_image_alt[:250],
        "metadata": _metadata(item),
    }
    if item.featured_image_id is not None:
        fields["featured_image_id"] = item.featured_image_id
    return fields


def _holds(post, item, body, status, known):
    """Whether `post` already is what `item` says (read-only: nothing is made to find out)."""
    authors = [_find_author(name, known) for name in item.authors]
    topics = [_find_topic(name, known) for name in item.topics]
    if None in authors or None in topics:
        return False  # the import would create them
    content = _content(item, body, status, [a.username for a in authors], [t.slug for t in topics])
    fields = _fields(item)
    return post.holds(content) and all(
        getattr(post, field) == value for field, value in fields.items()
    )


def _checksum(content):
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _status_for(item, requested, current):
    if item.status == Status.DRAFT:
        return Status.DRAFT
    if current is not None and requested is None:
        return current  # re-importing does not move a post through the workflow
    return requested or item.status or Status.DRAFT


def _metadata(item):
    """What the source said that Byline has no field for, as JSON (dates become ISO text)."""
    data = dict(item.metadata)
    if item.featured_image:
        data["featured_image"] = item.featured_image
    if item.updated_at:
        data["updated"] = item.updated_at.isoformat()
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _reference(reference):
    return {
        "title": str(reference.get("title") or reference.get("url") or "")[:300],
        "publisher": str(reference.get("publisher") or "")[:200],
        "year": year(reference.get("year")) if isinstance(reference.get("year"), int) else None,
        "url": str(reference.get("url") or "")[:500],
    }


def _find_author(name, known):
    if name in known.authors:
        return known.authors[name]
    User = get_user_model()
    found = (
        User.objects.filter(display_name__iexact=name).first()
        or User.objects.filter(username__iexact=name).first()
    )
    if found is not None:
        known.authors[name] = found
    return found


def _author(name, known):
    """The account for a byline name; a missing author becomes a Contributor who cannot log
    in until someone sets a password."""
    if existing := _find_author(name, known):
        return existing
    User = get_user_model()
    username = unique_slug(
        name,
        lambda taken: User.objects.filter(username=taken).exists(),
        max_length=140,
        fallback="author",
    )
    user = User(username=username, display_name=name[:150])
    user.set_unusable_password()
    user.save()
    user.groups.add(*Group.objects.filter(name="Contributor"))
    known.authors[name] = user
    return user


def _find_topic(name, known):
    if name not in known.topics:
        found = Topic.objects.filter(name__iexact=name[:80]).first()
        if found is None:
            return None
        known.topics[name] = found
    return known.topics[name]


def _topic(name, known):
    """The topic of that name, made if missing (names of any script get a slug of their own)."""
    if topic := _find_topic(name, known):
        return topic
    slug = unique_slug(
        name[:80],
        lambda taken: Topic.objects.filter(slug=taken).exists(),
        max_length=70,
        fallback="topic",
        allow_unicode=True,
    )
    known.topics[name] = Topic.objects.create(name=name[:80], slug=slug)
    return known.topics[name]


def link_related(body, related, post):
    """Point "Related:" links (to # or to a bare title) at the posts they name, where one
    exists; return the new body and the titles that matched no post."""
    unresolved = []
    for title, url in related:
        if url.startswith(REAL_ADDRESS):
            continue
        target = Post.objects.filter(title__iexact=title).exclude(slug=post.slug).first()
        if target is None:
            unresolved.append(title)
            continue
        body = body.replace(f"[{title}]({url})", f"[{title}]({target.get_absolute_url()})")
    return body, unresolved


def resolve_related(imported, dry_run=False):
    """After a run, link what pointed at posts imported later in it; `imported` holds
    (slug, related links) pairs. Links still unresolved are kept as waiting for their post
    (they render as plain text meanwhile), and the posts of earlier runs that waited for a
    post this run brought link to it now. Return (slug, title) for every link still
    unresolved."""
    unresolved = []
    titles = {slug for slug, _ in imported}
    for slug, related in imported:
        related = [(title, url) for title, url in related if not url.startswith(REAL_ADDRESS)]
        if not related:
            continue  # nothing to resolve: no need to load the post
        with transaction.atomic():
            post = Post.objects.select_for_update().filter(slug=slug).first()
            if post is None or dry_run:  # a dry run wrote nothing: check the titles only
                unresolved += [
                    (slug, title)
                    for title, url in related
                    if not Post.objects.filter(title__iexact=title).exists() and title not in titles
                ]
                continue
            missing = _link_and_save(post, related)
            _wait_for(post, missing)
            unresolved += [(slug, title) for title in missing]
    if not dry_run:
        _resolve_waiting({slug for slug, _ in imported})
    return unresolved


def _link_and_save(post, related):
    """Point `post`'s related links at the posts they name, saved (rendered again) with
    history as the import's own change; the titles still unresolved."""
    body, missing = link_related(post.body, related, post)
    if body != post.body:
        post.body = body
        batch = HistoryBatch(announce=False)
        post.save_with_history(note="Related links resolved", update_fields=["body"], batch=batch)
        (revision,) = batch.write()
        if post.import_checksum:  # not an edit made here: importing the file again may update
            post.import_checksum = _checksum(revision.data)
            Post.objects.filter(pk=post.pk).update(import_checksum=post.import_checksum)
    return missing


def _wait_for(post, titles):
    """Note the titles `post` links to that are no post yet, and forget those that are."""
    keys = {title_key(title): title for title in titles}
    WaitingRelatedLink.objects.filter(post=post).exclude(title_key__in=keys).delete()
    WaitingRelatedLink.objects.bulk_create(
        [
            WaitingRelatedLink(post=post, title=title[:300], title_key=key)
            for key, title in keys.items()
        ],
        ignore_conflicts=True,
    )


def _resolve_waiting(slugs):
    """The posts of earlier imports whose related links wait for a post imported now (by
    `slugs`): linked, and rendered again."""
    keys = {
        title_key(title)
        for title in Post.objects.filter(slug__in=slugs).values_list("title", flat=True)
    }
    waiting = WaitingRelatedLink.objects.filter(title_key__in=keys).exclude(post__slug__in=slugs)
    for post_id in sorted(set(waiting.values_list("post_id", flat=True))):
        with transaction.atomic():
            post = Post.objects.select_for_update().filter(pk=post_id).first()
            if post is None:
                continue
            related = [
                (title, url)
                for title, url in body_sections.related_links(post.body)
                if not url.startswith(REAL_ADDRESS)
            ]
            _wait_for(post, _link_and_save(post, related))
