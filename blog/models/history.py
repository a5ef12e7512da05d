"""A post's history: its state changes (the audit trail) and its revisions."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format

from blog.render_limits import MarkdownRefused
from blog.workflow import SCHEDULED, Status


class StateChange(models.Model):
    """The audit trail: who moved which post from one state to another, and when."""

    post = models.ForeignKey("blog.Post", on_delete=models.CASCADE, related_name="state_changes")
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    publish_at = models.DateTimeField("publish time then")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        get_latest_by = "at"
        verbose_name = "state change"

    def __str__(self):
        return f"{self.post}: {self.from_status or 'new'} → {self.to_status}"

    def description(self):
        if self.to_status == Status.PUBLISHED and self.publish_at > self.at:
            when = date_format(timezone.localtime(self.publish_at), "DATETIME_FORMAT")
            return f"Scheduled for {when}"
        return {
            Status.DRAFT: "Back to draft" if self.from_status else "Created as draft",
            Status.IN_REVIEW: "Submitted for review",
            Status.PUBLISHED: "Published",
            Status.ARCHIVED: "Archived",
        }[self.to_status]


class Revision(models.Model):
    """A post as it was after one save: text, tags, topics, authors, FAQs and references."""

    post = models.ForeignKey("blog.Post", on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    # The post's version this revision holds the content of (null: kept before versions were).
    version = models.PositiveIntegerField(null=True, blank=True)
    data = models.JSONField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="unique_revision_number")
        ]

    # What restoring puts back: the words and what hangs off them. Not the status or publish
    # time (old words never publish or unpublish anything), nor the byline (who may stand on it
    # is for the byline rule to say, in the post form).
    RESTORED = (
        "title",
        "seo_title",
        "slug",
        "description",
        "body",
        "tags",
        "topics",
        "faqs",
        "references",
    )

    def __str__(self):
        return f"{self.post} #{self.number}"

    def publish_time(self):
        moment = self.data.get("publish_at")
        return dt.datetime.fromisoformat(moment) if moment else None

    def state(self):
        """The post's state when this revision was saved, "scheduled" for a published post
        whose time was still ahead then (as the post list would have said)."""
        status, when = self.data.get("status"), self.publish_time()
        return SCHEDULED if status == Status.PUBLISHED and when and when > self.at else status

    def state_display(self):
        if self.state() == SCHEDULED:
            when = date_format(timezone.localtime(self.publish_time()), "DATETIME_FORMAT")
            return f"Scheduled for {when}"
        status = self.data.get("status")
        return Status(status).label if status in Status.values else ""

    def shown_data(self):
        """The revision as its diff shows it: the state for the status, the publish time in
        the site's format."""
        when = self.publish_time()
        return {
            **self.data,
            "status": self.state_display(),
            "publish_at": date_format(timezone.localtime(when), "DATETIME_FORMAT") if when else "",
        }

    def _submitted(self):
        """The revision's FAQ answers and reference addresses, as a form submits them."""
        faqs, references = self.data.get("faqs"), self.data.get("references")
        return {
            "faq_answers": None if faqs is None else [faq["answer"] for faq in faqs],
            "reference_urls": None if references is None else [ref["url"] for ref in references],
        }

    def restore(self, by, based_on=None):
        """Put this revision's content back into its post, keeping a revision of that. Raises
        ValidationError, changing nothing, when the old slug is no longer free for `by` to take
        (see Post.check_slug) or a live post could not be published so (see
        check_ready_to_publish), and EditConflict when the post is no longer at version
        `based_on` (what `by` saw when choosing to restore): restoring is never merged."""
        with transaction.atomic():
            posts = self._meta.get_field("post").related_model.objects
            post = posts.select_for_update().get(pk=self.post_id)  # as it is, until saved
            post.apply_content({key: self.data[key] for key in self.RESTORED if key in self.data})
            post.check_slug(by)
            if post.status == post.Status.PUBLISHED:  # live or scheduled: as an edit of it is
                try:
                    post.check_ready_to_publish(self._submitted())
                except MarkdownRefused as refused:  # text stored before today's limits
                    raise ValidationError(str(refused), code="markdown_refused") from None
            return post.save_with_history(
                by=by, note=f"Restored revision {self.number}", based_on=based_on, merge=False
            )
