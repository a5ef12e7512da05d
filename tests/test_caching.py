"""The public page cache: fast for readers, never stale after a change."""

from datetime import timedelta

import pytest
import redis
import time_machine
from django.core.cache import caches
from django.test import override_settings
from django.utils import timezone

from blog.models import Post
from tests.factories import PostFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = ["/", "/posts/first/", "/tags/t/", "/topics/soil/", "/sitemap.xml", "/robots.txt"]


@pytest.fixture
def post():
    return PostFactory(slug="first", tags=["t"], topics=[TopicFactory(slug="soil")])


@pytest.mark.parametrize("url", PAGES)
def test_public_pages_send_validators_and_answer_conditional_gets(client, post, url):
    first = client.get(url)

    assert first.status_code == 200
    assert first["ETag"].startswith('"') and first["Last-Modified"]
    assert "public" in first["Cache-Control"] and "max-age=60" in first["Cache-Control"]
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    assert client.get(url, headers={"if-modified-since": first["Last-Modified"]}).status_code == 304


def test_a_cached_page_is_served_with_one_query(client, post, django_assert_num_queries):
    client.get("/")

    with django_assert_num_queries(1):
        assert client.get("/").status_code == 200


def test_an_edit_shows_at_once(client, post):
    assert "A post worth" in client.get("/").content.decode()
    old_etag = client.get("/")["ETag"]

    post.title = "Retitled for readers"
    post.save()
    response = client.get("/", headers={"if-none-match": old_etag})

    assert response.status_code == 200
    assert "Retitled for readers" in response.content.decode()


def test_unpublishing_removes_the_post_at_once(client, post):
    client.get("/")

    post.status = Post.Status.DRAFT
    post.save()

    assert "A post worth" not in client.get("/").content.decode()
    assert client.get("/posts/first/").status_code == 404


def test_deleting_a_post_removes_it_at_once(client, post):
    client.get("/feed/")

    post.delete()

    assert b"A post worth" not in client.get("/feed/").content


def test_an_author_bio_change_shows_at_once(client):
    writer = UserFactory(bio="Old bio.")
    post = PostFactory(authors=[writer])
    client.get(post.get_absolute_url())

    writer.bio = "New bio."
    writer.save()

    assert "New bio." in client.get(post.get_absolute_url()).content.decode()


def test_a_scheduled_post_appears_when_its_time_comes_with_no_save(client):
    now = timezone.now()
    PostFactory(title="Already out", publish_at=now - timedelta(days=1))
    PostFactory(title="Coming soon", slug="soon", publish_at=now + timedelta(minutes=30))

    home = client.get("/")
    assert "Coming soon" not in home.content.decode()

    with time_machine.travel(now + timedelta(minutes=31)):
        later = client.get("/", headers={"if-none-match": home["ETag"]})
        assert later.status_code == 200
        assert "Coming soon" in later.content.decode()
        assert "Coming soon" in client.get("/feed/").content.decode()
        assert "/posts/soon/" in client.get("/sitemap.xml").content.decode()
        assert client.get("/posts/soon/").status_code == 200


def test_logged_in_editors_bypass_the_cache(client, editor, post):
    client.get("/")
    client.force_login(editor)

    response = client.get("/")

    assert "ETag" not in response


def test_missing_pages_are_not_cached(client):
    assert client.get("/posts/later/").status_code == 404

    PostFactory(slug="later")

    assert client.get("/posts/later/").status_code == 200


REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_is_running():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


@pytest.mark.skipif(not redis_is_running(), reason="needs Redis on 127.0.0.1:6379")
def test_the_page_cache_works_on_redis_shared_by_every_process(client, django_assert_num_queries):
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "byline-tests",
        }
    }
    with override_settings(CACHES=redis_cache):
        caches["default"].clear()
        writer = UserFactory(bio="Old bio.")
        post = PostFactory(authors=[writer])
        client.get(post.get_absolute_url())
        with django_assert_num_queries(1):
            assert client.get(post.get_absolute_url()).status_code == 200

        writer.bio = "New bio."
        writer.save()
        assert "New bio." in client.get(post.get_absolute_url()).content.decode()
        caches["default"].clear()


def test_if_modified_since_alone_sees_a_deletion_and_a_bio_change(client):
    writer = UserFactory(bio="Old bio.")
    post = PostFactory(authors=[writer])
    other = PostFactory(title="Going away")
    first = client.get("/")

    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        other.delete()
        again = client.get("/", headers={"if-modified-since": first["Last-Modified"]})
        assert again.status_code == 200 and "Going away" not in again.content.decode()

    page = client.get(post.get_absolute_url())
    with time_machine.travel(timezone.now() + timedelta(seconds=4)):
        writer.bio = "New bio."
        writer.save()
        fresh = client.get(
            post.get_absolute_url(), headers={"if-modified-since": page["Last-Modified"]}
        )
        assert fresh.status_code == 200 and "New bio." in fresh.content.decode()


def test_editing_a_draft_or_logging_in_leaves_public_pages_cached(client, editor):
    PostFactory(title="Public")
    draft = PostFactory(title="Draft", status=Post.Status.DRAFT)
    first = client.get("/")

    draft.body = "Still writing."
    draft.save()
    client.force_login(editor)  # updates last_login
    client.logout()

    assert client.get("/", headers={"if-none-match": first["ETag"]}).status_code == 304


def test_the_cache_key_includes_the_host(client, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    post = PostFactory()

    one = client.get(post.get_absolute_url(), HTTP_HOST="one.example").content.decode()
    two = client.get(post.get_absolute_url(), HTTP_HOST="two.example").content.decode()

    assert 'href="http://one.example/posts/' in one
    assert 'href="http://two.example/posts/' in two


def test_unknown_query_parameters_are_served_but_not_cached(client, post):
    response = client.get("/?utm_source=newsletter")

    assert response.status_code == 200 and "ETag" not in response
    assert "ETag" in client.get("/?page=1")


def test_head_requests_get_validators(client, post):
    response = client.head("/")

    assert response.status_code == 200 and response["ETag"]
