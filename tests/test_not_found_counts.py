"""Addresses that answered 404 are counted by path, for editors to see which redirects are
missing: nothing about the reader is kept, and a flood of made-up paths cannot grow the table
past its cap."""

import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from blog.models import NotFoundPath, Redirect
from blog.redirects import prune_not_found
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_each_404_is_counted_under_its_path(client):
    client.get("/2018/07/lost-post/")
    client.get("/2018/07/lost-post")
    client.get("/posts/no-such-post/", HTTP_USER_AGENT="Mozilla/5.0", HTTP_REFERER="https://x/")

    counts = dict(NotFoundPath.objects.values_list("path", "hits"))
    assert counts == {"/2018/07/lost-post": 2, "/posts/no-such-post": 1}
    row = NotFoundPath.objects.get(path="/2018/07/lost-post")
    assert row.first_seen <= row.last_seen


def test_nothing_about_the_reader_is_kept():
    fields = {field.name for field in NotFoundPath._meta.get_fields()}

    assert fields == {"id", "path", "hits", "first_seen", "last_seen"}


def test_pages_that_answer_redirects_the_admin_and_secret_links_are_not_counted(client, editor):
    post = PostFactory()
    Redirect.objects.create(old_path="/moved", target_url="/")
    client.get(post.get_absolute_url())
    client.get("/moved/")
    client.get("/preview/expired-or-made-up-token/")
    client.get("/calendar/revoked-token.ics")
    client.force_login(editor)
    client.get("/admin/blog/no-such-model/")

    assert not NotFoundPath.objects.exists()


def test_a_long_path_is_counted_under_its_first_500_characters(client):
    # Each is first sent on to its address with a slash (as `/<slug>/` may be a page).
    client.get("/" + "a" * 700, follow=True)
    client.get("/" + "a" * 650, follow=True)

    row = NotFoundPath.objects.get()
    assert len(row.path) == 500 and row.hits == 2


def test_bots_asking_for_random_paths_cannot_grow_the_table_past_its_cap(client, settings):
    settings.BYLINE_NOT_FOUND_MAX_PATHS = 20
    client.get("/wp-login.php")

    for _ in range(200):
        client.get(f"/{uuid.uuid4().hex}/")
    client.get("/wp-login.php")

    assert NotFoundPath.objects.count() == 20
    assert NotFoundPath.objects.get(path="/wp-login.php").hits == 2  # known paths still count


def test_the_hourly_prune_keeps_the_most_asked_for_and_makes_room(settings):
    settings.BYLINE_NOT_FOUND_KEEP = 3
    now = timezone.now()
    for path, hits, days_ago in [
        ("/popular", 50, 30),
        ("/steady", 9, 1),
        ("/old-single", 1, 20),
        ("/new-single", 1, 0),
        ("/older-single", 1, 40),
    ]:
        seen = now - timedelta(days=days_ago)
        NotFoundPath.objects.create(path=path, hits=hits, first_seen=seen, last_seen=seen)

    assert prune_not_found() == 2

    assert set(NotFoundPath.objects.values_list("path", flat=True)) == {
        "/popular",
        "/steady",
        "/new-single",
    }


def test_the_worker_prunes_the_404_counts_with_its_hourly_jobs(settings):
    from blog.management.commands.worker import Command

    settings.BYLINE_NOT_FOUND_KEEP = 1
    now = timezone.now()
    for path in ("/a", "/b"):
        NotFoundPath.objects.create(path=path, first_seen=now, last_seen=now)

    Command().prune()

    assert NotFoundPath.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_404s_and_redirect_hits_are_counted_exactly(caplog):
    if connection.vendor != "postgresql":
        pytest.skip("needs writers that really run at once: PostgreSQL")
    Redirect.objects.create(old_path="/moved", target_url="/")
    threads, each = 20, 10
    start = threading.Barrier(threads)

    def requests():
        try:
            reader = Client()  # its own thread, so its own database connection
            start.wait(timeout=60)
            return [
                reader.get(path).status_code for _ in range(each) for path in ("/gone/", "/moved")
            ]
        finally:
            connections.close_all()

    with caplog.at_level(logging.WARNING), ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(requests) for _ in range(threads)]
        statuses = [status for future in futures for status in future.result()]

    assert sorted(set(statuses)) == [301, 404] and len(statuses) == 400
    assert "not counted" not in caplog.text
    assert NotFoundPath.objects.get().hits == 200  # the first of them inserted, the rest updated
    assert Redirect.objects.get().hits == 200
