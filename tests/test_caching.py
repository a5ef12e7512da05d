"""The public page cache: fast for readers, never stale after a change."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import caches
from django.utils import timezone

from blog.caching import page_key
from blog.models import Post
from tests.factories import PostFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = ["/", "/posts/first/", "/tags/t/", "/topics/soil/", "/sitemap.xml", "/robots.txt"]


@pytest.fixture
def post():
    return PostFactory(slug="first", tags=["t"], topics=[TopicFactory(slug="soil")])


@pytest.mark.parametrize("url", PAGES)
def test_public_pages_send_validators_and_answer_conditional_gets(client, post, url):
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):  # the post's second is over
        first = client.get(url)

        assert first.status_code == 200
        assert first["ETag"].startswith('W/"') and first["Last-Modified"]
        assert "public" in first["Cache-Control"] and "max-age=60" in first["Cache-Control"]
        assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
        since = first["Last-Modified"]
        assert client.get(url, headers={"if-modified-since": since}).status_code == 304


def test_a_cached_page_is_served_with_no_query(client, post, django_assert_num_queries):
    client.get("/")

    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200


def test_an_edit_shows_at_once(client, post):
    assert "A post worth" in client.get("/").content.decode()
    old_etag = client.get("/")["ETag"]

    post.title = "Retitled for readers"
    post.save()
    response = client.get("/", headers={"if-none-match": old_etag})

    assert response.status_code == 200
    assert "Retitled for readers" in response.content.decode()


def test_an_edit_saved_with_its_history_shows_at_once(client, post):
    """As the admin saves: the row into a HistoryBatch, which moves the cache on for it."""
    client.get("/posts/first/")

    post.title = "Retitled in the editor"
    post.save_with_history(note="A new title")

    assert "Retitled in the editor" in client.get("/posts/first/").content.decode()


def test_unpublishing_with_its_history_removes_the_post_at_once(client, post):
    client.get("/")

    post.status = Post.Status.DRAFT
    post.save_with_history(note="Taken back")

    assert "A post worth" not in client.get("/").content.decode()
    assert client.get("/posts/first/").status_code == 404


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


def log_in(client, user):
    response = client.post(
        "/admin/login/", {"username": user.username, "password": "pass-word-123", "next": "/admin/"}
    )
    assert response.status_code == 302


def test_logged_in_editors_bypass_the_cache(client, editor, post):
    client.get("/")
    log_in(client, editor)

    assert "ETag" not in client.get("/")

    client.post("/admin/logout/")
    assert "ETag" in client.get("/")


@pytest.mark.parametrize(
    "cookies",
    [
        {"sessionid": "made-up"},
        {"sessionid": "made-up", "byline_signed_in": "1"},
        {"byline_signed_in": "1:forged:signature"},
    ],
)
def test_made_up_cookies_do_not_bypass_the_cache(client, post, cookies, django_assert_num_queries):
    client.get("/")
    client.cookies.load(cookies)

    with django_assert_num_queries(0):  # no session lookup, no rendering
        response = client.get("/")

    assert "ETag" in response


def test_missing_pages_are_not_cached(client):
    assert client.get("/posts/later/").status_code == 404

    PostFactory(slug="later")

    assert client.get("/posts/later/").status_code == 200


def test_the_page_cache_works_on_redis_shared_by_every_process(
    client, django_assert_num_queries, redis_cache
):
    writer = UserFactory(bio="Old bio.")
    post = PostFactory(authors=[writer])
    client.get(post.get_absolute_url())
    with django_assert_num_queries(0):
        assert client.get(post.get_absolute_url()).status_code == 200

    writer.bio = "New bio."
    writer.save()
    assert "New bio." in client.get(post.get_absolute_url()).content.decode()


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


def test_if_modified_since_sees_an_unpublish_in_the_same_second(client):
    with time_machine.travel(datetime(2026, 3, 2, 12, 0, 0, 300_000, tzinfo=UTC), tick=False) as t:
        post = PostFactory(slug="brief", title="Here for a moment")
        page = client.get("/posts/brief/")
        home = client.get("/")

        t.move_to(datetime(2026, 3, 2, 12, 0, 0, 800_000, tzinfo=UTC))
        post.status = Post.Status.DRAFT
        post.save()
        t.move_to(datetime(2026, 3, 2, 12, 0, 5, tzinfo=UTC))

        since = {"if-modified-since": page["Last-Modified"]}
        assert client.get("/posts/brief/", headers=since).status_code == 404
        again = client.get("/", headers={"if-modified-since": home["Last-Modified"]})
        assert again.status_code == 200 and "Here for a moment" not in again.content.decode()


@pytest.mark.parametrize(
    "headers",
    [
        {"if-modified-since": "Fri, 01 Jan 2100 00:00:00 GMT"},
        {"if-none-match": "*"},
    ],
)
def test_conditional_headers_do_not_make_a_missing_page_exist(client, post, headers):
    assert client.get("/posts/no-such-post/", headers=headers).status_code == 404
    assert client.get("/tags/no-such-tag/", headers=headers).status_code == 404


def test_if_modified_since_from_another_page_does_not_make_a_missing_page_exist(client, post):
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        last_modified = client.get("/")["Last-Modified"]  # the whole site's last change
        since = {"if-modified-since": last_modified}

        assert client.get("/posts/no-such-post/", headers=since).status_code == 404
        assert client.get("/", headers=since).status_code == 304


def test_a_future_if_modified_since_does_not_hide_a_change(client, post):
    client.get("/")
    post.title = "Changed since"
    post.save()

    response = client.get("/", headers={"if-modified-since": "Fri, 01 Jan 2100 00:00:00 GMT"})

    assert response.status_code == 200 and "Changed since" in response.content.decode()


def cached_pages():
    return sum("byline:page:" in key for key in caches["default"]._cache)


def test_made_up_query_strings_and_paths_do_not_fill_the_cache(client, post):
    PostFactory(publish_at=datetime(2025, 3, 10, tzinfo=UTC))
    for url in ["/", "/archive/2025/", "/archive/2025/03/", "/tags/t/"]:
        assert client.get(url).status_code == 200
    before = cached_pages()

    variations = [
        *(f"/?q=filler-{n}" for n in range(20)),  # home ignores `q`
        *(f"/posts/first/?page={n}" for n in range(2, 12)),  # posts have no pages
        "/?page=01", "/?page=+1", "/?page=%201", "/?page=1&page=1", "/?page=last",
        "/tags/t/?page=0001", "/archive/02025/", "/archive/2025/3/", "/archive/2025/003/",
    ]  # fmt: skip
    statuses = {url: client.get(url).status_code for url in variations}

    assert cached_pages() == before
    assert all(status in (200, 404) for status in statuses.values()), statuses


def test_pages_past_the_last_are_not_cached(client, post):
    assert client.get("/?page=2").status_code == 404
    assert client.get("/?page=999999").status_code == 404
    assert cached_pages() == 0


def test_search_pages_are_cached_within_a_budget(client, post, settings):
    settings.BYLINE_SEARCH_CACHE_PAGES = 3
    queries = [f"worth {n}" for n in range(10)]

    responses = [client.get("/search/", {"q": query}) for query in queries]

    assert all(response.status_code == 200 for response in responses)
    assert cached_pages() == 3
    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.BYLINE_SEARCH_CACHE_SECONDS)
    ):
        client.get("/search/", {"q": "worth reading"})
        assert cached_pages() == 4  # a new period, a new budget


def test_a_cached_search_is_served_with_no_query(client, post, django_assert_num_queries):
    client.get("/search/", {"q": "worth"})

    with django_assert_num_queries(0):
        response = client.get("/search/", {"q": "worth"})

    assert response.status_code == 200 and "A post worth" in response.content.decode()


@pytest.mark.parametrize("url", ["/", "/posts/first/", "/feed/", "/?page=1"])
def test_a_page_from_the_cache_has_the_headers_of_the_page_rendered(client, post, url):
    """Cached pages are answered before sessions, authentication and URL resolution
    (CachedPageMiddleware): every header a rendered page has, security ones included. (Two
    seconds on: within the second of the last change, Last-Modified is the time of the answer.)"""
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        rendered = client.get(url, headers={"accept-encoding": "br"})
        cached = client.get(url, headers={"accept-encoding": "br"})

    assert rendered.status_code == cached.status_code == 200
    assert cached.wsgi_request.resolver_match is None  # answered before URL resolution
    assert rendered.content == cached.content
    assert dict(rendered.items()) == dict(cached.items())
    assert cached["Content-Security-Policy"] and cached["X-Frame-Options"] == "DENY"
    assert int(cached["Content-Length"]) == len(cached.content)
    assert "Cookie" not in cached.get("Vary", "")


@pytest.mark.parametrize("backend", ["local memory", "redis"])
def test_a_revalidation_is_answered_before_the_stack_without_reading_the_page(
    client, post, django_assert_num_queries, request, backend
):
    """A browser sending back the ETag it was given gets its 304 from CachedPageMiddleware
    with no page read: the same answer once the page has left the cache, and, with Redis, no
    round trip for the page's kilobytes."""
    cache = request.getfixturevalue("redis_cache") if backend == "redis" else caches["default"]
    etag = client.get("/posts/first/")["ETag"]
    digest = etag.removeprefix('W/"').removesuffix('"')
    assert cache.delete(page_key(digest))  # the page evicted: only its ETag is left, at the client

    with django_assert_num_queries(0):
        revalidated = client.get("/posts/first/", headers={"if-none-match": etag})

    assert revalidated.status_code == 304 and revalidated["ETag"] == etag
    assert revalidated.wsgi_request.resolver_match is None  # answered before URL resolution
