"""The content version: cache hits and 304s without the database, on time for scheduled posts,
and the same in every process of the machine."""

import logging
import subprocess
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from blog import content_version as content_version_module
from blog.content_version import content_generation
from tests.factories import PostFactory, TopicFactory
from tests.helpers import run_django_child

pytestmark = pytest.mark.django_db


# Every page type the page cache serves, by URL name (arguments filled in from the post below).
CACHED_PAGES = [
    "blog:post_list",
    "blog:post_detail",
    "blog:archive_year",
    "blog:archive_month",
    "blog:search",
    "blog:feed",
    "blog:feed_atom",
    "blog:tag_detail",
    "blog:tag_feed",
    "blog:tag_feed_atom",
    "blog:topic_detail",
    "blog:topic_feed",
    "blog:topic_feed_atom",
    "blog:author_detail",
    "blog:author_feed",
    "blog:author_feed_atom",
    "sitemap",
    "robots_txt",
]


def url_of(name, post):
    arguments = {
        "blog:post_detail": {"slug": post.slug},
        "blog:archive_year": {"year": post.publish_at.year},
        "blog:archive_month": {"year": post.publish_at.year, "month": post.publish_at.month},
        "tag": {"slug": "t"},
        "topic": {"slug": "soil"},
        "author": {"slug": post.authors.get().slug},
    }
    kind = next((kind for kind in ("tag", "topic", "author") if f":{kind}_" in name), name)
    url = reverse(name, kwargs=arguments.get(kind, {}))
    return f"{url}?q=worth" if name == "blog:search" else url


@pytest.mark.parametrize("name", CACHED_PAGES)
def test_cache_hits_and_304s_run_no_query_on_every_cached_page_type(
    client, django_assert_num_queries, name
):
    post = PostFactory(slug="first", tags=["t"], topics=[TopicFactory(slug="soil")])
    url = url_of(name, post)
    first = client.get(url)
    assert first.status_code == 200 and "ETag" in first

    with django_assert_num_queries(0):
        hit = client.get(url)
    with django_assert_num_queries(0):
        revalidated = client.get(url, headers={"if-none-match": first["ETag"]})
    with django_assert_num_queries(0):
        compressed = client.get(url, headers={"accept-encoding": "gzip"})

    assert hit.status_code == 200 and hit.content == first.content
    assert revalidated.status_code == 304
    assert compressed.status_code == 200 and compressed["Content-Encoding"] == "gzip"


def test_a_scheduled_post_appears_the_moment_its_time_passes(client, django_assert_num_queries):
    now = timezone.now()
    PostFactory(title="Already out", publish_at=now - timedelta(days=1))
    PostFactory(title="Coming soon", slug="soon", publish_at=now + timedelta(minutes=30))
    home = client.get("/")

    with time_machine.travel(now + timedelta(minutes=29, seconds=59)):
        with django_assert_num_queries(0):
            before = client.get("/", headers={"if-none-match": home["ETag"]})
        assert before.status_code == 304
    with time_machine.travel(now + timedelta(minutes=30, seconds=1)):
        after = client.get("/", headers={"if-none-match": home["ETag"]})
        assert after.status_code == 200 and "Coming soon" in after.content.decode()
        assert client.get("/posts/soon/").status_code == 200
        with django_assert_num_queries(0):
            assert client.get("/", headers={"if-none-match": after["ETag"]}).status_code == 304


def run_second_process(settings, tmp_path, url):
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        database = f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    else:  # the test database is in memory: a new file, with no scheduled post either
        database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    return run_django_child("tests.generation_probe", url, DATABASE_URL=database, REDIS_URL="")


@pytest.mark.django_db(transaction=True)
def test_a_change_in_another_process_moves_the_version_here_to_the_same_etag(
    client, settings, tmp_path
):
    PostFactory(slug="first")
    before = client.get("/")

    other = run_second_process(settings, tmp_path, "/")

    assert content_generation() == other["generation"]
    again = client.get("/", headers={"if-none-match": before["ETag"]})
    assert again.status_code == 200 and again["ETag"] == other["etag"]
    assert client.get("/", headers={"if-none-match": other["etag"]}).status_code == 304


def test_an_unusable_generation_file_falls_back_to_the_cache_with_a_warning(
    client, settings, tmp_path, caplog
):
    (tmp_path / "a-file").write_text("")
    settings.BYLINE_GENERATION_FILE = tmp_path / "a-file" / "content-generation"
    post = PostFactory(slug="first", title="Before")

    with caplog.at_level(logging.WARNING, logger="blog.content_version"):
        first = client.get("/posts/first/")
        post.title = "After"
        post.save()
        again = client.get("/posts/first/", headers={"if-none-match": first["ETag"]})

    assert first.status_code == 200
    assert again.status_code == 200 and "After" in again.content.decode()
    assert "Content generation file unusable" in caplog.text


def test_a_generation_file_that_cannot_be_written_does_not_hold_back_changes(
    client, settings, caplog
):
    settings.BYLINE_GENERATION_FILE.touch()
    if subprocess.run(["chattr", "+i", settings.BYLINE_GENERATION_FILE]).returncode != 0:
        pytest.skip("needs chattr to make a file that root cannot write either")
    try:
        post = PostFactory(slug="first", title="Before")
        with caplog.at_level(logging.WARNING, logger="blog.content_version"):
            first = client.get("/posts/first/")
            post.title = "After"
            post.save()
            again = client.get("/posts/first/", headers={"if-none-match": first["ETag"]})
    finally:
        subprocess.run(["chattr", "-i", settings.BYLINE_GENERATION_FILE], check=True)

    assert again.status_code == 200 and "After" in again.content.decode()
    assert "Content generation file unusable" in caplog.text


@pytest.mark.parametrize("query", ["?utm_source=news", ""])
def test_a_page_reads_the_generation_once_whether_cached_or_not(client, monkeypatch, query):
    """Every per-generation lookup of a page (menus, related posts, the site's disclosure) asks
    for the generation: read from the file or, with Redis, over the network, it is read once
    per request, also for a query string the page cache does not keep."""
    post = PostFactory(title="Pinned", tags=["soil"], topics=[TopicFactory(name="Garden")])
    client.get(post.get_absolute_url() + "?warm=1")  # this process's per-generation reads
    reads = []
    real = content_version_module._generation_file
    monkeypatch.setattr(
        content_version_module, "_generation_file", lambda: reads.append(1) or real()
    )

    response = client.get(post.get_absolute_url() + query)

    assert response.status_code == 200 and "Pinned" in response.content.decode()
    assert len(reads) <= 2  # the page cache's lookup before the view, and the render
