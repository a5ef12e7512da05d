"""Publishing needs alt text on every image: submitting, publishing and scheduling are refused,
naming the image, while a body image has none in its reference and none in the library; the
same rule in the post form, the bulk actions, restoring a revision and the workflow itself."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from blog.compliance import image_problems
from blog.models import Image, Post
from tests.factories import PostFactory
from tests.helpers import image_bytes, post_form, upload

pytestmark = pytest.mark.django_db


def library_image(title="harbour", alt_text="", user=None):
    return Image.objects.create_from_upload(
        upload(f"{title}.png", image_bytes("PNG", (400, 300)), "image/png"),
        user=user,
        title=title,
        alt_text=alt_text,
    )


def test_an_image_without_alt_text_anywhere_is_named():
    image = library_image("harbour-at-dawn")
    post = Post(body=f"Intro.\n\n![](image:{image.pk})\n")

    (problem,) = image_problems(post)

    assert f"“harbour-at-dawn” (image:{image.pk})" in problem
    assert "no alt text" in problem


def test_alt_text_in_the_reference_or_the_library_is_enough():
    described = library_image("described", alt_text="Boats at anchor")
    bare = library_image("bare")

    assert image_problems(Post(body=f"![](image:{described.pk})")) == []
    assert image_problems(Post(body=f"![Gulls over a pier](image:{bare.pk})")) == []
    assert image_problems(Post(body=f"![  ](image:{bare.pk})")) != []


def test_every_image_lacking_alt_text_is_named_at_once():
    first, second = library_image("first"), library_image("second")
    post = Post(body=f"![](image:{first.pk})\n\n![](image:{second.pk})\n\n![](image:{first.pk})")

    (problem,) = image_problems(post)

    assert problem.startswith("These images have no alt text:")
    assert f"“first” (image:{first.pk}), “second” (image:{second.pk})." in problem


def test_a_reference_to_an_image_not_in_the_library_is_a_problem():
    (problem,) = image_problems(Post(body="![](image:424242)"))

    assert "image:424242, which is not in the image library" in problem


def test_addresses_and_words_are_no_concern_of_the_check(django_assert_num_queries):
    post = Post(body="![A photo](https://example.org/a.jpg) and image:12 in words.")

    with django_assert_num_queries(0):
        assert image_problems(post) == []


# Every path that publishes ------------------------------------------------------------------


def test_the_post_form_refuses_to_publish_naming_the_image(client, editor):
    image = library_image("quay")
    client.force_login(editor)
    body = f"Words.\n\n![](image:{image.pk})"

    response = client.post("/admin/blog/post/add/", post_form(body=body, _transition="publish"))

    assert response.status_code == 200
    assert f"“quay” (image:{image.pk})" in response.text
    assert not Post.objects.exists()

    described = body.replace("![]", "![A stone quay in fog]")
    response = client.post(
        "/admin/blog/post/add/", post_form(body=described, _transition="publish")
    )

    assert response.status_code == 302
    assert Post.objects.get().status == Post.Status.PUBLISHED


def test_the_post_form_refuses_to_schedule_and_to_submit_without_alt_text(client, contributor):
    image = library_image("quay")
    client.force_login(contributor)
    body = f"![](image:{image.pk})"

    response = client.post("/admin/blog/post/add/", post_form(body=body, _transition="submit"))

    assert "Not ready for review" in response.text
    assert f"(image:{image.pk})" in response.text
    assert not Post.objects.exists()


def test_scheduling_is_refused_too(editor):
    image = library_image("quay")
    post = PostFactory(
        status=Post.Status.DRAFT,
        body=f"![](image:{image.pk})",
        publish_at=timezone.now() + dt.timedelta(days=2),
        authors=[editor],
    )

    with pytest.raises(ValidationError) as refused:
        post.check_transition("schedule", editor)

    assert f"(image:{image.pk})" in " ".join(refused.value.messages)


def test_an_edit_of_a_live_post_that_drops_the_alt_text_is_refused(client, editor):
    image = library_image("quay")
    post = PostFactory(body=f"![Fog](image:{image.pk})", authors=[editor])
    client.force_login(editor)

    response = client.post(
        f"/admin/blog/post/{post.pk}/change/", post_form(post, body=f"![](image:{image.pk})")
    )

    assert response.status_code == 200
    assert "Not ready to publish" in response.text
    post.refresh_from_db()
    assert post.body == f"![Fog](image:{image.pk})"


def test_the_bulk_publish_action_names_the_image(client, editor):
    image = library_image("quay")
    draft = PostFactory(status=Post.Status.DRAFT, body=f"![](image:{image.pk})")
    client.force_login(editor)

    response = client.post(
        reverse("admin:blog_post_changelist"),
        {"action": "publish_now", "_selected_action": [draft.pk]},
        follow=True,
    )

    assert f"“quay” (image:{image.pk})" in response.text
    assert Post.objects.get(pk=draft.pk).status == Post.Status.DRAFT


def test_alt_text_added_in_the_library_lets_the_post_go_out(editor):
    image = library_image("quay")
    post = PostFactory(status=Post.Status.DRAFT, body=f"![](image:{image.pk})", authors=[editor])
    with pytest.raises(ValidationError):
        post.check_transition("publish", editor)

    Image.objects.filter(pk=image.pk).update(alt_text="A stone quay in fog")

    post.check_transition("publish", editor)  # no longer refused


def test_a_featured_image_without_alt_text_is_named(client, editor):
    image = library_image("lighthouse")
    client.force_login(editor)

    response = client.post(
        "/admin/blog/post/add/", post_form(featured_image=str(image.pk), _transition="publish")
    )

    assert f"Describe the featured image (“lighthouse”, image:{image.pk})" in response.text
    assert not Post.objects.exists()

    response = client.post(
        "/admin/blog/post/add/",
        post_form(
            featured_image=str(image.pk),
            featured_image_alt="A red lighthouse on a rock",
            _transition="publish",
        ),
    )

    assert response.status_code == 302
    assert Post.objects.get().is_published()
