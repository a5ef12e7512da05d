"""The image library: body references rendered as responsive figures, where images are used,
deletion refused while used, who may change what, renditions made once, focal-point crops."""

import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from PIL import Image as Picture

from blog.content_version import content_version
from blog.images import crop_box
from blog.menus import site_menus
from blog.models import Image, ImageUse, Post
from blog.rendering import render_markdown
from tests.factories import FAQFactory, ImageFactory, PostFactory, UserFactory
from tests.helpers import image_bytes, png, post_form, upload

pytestmark = pytest.mark.django_db

UNCACHED = "?uncached=1"


def media_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# Rendering ------------------------------------------------------------------------------------


def test_a_reference_becomes_a_figure_with_renditions_size_alt_and_caption(client):
    image = ImageFactory(upload=png(1600, 900), alt_text="Library words", credit="Ann Lens")
    post = PostFactory(body=f'Intro.\n\n![A loaf on a board](image:{image.pk} "Fresh rye")\n')

    html = client.get(post.get_absolute_url() + UNCACHED).content.decode()

    figure = re.search(r'<figure class="figure">.*?</figure>', html, re.S)[0]
    avif = re.search(r'<source type="image/avif" srcset="([^"]+)" sizes="([^"]+)">', figure)
    assert avif and [w for w in re.findall(r" (\d+)w", avif[1])] == [
        "320", "640", "960", "1440", "1600",
    ]  # fmt: skip
    img = re.search(r"<img [^>]+>", figure)[0]
    assert re.search(r'srcset="[^"]*\.webp 320w, [^"]*1600w"', img)
    assert 'sizes="(min-width: 46rem) 42rem, 100vw"' in img
    assert 'width="1600" height="900" alt="A loaf on a board"' in img
    assert 'loading="eager"' in img  # the first image of the body
    assert '<figcaption>Fresh rye <span class="figure__credit">Ann Lens</span></figcaption>' in (
        figure
    )


def test_without_alt_or_title_the_reference_takes_the_librarys_words():
    image = ImageFactory(alt_text="Two cups of tea", caption="Tea time")

    html = render_markdown(f"![](image:{image.pk})\n\n![](image:{image.pk})")

    assert html.count('alt="Two cups of tea"') == 2
    assert html.count("<figcaption>Tea time</figcaption>") == 2
    assert html.count('loading="eager"') == 1 and html.count('loading="lazy"') == 1


def test_an_image_within_text_is_an_image_not_a_figure():
    image = ImageFactory()

    html = render_markdown(f"See ![icon](image:{image.pk}) here.")

    assert "<figure" not in html and re.search(r"<p>See <picture>.*</picture> here\.</p>", html)


def test_a_missing_image_renders_nothing_for_readers_and_a_note_in_the_preview():
    post = PostFactory(body="Before.\n\n![gone](image:999999)\n\nAfter.")

    assert "image:" not in post.body_html and "<img" not in post.body_html
    assert "Before." in post.body_html and "After." in post.body_html
    preview = render_markdown(post.body)
    assert "Missing image 999999" in preview and "<img" not in preview


@pytest.mark.parametrize(
    "source",
    [
        "[click](image:1)",
        '<a href="image:1">click</a>',
        '<img src="image:1 onerror=alert(1)">',
        '<img src="image:abc">',
        '<img src="IMAGE:1" onerror="alert(1)">',
    ],
)
def test_image_addresses_are_only_ever_library_image_sources(source):
    ImageFactory()

    html = render_markdown(source)

    assert "image:" not in html.lower() and "onerror" not in html


def test_only_a_posts_body_shows_library_images(client):
    image = ImageFactory()
    post = PostFactory(body=f"![x](image:{image.pk})")
    FAQFactory(post=post, answer=f"See ![y](image:{image.pk}).")

    html = client.get(post.get_absolute_url() + UNCACHED).content.decode()

    assert html.count("<picture>") == 1 and "image:" not in html


def test_the_words_of_a_reference_are_escaped():
    image = ImageFactory()

    html = render_markdown(f'![x" onload="alert(1)](image:{image.pk} "<script>1</script>")')

    assert "onload=" not in html.replace("&quot; onload=&quot;", "") and "<script>" not in html
    assert "&lt;script&gt;1&lt;/script&gt;" in html


def test_replacing_the_file_keeps_the_reference_and_the_page_shows_the_new_one(
    client, editor, django_capture_on_commit_callbacks
):
    image = ImageFactory(upload=png(800, 600), uploaded_by=editor)
    post = PostFactory(body=f"![A field](image:{image.pk})")
    old_name = image.file.name
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/blog/image/{image.pk}/change/",
            image_form(image, replace_file=png(1000, 500)),
        )

    assert response.status_code == 302
    image.refresh_from_db()
    assert image.file.name != old_name and (image.width, image.height) == (1000, 500)
    post.refresh_from_db()
    assert image.file.name in post.body_html and 'width="1000" height="500"' in post.body_html
    assert old_name not in post.body_html
    assert f"image:{image.pk}" in post.body  # the Markdown is as it was


def test_readers_see_new_words_of_an_image_at_once_though_pages_are_cached(client, editor):
    image = ImageFactory(uploaded_by=editor, caption="Old caption")
    post = PostFactory(body=f"![A field](image:{image.pk})")
    assert "Old caption" in client.get(post.get_absolute_url()).content.decode()  # now cached
    client.force_login(editor)
    client.post(f"/admin/blog/image/{image.pk}/change/", image_form(image, caption="New caption"))
    client.logout()
    post.refresh_from_db()
    assert "New caption" in post.body_html

    html = client.get(post.get_absolute_url()).content.decode()

    assert "New caption" in html and "Old caption" not in html


def test_a_post_page_with_featured_and_body_images_still_runs_two_queries(
    client, django_assert_max_num_queries
):
    images = [ImageFactory() for _ in range(3)]
    body = "\n\n".join(f"![Picture {i}](image:{image.pk})" for i, image in enumerate(images))
    post = PostFactory(body=body, featured_image=images[0])
    content_version(), site_menus()  # read once per process, by any page

    with django_assert_max_num_queries(2):
        html = client.get(post.get_absolute_url() + UNCACHED).content.decode()

    assert html.count("<picture>") == 4
    assert 'class="post__image"' in html


# Where images are used -------------------------------------------------------------------------


def test_usage_follows_every_save_of_the_body_and_the_featured_image(client, author):
    shown, featured, dropped = ImageFactory(), ImageFactory(), ImageFactory()
    client.force_login(author)
    response = client.post(
        "/admin/blog/post/add/",
        post_form(
            body=f"![a](image:{shown.pk})\n\n![b](image:{dropped.pk})",
            featured_image=featured.pk,
        ),
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert list(shown.usages()) == list(featured.usages()) == list(dropped.usages()) == [post]

    response = client.post(
        f"/admin/blog/post/{post.pk}/change/",
        post_form(post, body=f"Only ![a](image:{shown.pk}) now.", featured_image=""),
    )

    assert response.status_code == 302
    assert list(shown.usages()) == [post]
    assert not featured.usages().exists() and not dropped.usages().exists()


def test_a_reference_to_an_image_that_does_not_exist_records_no_use():
    PostFactory(body="![x](image:424242)")

    assert not ImageUse.objects.exists()


# Deleting ---------------------------------------------------------------------------------------


def test_deleting_a_used_image_is_refused_naming_the_post():
    image = ImageFactory()
    PostFactory(title="Bread at home", body=f"![x](image:{image.pk})")

    with pytest.raises(ValidationError, match="used by “Bread at home”"):
        image.delete()

    assert Image.objects.filter(pk=image.pk).exists()


def test_the_admin_refuses_to_delete_a_used_image_and_says_where_it_is_used(client, editor):
    image = ImageFactory()
    PostFactory(title="Bread at home", featured_image=image)
    client.force_login(editor)

    response = client.post(f"/admin/blog/image/{image.pk}/delete/", {"post": "yes"}, follow=True)

    assert Image.objects.filter(pk=image.pk).exists()
    assert "“Bread at home”" in response.content.decode()


def test_bulk_delete_deletes_none_when_one_is_used(client, editor):
    unused, used = ImageFactory(), ImageFactory(title="Oven")
    PostFactory(title="Bread at home", body=f"![x](image:{used.pk})")
    client.force_login(editor)

    response = client.post(
        "/admin/blog/image/",
        {"action": "delete_images", "_selected_action": [unused.pk, used.pk]},
        follow=True,
    )

    assert Image.objects.count() == 2
    assert "Nothing deleted" in response.content.decode()
    assert "“Oven” is used by “Bread at home”" in response.content.decode()


def test_deleting_an_unused_image_removes_its_files(
    client, editor, settings, django_capture_on_commit_callbacks
):
    image = ImageFactory(uploaded_by=editor)
    assert media_files(settings)
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/blog/image/{image.pk}/delete/", {"post": "yes"})

    assert not Image.objects.exists()
    assert media_files(settings) == []


# Who may do what --------------------------------------------------------------------------------


def image_form(image, **changes):
    return {
        "title": image.title,
        "alt_text": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
        "licence": image.licence,
        "focal_x": image.focal_x,
        "focal_y": image.focal_y,
        **changes,
    }


def test_a_contributor_sees_and_can_use_the_whole_library(client, contributor):
    theirs = ImageFactory(title="Someone else's photo")
    client.force_login(contributor)

    listing = client.get("/admin/blog/image/")
    page = client.get(f"/admin/blog/image/{theirs.pk}/change/")

    assert "Someone else&#x27;s photo" in listing.content.decode()
    assert "view only" in listing.content.decode()
    assert page.status_code == 200 and 'name="alt_text"' not in page.content.decode()
    response = client.post(
        "/admin/blog/post/add/",
        post_form(body=f"![x](image:{theirs.pk})", featured_image=theirs.pk),
    )
    assert response.status_code == 302
    assert list(theirs.usages()) == [Post.objects.get()]


def test_a_contributor_cannot_change_another_writers_image(client, contributor):
    theirs = ImageFactory(alt_text="Right words")
    client.force_login(contributor)

    response = client.post(
        f"/admin/blog/image/{theirs.pk}/change/", image_form(theirs, alt_text="Vandalised")
    )

    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.alt_text == "Right words"


def test_a_contributor_cannot_replace_another_writers_file(client, contributor):
    theirs = ImageFactory()
    name = theirs.file.name
    client.force_login(contributor)

    response = client.post(
        f"/admin/blog/image/{theirs.pk}/change/", image_form(theirs, replace_file=png(700, 700))
    )

    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.file.name == name


def test_a_contributor_cannot_delete_another_writers_image(client, contributor):
    theirs = ImageFactory()
    client.force_login(contributor)

    response = client.post(f"/admin/blog/image/{theirs.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Image.objects.filter(pk=theirs.pk).exists()


def test_a_contributor_cannot_bulk_delete_another_writers_image(client, contributor):
    own = ImageFactory(uploaded_by=contributor)
    theirs = ImageFactory(title="Not yours")
    client.force_login(contributor)

    response = client.post(
        "/admin/blog/image/",
        {"action": "delete_images", "_selected_action": [own.pk, theirs.pk]},
        follow=True,
    )

    assert Image.objects.count() == 2
    assert "you may delete only images you uploaded, not “Not yours”" in (response.content.decode())
    response = client.post(
        "/admin/blog/image/", {"action": "delete_selected", "_selected_action": [theirs.pk]}
    )
    assert Image.objects.count() == 2  # Django's own action, which asks less, is not there


def test_a_contributor_changes_and_deletes_their_own_uploads(client, contributor):
    own = ImageFactory(uploaded_by=contributor)
    client.force_login(contributor)

    response = client.post(
        f"/admin/blog/image/{own.pk}/change/", image_form(own, alt_text="Better words")
    )

    assert response.status_code == 302
    own.refresh_from_db()
    assert own.alt_text == "Better words"
    assert client.post(f"/admin/blog/image/{own.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Image.objects.exists()


def test_an_editor_changes_anyones_image(client, editor):
    theirs = ImageFactory(alt_text="")
    client.force_login(editor)

    response = client.post(
        f"/admin/blog/image/{theirs.pk}/change/", image_form(theirs, alt_text="Described")
    )

    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.alt_text == "Described"


def test_one_image_and_the_library_agree_on_who_may_change_it(contributor, editor):
    own, theirs = ImageFactory(uploaded_by=contributor), ImageFactory(uploaded_by=editor)
    orphan = ImageFactory(uploaded_by=None)

    for user in (contributor, editor):
        editable = set(Image.objects.editable_by(user))
        assert {i for i in (own, theirs, orphan) if i.can_change(user)} == editable
    assert Image.objects.editable_by(contributor).get() == own


def test_a_contributor_cannot_change_their_image_once_a_post_they_may_not_edit_shows_it(
    client, contributor, author
):
    """Changing an image changes every post showing it: a Contributor's own upload, once in
    another writer's post or published (which a Contributor may no longer edit), is theirs to
    use, not to rewrite."""
    mine = ImageFactory(uploaded_by=contributor, caption="A quiet harbour")
    in_draft = ImageFactory(uploaded_by=contributor)
    PostFactory(body=f"![Harbour](image:{mine.pk})", authors=[author])  # published, not theirs
    PostFactory(
        body=f"![Draft](image:{in_draft.pk})", authors=[contributor], status=Post.Status.DRAFT
    )
    page = Post.objects.get(body__contains=f"image:{mine.pk}")
    client.force_login(contributor)

    response = client.post(
        f"/admin/blog/image/{mine.pk}/change/", image_form(mine, caption="BUY CHEAP PILLS")
    )

    assert response.status_code == 403
    mine.refresh_from_db()
    page.refresh_from_db()
    assert mine.caption == "A quiet harbour" and "BUY CHEAP PILLS" not in page.body_html
    assert not mine.can_change(contributor) and in_draft.can_change(contributor)
    assert set(Image.objects.editable_by(contributor)) == {in_draft}
    assert client.post(f"/admin/blog/image/{mine.pk}/delete/", {"post": "yes"}).status_code == 403


def test_someone_without_a_role_cannot_upload(client):
    outsider = UserFactory(is_staff=True)
    client.force_login(outsider)

    response = client.post("/admin/blog/image/upload/", {"file": png(100, 100)})

    assert response.status_code == 403 and not Image.objects.exists()


# Uploading -------------------------------------------------------------------------------------


def test_an_upload_answers_with_the_image_or_the_reason_it_was_refused(client, author):
    client.force_login(author)

    good = client.post("/admin/blog/image/upload/", {"file": png(1200, 800)})
    bad = client.post(
        "/admin/blog/image/upload/", {"file": upload("notes.png", b"<html>hi</html>", "image/png")}
    )

    assert good.status_code == 201
    image = Image.objects.get(pk=good.json()["id"])
    assert (image.uploaded_by, image.title, image.width) == (author, "cover", 1200)
    assert (
        bad.status_code == 400
        and "“notes.png” is not a JPEG, PNG, WebP or GIF" in (bad.json()["error"])
    )
    assert Image.objects.count() == 1


def test_uploading_several_files_without_script_names_each_refused_file(client, author):
    client.force_login(author)

    response = client.post(
        "/admin/blog/image/add/",
        {
            "file": [
                png(300, 200),
                upload("broken.jpg", b"\xff\xd8\xff nothing", "image/jpeg"),
                upload("second.png", image_bytes("PNG", (50, 50)), "image/png"),
            ]
        },
        follow=True,
    )

    assert Image.objects.count() == 2
    html = response.content.decode()
    assert "“broken.jpg”" in html and "Uploaded 2 images." in html


def test_the_library_filters_by_missing_alt_text_use_and_uploader(client, editor, author):
    described = ImageFactory(title="Described", alt_text="Words", uploaded_by=author)
    bare = ImageFactory(title="Bare", alt_text="", uploaded_by=editor)
    PostFactory(featured_image=described)
    client.force_login(editor)

    def titles(query):
        return {
            image.title
            for image in client.get(f"/admin/blog/image/{query}").context["cl"].result_list
        }

    assert titles("?alt=missing") == {"Bare"}
    assert titles("?used=yes") == {"Described"}
    assert titles("?used=no") == {"Bare"}
    assert titles("?uploader=me") == {"Bare"}
    assert titles(f"?uploader={author.pk}") == {"Described"}
    assert titles("?q=words") == {"Described"}
    assert bare  # listed above


def test_the_featured_image_lookup_picks_from_the_grid(client, author):
    image = ImageFactory()
    client.force_login(author)

    html = client.get("/admin/blog/image/?_popup=1&_to_field=id").content.decode()

    assert f'data-popup-opener="{image.pk}"' in html


# Renditions -------------------------------------------------------------------------------------


def test_renditions_are_made_once_not_per_save_or_page_view(client, settings):
    image = ImageFactory(upload=png(1500, 1000))
    made = media_files(settings)
    assert len(made) == 1 + len(image.renditions)
    assert {r["format"] for r in image.renditions} == {"avif", "webp"}
    post = PostFactory(body=f"![x](image:{image.pk})", featured_image=image)

    for n in range(3):
        post.body += f"\n\nMore words {n}."
        post.save()
        client.get(post.get_absolute_url() + UNCACHED)

    assert media_files(settings) == made


def test_an_animation_is_shown_as_it_is_not_as_still_renditions():
    frames = [Picture.new("RGB", (200, 120), colour) for colour in ("red", "blue", "green")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=80)
    image = Image.objects.create_from_upload(
        upload("dance.gif", buffer.getvalue(), "image/gif"), user=None, alt_text="Dancing"
    )

    html = render_markdown(f"![Dancing](image:{image.pk})")

    assert image.renditions == [] and image.file.name.endswith(".webp")
    assert f'<picture><img src="{image.url}" width="200" height="120" alt="Dancing"' in html
    assert "srcset" not in html


def test_moving_the_focal_point_makes_the_crops_again_once(
    client, editor, settings, django_capture_on_commit_callbacks
):
    image = ImageFactory(upload=png(1200, 1200), uploaded_by=editor)
    client.force_login(editor)
    before = {r["name"] for r in image.renditions}

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/blog/image/{image.pk}/change/", image_form(image, focal_x=0.2, focal_y=0.9)
        )
        client.post(
            f"/admin/blog/image/{image.pk}/change/", image_form(image, focal_x=0.2, focal_y=0.9)
        )

    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == (0.2, 0.9)
    cards = {r["name"] for r in image.renditions if r["crop"] == "card"}
    assert cards and not cards & before
    assert len(media_files(settings)) == 1 + len(image.renditions)  # the old crops are gone


def red_square_photo(width, height, square):
    """A grey picture with a red square at (left, top, right, bottom)."""
    picture = Picture.new("RGB", (width, height), (128, 128, 128))
    picture.paste((220, 0, 0), square)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return upload("square.png", buffer.getvalue(), "image/png")


def red_share(image, rendition):
    with image.file.storage.open(rendition["name"]) as stored:
        picture = Picture.open(stored).convert("RGB")
    pixels = list(picture.get_flattened_data())
    return sum(1 for r, g, b in pixels if r > 180 and g < 60 and b < 60) / len(pixels)


def test_the_card_crop_keeps_the_focal_point_in_view():
    # A tall picture: a 16:9 card shows a band of it. The square is near the bottom.
    photo = red_square_photo(600, 1200, (250, 1000, 350, 1100))

    centred = Image.objects.create_from_upload(photo, user=None)
    focused = Image.objects.create_from_upload(photo, user=None, focal_x=0.5, focal_y=0.875)

    for image, expected in ((centred, False), (focused, True)):
        cards = [r for r in image.renditions if r["crop"] == "card"]
        assert cards and all(round(r["width"] / r["height"], 2) == 1.78 for r in cards)
        assert all((red_share(image, r) > 0.02) is expected for r in cards), image.focal_y


@pytest.mark.parametrize(
    ("size", "focal", "box"),
    [
        ((1600, 900), (0.5, 0.5), (0, 0, 1600, 900)),  # already 16:9
        ((1000, 1000), (0.5, 0.5), (0, 219, 1000, 781)),
        ((1000, 1000), (0.5, 0.0), (0, 0, 1000, 562)),  # clamped at the top
        ((1000, 1000), (0.5, 1.0), (0, 438, 1000, 1000)),  # and at the bottom
        ((2000, 500), (0.9, 0.5), (1111, 0, 2000, 500)),  # wide: a slice near the right
    ],
)
def test_crop_boxes_centre_on_the_focal_point_within_the_picture(size, focal, box):
    assert crop_box(*size, 16 / 9, *focal) == box


# Featured images from before the library -------------------------------------------------------

BEFORE_LIBRARY = ("blog", "0025_post_seo_title")


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_featured_image_files_into_library_images(client):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_LIBRARY])
    OldPost = executor.loader.project_state([BEFORE_LIBRARY]).apps.get_model("blog", "Post")
    name = default_storage.save(
        "featured/2026/11/loaf.png", ContentFile(image_bytes("PNG", (800, 500)))
    )
    OldPost.objects.create(
        title="Rye at home",
        slug="rye",
        body="Words.",
        body_html="<p>Words.</p>",
        status="published",
        publish_at=timezone.now(),
        featured_image=name,
        featured_image_width=800,
        featured_image_height=500,
        featured_image_alt="A loaf on a board",
        featured_image_renditions=[{"width": 480, "height": 300, "name": "featured/x-480w.webp"}],
    )
    OldPost.objects.create(
        title="No picture", slug="plain", body="Words.", publish_at=timezone.now()
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    post = Post.objects.get(slug="rye")
    image = post.featured_image
    assert (image.file.name, image.width, image.height) == (name, 800, 500)
    assert image.alt_text == "A loaf on a board" and image.title == "Rye at home"
    assert image.renditions == [
        {"width": 480, "height": 300, "name": "featured/x-480w.webp", "format": "webp", "crop": ""}
    ]
    assert list(image.usages()) == [post]
    assert Post.objects.get(slug="plain").featured_image is None
    html = client.get("/posts/rye/").content.decode()
    assert 'alt="A loaf on a board"' in html and name in html

    call_command("make_renditions")  # what the migration leaves for later

    image.refresh_from_db()
    assert {r["format"] for r in image.renditions} == {"avif", "webp"}
    assert any(r["crop"] == "card" for r in image.renditions)
    assert "-960w.avif" not in html and "-800w.avif" in client.get("/posts/rye/?u=1").text
