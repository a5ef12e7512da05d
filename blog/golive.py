"""Go-live, done once: what happens to a post is recorded in the outbox (blog/models/golive.py)
in the transaction that makes it happen; the scheduler, which runs inside every worker
(`manage.py worker`), turns each due event into its deliveries and hands the ready ones to the
task queue; a delivery is claimed with a lease and marked done, retried with backoff, or given
up on, so a crash, a restart or a second worker neither loses one nor sends it twice at once.

A scheduled post's go-live is an event due at its publish time, moved when the post is
rescheduled and withdrawn when it is taken back, so it fires with no request at all."""

import json
import logging
import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from blog.models.golive import (
    WEBHOOK_EVENTS,
    Channel,
    Delivery,
    DeliveryStatus,
    Event,
    EventKind,
    WebhookEndpoint,
)
from blog.seo import site_url
from blog.workflow import Kind, Status

logger = logging.getLogger(__name__)

# Events that readers' side of the world hears of (webhooks, the feed hub, cache purges).
PUBLIC_EVENTS = frozenset(WEBHOOK_EVENTS)
# How many events and deliveries one scheduler tick takes on.
BATCH = 200
# The same email about the same post goes to one person at most once in this time.
NOTIFY_AGAIN_AFTER = timedelta(minutes=15)


def _public(status, publish_at, now):
    return status == Status.PUBLISHED and publish_at <= now


def _scheduled(status, publish_at, now):
    return status == Status.PUBLISHED and publish_at > now


def record_changes(changes, *, announce=True, now=None):
    """Record the events of saved posts, in the caller's transaction, in at most three
    statements however many posts. `changes` holds (post, (status, publish_at) before the save
    or None for a new post, whether its content changed, who saved it). With `announce` false
    (imports: moving a site is not news), only scheduled posts' go-live is kept up to date."""
    now = now or timezone.now()
    events = []
    if any(
        _scheduled(post.status, post.publish_at, now) or (before and _scheduled(*before, now))
        for post, before, _, _ in changes
    ):
        events = _go_live_waiting([(post, actor) for post, _, _, actor in changes], now)
    for post, before, changed, actor in changes:
        if not announce:
            continue
        was_public = before is not None and _public(*before, now)
        is_public = _public(post.status, post.publish_at, now)
        kinds = []
        if is_public and not was_public:
            kinds.append(EventKind.PUBLISHED)
        elif was_public and not is_public:
            kinds.append(EventKind.UNPUBLISHED)
        elif is_public and changed:
            kinds.append(EventKind.UPDATED)
        status_before = before[0] if before else None
        if post.status == Status.IN_REVIEW and status_before in (None, Status.DRAFT):
            kinds.append(EventKind.SUBMITTED)
        if post.status == Status.DRAFT and status_before not in (None, Status.DRAFT):
            kinds.append(EventKind.RETURNED_TO_DRAFT)
        events += [Event(kind=kind, post=post, actor=actor, due_at=now) for kind in kinds]
    Event.objects.bulk_create(events)


def _go_live_waiting(posts, now):
    """A scheduled post has one go-live event waiting, due at its publish time; any other post
    has none still ahead (one whose time has passed has happened: it stays). Withdraws those
    that no longer hold; returns the new ones to create."""
    waiting = Event.objects.filter(
        post__in=[post.pk for post, _ in posts],
        kind=EventKind.PUBLISHED,
        scheduled=True,
        expanded_at=None,
        due_at__gt=now,
    )
    held = dict(waiting.values_list("post_id", "due_at"))
    wanted = {
        post.pk: (post, actor)
        for post, actor in posts
        if _scheduled(post.status, post.publish_at, now)
    }
    stale = [
        pk for pk, due_at in held.items() if pk not in wanted or wanted[pk][0].publish_at != due_at
    ]
    if stale:
        waiting.filter(post__in=stale).delete()
    return [
        Event(
            kind=EventKind.PUBLISHED, post=post, actor=actor, due_at=post.publish_at, scheduled=True
        )
        for pk, (post, actor) in wanted.items()
        if pk not in held or pk in stale
    ]


def record_mentions(note):
    """The people an editorial note mentions are told (by email), in the note's transaction."""
    Event.objects.create(
        kind=EventKind.NOTE_MENTION,
        post=note.post,
        note=note,
        actor=note.author,
        due_at=timezone.now(),
    )


def post_deleting(sender, instance, **kwargs):
    """pre_delete of Post: record_deletion()."""
    record_deletion(instance)


def record_deletion(post, actor=None):
    """A public post being deleted: tell the world what it was (its row will be gone)."""
    now = timezone.now()
    Event.objects.waiting_for(post).filter(due_at__gt=now).delete()
    if _public(post.status, post.publish_at, now):
        Event.objects.create(
            kind=EventKind.DELETED, snapshot=post_payload(post), actor=actor, due_at=now
        )


def post_payload(post):
    """What webhooks say of a post (and what a deleted post's event keeps of it)."""
    return {
        "id": post.pk,
        "uuid": str(post.uuid),
        "kind": post.kind,
        "url": site_url(post.get_absolute_url()),
        "slug": post.slug,
        "title": post.title,
        "description": post.description,
        "status": post.state,
        "authors": [
            {"name": author["name"], "url": site_url(author["url"]) if author["url"] else None}
            for author in post.stored_authors
        ],
        "tags": [tag["name"] for tag in post.stored_tags],
        "topics": [topic["name"] for topic in post.stored_topics],
        "published_at": post.publish_at.isoformat(),
        "updated_at": post.updated_at.isoformat() if post.updated_at else None,
        # What the feed and purge deliveries of a deleted post need to find its feeds.
        "stored": {
            "tags": post.stored_tags,
            "topics": post.stored_topics,
            "authors": post.stored_authors,
        },
    }


# What a webhook says of a post that is not public now: which post, not what it has become
# (a draft's new title is not the receivers' business).
OUT_OF_PUBLIC_FIELDS = ("id", "uuid", "url", "slug", "status")


def event_payload(event):
    """The JSON body a webhook receives for `event`."""
    if event.post is not None:
        post = post_payload(event.post)
        if not event.post.is_published():
            post = {field: post[field] for field in OUT_OF_PUBLIC_FIELDS}
    else:
        post = dict(event.snapshot)
    post.pop("stored", None)
    post.pop("kind", None)  # always a post: pages are not news (is_news)
    return {
        "id": str(event.uuid),
        "type": event.kind,
        "created_at": event.due_at.isoformat(),
        "post": post,
    }


def event_post(event):
    """The event's post, or for a deleted post an unsaved one holding what its feeds need."""
    from blog.models import Post

    if event.post is not None:
        return event.post
    stored = event.snapshot.get("stored", {})
    return Post(
        kind=event.snapshot.get("kind", Kind.POST),
        slug=event.snapshot.get("slug", ""),
        title=event.snapshot.get("title", ""),
        stored_tags=stored.get("tags", []),
        stored_topics=stored.get("topics", []),
        stored_authors=stored.get("authors", []),
    )


# The scheduler


def tick(now=None):
    """One round of the scheduler: make the deliveries of due events, hand the ready ones to
    the queue. Returns how many deliveries it handed over."""
    now = now or timezone.now()
    expand_due(now)
    return dispatch_ready(now)


def expand_due(now):
    with transaction.atomic():
        events = list(
            Event.objects.due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("post", "actor", "note")
            .order_by("due_at", "pk")[:BATCH]
        )
        if not events:
            return
        endpoints = list(WebhookEndpoint.objects.filter(active=True))
        deliveries = [delivery for event in events for delivery in _deliveries(event, endpoints)]
        for delivery in deliveries:
            delivery.due_at = now
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        Event.objects.filter(pk__in=[event.pk for event in events]).update(expanded_at=now)


def notification_kind(event):
    """The notification an event sends, if any (blog/notifications.py)."""
    if event.kind == EventKind.PUBLISHED:
        return "post.went_live" if event.scheduled else "post.published"
    if event.kind in (EventKind.SUBMITTED, EventKind.RETURNED_TO_DRAFT, EventKind.NOTE_MENTION):
        return event.kind
    return None


def is_news(event):
    """Whether the world outside hears of `event` (webhooks, the feed hub): a post's, not a
    page's (an About page published is no story, and is in no feed). Its cache purge and the
    editors' emails go out all the same."""
    if event.post is not None:
        return event.post.kind != Kind.PAGE
    return (event.snapshot or {}).get("kind", Kind.POST) != Kind.PAGE


def _deliveries(event, endpoints):
    news = is_news(event)
    yield from (
        Delivery(event=event, channel=Channel.WEBHOOK, target=str(endpoint.pk), endpoint=endpoint)
        for endpoint in endpoints
        if news and endpoint.wants(event.kind)
    )
    if event.kind in PUBLIC_EVENTS:
        if settings.BYLINE_WEBSUB_HUB and news:
            yield Delivery(event=event, channel=Channel.WEBSUB)
        if settings.BYLINE_PURGE_URLS:
            yield Delivery(event=event, channel=Channel.PURGE)
    kind = notification_kind(event)
    if kind and event.post is not None:
        from blog import notifications

        if event.kind == EventKind.NOTE_MENTION:
            people = [
                person
                for person in event.note.mentioned.all()
                if notifications.wants(person) and person != event.actor
            ]
            told = set()  # each note is news
        else:
            people = notifications.recipients(kind, event.post, event.actor)
            told = _told_lately(event)
        for user in people:
            if user.pk not in told:
                yield Delivery(
                    event=event, channel=Channel.EMAIL, target=str(user.pk), recipient=user
                )


def _told_lately(event):
    """Who already got this kind of email about this post within NOTIFY_AGAIN_AFTER: a post
    sent to review and back in a loop must not flood the Editors' inboxes."""
    return set(
        Delivery.objects.filter(
            channel=Channel.EMAIL,
            event__post_id=event.post_id,
            event__kind=event.kind,
            event__scheduled=event.scheduled,
            event__due_at__gte=event.due_at - NOTIFY_AGAIN_AFTER,
        )
        .exclude(event=event)
        .values_list("recipient_id", flat=True)
    )


def dispatch_ready(now):
    """Claim the ready deliveries (each with a lease, by a compare-and-set on its row, so two
    schedulers never claim one twice) and enqueue a job for each."""
    lease_until = now + timedelta(seconds=settings.BYLINE_DELIVERY_LEASE_SECONDS)
    claimed = []
    with transaction.atomic():
        ready = Delivery.objects.ready(now).order_by("due_at", "pk")
        for pk, status, attempts in ready.values_list("pk", "status", "attempts")[:BATCH]:
            # Still ready as the row is written: a job that renewed its lease meanwhile keeps it.
            won = ready.filter(pk=pk, status=status, attempts=attempts).update(
                status=DeliveryStatus.RUNNING, lease_until=lease_until, attempts=attempts + 1
            )
            if won:
                claimed.append((pk, attempts + 1))
    # After the claims are committed (the scheduler runs outside any transaction), so that a
    # job never starts before its claim is visible.
    _enqueue(claimed)
    return len(claimed)


def _enqueue(claimed):
    for pk, attempt in claimed:
        try:
            deliver.enqueue(pk, attempt)
        except Exception:  # the queue is down: the lease runs out and the next tick retries
            logger.exception("Could not enqueue delivery %s", pk)


# The job


class DeliveryFailed(Exception):
    """A delivery that did not succeed; `status` is the response's, where there was one."""

    def __init__(self, reason, status=None):
        super().__init__(reason)
        self.status = status


class DeliverySkipped(Exception):
    """A delivery with nothing left to do (its post left the public or was deleted, its webhook
    was turned off): done, with the reason in the log, and not retried."""


@task
def deliver(delivery_id, attempt):
    """Send one delivery, if it is still this attempt's to send (a job that comes late, after
    its lease ran out, does nothing: the scheduler may claim it again at any moment). Its lease
    is renewed as it starts, so that no scheduler claims it again while it sends."""
    started = timezone.now()
    this_attempt = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.RUNNING, attempts=attempt
    )
    renewed = this_attempt.filter(lease_until__gt=started).update(
        lease_until=started + timedelta(seconds=settings.BYLINE_DELIVERY_LEASE_SECONDS)
    )
    if not renewed:
        return "stale"
    delivery = (
        Delivery.objects.select_related("event__post", "event__actor", "endpoint", "recipient")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:  # its webhook was deleted meanwhile
        return "stale"
    note = ""
    try:
        if _updated_since(delivery.event):
            raise DeliverySkipped("a later update of the post is sent instead.")
        response_status = SENDERS[delivery.channel](delivery)
    except DeliverySkipped as skipped:
        response_status, note = None, f"Not sent: {skipped}"
    except Exception as error:
        status = getattr(error, "status", None)
        # An address refused before anything was sent stays refused: no point retrying.
        retry = attempt < settings.BYLINE_DELIVERY_ATTEMPTS and not getattr(error, "refused", False)
        this_attempt.update(
            status=DeliveryStatus.PENDING if retry else DeliveryStatus.FAILED,
            due_at=timezone.now() + backoff(attempt),
            lease_until=None,
            last_attempt_at=started,
            response_status=status,
            duration_ms=_ms_since(started),
            error=str(error)[:2000] or type(error).__name__,
        )
        return "retry" if retry else "failed"
    this_attempt.update(
        status=DeliveryStatus.DONE,
        done_at=timezone.now(),
        lease_until=None,
        last_attempt_at=started,
        response_status=response_status,
        duration_ms=_ms_since(started),
        error=note,
    )
    return "done"


def _updated_since(event):
    """Whether `event` is an update with a later update of the same post after it. Every
    delivery says what the post is now, so only the last of a run of edits (a post saved in a
    loop) goes out: the others would say the same, once per webhook, hub feed and purge."""
    return (
        event.kind == EventKind.UPDATED
        and event.post_id is not None
        and Event.objects.filter(
            post_id=event.post_id, kind=EventKind.UPDATED, pk__gt=event.pk
        ).exists()
    )


def backoff(attempt):
    """How long to wait after failed attempt number `attempt`: doubling from
    BYLINE_DELIVERY_RETRY_SECONDS, at most an hour, with a little jitter."""
    seconds = min(settings.BYLINE_DELIVERY_RETRY_SECONDS * 2 ** (attempt - 1), 3600)
    return timedelta(seconds=seconds * random.uniform(0.9, 1.1))


def _ms_since(started):
    return int((timezone.now() - started).total_seconds() * 1000)


def dismiss(deliveries):
    """Stop reporting these failed deliveries as late (an Editor has seen them)."""
    return deliveries.filter(status=DeliveryStatus.FAILED).update(status=DeliveryStatus.DISMISSED)


def forget_old(now=None):
    """Forget events (and their deliveries) over for BYLINE_DELIVERY_LOG_DAYS: the log is kept
    that long, not for ever."""
    since = (now or timezone.now()) - timedelta(days=settings.BYLINE_DELIVERY_LOG_DAYS)
    return Event.objects.filter(pk__in=Event.objects.closed_before(since).values("pk")).delete()


def redeliver(deliveries):
    """Send these deliveries again, done or not, as soon as a worker is free."""
    return deliveries.exclude(status=DeliveryStatus.RUNNING).update(
        status=DeliveryStatus.PENDING, due_at=timezone.now(), lease_until=None, done_at=None
    )


# What each channel does


def send_webhook(delivery):
    """POST the event, signed. A post published or updated that has left the public since is
    not announced (late, retried or sent again): its unpublished event tells receivers."""
    from blog import outbound, webhooks

    post = delivery.event.post
    if delivery.event.kind in (EventKind.PUBLISHED, EventKind.UPDATED) and not (
        post is not None and post.is_published()
    ):
        raise DeliverySkipped("the post is not public any more.")
    if not delivery.endpoint.wants(delivery.event.kind):
        raise DeliverySkipped("the webhook was turned off or no longer takes this event.")
    body = json.dumps(event_payload(delivery.event), separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"Byline webhooks ({settings.BYLINE_SITE_URL})",
        **webhooks.signature_headers(
            delivery.endpoint.secret,
            str(delivery.event.uuid),
            int(timezone.now().timestamp()),
            body,
        ),
    }
    response = outbound.send("POST", delivery.endpoint.url, body=body, headers=headers)
    if not 200 <= response.status < 300:
        raise DeliveryFailed(f"The endpoint answered {response.status}.", response.status)
    return response.status


def ping_feed_hub(delivery):
    from blog import websub

    websub.ping_hub(websub.feed_urls(event_post(delivery.event)))


def purge_caches(delivery):
    from blog import purge

    purge.purge(event_post(delivery.event))


def send_email(delivery):
    from blog import notifications

    event = delivery.event
    if event.post is None:
        raise DeliverySkipped("the post was deleted.")
    notifications.send(
        notification_kind(event),
        event.post,
        delivery.recipient,
        actor=event.actor,
        message_id=f"<delivery-{delivery.pk}@{settings.BYLINE_SITE_URL.split('//')[-1]}>",
        note=event.note,
    )


SENDERS = {
    Channel.WEBHOOK: send_webhook,
    Channel.WEBSUB: ping_feed_hub,
    Channel.PURGE: purge_caches,
    Channel.EMAIL: send_email,
}


# The watchdog


def late_deliveries(now=None):
    """How many go-live deliveries are not done BYLINE_WATCHDOG_MINUTES after they were due,
    counting due events no worker has taken up (none running, say) as one each."""
    minutes = settings.BYLINE_WATCHDOG_MINUTES
    now = now or timezone.now()
    unexpanded = Event.objects.due(now - timedelta(minutes=minutes)).count()
    return unexpanded + Delivery.objects.late(minutes, now).count()


def late_deliveries_cached():
    """late_deliveries(), counted at most every 30 seconds (every admin page shows it)."""
    from django.core.cache import cache

    return cache.get_or_set("byline:golive:late", late_deliveries, 30)
