"""Editing in progress, per user and post: autosaved drafts of the post form, and who has which
post open. Neither is content: no revision, no cache change, never shown to readers."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# A never-saved post's drafts are told apart by a key its form makes up (one per browser tab);
# a user keeps only this many of them, the newest.
NEW_POST_DRAFTS_KEPT = 5
MAX_FIELDS = 2_000
MAX_FIELD_NAME = 200
# An open form says so every HEARTBEAT_SECONDS; one silent for PRESENCE_SECONDS is closed.
HEARTBEAT_SECONDS = 10
PRESENCE_SECONDS = 30


class DraftRefused(ValueError):
    """Form data that is not kept as a draft; the message is for the editor, `status` for the
    answer (400 malformed, 413 too large)."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


class EditorDraftQuerySet(models.QuerySet):
    def of(self, user, post=None, key=""):
        """`user`'s draft of `post`, or of the never-saved post with form key `key`."""
        if post is not None:
            return self.filter(user=user, post=post)
        return self.filter(user=user, post__isnull=True, key=key)

    def newest_new_post(self, user, prefix=""):
        """The newest draft `user` keeps of a post never saved, or None; of a page never saved
        with the pages' key `prefix` (keys are otherwise hexadecimal)."""
        drafts = self.filter(user=user, post__isnull=True)
        if prefix:
            drafts = drafts.filter(key__startswith=prefix)
        else:
            drafts = drafts.exclude(key__regex=r"^[^0-9a-f]")
        return drafts.order_by("-updated_at").first()


class EditorDraft(models.Model):
    """What one user had typed in the post form and not saved: the form's fields by name, as
    their browser last sent them. Deleted when they save the post through the form."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="editor_drafts"
    )
    post = models.ForeignKey(
        "blog.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(
        max_length=40, blank=True, help_text="Which never-saved post (empty for a saved one)."
    )
    fields = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = EditorDraftQuerySet.as_manager()

    class Meta:
        verbose_name = "autosaved draft"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "post"],
                condition=Q(post__isnull=False),
                name="one_draft_per_user_and_post",
            ),
            models.UniqueConstraint(
                fields=["user", "key"],
                condition=Q(post__isnull=True),
                name="one_draft_per_user_and_new_post",
            ),
        ]

    def __str__(self):
        return f"{self.user} on {self.post or 'a new post'}"

    @classmethod
    def keep(cls, user, fields, post=None, key=""):
        """Store `fields` as `user`'s draft of `post` (or of the new post `key`), replacing the
        one before; raises DraftRefused for data the form could not have sent."""
        fields = cleaned_fields(fields)
        now = timezone.now()
        draft, _ = cls.objects.update_or_create(
            user=user,
            post=post,
            key="" if post is not None else key,
            defaults={"fields": fields, "updated_at": now},
        )
        if post is None:
            cls.objects.filter(user=user, post__isnull=True).exclude(
                pk__in=cls.objects.filter(user=user, post__isnull=True)
                .order_by("-updated_at")
                .values("pk")[:NEW_POST_DRAFTS_KEPT]
            ).delete()
        return draft

    @classmethod
    def discard(cls, user, post=None, key=""):
        cls.objects.of(user, post, key).delete()


def cleaned_fields(fields):
    """`fields` as a draft keeps them: {name: text or true/false}, of a size a post form can
    have, with a body no longer than a post's may be, and without NUL characters (PostgreSQL
    refuses them in text; a form's save would too). Raises DraftRefused for anything else."""
    if not isinstance(fields, dict) or len(fields) > MAX_FIELDS:
        raise DraftRefused("A draft is the post form's fields by name.")
    cleaned = {}
    for name, value in fields.items():
        if len(name) > MAX_FIELD_NAME or not isinstance(value, str | bool):
            raise DraftRefused("A draft is the post form's fields by name.")
        cleaned[_text(name)] = _text(value) if isinstance(value, str) else value
    body, limit = cleaned.get("body", ""), settings.BYLINE_MARKDOWN_MAX_CHARS
    if isinstance(body, str) and len(body) > limit:
        raise DraftRefused(
            f"The body is {len(body):,} characters long; the limit is {limit:,}. "
            "Not autosaved: shorten it to save the post.",
            status=413,
        )
    return cleaned


def _text(text):
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate: JSON can say it, UTF-8 cannot
        raise DraftRefused("A draft is text: this one is not.") from None
    return text.replace("\x00", "")


class EditorPresence(models.Model):
    """A user with a post's change form open: since when, and when their page last said so."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("blog.Post", on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "editor presence"
        constraints = [
            models.UniqueConstraint(fields=["user", "post"], name="one_presence_per_user_and_post")
        ]

    def __str__(self):
        return f"{self.user} on {self.post}"

    @classmethod
    def heartbeat(cls, user, post):
        """Record that `user` has `post` open now; return the others who have it open, longest
        first. Presence not renewed within the timeout is gone, and starts again if renewed."""
        now = timezone.now()
        fresh = now - timedelta(seconds=PRESENCE_SECONDS)
        cls.objects.filter(seen_at__lt=fresh).delete()
        if not cls.objects.filter(user=user, post=post).update(seen_at=now):
            cls.objects.get_or_create(user=user, post=post, defaults={"since": now, "seen_at": now})
        return list(
            cls.objects.filter(post=post, seen_at__gte=fresh)
            .exclude(user=user)
            .select_related("user")
            .order_by("since", "pk")
        )

    @classmethod
    def leave(cls, user, post):
        cls.objects.filter(user=user, post=post).delete()
