"""The go-live outbox: each change to a post records what the world hears of it, in the same
transaction; a scheduled post's go-live waits for its time, follows reschedules and is withdrawn
when the post is taken back; deliveries are claimed once, retried with backoff and reported
when late."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from blog import golive, webhooks
from blog.models import Delivery, Event, Post, WebhookEndpoint
from blog.models.golive import Channel, DeliveryStatus, EventKind
from tests.factories import PostFactory, UserFactory
from tests.helpers import import_posts, post_form

pytestmark = pytest.mark.django_db


def save(client, post, **fields):
    response = client.post(f"/admin/blog/post/{post.pk}/change/", post_form(post, **fields))
    assert response.status_code == 302, response.content[:3000]
    return Post.objects.get(pk=post.pk)


def kinds(post=None):
    events = Event.objects.order_by("pk")
    if post is not None:
        events = events.filter(post=post)
    return [event.kind for event in events]


def quiet_post(**fields):
    """A public post whose author gets no email (so the webhook is its one delivery)."""
    return PostFactory(authors=[UserFactory(email_notifications=False)], **fields)


def at(moment):
    local = timezone.localtime(moment)
    return {"publish_at_0": local.strftime("%Y-%m-%d"), "publish_at_1": local.strftime("%H:%M:%S")}


@pytest.fixture
def endpoint(db):
    return WebhookEndpoint.objects.create(
        name="Receiver",
        url="http://127.0.0.1:9/hook",
        events=golive.WEBHOOK_EVENTS,
        secret=webhooks.new_secret(),
    )


def test_publishing_records_one_published_event_with_who_did_it(client, editor):
    post = PostFactory(status=Post.Status.DRAFT)
    client.force_login(editor)

    save(client, post, _transition="publish")

    event = Event.objects.get(post=post)
    assert (event.kind, event.actor, event.scheduled) == (EventKind.PUBLISHED, editor, False)
    assert event.due_at <= timezone.now()


def test_an_edit_to_a_public_post_is_an_update_and_a_save_without_change_is_nothing(client, editor):
    post = PostFactory()
    client.force_login(editor)
    save(client, post)  # its first revision (the factory made none)
    Event.objects.all().delete()

    save(client, post)
    assert kinds(post) == []

    save(client, post, title="A better title")
    assert kinds(post) == [EventKind.UPDATED]


def test_archiving_a_public_post_unpublishes_it(client, editor):
    post = PostFactory()
    client.force_login(editor)

    save(client, post, _transition="archive")

    assert kinds(post) == [EventKind.UNPUBLISHED]


def test_submitting_and_sending_back_are_recorded_for_the_notifications(
    client, contributor, editor
):
    post = PostFactory(status=Post.Status.DRAFT, authors=[contributor])
    client.force_login(contributor)
    save(client, post, _transition="submit")
    client.force_login(editor)
    save(client, post, _transition="draft")

    assert kinds(post) == [EventKind.SUBMITTED, EventKind.RETURNED_TO_DRAFT]


def test_a_scheduled_post_waits_for_its_time_follows_reschedules_and_is_withdrawn(client, editor):
    post = PostFactory(status=Post.Status.DRAFT)
    client.force_login(editor)
    first = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    later = first + timedelta(hours=5)

    save(client, post, _transition="schedule", **at(first))
    assert list(Event.objects.values_list("kind", "due_at", "scheduled")) == [
        (EventKind.PUBLISHED, first, True)
    ]
    assert Event.objects.due().count() == 0

    save(client, Post.objects.get(pk=post.pk), **at(later))
    assert list(Event.objects.values_list("due_at", flat=True)) == [later]

    save(client, Post.objects.get(pk=post.pk), _transition="draft")
    assert Event.objects.filter(kind=EventKind.PUBLISHED).count() == 0


def test_a_scheduled_go_live_is_due_at_its_time_and_made_once(client, editor, endpoint):
    post = PostFactory(status=Post.Status.DRAFT)
    client.force_login(editor)
    when = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    save(client, post, _transition="schedule", **at(when))

    golive.expand_due(timezone.now())
    assert Delivery.objects.count() == 0

    with time_machine.travel(when + timedelta(seconds=1)):
        golive.expand_due(timezone.now())
        golive.expand_due(timezone.now())

    delivery = Delivery.objects.get(channel=Channel.WEBHOOK)
    assert (delivery.endpoint, delivery.event.post_id) == (endpoint, post.pk)
    # The author hears that it went live (the editor who scheduled it needs no telling).
    email = Delivery.objects.get(channel=Channel.EMAIL)
    assert email.recipient in post.authors.all()


def test_deleting_a_public_post_keeps_what_it_was(client, editor):
    post = PostFactory(title="Gone soon")
    client.force_login(editor)

    response = client.post(f"/admin/blog/post/{post.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    event = Event.objects.get()
    assert event.kind == EventKind.DELETED and event.post is None
    payload = golive.event_payload(event)
    assert payload["post"]["title"] == "Gone soon"
    assert payload["post"]["url"].endswith(f"/posts/{post.slug}/")


def test_deleting_a_draft_tells_nobody(client, editor):
    post = PostFactory(status=Post.Status.DRAFT)
    client.force_login(editor)

    client.post(f"/admin/blog/post/{post.pk}/delete/", {"post": "yes"})

    assert Event.objects.count() == 0


def test_an_import_is_not_news_but_its_scheduled_posts_still_go_live(tmp_path):
    later = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    (tmp_path / "out.md").write_text("---\ntitle: Out already\n---\n\nWords.\n")
    (tmp_path / "soon.md").write_text(
        f"---\ntitle: Out soon\ndate: {later}\nstatus: published\n---\n\nWords.\n"
    )

    import_posts(tmp_path, status="published")

    assert list(Event.objects.values_list("post__title", "scheduled")) == [("Out soon", True)]


def test_a_delivery_is_claimed_once_until_its_lease_runs_out(settings, endpoint):
    settings.BYLINE_DELIVERY_LEASE_SECONDS = 60
    post = quiet_post()
    event = Event.objects.create(kind=EventKind.PUBLISHED, post=post, due_at=timezone.now())
    now = timezone.now()
    golive.expand_due(now)

    assert golive.dispatch_ready(now) == 1
    assert golive.dispatch_ready(now) == 0  # a second scheduler finds it taken
    delivery = Delivery.objects.get(event=event)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RUNNING, 1)

    # The worker died: after the lease, the next attempt; the first one's job, if it ever
    # runs, finds it is not its own any more.
    assert golive.dispatch_ready(now + timedelta(seconds=61)) == 1
    assert golive.deliver.call(delivery.pk, 1) == "stale"
    assert Delivery.objects.get(pk=delivery.pk).attempts == 2


def test_a_failing_delivery_is_retried_later_and_given_up_on(settings, endpoint):
    settings.BYLINE_DELIVERY_ATTEMPTS = 2
    settings.BYLINE_OUTBOUND_ALLOW_PRIVATE = True  # port 9 on loopback: nothing listens
    Event.objects.create(kind=EventKind.PUBLISHED, post=quiet_post(), due_at=timezone.now())
    now = timezone.now()
    golive.expand_due(now)
    delivery = Delivery.objects.get()

    golive.dispatch_ready(now)
    assert golive.deliver.call(delivery.pk, 1) == "retry"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert "refused" in delivery.error or "connect" in delivery.error.lower(), delivery.error
    assert delivery.due_at > now + timedelta(seconds=20)  # backoff: about 30 s
    assert golive.dispatch_ready(now) == 0

    golive.dispatch_ready(delivery.due_at)
    assert golive.deliver.call(delivery.pk, 2) == "failed"
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.FAILED


def test_the_watchdog_counts_what_is_late(settings, endpoint):
    settings.BYLINE_WATCHDOG_MINUTES = 10
    post = quiet_post()
    long_ago = timezone.now() - timedelta(minutes=30)
    Event.objects.create(kind=EventKind.UPDATED, post=post, due_at=long_ago)  # no worker ran
    assert golive.late_deliveries() == 1

    golive.expand_due(timezone.now())  # a worker came: one delivery, not done
    assert golive.late_deliveries() == 1

    Delivery.objects.update(status=DeliveryStatus.DONE)
    assert golive.late_deliveries() == 0
    Event.objects.create(kind=EventKind.UPDATED, post=post, due_at=timezone.now())
    assert golive.late_deliveries() == 0  # due just now: not late


def test_a_webhook_to_a_refused_address_is_not_retried(settings):
    settings.BYLINE_OUTBOUND_ALLOW_PRIVATE = False
    # Registered while allowed (or changed in the database): refused when it is sent.
    WebhookEndpoint.objects.create(
        name="Inside",
        url="http://127.0.0.1:9/hook",
        events=golive.WEBHOOK_EVENTS,
        secret=webhooks.new_secret(),
    )
    Event.objects.create(kind=EventKind.UPDATED, post=quiet_post(), due_at=timezone.now())
    now = timezone.now()
    golive.expand_due(now)
    golive.dispatch_ready(now)
    delivery = Delivery.objects.get()

    result = golive.deliver.call(delivery.pk, 1)
    delivery.refresh_from_db()
    assert result == "failed", delivery.error
    assert delivery.status == DeliveryStatus.FAILED and "127.0.0.1" in delivery.error


def test_a_post_sent_to_review_and_back_in_a_loop_emails_the_editors_once(
    client, contributor, editor
):
    post = PostFactory(status=Post.Status.DRAFT, authors=[contributor])
    client.force_login(contributor)
    for _ in range(3):
        post = save(client, post, _transition="submit")
        golive.expand_due(timezone.now())
        post = save(client, post, _transition="draft")
        golive.expand_due(timezone.now())

    to_editor = Delivery.objects.filter(channel=Channel.EMAIL, recipient=editor)
    assert to_editor.count() == 1
    assert Event.objects.filter(kind=EventKind.SUBMITTED).count() == 3


def test_an_editor_dismisses_a_failed_delivery_and_it_is_no_longer_late(
    settings, client, editor, endpoint
):
    Event.objects.create(
        kind=EventKind.UPDATED,
        post=quiet_post(),
        due_at=timezone.now() - timedelta(hours=1),
    )
    golive.expand_due(timezone.now())
    Delivery.objects.update(status=DeliveryStatus.FAILED, error="The endpoint answered 500.")
    assert golive.late_deliveries() == 1
    client.force_login(editor)

    response = client.post(
        "/admin/blog/delivery/",
        {
            "action": "dismiss",
            "_selected_action": list(Delivery.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )

    assert "1 failed delivery dismissed." in response.content.decode()
    assert golive.late_deliveries() == 0


def test_the_delivery_log_forgets_what_is_long_over(settings, endpoint):
    settings.BYLINE_DELIVERY_LOG_DAYS = 90
    post = quiet_post()
    old = Event.objects.create(
        kind=EventKind.UPDATED, post=post, due_at=timezone.now() - timedelta(days=100)
    )
    stuck = Event.objects.create(
        kind=EventKind.UPDATED, post=post, due_at=timezone.now() - timedelta(days=100)
    )
    recent = Event.objects.create(kind=EventKind.UPDATED, post=post, due_at=timezone.now())
    golive.expand_due(timezone.now())
    Delivery.objects.exclude(event=stuck).update(status=DeliveryStatus.DONE)

    golive.forget_old()

    assert set(Event.objects.all()) == {stuck, recent}  # a failure still open stays
    assert not Delivery.objects.filter(event_id=old.pk).exists()
