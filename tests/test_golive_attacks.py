"""Attacks on go-live (issue 13): double effects from a job that outlives its lease, a webhook
retry that tells receivers what a post became after it left the public, secrets of the cache
purge in the delivery log, a deleted post that keeps the watchdog barking, and who may reach
webhooks, the delivery log and import jobs."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.db import connections
from django.utils import timezone

from blog import golive
from blog.models import Delivery, Event, Post, WebhookEndpoint
from blog.models.golive import Channel, DeliveryStatus, EventKind
from blog.outbound import OutboundError, send
from tests.factories import PostFactory, UserFactory
from tests.helpers import post_form

pytestmark = pytest.mark.django_db


def quiet_post(**fields):
    return PostFactory(authors=[UserFactory(email_notifications=False)], **fields)


def bodies(receiver):
    return [json.loads(request.body) for request in receiver.requests]


def test_a_scheduler_tick_while_a_late_job_sends_does_not_send_it_twice(
    settings, receiver, endpoint
):
    """A job taken from a backed-up queue just before its lease ends: while the receiver
    answers, the lease runs out and the scheduler ticks. It must not claim the delivery again,
    or the receiver gets the same event twice."""
    settings.BYLINE_DELIVERY_LEASE_SECONDS = 60
    Event.objects.create(kind=EventKind.PUBLISHED, post=quiet_post(), due_at=timezone.now())
    start = timezone.now()
    golive.expand_due(start)
    assert golive.dispatch_ready(start) == 1
    delivery = Delivery.objects.get(channel=Channel.WEBHOOK)

    claimed_meanwhile = []
    shared = connections["default"]
    answer = receiver.server.RequestHandlerClass._any

    def tick_while_answering(handler):
        # The scheduler runs in another thread; the test's in-memory database is shared.
        connections["default"] = shared
        if not claimed_meanwhile:
            claimed_meanwhile.append(golive.dispatch_ready(start + timedelta(seconds=61)))
        answer(handler)

    receiver.server.RequestHandlerClass.do_POST = tick_while_answering
    shared.inc_thread_sharing()
    try:
        with time_machine.travel(start + timedelta(seconds=59), tick=False):
            first = golive.deliver.call(delivery.pk, 1)
        for attempt in range(2, 2 + claimed_meanwhile[0]):
            golive.deliver.call(delivery.pk, attempt)
    finally:
        shared.dec_thread_sharing()

    assert first == "done"
    assert len(receiver.requests) == 1
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DONE


def test_a_job_that_starts_after_its_lease_ran_out_leaves_it_to_the_next_claim(
    settings, receiver, endpoint
):
    settings.BYLINE_DELIVERY_LEASE_SECONDS = 60
    Event.objects.create(kind=EventKind.PUBLISHED, post=quiet_post(), due_at=timezone.now())
    start = timezone.now()
    golive.expand_due(start)
    golive.dispatch_ready(start)
    delivery = Delivery.objects.get(channel=Channel.WEBHOOK)

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert golive.deliver.call(delivery.pk, 1) == "stale"
        assert golive.dispatch_ready(timezone.now()) == 1
        assert golive.deliver.call(delivery.pk, 2) == "done"

    assert len(receiver.requests) == 1


def test_a_post_taken_back_before_its_webhooks_went_out_is_not_told_as_it_is_now(
    client, editor, receiver, endpoint
):
    """Published, then sent back to draft and retitled before the worker got to it (or while
    its receiver was failing): receivers must not be told the draft's new title, nor that
    the post is published."""
    post = quiet_post(status=Post.Status.DRAFT, title="Quarterly results")
    client.force_login(editor)
    for fields in [
        {"_transition": "publish"},
        {"_transition": "draft", "title": "Embargoed: merger talks with Acme"},
    ]:
        response = client.post(f"/admin/blog/post/{post.pk}/change/", post_form(post, **fields))
        assert response.status_code == 302
        post.refresh_from_db()

    golive.tick()
    for delivery in Delivery.objects.filter(channel=Channel.WEBHOOK):
        golive.deliver.call(delivery.pk, delivery.attempts)

    published = Delivery.objects.get(channel=Channel.WEBHOOK, event__kind=EventKind.PUBLISHED)
    assert published.status == DeliveryStatus.DONE
    assert published.error == "Not sent: the post is not public any more."
    received = bodies(receiver)
    assert [body["type"] for body in received] == [EventKind.UNPUBLISHED]
    assert "Embargoed" not in json.dumps(received)
    assert received[0]["post"]["uuid"] == str(post.uuid)


def test_the_delivery_log_does_not_show_the_cache_purge_api_key(settings, receiver):
    """BYLINE_PURGE_URLS takes no headers, so a CDN's key sits in the URL; a failed purge must
    not write it where every Editor reads the delivery log."""
    receiver.status = 403
    settings.BYLINE_PURGE_URLS = [
        f"POST {receiver.address('/purge')}?key=cdn-secret-key-123&url={{url}}"
    ]
    Event.objects.create(kind=EventKind.UPDATED, post=quiet_post(), due_at=timezone.now())
    golive.tick()
    delivery = Delivery.objects.get(channel=Channel.PURGE)

    assert golive.deliver.call(delivery.pk, 1) == "retry"

    delivery.refresh_from_db()
    assert receiver.requests  # it was sent, with its key
    assert "403" in delivery.error
    assert "cdn-secret-key-123" not in delivery.error


def test_a_notification_about_a_post_deleted_since_is_not_retried_for_ever(client, editor):
    """An author submits, then deletes the draft before the email goes: the delivery must not
    fail on every retry and keep the watchdog (and /healthz) degraded."""
    author = UserFactory(email="writer@example.com")
    post = PostFactory(status=Post.Status.IN_REVIEW, authors=[author])
    Event.objects.create(
        kind=EventKind.RETURNED_TO_DRAFT, post=post, actor=editor, due_at=timezone.now()
    )
    golive.tick()
    delivery = Delivery.objects.get(channel=Channel.EMAIL)
    post.delete()

    assert golive.deliver.call(delivery.pk, 1) == "done"
    assert Delivery.objects.get(pk=delivery.pk).error == "Not sent: the post was deleted."


def test_a_webhook_turned_off_gets_no_more_retries(settings, receiver, endpoint):
    """An Editor turns off a webhook (a wrong or compromised receiver): its retries, and any
    "send again", stop."""
    receiver.status = 500
    Event.objects.create(kind=EventKind.UPDATED, post=quiet_post(), due_at=timezone.now())
    golive.tick()
    delivery = Delivery.objects.get(channel=Channel.WEBHOOK)
    assert golive.deliver.call(delivery.pk, 1) == "retry"
    endpoint.active = False
    endpoint.save()

    golive.dispatch_ready(Delivery.objects.get(pk=delivery.pk).due_at)
    assert golive.deliver.call(delivery.pk, 2) == "done"

    assert len(receiver.requests) == 1
    assert "turned off" in Delivery.objects.get(pk=delivery.pk).error


@pytest.mark.parametrize("role", ["contributor", "author"])
def test_writers_reach_no_webhook_delivery_log_or_import_job(request, client, role, endpoint):
    user = request.getfixturevalue(role)
    Event.objects.create(kind=EventKind.UPDATED, post=quiet_post(), due_at=timezone.now())
    golive.expand_due(timezone.now())
    delivery = Delivery.objects.get()
    client.force_login(user)

    for url in [
        "/admin/blog/webhookendpoint/",
        f"/admin/blog/webhookendpoint/{endpoint.pk}/change/",
        "/admin/blog/delivery/",
        f"/admin/blog/delivery/{delivery.pk}/change/",
        "/admin/blog/post/import/",
        "/admin/blog/post/import/1/",
    ]:
        assert client.get(url).status_code in (302, 403, 404), url
    response = client.post(
        "/admin/blog/delivery/",
        {"action": "send_again", "_selected_action": [delivery.pk]},
    )
    assert response.status_code in (302, 403)
    response = client.post(
        f"/admin/blog/webhookendpoint/{endpoint.pk}/change/",
        {"name": "x", "url": "http://169.254.169.254/", "events": ["post.published"]},
    )
    assert response.status_code == 403
    assert Delivery.objects.get().status == DeliveryStatus.PENDING
    assert WebhookEndpoint.objects.get().name == "Receiver"


@pytest.mark.parametrize(
    "url, kind",
    [("http://[fec0::1]/hook", "site-local"), ("http://192.0.0.8/hook", "reserved")],
)
def test_site_local_and_ietf_protocol_addresses_are_refused(settings, url, kind):
    settings.BYLINE_OUTBOUND_ALLOW_PRIVATE = False

    with pytest.raises(OutboundError, match=kind) as refusal:
        send("POST", url, timeout=0.5)

    assert refusal.value.refused


def test_a_post_saved_in_a_loop_is_announced_once_per_webhook(client, editor, receiver, endpoint):
    """Each save of a public post is an update; a writer saving in a loop must not make one
    request per save to every webhook, hub feed and cache purge."""
    post = quiet_post()
    client.force_login(editor)
    for number in range(6):
        response = client.post(
            f"/admin/blog/post/{post.pk}/change/", post_form(post, title=f"Take {number}")
        )
        assert response.status_code == 302
        post.refresh_from_db()

    golive.tick()
    for delivery in Delivery.objects.filter(channel=Channel.WEBHOOK):
        golive.deliver.call(delivery.pk, delivery.attempts)

    assert [body["post"]["title"] for body in bodies(receiver)] == ["Take 5"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DONE}


@pytest.mark.parametrize("role", ["contributor", "author"])
def test_writers_cannot_turn_off_anothers_notifications(request, client, role):
    user = request.getfixturevalue(role)
    other = UserFactory(is_staff=True, email="other@example.com")
    client.force_login(user)

    response = client.post(
        f"/admin/accounts/user/{other.pk}/change/",
        {"username": other.username, "email": other.email, "email_notifications": ""},
    )

    assert response.status_code in (302, 403, 404)
    other.refresh_from_db()
    assert other.email_notifications


def test_healthz_tells_readers_a_count_and_nothing_of_the_failures(client, settings, endpoint):
    settings.BYLINE_WATCHDOG_MINUTES = 10
    long_ago = timezone.now() - timedelta(minutes=30)
    Event.objects.create(kind=EventKind.UPDATED, post=quiet_post(), due_at=long_ago)
    golive.expand_due(timezone.now())
    Delivery.objects.update(
        status=DeliveryStatus.FAILED, error=f"{endpoint.url} {endpoint.secret} refused"
    )

    response = client.get("/healthz")

    assert response.json()["go_live"] == "late: 1"
    assert endpoint.secret not in response.text and "127.0.0.1" not in response.text
    assert "Receiver" not in response.text


def test_a_flood_of_healthz_does_not_count_the_delivery_log_each_time(
    client, django_assert_max_num_queries
):
    client.get("/healthz")

    with django_assert_max_num_queries(20):  # the database check's SELECT 1, once each
        for _ in range(20):
            assert client.get("/healthz").json()["go_live"] == "ok"


def test_who_may_only_look_at_webhooks_cannot_rotate_their_secrets(client, endpoint):
    """A site may give a group the view permission alone (an auditor): rotating a secret
    breaks every receiver, so it is a change."""
    from django.contrib.auth.models import Permission

    auditor = UserFactory(is_staff=True)
    auditor.user_permissions.add(Permission.objects.get(codename="view_webhookendpoint"))
    client.force_login(auditor)
    secret = endpoint.secret

    client.post(
        "/admin/blog/webhookendpoint/",
        {"action": "rotate_secret", "_selected_action": [endpoint.pk]},
    )

    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == secret
