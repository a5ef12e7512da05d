"""The page cache follows every kind of change made in another process that shares the content
version: here a change is saved in the test process while a second process (another gunicorn
worker, or another server with Redis) holds the page in its own cache. With the local-memory
cache the two share the generation file; with Redis, the cache itself."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from blog.models import Post, SiteSettings
from tests.factories import PostFactory, SponsoredLinkFactory, TopicFactory, UserFactory
from tests.helpers import DjangoChild, database_url_of

pytestmark = pytest.mark.django_db(transaction=True)  # the other process reads what we commit


@pytest.fixture(params=["generation file", "redis"])
def other_process(request):
    """A second process serving pages from the same database, sharing the content version
    through the generation file (local-memory cache) or through Redis."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database two processes share: runs on PostgreSQL")
    env = {"DATABASE_URL": database_url_of(connection), "REDIS_URL": ""}
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
        cache = settings.CACHES["default"]
        env |= {"REDIS_URL": cache["LOCATION"], "PROBE_CACHE_KEY_PREFIX": cache["KEY_PREFIX"]}
    child = DjangoChild("tests.page_server_probe", **env)
    yield child
    child.close()


def cached_there(other, url, **request):
    """The page as the other process serves it, after checking it now serves it from its cache."""
    first = other.ask(url=url, **request)
    again = other.ask(url=url, **request)
    assert again["queries"] == 0, "the other process did not cache the page"
    assert again["text"] == first["text"] and again["etag"] == first["etag"]
    return again


def test_an_edit_shows_in_the_other_process(other_process):
    post = PostFactory(slug="first", title="Before the edit")
    assert "Before the edit" in cached_there(other_process, "/posts/first/")["text"]

    post.title = "After the edit"
    post.save()

    page = other_process.ask(url="/posts/first/")
    assert page["status"] == 200 and "After the edit" in page["text"]


def test_publishing_shows_in_the_other_process(other_process):
    PostFactory(title="Already out")
    draft = PostFactory(slug="draft", title="Fresh from the editor", status=Post.Status.DRAFT)
    assert "Fresh from the editor" not in cached_there(other_process, "/")["text"]

    draft.status = Post.Status.PUBLISHED
    draft.save()

    assert "Fresh from the editor" in other_process.ask(url="/")["text"]
    assert other_process.ask(url="/posts/draft/")["status"] == 200


def test_unpublishing_shows_in_the_other_process(other_process):
    post = PostFactory(slug="first", title="Soon withdrawn")
    assert "Soon withdrawn" in cached_there(other_process, "/")["text"]
    assert cached_there(other_process, "/posts/first/")["status"] == 200

    post.status = Post.Status.DRAFT
    post.save()

    assert "Soon withdrawn" not in other_process.ask(url="/")["text"]
    assert other_process.ask(url="/posts/first/")["status"] == 404


def test_a_scheduled_time_reached_shows_in_the_other_process_with_the_same_etag(
    other_process, client
):
    now = timezone.now()
    PostFactory(title="Already out")
    PostFactory(slug="soon", title="Coming soon", publish_at=now + timedelta(hours=1))
    before = cached_there(other_process, "/")
    assert "Coming soon" not in before["text"]

    later = (now + timedelta(hours=1, seconds=1)).timestamp()
    there = other_process.ask(url="/", at=later)

    assert "Coming soon" in there["text"] and there["etag"] != before["etag"]
    assert other_process.ask(url="/posts/soon/", at=later)["status"] == 200
    with time_machine.travel(later, tick=False):
        assert client.get("/")["ETag"] == there["etag"]  # this process agrees on the version


def test_a_new_tag_shows_in_the_other_process(other_process):
    post = PostFactory(slug="first", tags=["soil"])
    assert "compost" not in cached_there(other_process, "/posts/first/")["text"]

    post.tags.add("compost")

    assert "compost" in other_process.ask(url="/posts/first/")["text"]


def test_a_renamed_topic_shows_in_the_other_process(other_process):
    topic = TopicFactory(slug="garden", name="Gardening")
    PostFactory(slug="first", topics=[topic])
    assert "Gardening" in cached_there(other_process, "/posts/first/")["text"]

    topic.name = "Growing food"
    topic.save()

    page = other_process.ask(url="/posts/first/")
    assert "Growing food" in page["text"] and "Gardening" not in page["text"]


def test_a_post_given_a_topic_shows_in_the_other_process(other_process):
    post = PostFactory(slug="first")
    assert "Kitchen work" not in cached_there(other_process, "/posts/first/")["text"]

    post.topics.add(TopicFactory(slug="kitchen", name="Kitchen work"))

    assert "Kitchen work" in other_process.ask(url="/posts/first/")["text"]


def test_an_author_profile_change_shows_in_the_other_process(other_process):
    writer = UserFactory(bio="Writes about soil.")
    PostFactory(slug="first", authors=[writer])
    assert "Writes about soil." in cached_there(other_process, "/posts/first/")["text"]

    writer.bio = "Now writes about bread."
    writer.save()

    assert "Now writes about bread." in other_process.ask(url="/posts/first/")["text"]


def test_a_retired_sponsored_link_shows_as_text_in_the_other_process(other_process):
    link = SponsoredLinkFactory(slug="kettle")
    PostFactory(slug="first", body="Get [the kettle](/go/kettle/) now.")
    assert "/go/kettle/?from=first" in cached_there(other_process, "/posts/first/")["text"]

    link.active = False
    link.save()

    page = other_process.ask(url="/posts/first/")
    assert "/go/kettle/" not in page["text"] and "the kettle" in page["text"]
    assert other_process.ask(url="/go/kettle/")["status"] == 404


def test_a_new_site_disclosure_shows_in_the_other_process(other_process):
    PostFactory(slug="first", body="Buy [it](https://amzn.to/x).")
    assert (
        "This post contains affiliate links."
        in cached_there(other_process, "/posts/first/")["text"]
    )

    site = SiteSettings.load()
    site.disclosure = "We are paid when you buy through these links."
    site.save()

    page = other_process.ask(url="/posts/first/")["text"]
    assert "We are paid when you buy" in page and "This post contains affiliate" not in page
