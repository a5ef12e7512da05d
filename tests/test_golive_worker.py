"""Go-live on a real queue: a scheduled post's webhook fires once when its time passes, with no
web request, signed; a worker killed mid-job, or two workers, still make one effect; a receiver
that keeps failing is retried with backoff, then the watchdog reports it."""

import json
import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import redis
import time_machine
from django.db import connection
from django.utils import timezone

from blog import webhooks
from blog.models import Delivery, Post
from blog.models.golive import DeliveryStatus, EventKind
from tests.factories import PostFactory, UserFactory
from tests.helpers import ROOT, database_url_of, django_child_env, run_worker
from tests.mail import Mailbox, smtp_server


def draft(**fields):
    """A draft whose author gets no email: the webhook is each event's one delivery."""
    return PostFactory(
        status=Post.Status.DRAFT, authors=[UserFactory(email_notifications=False)], **fields
    )


def schedule(post, when, by=None):
    post.status, post.publish_at = Post.Status.PUBLISHED, when
    post.save_with_history(by=by)
    return post


@pytest.mark.django_db
def test_a_scheduled_post_fires_its_webhook_once_when_its_time_passes(receiver, endpoint):
    when = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    post = schedule(draft(title="Out at two"), when)

    run_worker()
    assert receiver.requests == []  # not yet

    with time_machine.travel(when + timedelta(seconds=5)):
        run_worker()
        run_worker()

    [(_, method, _, headers, body)] = receiver.requests
    assert method == "POST" and headers["Content-Type"] == "application/json"
    assert webhooks.verify(endpoint.secret, headers, body, tolerance=10**9)
    payload = json.loads(body)
    assert payload["type"] == "post.published"
    assert payload["post"]["title"] == "Out at two"
    assert payload["post"]["url"].endswith(f"/posts/{post.slug}/")
    assert payload["post"]["published_at"] == when.isoformat()
    assert Delivery.objects.get().status == DeliveryStatus.DONE


@pytest.mark.django_db
def test_a_receiver_that_keeps_failing_is_retried_with_backoff_then_reported(
    settings, endpoint, receiver, client, editor
):
    settings.BYLINE_DELIVERY_ATTEMPTS = 3
    settings.BYLINE_WATCHDOG_MINUTES = 10
    receiver.status = 500
    post = draft()
    post.status = Post.Status.PUBLISHED
    post.save_with_history()
    start = timezone.now()

    waits = []
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(3):
            run_worker()
            delivery = Delivery.objects.get()
            if delivery.status == DeliveryStatus.PENDING:
                waits.append((delivery.due_at - timezone.now()).total_seconds())
                clock.move_to(delivery.due_at + timedelta(seconds=1))
        assert len(receiver.requests) == 3
        assert delivery.status == DeliveryStatus.FAILED and "500" in delivery.error
        assert 25 < waits[0] < 35 and 50 < waits[1] < 70  # 30 s, then doubled (± 10 %)

        clock.move_to(start + timedelta(minutes=11))
        health = client.get("/healthz").json()
        assert health["status"] == "degraded" and health["go_live"] == "late: 1"
        client.force_login(editor)
        page = client.get("/admin/").content.decode()
        assert "1 go-live delivery is late" in page


@pytest.mark.django_db
def test_an_editor_can_send_a_delivery_again(endpoint, receiver, client, editor):
    post = draft()
    post.status = Post.Status.PUBLISHED
    post.save_with_history()
    run_worker()
    delivery = Delivery.objects.get()
    client.force_login(editor)

    response = client.post(
        "/admin/blog/delivery/", {"action": "send_again", "_selected_action": [delivery.pk]}
    )
    assert response.status_code == 302
    run_worker()

    first, again = receiver.wait_for(2)
    assert first[3]["webhook-id"] == again[3]["webhook-id"]  # the same event, sent again


# With real worker processes: PostgreSQL, which they share with the test.


@pytest.fixture
def workers(tmp_path):
    """start(**env) starts a `manage.py worker` process sharing the test's database; every one
    started is stopped (its whole process group) at the end, whatever happened."""
    started = []

    def start(**env):
        log = open(tmp_path / f"worker-{len(started)}.log", "w")
        process = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "-v", "0"],
            cwd=ROOT,
            env=django_child_env(
                **{
                    "DATABASE_URL": database_url_of(connection),
                    "REDIS_URL": "",
                    "BYLINE_OUTBOUND_ALLOW_PRIVATE": "1",
                    "BYLINE_SCHEDULER_SECONDS": "0.2",
                    **env,
                }
            ),
            start_new_session=True,  # its own process group, to stop it and its children
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        if process.poll() is None:
            stop(process, signal.SIGKILL)
        log.close()


def stop(worker, sig=signal.SIGTERM):
    """Stop a worker and its children; one that has not finished its warm shutdown within 10 s
    (a machine loaded by another suite) is killed."""
    try:
        os.killpg(worker.pid, sig)
    except ProcessLookupError:
        return
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        stop(worker, signal.SIGKILL)


def wait_until(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


needs_postgresql = pytest.mark.skipif(
    "DATABASE_URL" not in os.environ or not os.environ["DATABASE_URL"].startswith("postgres"),
    reason="worker processes share the database with the test: runs on PostgreSQL",
)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_makes_20_scheduled_posts_go_live_on_time(receiver, endpoint, workers):
    # Up and waiting before the posts are due, as on a real site; the scheduler's default pace.
    worker = workers(BYLINE_SCHEDULER_SECONDS="2")
    start = timezone.now().replace(microsecond=0) + timedelta(seconds=6)
    posts = [schedule(draft(), start + timedelta(seconds=n // 4)) for n in range(20)]
    try:
        arrived = receiver.wait_for(20, timeout=60)
    finally:
        stop(worker)

    events = receiver.events()
    assert len(events) == 20 and len(receiver.requests) == 20
    assert {event["post"]["id"] for event in events.values()} == {post.pk for post in posts}
    due = {post.pk: post.publish_at.timestamp() for post in posts}
    delays = sorted(
        received - due[json.loads(body)["post"]["id"]] for received, *_, body in arrived
    )
    assert delays[0] >= 0  # none before its time
    print(
        f"\nscheduled time to webhook received, 20 posts: median "
        f"{statistics.median(delays) * 1000:.0f} ms, max {delays[-1] * 1000:.0f} ms"
    )


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_job_leaves_one_effect(receiver, endpoint, workers):
    receiver.delay, receiver.slow = 30, 1  # the first request hangs
    post = draft()
    post.status = Post.Status.PUBLISHED
    post.save_with_history()
    worker = workers(BYLINE_DELIVERY_LEASE_SECONDS="3")
    receiver.wait_for(1)
    stop(worker, signal.SIGKILL)  # in the middle of the job

    again = workers(BYLINE_DELIVERY_LEASE_SECONDS="3")
    try:
        receiver.wait_for(2)
        wait_until(lambda: Delivery.objects.get().status == DeliveryStatus.DONE)
    finally:
        stop(again)

    assert len(receiver.events()) == 1  # two requests, one event: the receiver acts once
    assert Delivery.objects.get().attempts == 2


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_deliver_each_event_once(receiver, endpoint, workers):
    two = [workers(), workers()]
    for _ in range(10):
        post = draft()
        post.status = Post.Status.PUBLISHED
        post.save_with_history()
    receiver.wait_for(10)
    wait_until(lambda: Delivery.objects.filter(status=DeliveryStatus.DONE).count() == 10)
    time.sleep(1)  # room for a duplicate to arrive, if there were one
    for worker in two:
        stop(worker)

    assert len(receiver.requests) == 10 and len(receiver.events()) == 10


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_rq_backend_delivers_through_redis(receiver, endpoint, workers):
    url = os.environ.get("BYLINE_TEST_RQ_URL", "redis://127.0.0.1:6379/13")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).flushdb()
    except redis.RedisError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    worker = workers(BYLINE_TASK_BACKEND="rq", REDIS_URL=url)
    try:
        post = draft()
        schedule(post, timezone.now() + timedelta(seconds=1))
        [(_, _, _, headers, body)] = receiver.wait_for(1)
        wait_until(lambda: Delivery.objects.get().status == DeliveryStatus.DONE)
    finally:
        stop(worker)

    assert json.loads(body)["type"] == EventKind.PUBLISHED
    assert webhooks.verify(endpoint.secret, headers, body)


@pytest.mark.django_db
def test_notifications_go_through_the_worker_to_a_real_smtp_server(
    settings, client, contributor, editor
):
    mailbox = Mailbox()
    controller = smtp_server(settings, mailbox)
    try:
        post = PostFactory(status=Post.Status.DRAFT, authors=[contributor], title="For review")
        post.status = Post.Status.IN_REVIEW
        post.save_with_history(by=contributor)
        run_worker()
        assert mailbox.recipients == [editor.email]
        assert "Submitted for review: For review" in mailbox.messages[0]["Subject"]

        post.status = Post.Status.PUBLISHED
        post.save_with_history(by=editor)
        run_worker()
        run_worker()
        assert mailbox.recipients == sorted([editor.email, contributor.email])
        assert Delivery.objects.filter(status=DeliveryStatus.DONE).count() == 2
    finally:
        controller.stop()
