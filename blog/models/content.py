"""A post's content as a whole, and the one way every writer saves a post.

Content is what a revision keeps: the text fields, the status and publish time, and what hangs
off the post (tags, topics, the ordered byline, FAQs and references), as plain data. Writers
(the admin form, workflow buttons and bulk actions, revision restore, the importers and so the
demo loader) set fields or apply content, then call save_with_history().
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from blog.models.parts import FAQ, PostAuthor, Reference, Topic
from blog.workflow import Status

# The post's own fields that content holds, beside its status, publish time and parts.
TEXT_FIELDS = ("title", "slug", "description", "body")
PARTS = ("tags", "topics", "authors", "faqs", "references")
REFERENCE_FIELDS = ("title", "publisher", "year", "url")


def canonical(key, value):
    """`value` for content's `key` in the form content() gives it: tags and topics sorted
    without repeats, authors without repeats, a publish time as UTC ISO 8601 in whole
    seconds."""
    if key in ("tags", "topics"):
        return sorted(set(value))
    if key == "authors":
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
        names and topic slugs (sorted), authors' usernames (in byline order), FAQs and
        references (in order)."""
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
        self._applied_parts = {
            **getattr(self, "_applied_parts", {}),
            **{part: content[part] for part in PARTS if part in content},
        }

    def holds(self, content):
        """Whether the post as stored already holds `content` (in apply_content()'s terms):
        what an unchanged import is."""
        stored = self.content()
        return all(stored[key] == canonical(key, value) for key, value in content.items())

    def save_with_history(self, *, by=None, note="", update_fields=None):
        """Save the post (see save(); `update_fields` as there, [] for parts only) and the parts
        apply_content() gave, record a state change if the status moved (or a scheduled post's
        time: rescheduling, or publishing it at once), and keep a revision
        unless the content is as the last one kept. All or nothing: an error (a body beyond the
        rendering limits, say) leaves the database as it was. Returns the newest revision."""
        parts = getattr(self, "_applied_parts", {})
        with transaction.atomic():
            stored = type(self).objects.filter(pk=self.pk).values_list("status", "publish_at")
            before = stored.first() if self.pk else None
            # Once, below, not after every FAQ and tag: the search text and stored blocks.
            self._defer_derived = True
            try:
                self.save(update_fields=update_fields)
                written = self._write_parts(parts, new=before is None)
            finally:
                self._defer_derived = False
            self.update_search_vector()
            # What pages show of the parts (only those written), and the post's listings if
            # its visibility or what it is listed under changed.
            moved = before != (self.status, self.publish_at)
            type(self).store_derived(
                [self], written, listings=moved or bool(written & {"tags", "topics", "authors"})
            )
            if before is None or _state(*before) != _state(self.status, self.publish_at):
                self.state_changes.create(
                    from_status=before[0] if before else "",
                    to_status=self.status,
                    publish_at=self.publish_at,
                    by=by,
                )
            revision = self._keep_revision(by, note)
        self._applied_parts = {}
        return revision

    def _keep_revision(self, by, note):
        data = self.content()
        latest = self.revisions.first()
        if latest and latest.data == data:
            return latest
        number = latest.number + 1 if latest else 1
        return self.revisions.create(number=number, data=data, by=by, note=note)

    def _stored_parts(self):
        return {
            "tags": sorted(self.tags.names()),
            "topics": sorted(self.topics.values_list("slug", flat=True)),
            "authors": list(
                self.postauthor_set.order_by("order", "pk").values_list(
                    "author__username", flat=True
                )
            ),
            "faqs": [
                {"question": q, "answer": a}
                for q, a in self.faqs.order_by("order", "pk").values_list("question", "answer")
            ],
            "references": [
                dict(zip(REFERENCE_FIELDS, values, strict=True))
                for values in self.references.order_by("order", "pk").values_list(*REFERENCE_FIELDS)
            ],
        }

    def _write_parts(self, parts, new):
        """The one place a post's tags, topics, byline, FAQs and references are written; a
        part already as given is left untouched. Returns the names of the parts written."""
        if not parts:
            return set()
        stored = dict.fromkeys(PARTS, []) if new else self._stored_parts()
        changed = {
            part: canonical(part, value)
            for part, value in parts.items()
            if canonical(part, value) != stored[part]
        }
        if "tags" in changed:
            self.tags.set(changed["tags"])
        if "topics" in changed:
            self.topics.set(Topic.objects.filter(slug__in=changed["topics"]))
        if "authors" in changed:
            self._write_byline(changed["authors"])
        if "faqs" in changed:
            self.faqs.all().delete()
            for order, faq in enumerate(changed["faqs"], start=1):
                FAQ(post=self, order=order, question=faq["question"], answer=faq["answer"]).save()
        if "references" in changed:
            self.references.all().delete()
            Reference.objects.bulk_create(
                Reference(post=self, order=order, **reference)
                for order, reference in enumerate(changed["references"], start=1)
            )
        return set(changed)

    def _write_byline(self, usernames):
        users = get_user_model().objects.in_bulk(usernames, field_name="username")
        if missing := [name for name in usernames if name not in users]:
            raise ValidationError({"authors": f"No account is called “{missing[0]}”."})
        PostAuthor.objects.filter(post=self).delete()
        PostAuthor.objects.bulk_create(
            PostAuthor(post=self, author=users[name], order=order)
            for order, name in enumerate(usernames, start=1)
        )
