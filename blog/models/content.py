"""A post's content as a whole, and the one way every writer saves a post.

Content is what a revision keeps: the text fields, the status and publish time, and what hangs
off the post (tags, topics, the ordered byline, FAQs and references), as plain data. Writers
(the admin form, workflow buttons and bulk actions, revision restore, the importers and so the
demo loader) set fields or apply content, then call save_with_history(); many posts at once
(an import) share a HistoryBatch, which writes their parts, search text, state changes and
revisions in a few statements for all of them.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.sql import Query
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from blog import merging
from blog.fragments import store_fragments
from blog.models.history import Revision, StateChange
from blog.models.media import ImageUse
from blog.models.parts import FAQ, PostAuthor, Reference, Topic
from blog.models.passages import write_passages
from blog.models.stored import LISTED_PARTS, writing_batch
from blog.rendering import rendered_or_invalid
from blog.workflow import Kind, Status

# The post's own fields that content holds, beside its status, publish time and parts.
TEXT_FIELDS = ("title", "seo_title", "slug", "description", "body")
PARTS = ("tags", "topics", "authors", "faqs", "references")
REFERENCE_FIELDS = ("title", "publisher", "year", "url")
# Fields a save writes that no revision keeps: merged over the base a form gives for them (see
# save_with_history's `loaded`), or none (a difference is then a conflict). The planned day is
# a plan for the calendar, not content: restoring old words never replans a post.
UNVERSIONED_FIELDS = ("featured_image_alt", "canonical_url", "noindex", "disclosure", "planned_for")


class EditConflict(Exception):
    """A save based on an older version of the post than the stored one, refused: its changes
    clash with those saved since (`merge`, with `mine` and `theirs` as content), or its writer
    does not merge (`merge` None). `version` is the stored version, `by` the names of those who
    saved since."""

    def __init__(self, version, by, merge=None, mine=None, theirs=None):
        super().__init__(f"The post was saved (version {version}) since this change began.")
        self.version, self.by, self.merge, self.mine, self.theirs = version, by, merge, mine, theirs


def canonical(key, value):
    """`value` for content's `key` in the form content() gives it: tags sorted without
    repeats, topics (the first is the primary one) and authors in order without repeats, a
    publish time as UTC ISO 8601 in whole seconds."""
    if key == "tags":
        return sorted(set(value))
    if key in ("topics", "authors"):
        return list(dict.fromkeys(value))
    if key == "publish_at":
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        return moment.replace(microsecond=0).astimezone(dt.UTC).isoformat()
    return value


def _state(status, publish_at):
    """What the audit trail records a change of: the status, and for a scheduled post its
    time (rescheduling, or publishing it at once, is a step of its own)."""
    scheduled = status == Status.PUBLISHED and publish_at > timezone.now()
    return status, publish_at if scheduled else None


class PostContent:
    """Mixed into Post."""

    def content(self):
        """The post as it is stored: text fields, status, publish time (UTC, ISO 8601), tag
        names (sorted), topic slugs (the primary first), authors' usernames (in byline order),
        FAQs and references (in order)."""
        return {
            **{field: getattr(self, field) for field in TEXT_FIELDS},
            "status": self.status,
            "publish_at": canonical("publish_at", self.publish_at),
            **self._stored_parts(),
        }

    def apply_content(self, content):
        """Make the post hold `content`, in content()'s shape; keys left out stay as they are.
        The post's own fields are set at once (unsaved), its parts by save_with_history()."""
        for field in (*TEXT_FIELDS, "status"):
            if field in content:
                setattr(self, field, content[field])
        if "publish_at" in content:
            moment = content["publish_at"]
            self.publish_at = (
                dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment
            )
        self._loaded_parts = None
        parts = {part: content[part] for part in PARTS if part in content}
        if self.kind == Kind.PAGE:  # in no list: a page has no tags or topics to be listed under
            parts.update({part: [] for part in ("tags", "topics") if part in parts})
        self._applied_parts = {**getattr(self, "_applied_parts", {}), **parts}

    def holds(self, content):
        """Whether the post as stored already holds `content` (in apply_content()'s terms):
        what an unchanged import is."""
        stored = self.content()
        return all(stored[key] == canonical(key, value) for key, value in content.items())

    def unversioned_fields(self):
        """The fields a save writes that no revision keeps, as {name: value}, as JSON holds
        them (a form's `loaded`): the planned day as ISO 8601."""
        values = {name: getattr(self, name) for name in UNVERSIONED_FIELDS}
        if isinstance(values["planned_for"], dt.date):
            values["planned_for"] = values["planned_for"].isoformat()
        return values

    def _apply_unversioned(self, values):
        for name in UNVERSIONED_FIELDS:
            value = values[name]
            if name == "planned_for" and isinstance(value, str):
                value = dt.date.fromisoformat(value) if value else None
            setattr(self, name, value)

    def save_with_history(
        self,
        *,
        by=None,
        note="",
        update_fields=None,
        batch=None,
        based_on=None,
        merge=True,
        loaded=None,
    ):
        """Save the post (see save(); `update_fields` as there, [] for parts only) and the parts
        apply_content() gave, record a state change if the status moved (or a scheduled post's
        time: rescheduling, or publishing it at once), and keep a revision
        unless the content is as the last one kept. All or nothing: an error (a body beyond the
        rendering limits, say) leaves the database as it was. Returns the newest revision.

        Every save moves the post's version on, under a lock on its row. `based_on` is the
        version the change began from (a form's): if the post was saved since, this save is
        merged with those saves (see blog/merging.py; `last_merge` then says what came in), or
        refused with EditConflict, writing nothing, where they clash or when `merge` is false.
        `loaded` gives the base of the fields no revision keeps (see unversioned_fields(); a
        form's), without which a difference there is a conflict. Writers that read the post
        under the lock, in this transaction, need no `based_on`.

        Given a HistoryBatch, only the post's row is written now, in the caller's transaction,
        and the rest by batch.write() for all its posts at once (which returns the revisions);
        without one, the post is a batch of its own."""
        if batch is None:
            with transaction.atomic():
                batch = HistoryBatch()
                self.save_with_history(
                    by=by,
                    note=note,
                    update_fields=update_fields,
                    batch=batch,
                    based_on=based_on,
                    merge=merge,
                    loaded=loaded,
                )
                return batch.write()[0]
        before, self.last_merge = None, None
        stored = None
        if self.pk:
            rows = type(self).objects.select_for_update().filter(pk=self.pk)
            stored = rows.values_list("version", "status", "publish_at").first()
        if stored:
            version, before = stored[0], stored[1:]
            if based_on is not None and based_on != version:
                self._merge_saved(based_on, version, merge, loaded)
                update_fields = None  # the merge may have changed any field
            self.version = version + 1
            if update_fields is not None:
                update_fields = [*update_fields, "version"]
        else:
            self.version = 1
        # The batch writes the search text and stored blocks once, after the parts, and moves
        # the page cache on once for all its posts (blog.caching.post_changed leaves it).
        self._defer_derived = True
        row_saved = update_fields != ["version"]
        try:
            if row_saved:
                self.save(update_fields=update_fields)
            else:  # parts only: save() would write nothing
                type(self).objects.filter(pk=self.pk).update(version=self.version)
        finally:
            self._defer_derived = False
        batch.add(self, before=before, by=by, note=note, row_saved=row_saved)
        return None

    def _merge_saved(self, based_on, version, merge, loaded_fields):
        """Merge this save, begun from version `based_on`, with what is stored (`version`), or
        raise EditConflict; the merge (with `by`: who saved since) is kept in `last_merge`."""
        since = Revision.objects.filter(post_id=self.pk, version__gt=based_on).select_related("by")
        by = list(dict.fromkeys(r.by.name for r in since.order_by("number") if r.by)) or [
            "someone else"
        ]
        if not merge:
            raise EditConflict(version, by)
        loaded = (
            Revision.objects.filter(post_id=self.pk, version__lte=based_on)
            .order_by("-version", "-number")
            .first()
        )
        base = loaded.data if loaded else None
        if base is not None and loaded_fields:
            base = {
                **base,
                **{n: loaded_fields[n] for n in UNVERSIONED_FIELDS if n in loaded_fields},
            }
        current = type(self).objects.get(pk=self.pk)
        theirs = {**current.content(), **current.unversioned_fields()}
        applied = getattr(self, "_applied_parts", {})
        mine = {
            **{field: getattr(self, field) for field in TEXT_FIELDS},
            **self.unversioned_fields(),
            "status": self.status,
            "publish_at": canonical("publish_at", self.publish_at),
            **{
                part: canonical(part, applied[part]) if part in applied else (base or theirs)[part]
                for part in PARTS
            },
        }
        result = merging.merge(base, theirs, mine)
        result.by = by
        if not result.clean:
            raise EditConflict(version, by, result, mine, theirs)
        self._apply_unversioned(result.content)
        self.apply_content(
            {key: result.content[key] for key in (*TEXT_FIELDS, "status", "publish_at", *PARTS)}
        )
        self.last_merge = result

    def _stored_parts(self):
        if getattr(self, "_loaded_parts", None) is not None:
            return self._loaded_parts
        return stored_parts([self])[self.pk]

    @staticmethod
    def load_parts(posts):
        """Read the parts of `posts` (saved) in five queries, for content() to use until
        apply_content() or a HistoryBatch's write changes them (nothing else clears them: an
        import compares the posts of one batch, then drops them)."""
        parts = stored_parts(posts)
        for post in posts:
            post._loaded_parts = parts[post.pk]


def stored_parts(posts):
    """{post pk: its parts as content() gives them} for saved `posts`, in five queries."""
    pks = [post.pk for post in posts]
    parts = {pk: {part: [] for part in PARTS} for pk in pks}
    if not pks:
        return parts
    post_type = ContentType.objects.get_for_model(type(posts[0]))
    tagged = TaggedItem.objects.filter(content_type=post_type, object_id__in=pks)
    for pk, name in tagged.values_list("object_id", "tag__name"):
        parts[int(pk)]["tags"].append(name)
    # In the order they were given: the rows are written in that order (_write_topics).
    topics = type(posts[0]).topics.through.objects.filter(post_id__in=pks).order_by("pk")
    for pk, slug in topics.values_list("post_id", "topic__slug"):
        parts[pk]["topics"].append(slug)
    for pk in pks:
        parts[pk]["tags"].sort()
    byline = PostAuthor.objects.filter(post_id__in=pks).order_by("order", "pk")
    for pk, username in byline.values_list("post_id", "author__username"):
        parts[pk]["authors"].append(username)
    faqs = FAQ.objects.filter(post_id__in=pks).order_by("order", "pk")
    for pk, question, answer in faqs.values_list("post_id", "question", "answer"):
        parts[pk]["faqs"].append({"question": question, "answer": answer})
    references = Reference.objects.filter(post_id__in=pks).order_by("order", "pk")
    for pk, *values in references.values_list("post_id", *REFERENCE_FIELDS):
        parts[pk]["references"].append(dict(zip(REFERENCE_FIELDS, values, strict=True)))
    return parts


class HistoryBatch:
    """Posts whose rows save_with_history() wrote into this batch, waiting for the rest of
    that save: write() writes the parts apply_content() gave, the search text, the state
    changes and the revisions of all of them in a few statements, in the caller's transaction.
    The one way those are written, for one post or many."""

    def __init__(self, *, announce=True):
        self.entries = []  # (post, parts, status and publish time before, by, note)
        self.saved_rows = set()  # the pks of the posts whose rows save() wrote
        # Whether the go-live outbox hears of what these saves publish, change or take back
        # (imports say no: blog/golive.py keeps only their scheduled posts' go-live).
        self.announce = announce

    def add(self, post, *, before, by, note, row_saved=True):
        self.entries.append((post, getattr(post, "_applied_parts", {}), before, by, note))
        if row_saved:
            self.saved_rows.add(post.pk)

    def write(self):
        """Write what the posts wait for; return their newest revisions, in order."""
        if not self.entries:
            return []
        posts = [post for post, *_ in self.entries]
        type(posts[0]).free_addresses(posts)
        batch_writing = writing_batch.set(True)  # receivers leave it to _store_derived()
        try:
            written = self._write_parts()
        finally:
            writing_batch.reset(batch_writing)
        _bump_if_public(
            [post for post in posts if post.pk in written or post.pk in self.saved_rows]
        )
        write_search_vectors(posts)
        self._store_derived(written)
        ImageUse.record(posts)
        changes = {
            post.pk: StateChange(
                post=post,
                from_status=before[0] if before else "",
                to_status=post.status,
                publish_at=post.publish_at,
                by=by,
            )
            for post, _, before, by, _ in self.entries
            if before is None or _state(*before) != _state(post.status, post.publish_at)
        }
        StateChange.objects.bulk_create(changes.values())
        revisions, revised = self._keep_revisions(changes)
        from blog import golive  # it needs the models

        golive.record_changes(
            [(post, before, post.pk in revised, by) for post, _, before, by, _ in self.entries],
            announce=self.announce,
        )
        for post in posts:
            post._applied_parts, post._loaded_parts = {}, None
        self.entries, self.saved_rows = [], set()
        return revisions

    def _write_parts(self):
        """Write the parts that differ from what is stored; return the posts that changed."""
        existing = [post for post, parts, before, *_ in self.entries if parts and before]
        stored = stored_parts(existing)
        changes = []  # (post, {part: value in content()'s form}, whether the post is new)
        for post, parts, before, *_ in self.entries:
            old = stored.get(post.pk) or dict.fromkeys(PARTS, [])
            changed = {
                part: canonical(part, value)
                for part, value in parts.items()
                if canonical(part, value) != old[part]
            }
            if changed:
                changes.append((post, changed, before is None))
        if not changes:
            return {}
        _write_tags(changes, stored)
        _write_topics(changes)
        _write_bylines(changes)
        _write_faqs(changes)
        _write_references(changes)
        return {post.pk: set(changed) for post, changed, _ in changes}

    def _store_derived(self, written):
        """What pages show of the parts written ({post pk: part names}), the listings of the
        posts whose visibility or tags, topics or byline changed, every post's fragments: three
        calls at most, so a batch takes the same number of queries however its posts differ."""
        parts, with_parts, listed = set(), [], []
        for post, _, before, *_ in self.entries:
            written_here = written.get(post.pk, set())
            if written_here:
                parts |= written_here
                with_parts.append(post)
            if before != (post.status, post.publish_at) or written_here & LISTED_PARTS:
                listed.append(post)
        model = type(self.entries[0][0])
        if with_parts:
            model.store_derived(with_parts, sorted(parts), listings=False, fragments=False)
        if listed:
            model.store_derived(listed, [], listings=True, fragments=False)
        # Every post's row was written, and its fragments show the row (title, time, …).
        store_fragments([post.pk for post, *_ in self.entries])

    def _keep_revisions(self, changes):
        """A revision of each post, unless its content is as its latest revision's; returns
        them and the pks of the posts given a new one. A revision says what made it: the note
        given, else the state change made with it (`changes`, by post pk), else an edit."""
        posts = [post for post, *_ in self.entries]
        parts = stored_parts(posts)
        latest = {}
        if known := [post.pk for post, _, before, *_ in self.entries if before]:
            newest = Revision.objects.filter(post=OuterRef("post")).order_by("-number")
            for revision in Revision.objects.filter(
                post_id__in=known, number=Subquery(newest.values("number")[:1])
            ):
                latest[revision.post_id] = revision
        revisions, new = [], []
        for post, _, before, by, note in self.entries:
            data = {
                **{field: getattr(post, field) for field in TEXT_FIELDS},
                "status": post.status,
                "publish_at": canonical("publish_at", post.publish_at),
                **parts[post.pk],
            }
            last = latest.get(post.pk)
            if last is not None and last.data == data:
                revisions.append(last)
                continue
            revision = Revision(
                post=post,
                number=last.number + 1 if last else 1,
                version=post.version,
                data=data,
                by=by,
                note=note
                or (changes[post.pk].description() if post.pk in changes else "")
                or ("Created" if before is None else "Edited"),
            )
            revisions.append(revision)
            new.append(revision)
        Revision.objects.bulk_create(new)
        return revisions, {revision.post_id for revision in new}


def write_search_vectors(posts):
    """Store each post's full-text document in its search entry (PostgreSQL only; see
    blog/models/search_entries.py and Post.search_document_of): one statement, compiled once,
    sent for all of them; and its body's passages, which search results' snippets are read from
    (blog/models/passages.py). The one way search text is written, for a batch of saves or one
    post (Post.update_search_vector)."""
    if connection.vendor != "postgresql":
        return
    model = type(posts[0])
    post_type = ContentType.objects.get_for_model(model)
    pks = [post.pk for post in posts]
    tags = {pk: [] for pk in pks}
    tagged = TaggedItem.objects.filter(content_type=post_type, object_id__in=pks)
    for pk, name in tagged.values_list("object_id", "tag__name").order_by("tag__name"):
        tags[int(pk)].append(name)
    faqs = {pk: [] for pk in pks}
    answers = FAQ.objects.filter(post_id__in=pks).order_by("order", "pk")
    for pk, question, answer_html in answers.values_list("post_id", "question", "answer_html"):
        faqs[pk].append((question, answer_html))
    sql, params, where = _search_vector_upsert(model)
    rows = []
    for post in posts:
        row = list(params)
        row[where["tags"]], row[where["text"]] = post.search_texts(tags[post.pk], faqs[post.pk])
        row[where["pk"]] = post.pk
        rows.append(row)
    # One transaction: the entries' rows are locked by the first writer, so two writers of one
    # post replace its passages one after the other, never both inserting at once.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        write_passages([(post.pk, post.body_html) for post in posts])


# Stand-ins compiled into the search text statement, replaced by each post's values.
_STAND_INS = {"tags": "\x00tags\x00", "text": "\x00text\x00", "pk": -0x5EA4C4}
# A post's search entry with its document (a row the trigger of migration 0033 has made as the
# post was inserted; made here too, should one be missing).
_UPSERT_SQL = """
INSERT INTO {entry} (post_id, status, kind, publish_at, search_vector)
SELECT {post}.id, {post}.status, {post}.kind, {post}.publish_at, {document}
FROM {post} WHERE {post}.id = %s
ON CONFLICT (post_id) DO UPDATE SET search_vector = EXCLUDED.search_vector
"""


def _search_vector_upsert(model):
    """(SQL, parameters, where each stand-in is among them) of the statement that stores one
    post's search_document_of() in its search entry: compiled once for a batch by Django
    itself, not once per post (compiling the expression cost 0.6 ms a post)."""
    from blog.models.search_entries import SearchEntry

    query = Query(model)
    document = model.search_document_of(_STAND_INS["tags"], _STAND_INS["text"])
    compiler = query.get_compiler(connection.alias)
    document_sql, params = compiler.compile(document.resolve_expression(query))
    quote = connection.ops.quote_name
    sql = _UPSERT_SQL.format(
        entry=quote(SearchEntry._meta.db_table),
        post=quote(model._meta.db_table),
        document=document_sql,
    )
    params = [*params, _STAND_INS["pk"]]
    where = {}
    for name, stand_in in _STAND_INS.items():
        if params.count(stand_in) != 1:
            raise RuntimeError(f"The search text statement has not one {name} parameter: {sql}")
        where[name] = params.index(stand_in)
    return sql, params, where


def _bump_if_public(posts):
    """Move the page cache on, once, if a reader could see one of these posts or could before
    (see blog.caching): their parts were written in bulk, which sends no signals, and their
    rows were saved into the batch, whose signal leaves it to the batch (blog.caching
    post_changed). Once a batch, not once a post: each move makes this process read again what
    it keeps per generation (an import of published posts read the affiliate rules and the
    site's disclosure again for every file)."""
    from blog.caching import post_is_or_was_public
    from blog.content_version import bump_content_generation

    if any(post_is_or_was_public(post) for post in posts):
        bump_content_generation()


def _write_tags(changes, stored):
    changes = [(post, parts["tags"], new) for post, parts, new in changes if "tags" in parts]
    if not changes:
        return
    post_type = ContentType.objects.get_for_model(type(changes[0][0]))
    names = {name for _, wanted, _ in changes for name in wanted}
    tags = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    for name in sorted(names - tags.keys()):
        tags[name] = Tag.objects.get_or_create(name=name)[0]  # as taggit makes them
    for post, wanted, new in changes:
        if not new and (gone := set(stored[post.pk]["tags"]) - set(wanted)):
            TaggedItem.objects.filter(
                content_type=post_type, object_id=post.pk, tag__name__in=gone
            ).delete()
    TaggedItem.objects.bulk_create(
        TaggedItem(content_type=post_type, object_id=post.pk, tag=tags[name])
        for post, wanted, new in changes
        for name in sorted(set(wanted) - set([] if new else stored[post.pk]["tags"]))
    )


def _write_topics(changes):
    changes = [(post, parts["topics"], new) for post, parts, new in changes if "topics" in parts]
    if not changes:
        return
    through = type(changes[0][0]).topics.through
    topics = Topic.objects.in_bulk(
        {slug for _, slugs, _ in changes for slug in slugs}, field_name="slug"
    )
    through.objects.filter(post_id__in=[post.pk for post, _, new in changes if not new]).delete()
    through.objects.bulk_create(
        through(post_id=post.pk, topic_id=topics[slug].pk)
        for post, slugs, _ in changes
        for slug in slugs
        if slug in topics  # as topics.set() with the topics that exist
    )


def _write_bylines(changes):
    changes = [(post, parts["authors"], new) for post, parts, new in changes if "authors" in parts]
    if not changes:
        return
    usernames = {name for _, names, _ in changes for name in names}
    users = get_user_model().objects.in_bulk(usernames, field_name="username")
    for _, names, _ in changes:
        if missing := [name for name in names if name not in users]:
            raise ValidationError({"authors": f"No account is called “{missing[0]}”."})
    PostAuthor.objects.filter(post__in=[post for post, _, new in changes if not new]).delete()
    PostAuthor.objects.bulk_create(
        PostAuthor(post=post, author=users[name], order=order)
        for post, names, _ in changes
        for order, name in enumerate(names, start=1)
    )


def _write_faqs(changes):
    changes = [(post, parts["faqs"], new) for post, parts, new in changes if "faqs" in parts]
    if not changes:
        return
    FAQ.objects.filter(post__in=[post for post, _, new in changes if not new]).delete()
    FAQ.objects.bulk_create(
        FAQ(
            post=post,
            order=order,
            question=faq["question"],
            answer=faq["answer"],
            answer_html=_answer_html(post, faq["answer"]),
        )
        for post, faqs, _ in changes
        for order, faq in enumerate(faqs, start=1)
    )


def _answer_html(post, answer):
    """An FAQ answer as FAQ.save() renders it, unless an import's worker already has (see
    blog/importers/saving.py: prepare)."""
    rendered = getattr(post, "rendered_answers", {})
    if answer in rendered:
        return rendered[answer]
    return rendered_or_invalid(answer, "answer", post_slug=post.slug)[0]


def _write_references(changes):
    changes = [
        (post, parts["references"], new) for post, parts, new in changes if "references" in parts
    ]
    if not changes:
        return
    Reference.objects.filter(post__in=[post for post, _, new in changes if not new]).delete()
    Reference.objects.bulk_create(
        Reference(post=post, order=order, **reference)
        for post, references, _ in changes
        for order, reference in enumerate(references, start=1)
    )
