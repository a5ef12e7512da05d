"""Who a post is credited to: a writer who may not edit every post stays among its authors,
on add and on change, whatever the author inline's POST says. Only editors hand posts over."""

import pytest

from blog.models import Post, PostAuthor
from tests.factories import PostFactory, UserFactory
from tests.helpers import post_form

pytestmark = pytest.mark.django_db

REFUSAL = "Keep yourself among the authors"


def with_authors(data, *rows, initial=0):
    """`data` with the author inline holding `rows`: dicts of author, order, id, DELETE."""
    data = data | {
        "postauthor_set-TOTAL_FORMS": str(len(rows)),
        "postauthor_set-INITIAL_FORMS": str(initial),
    }
    for number, row in enumerate(rows):
        for key, value in row.items():
            data[f"postauthor_set-{number}-{key}"] = value
    return data


def existing_rows(post):
    return [
        {"id": row.pk, "post": post.pk, "author": row.author_id, "order": row.order}
        for row in PostAuthor.objects.filter(post=post).order_by("order")
    ]


def test_author_cannot_publish_a_new_post_credited_only_to_someone_else(client, author):
    someone = UserFactory(username="someone", is_staff=True)
    client.force_login(author)

    response = client.post(
        "/admin/blog/post/add/",
        with_authors(post_form(title="Not mine", _transition="publish"), {"author": someone.pk}),
    )

    assert response.status_code == 200
    assert REFUSAL in response.content.decode()
    assert not Post.objects.exists()


def test_contributor_cannot_make_a_draft_credited_only_to_someone_else(client, contributor):
    someone = UserFactory(username="someone", is_staff=True)
    client.force_login(contributor)

    response = client.post(
        "/admin/blog/post/add/",
        with_authors(post_form(title="Planted draft"), {"author": someone.pk, "order": "1"}),
    )

    assert REFUSAL in response.content.decode()
    assert not Post.objects.exists()


def test_author_cannot_remove_themselves_from_their_published_post(client, author):
    someone = UserFactory(username="someone", is_staff=True)
    post = PostFactory(authors=[author, someone])
    client.force_login(author)
    mine, theirs = existing_rows(post)

    response = client.post(
        f"/admin/blog/post/{post.pk}/change/",
        with_authors(post_form(post), mine | {"DELETE": "on"}, theirs, initial=2),
    )

    assert REFUSAL in response.content.decode()
    assert set(post.authors.all()) == {author, someone}


def test_contributor_cannot_swap_their_own_byline_row_for_someone_else(client, contributor):
    someone = UserFactory(username="someone", is_staff=True)
    post = PostFactory(authors=[contributor], status=Post.Status.DRAFT)
    client.force_login(contributor)
    (mine,) = existing_rows(post)

    client.post(
        f"/admin/blog/post/{post.pk}/change/",
        with_authors(post_form(post), mine | {"author": someone.pk}, initial=1),
    )

    assert list(post.authors.all()) == [contributor]


def test_writers_add_co_authors_and_stay_on_the_byline(client, contributor):
    someone = UserFactory(username="someone", is_staff=True)
    post = PostFactory(authors=[contributor], status=Post.Status.DRAFT)
    client.force_login(contributor)
    (mine,) = existing_rows(post)

    response = client.post(
        f"/admin/blog/post/{post.pk}/change/",
        with_authors(post_form(post), mine, {"author": someone.pk, "order": "2"}, initial=1),
    )

    assert response.status_code == 302
    assert [a.username for a in post.authors.order_by("postauthor__order")] == [
        "carla",
        "someone",
    ]


def test_an_empty_byline_makes_the_writer_the_author(client, contributor):
    post = PostFactory(authors=[contributor], status=Post.Status.DRAFT)
    client.force_login(contributor)
    (mine,) = existing_rows(post)

    response = client.post(
        f"/admin/blog/post/{post.pk}/change/",
        with_authors(post_form(post), mine | {"DELETE": "on"}, initial=1),
    )

    assert response.status_code == 302
    assert list(post.authors.all()) == [contributor]


def test_editor_may_credit_a_post_to_someone_else_alone(client, editor):
    someone = UserFactory(username="someone", is_staff=True)
    client.force_login(editor)

    response = client.post(
        "/admin/blog/post/add/",
        with_authors(post_form(title="Guest post", _transition="publish"), {"author": someone.pk}),
    )

    assert response.status_code == 302
    assert list(Post.objects.get().authors.all()) == [someone]


def test_the_author_choices_are_people_who_write_here(client, contributor):
    UserFactory(username="writer", display_name="Wendy Writer", is_staff=True)
    UserFactory(username="reader", display_name="Rita Reader")
    client.force_login(contributor)

    page = client.get("/admin/blog/post/add/").content.decode()

    assert "Wendy Writer" in page and "Rita Reader" not in page


def test_a_byline_naming_someone_who_left_can_still_be_saved(client, editor):
    former = UserFactory(username="former", display_name="Former Staff", is_active=False)
    post = PostFactory(authors=[former])
    client.force_login(editor)

    response = client.post(
        f"/admin/blog/post/{post.pk}/change/",
        with_authors(post_form(post, title="Edited"), *existing_rows(post), initial=1),
    )

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.title == "Edited" and list(post.authors.all()) == [former]
