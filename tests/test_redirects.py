"""Old addresses keep working: an imported WordPress post's permalink, its guid on the same site
and its `?p=ID` answer 301 to the post's address now, and redirects added by hand answer and
count their hits, all without a query on the pages that answer for themselves."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from blog.content_version import content_version
from blog.menus import site_menus
from blog.models import Post, Redirect
from blog.models.redirects import RedirectQuerySet, normalised_path
from tests.factories import PostFactory
from tests.helpers import command

pytestmark = pytest.mark.django_db
ADDRESSES = Path(__file__).parent / "fixtures" / "import" / "wordpress-addresses.xml"


def import_old_site():
    return command("import_wordpress", ADDRESSES, pages=True)


def location(response):
    return response.status_code, response.headers.get("Location")


def test_an_imported_posts_old_permalink_answers_301_to_its_new_address(client):
    out = import_old_site()

    assert location(client.get("/2021/03/raised-beds-in-clay/")) == (
        301,
        "/posts/raised-beds-in-clay/",
    )
    # with or without the last slash, and a guid that is an address on the same site
    assert location(client.get("/2021/03/raised-beds-in-clay")) == (
        301,
        "/posts/raised-beds-in-clay/",
    )
    assert location(client.get("/2020/11/seed-swap-diary/")) == (301, "/posts/seed-swap-diary/")
    assert "old addresses now redirect to the imported posts" in out


def test_wordpress_numbered_addresses_answer_301_for_posts_and_pages(client):
    import_old_site()
    about = Post.objects.get(slug="about-the-garden")

    assert location(client.get("/?p=21")) == (301, "/posts/raised-beds-in-clay/")
    assert location(client.get("/?page_id=5")) == (301, about.get_absolute_url())
    assert location(client.get("/?p=5")) == (301, about.get_absolute_url())
    # The page's old permalink is its address here (pages are at /<slug>/): no redirect.
    assert about.get_absolute_url() == "/about-the-garden/"
    assert client.get("/about-the-garden/").status_code == 200


@pytest.mark.django_db(transaction=True)  # as in production: no savepoint around the count
def test_p_address_redirects_although_the_home_page_is_cached(client, django_assert_num_queries):
    import_old_site()
    client.get("/")  # renders the home page and stores it
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200  # from the page cache

    with django_assert_num_queries(2):  # the redirect with its post; its hit counted
        response = client.get("/?p=21")

    assert location(response) == (301, "/posts/raised-beds-in-clay/")
    assert Redirect.objects.get(old_path="/?p=21").hits == 1


def test_an_unknown_p_address_is_the_home_page(client):
    PostFactory(title="Only post")

    response = client.get("/?p=999")

    assert response.status_code == 200 and "Only post" in response.content.decode()


def test_addresses_on_another_site_or_the_posts_own_are_not_kept():
    import_old_site()

    old_paths = set(Redirect.objects.values_list("old_path", flat=True))
    # the seed swap's <link> is on another host: only its same-site guid and number are kept
    assert "/seed-swap-diary" not in old_paths
    # the third post's permalink is already its address here: a redirect would loop
    assert "/posts/same-address-already" not in old_paths
    assert "/?p=24" in old_paths
    assert all(path.startswith("/") and "//" not in path for path in old_paths)
    assert set(Redirect.objects.values_list("source", flat=True)) == {"import"}


def test_the_redirect_follows_the_post_when_its_slug_changes(client):
    import_old_site()
    post = Post.objects.get(slug="raised-beds-in-clay")
    post.slug = "beds-for-heavy-soil"
    post.save()

    assert location(client.get("/2021/03/raised-beds-in-clay/")) == (
        301,
        "/posts/beds-for-heavy-soil/",
    )


def test_a_redirect_to_a_post_the_public_cannot_see_is_a_404(client):
    import_old_site()

    assert client.get("/?p=23").status_code == 200  # the draft's number: the home page
    Post.objects.filter(slug="raised-beds-in-clay").update(status=Post.Status.DRAFT)
    assert client.get("/2021/03/raised-beds-in-clay/").status_code == 404


def test_importing_again_changes_no_redirect_and_keeps_the_hits(client):
    import_old_site()
    client.get("/?p=21")
    before = list(Redirect.objects.values_list("old_path", "post_id", "hits"))

    out = import_old_site()

    assert "0 created, 0 updated, 5 unchanged" in out
    assert list(Redirect.objects.values_list("old_path", "post_id", "hits")) == before


def test_an_editors_redirect_is_not_taken_over_by_an_import(client):
    Redirect.objects.create(old_path="/?p=21", target_url="/topics/soil/")

    import_old_site()

    assert Redirect.objects.get(old_path="/?p=21").target_url == "/topics/soil/"


def test_a_manual_redirect_answers_and_counts_its_hits(client):
    Redirect.objects.create(old_path="/shop/spring-sale", target_url="https://shop.example/sale")

    for _ in range(3):
        response = client.get("/shop/spring-sale/")

    assert location(response) == (301, "https://shop.example/sale")
    redirect = Redirect.objects.get()
    assert redirect.hits == 3 and redirect.last_hit is not None


def test_a_head_request_is_redirected_but_not_counted(client):
    Redirect.objects.create(old_path="/checked", target_url="/topics/soil/")

    assert location(client.head("/checked/")) == (301, "/topics/soil/")
    assert Redirect.objects.get().hits == 0


def test_a_temporary_redirect_answers_302(client):
    Redirect.objects.create(old_path="/winter", target_url="/topics/winter/", permanent=False)

    assert location(client.get("/winter")) == (302, "/topics/winter/")


def test_a_redirect_never_hides_a_page_that_answers(client):
    post = PostFactory(slug="still-here")
    Redirect.objects.create(old_path="/posts/still-here/", target_url="/elsewhere/")

    response = client.get(post.get_absolute_url())

    assert response.status_code == 200 and Redirect.objects.get().hits == 0


def test_a_redirect_to_its_own_address_is_a_404_not_a_loop(client):
    Redirect.objects.create(old_path="/round", target_url="/round/")

    assert client.get("/round/").status_code == 404


def test_pages_that_answer_cost_no_query_for_redirects(client, django_assert_num_queries):
    post = PostFactory(slug="plain-post")
    Redirect.objects.create(old_path="/old-one", post=post)
    content_version(), site_menus()  # read once per process, by any page

    with django_assert_num_queries(1):  # the post with its stored blocks (no related posts)
        assert client.get(post.get_absolute_url() + "?uncached=1").status_code == 200
    with django_assert_num_queries(1):  # the stored cards of the page's posts
        assert client.get("/?page=1&uncached=1").status_code == 200


@pytest.mark.parametrize(
    ("old_path", "message"),
    [
        ("https://hillgarden.example/a/", "starting with a single"),
        ("//evil.example/a", "starting with a single"),
        ("old-post/", "starting with a single"),
        ("/a?utm_source=x", "query string"),
        ("/a#top", "“#”"),
        ("/admin/blog/post/", "admin"),
        ("/" + "x" * 600, "at most 500"),
    ],
)
def test_an_old_address_must_be_a_path_of_this_site(old_path, message):
    with pytest.raises(ValidationError, match=message):
        Redirect(old_path=old_path, target_url="/").full_clean()


@pytest.mark.parametrize(
    "target", ["javascript:alert(1)", "http://plain.example/", "//evil.example/", "ftp://x/", ""]
)
def test_a_target_must_be_a_path_or_an_https_address(target):
    with pytest.raises(ValidationError, match="new address"):
        Redirect(old_path="/a", target_url=target).full_clean()


def test_a_redirect_that_would_loop_is_refused():
    Redirect.objects.create(old_path="/b", target_url="/a/")

    with pytest.raises(ValidationError, match="round in a circle"):
        Redirect(old_path="/a", target_url="/b").full_clean()
    with pytest.raises(ValidationError, match="round in a circle"):
        Redirect(old_path="/c", target_url="/c/").full_clean()
    post = PostFactory(slug="here")
    with pytest.raises(ValidationError, match="round in a circle"):
        Redirect(old_path="/posts/here", post=post).full_clean()


def test_paths_are_normalised_the_same_way_from_every_source():
    assert normalised_path("/caf%C3%A9//menu/") == "/café/menu"
    assert normalised_path("/café/menu", decoded=True) == "/café/menu"
    assert normalised_path("/", "p=012&utm=x") == "/?p=12"
    assert normalised_path("/blog/", "page_id=5") == "/blog?page_id=5"
    assert normalised_path("/", "page=2") == "/"


def test_a_hit_the_database_cannot_count_still_redirects(client, monkeypatch, caplog):
    Redirect.objects.create(old_path="/kept", target_url="/topics/soil/")

    def fail(self, redirect):
        raise DatabaseError("disk full")

    monkeypatch.setattr(RedirectQuerySet, "count_hit", fail)

    assert location(client.get("/kept")) == (301, "/topics/soil/")
    assert "not counted" in caplog.text
