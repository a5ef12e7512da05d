"""The go-live outbox: what happened to a post that the outside world hears of (webhooks, feed
hubs, cache purges, email), recorded in the transaction that made it happen, and each of its
deliveries, done once by the task queue (blog/golive.py runs them)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class EventKind(models.TextChoices):
    PUBLISHED = "post.published", "Post published"
    UPDATED = "post.updated", "Post updated"
    UNPUBLISHED = "post.unpublished", "Post unpublished"
    DELETED = "post.deleted", "Post deleted"
    SUBMITTED = "post.submitted", "Post submitted for review"
    RETURNED_TO_DRAFT = "post.returned_to_draft", "Post sent back to draft"
    NOTE_MENTION = "note.mention", "Mentioned in an editorial note"


# What webhooks may subscribe to: a post's public life.
WEBHOOK_EVENTS = [EventKind.PUBLISHED, EventKind.UPDATED, EventKind.UNPUBLISHED, EventKind.DELETED]


class EventQuerySet(models.QuerySet):
    def closed_before(self, moment):
        """Events due before `moment` whose deliveries are all over: what the log forgets."""
        return (
            self.filter(due_at__lt=moment)
            .exclude(expanded_at=None)
            .exclude(deliveries__in=Delivery.objects.exclude(status__in=CLOSED))
        )

    def due(self, now=None):
        """Events whose time has come and whose deliveries are not yet made."""
        return self.filter(expanded_at=None, due_at__lte=now or timezone.now())

    def waiting_for(self, post):
        """The post's scheduled go-live, if one waits (at most one: see record_change)."""
        return self.filter(post=post, kind=EventKind.PUBLISHED, expanded_at=None)


class Event(models.Model):
    """Something that happened to a post, due at a time: now, or a scheduled post's publish
    time. The scheduler turns a due event into its deliveries (once: `expanded_at`)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40, choices=EventKind)
    post = models.ForeignKey(
        "blog.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the post was, for a deleted post (whose row is gone by the time the event is due).
    snapshot = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The editorial note whose mentions the event tells (note.mention).
    note = models.ForeignKey(
        "blog.EditorialNote", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A published event recorded ahead of the post's time: its authors hear that it went live.
    scheduled = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(db_index=True)
    expanded_at = models.DateTimeField(null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-due_at", "-pk"]
        verbose_name = "go-live event"
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(expanded_at=None), name="golive_event_pending_idx"
            )
        ]

    def __str__(self):
        title = self.snapshot.get("title") or (self.post.title if self.post else "a post")
        return f"{self.get_kind_display()}: {title}"


class Channel(models.TextChoices):
    WEBHOOK = "webhook", "Webhook"
    WEBSUB = "websub", "Feed hub ping"
    PURGE = "purge", "Cache purge"
    EMAIL = "email", "Email"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Sending"
    DONE = "done", "Delivered"
    FAILED = "failed", "Failed"
    DISMISSED = "dismissed", "Failed, dismissed"  # an Editor saw it: no longer reported late


# Deliveries that are over, one way or another.
CLOSED = [DeliveryStatus.DONE, DeliveryStatus.DISMISSED]


class DeliveryQuerySet(models.QuerySet):
    def ready(self, now=None):
        """Deliveries to send now: waiting and due, or claimed by a worker whose lease ran out
        (it died, or its job was lost)."""
        now = now or timezone.now()
        return self.filter(
            Q(status=DeliveryStatus.PENDING, due_at__lte=now)
            | Q(status=DeliveryStatus.RUNNING, lease_until__lt=now)
        )

    def late(self, minutes, now=None):
        """Not delivered `minutes` after their event was due (the watchdog's count)."""
        since = (now or timezone.now()) - timezone.timedelta(minutes=minutes)
        return self.exclude(status__in=CLOSED).filter(event__due_at__lt=since)


class Delivery(models.Model):
    """One effect of an event on one target: a webhook endpoint, the feed hub, the cache purge,
    one person's email. Unique per event and target, so it is made and done once; each attempt
    is claimed with a lease, so two workers never send it at the same time."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel)
    # The endpoint's or recipient's pk, or "" for the site's one hub or purge.
    target = models.CharField(max_length=40, blank=True)
    endpoint = models.ForeignKey(
        "blog.WebhookEndpoint",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    status = models.CharField(max_length=10, choices=DeliveryStatus, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-event__due_at", "-pk"]
        verbose_name = "go-live delivery"
        verbose_name_plural = "go-live deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "target"], name="golive_delivery_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["status", "due_at"],
                condition=~Q(status=DeliveryStatus.DONE),
                name="golive_delivery_open_idx",
            )
        ]

    def __str__(self):
        return f"{self.get_channel_display()} of “{self.event}”"


class WebhookEndpoint(models.Model):
    """An address told of posts' public life, chosen by Editors. Each request is signed with
    the endpoint's secret (Standard Webhooks: blog/webhooks.py)."""

    name = models.CharField(max_length=100)
    url = models.URLField("URL", max_length=500)
    events = models.JSONField(default=list, help_text="The events this endpoint is told of.")
    secret = models.CharField(
        max_length=100,
        editable=False,
        help_text="Signs each request (the webhook-signature header), so the receiver can "
        "check it came from this site.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "webhook"

    def __str__(self):
        return self.name

    def wants(self, kind):
        return self.active and kind in self.events
