import pytest

from blog.models import Post, PostSlugRedirect
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_slug_is_made_from_the_title():
    post = PostFactory(title="Sourdough, Slowly: A Beginner’s Guide!")

    assert post.slug == "sourdough-slowly-a-beginners-guide"


def test_posts_with_the_same_title_get_distinct_slugs():
    slugs = {PostFactory(title="Spring planting").slug for _ in range(3)}

    assert slugs == {"spring-planting", "spring-planting-2", "spring-planting-3"}


def test_an_explicit_duplicate_slug_is_refused_by_the_database():
    from django.db import IntegrityError, transaction

    PostFactory(slug="taken")
    with pytest.raises(IntegrityError), transaction.atomic():
        PostFactory(slug="taken")


def test_a_title_without_letters_still_gets_a_slug():
    assert PostFactory(title="!!!").slug == "post"


def test_changing_the_slug_keeps_the_old_address_as_a_permanent_redirect(client):
    post = PostFactory(slug="old-address")
    post.slug = "new-address"
    post.save()

    response = client.get("/posts/old-address/")

    assert response.status_code == 301
    assert response["Location"] == "/posts/new-address/"
    assert client.get("/posts/new-address/").status_code == 200


def test_a_chain_of_renames_redirects_every_old_slug_to_the_current_one(client):
    post = PostFactory(slug="first")
    for slug in ("second", "third"):
        post.slug = slug
        post.save()

    assert client.get("/posts/first/")["Location"] == "/posts/third/"
    assert client.get("/posts/second/")["Location"] == "/posts/third/"


def test_renaming_back_to_an_old_slug_removes_its_redirect(client):
    post = PostFactory(slug="one")
    post.slug = "two"
    post.save()
    post.slug = "one"
    post.save()

    assert not PostSlugRedirect.objects.filter(old_slug="one").exists()
    assert client.get("/posts/one/").status_code == 200
    assert client.get("/posts/two/")["Location"] == "/posts/one/"


def test_a_new_post_never_gets_generated_slug_that_still_redirects():
    post = PostFactory(title="Moving house")
    post.slug = "moving-house-checklist"
    post.save()

    assert PostFactory(title="Moving house").slug == "moving-house-2"


def test_a_new_post_given_an_old_slug_explicitly_takes_the_address_over(client):
    post = PostFactory(slug="contested")
    post.slug = "renamed"
    post.save()

    newcomer = PostFactory(slug="contested")

    assert client.get("/posts/contested/").context["post"] == newcomer


def test_old_slug_of_an_unpublished_post_does_not_redirect(client):
    post = PostFactory(slug="was-public")
    post.slug = "now-a-draft"
    post.status = Post.Status.DRAFT
    post.save()

    assert client.get("/posts/was-public/").status_code == 404
