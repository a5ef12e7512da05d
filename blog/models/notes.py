"""Editorial notes: threaded remarks on a post between the people working on it, with
@mentions that notify (by email, through the go-live outbox). Seen by whoever may see the post
in the admin; never public."""

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

MAX_NOTE_LENGTH = 4000
# @username, as Django's usernames go (letters, digits and @.+-_), ending at a letter or digit.
_MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]*\w)")


class NoteQuerySet(models.QuerySet):
    def threads(self, post):
        """The post's notes, each thread's first note then its replies, oldest first."""
        return (
            self.filter(post=post)
            .select_related("author", "resolved_by")
            .prefetch_related("mentioned")
            .order_by("created_at", "pk")
        )


class EditorialNote(models.Model):
    post = models.ForeignKey("blog.Post", on_delete=models.CASCADE, related_name="notes")
    # A reply belongs to the thread its first note starts (one level: replies to a reply are
    # replies to the thread).
    thread = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=MAX_NOTE_LENGTH)
    mentioned = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "editorial note"

    def __str__(self):
        return f"Note on “{self.post}” by {self.author.name if self.author else 'someone'}"

    @property
    def resolved(self):
        return self.resolved_at is not None

    @classmethod
    def write(cls, post, author, body, thread=None, *, may_see):
        """Add a note (or a reply to `thread`), mention those named with @username who may see
        the post (`may_see(user)`), and record the event that tells them, in one transaction."""
        from blog.golive import record_mentions

        if thread is not None:
            thread = thread.thread or thread
        with transaction.atomic():
            note = cls.objects.create(post=post, author=author, body=body, thread=thread)
            names = set(_MENTION.findall(body))
            people = get_user_model().objects.filter(username__in=names, is_active=True)
            mentioned = [person for person in people if person != author and may_see(person)]
            note.mentioned.set(mentioned)
            if mentioned:
                record_mentions(note)
        return note

    def resolve(self, by):
        """Resolve (or, if resolved, reopen) the thread this note starts."""
        thread = self.thread or self
        if thread.resolved:
            thread.resolved_at, thread.resolved_by = None, None
        else:
            thread.resolved_at, thread.resolved_by = timezone.now(), by
        thread.save(update_fields=["resolved_at", "resolved_by"])
        return thread
