"""Images in the post form: the library picker's list, the one upload endpoint (permissions,
CSRF, refusals), the featured image chosen from the library, and the picker on the form."""

import re

import pytest
from django.test import Client

from blog.models import Image, Post
from tests.factories import PostFactory, UserFactory
from tests.helpers import SCRIPT, image_bytes, post_form, upload

pytestmark = pytest.mark.django_db

LIBRARY = "/admin/blog/post/images/"
UPLOAD = "/markdownx/upload/"


def library_image(user=None, *, title="harbour", alt_text="", size=(400, 300)):
    return Image.objects.create_from_upload(
        upload(f"{title}.png", image_bytes("PNG", size), "image/png"),
        user=user,
        title=title,
        alt_text=alt_text,
    )


def png(name="photo.png", size=(320, 200)):
    return upload(name, image_bytes("PNG", size), "image/png")


# The library, as the picker lists it ---------------------------------------------------------


def test_a_contributor_sees_every_library_image_in_the_picker(client, contributor, editor):
    theirs = library_image(editor, title="editors-photo", alt_text="A quay at dawn")
    mine = library_image(contributor, title="my-photo")
    client.force_login(contributor)

    images = client.get(LIBRARY).json()["images"]

    assert [image["id"] for image in images] == [mine.pk, theirs.pk]  # newest first
    assert images[1]["alt_text"] == "A quay at dawn"
    assert images[1]["thumbnail"].startswith("/media/")


def test_the_picker_searches_titles_and_alt_text(client, author):
    library_image(author, title="harbour", alt_text="Boats in a harbour")
    library_image(author, title="mountain", alt_text="Snow on a ridge")
    client.force_login(author)

    found = client.get(LIBRARY, {"q": "snow"}).json()["images"]

    assert [image["title"] for image in found] == ["mountain"]


def test_staff_who_cannot_write_posts_cannot_list_the_library(client):
    library_image()
    client.force_login(UserFactory(is_staff=True))

    response = client.get(LIBRARY)

    assert response.status_code == 403
    assert "images" not in response.json()


def test_the_library_list_is_not_for_anonymous_visitors(client):
    response = client.get(LIBRARY)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# Uploading into the library -------------------------------------------------------------------


def test_an_upload_from_the_post_form_becomes_a_library_image(client, contributor):
    client.force_login(contributor)

    response = client.post(UPLOAD, {"image": png("sunset.png"), "alt_text": " Sun over the sea "})

    assert response.status_code == 200
    image = Image.objects.get()
    assert image.uploaded_by == contributor
    assert image.alt_text == "Sun over the sea"
    assert image.title == "sunset"
    answer = response.json()
    assert answer["image"]["id"] == image.pk
    assert answer["image_code"] == f"![](image:{image.pk})"


@pytest.mark.parametrize("role", ["contributor", "author", "editor"])
def test_every_writing_role_can_upload_into_the_library(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.post(UPLOAD, {"image": png()}).status_code == 200
    assert Image.objects.count() == 1


def test_staff_who_cannot_write_posts_cannot_upload(client):
    client.force_login(UserFactory(is_staff=True))

    response = client.post(UPLOAD, {"image": png()})

    assert response.status_code == 403
    assert "permission" in response.json()["image"][0]
    assert not Image.objects.exists()


def test_an_upload_without_the_csrf_token_is_refused(contributor):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(contributor)

    response = browser.post(UPLOAD, {"image": png()})

    assert response.status_code == 403
    assert not Image.objects.exists()


def test_an_upload_with_the_form_csrf_token_is_taken(contributor):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(contributor)
    form = browser.get("/admin/blog/post/add/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]

    response = browser.post(UPLOAD, {"image": png()}, headers={"x-csrftoken": token})

    assert response.status_code == 200
    assert Image.objects.count() == 1


def test_a_page_posing_as_an_image_is_refused_with_the_reason(client, author):
    client.force_login(author)

    response = client.post(
        UPLOAD, {"image": upload("cat.png", b"<html>" + SCRIPT + b"</html>", "image/png")}
    )

    assert response.status_code == 400
    assert "“cat.png” is not a JPEG, PNG, WebP or GIF image" in response.json()["image"][0]
    assert not Image.objects.exists()


def test_an_upload_needs_a_file(client, author):
    client.force_login(author)

    response = client.post(UPLOAD, {})

    assert response.status_code == 400
    assert response.json()["image"] == ["Choose an image to upload."]


def test_the_upload_endpoint_answers_only_posts(client, author):
    client.force_login(author)

    assert client.get(UPLOAD).status_code == 405


# The post form ----------------------------------------------------------------------------


def test_the_post_form_offers_the_picker_and_the_featured_image_widget(client, contributor):
    client.force_login(contributor)

    page = client.get("/admin/blog/post/add/").content.decode()

    assert 'id="image-picker"' in page
    assert f'data-upload-url="{UPLOAD}"' in page
    assert "admin/js/image-picker.js" in page
    assert "Choose from library" in page
    assert "upload-errors.js" not in page  # markdownx's own upload is not the way in any more


def test_a_contributor_may_feature_an_image_someone_else_uploaded(client, contributor, editor):
    image = library_image(editor, title="quay", alt_text="A quay at dawn")
    client.force_login(contributor)

    response = client.post("/admin/blog/post/add/", post_form(featured_image=str(image.pk)))

    assert response.status_code == 302
    post = Post.objects.get()
    assert post.featured_image == image
    page = client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()
    assert "quay (alt: A quay at dawn)" in page
    assert image.rendition_url(320) in page


def test_a_featured_image_that_is_not_in_the_library_is_refused(client, author):
    client.force_login(author)

    response = client.post("/admin/blog/post/add/", post_form(featured_image="999999"))

    assert response.status_code == 200
    assert not Post.objects.exists()


def test_changing_a_post_keeps_its_featured_image(client, author):
    image = library_image(author, alt_text="Boats")
    post = PostFactory(authors=[author], featured_image=image)
    client.force_login(author)

    response = client.post(
        f"/admin/blog/post/{post.pk}/change/",
        post_form(post, featured_image=str(image.pk), body="New words."),
    )

    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.body, post.featured_image_id) == ("New words.", image.pk)


# Alt text typed at insertion, kept in the library ------------------------------------------


def alt_text_url(image):
    return f"/admin/blog/post/images/{image.pk}/alt-text/"


def test_alt_text_typed_for_ones_own_upload_is_kept_in_the_library(client, contributor):
    image = library_image(contributor)
    client.force_login(contributor)

    response = client.post(alt_text_url(image), {"alt_text": " Boats at anchor "})

    assert response.status_code == 200
    assert response.json()["image"]["alt_text"] == "Boats at anchor"
    image.refresh_from_db()
    assert image.alt_text == "Boats at anchor"


def test_a_contributor_cannot_give_alt_text_to_someone_elses_image(client, contributor, editor):
    image = library_image(editor)
    client.force_login(contributor)

    response = client.post(alt_text_url(image), {"alt_text": "Mine now"})

    assert response.status_code == 403
    image.refresh_from_db()
    assert image.alt_text == ""
    listed = client.get(LIBRARY).json()["images"][0]
    assert (listed["id"], listed["editable"]) == (image.pk, False)


def test_alt_text_already_in_the_library_is_not_replaced_from_the_post_form(client, editor):
    image = library_image(editor, alt_text="A quay at dawn")
    client.force_login(editor)

    client.post(alt_text_url(image), {"alt_text": "Something else"})

    image.refresh_from_db()
    assert image.alt_text == "A quay at dawn"


def test_alt_text_needs_a_post_with_the_csrf_token(contributor):
    image = library_image(contributor)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(contributor)

    assert browser.get(alt_text_url(image)).status_code == 405
    assert browser.post(alt_text_url(image), {"alt_text": "Boats"}).status_code == 403
    image.refresh_from_db()
    assert image.alt_text == ""
