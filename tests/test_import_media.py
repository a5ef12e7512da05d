"""Images of imported posts from a local folder (`--media-dir`): the files the bodies and
featured images name become library images, once, and the bodies refer to them; addresses
not found there, and every address without the option, stay as they are."""

import io
import zipfile

import pytest

from blog.models import Image, Post
from tests.helpers import admin_import, command, image_bytes, upload

pytestmark = pytest.mark.django_db

OLD_SITE = "https://old.example/wp-content/uploads"


@pytest.fixture
def uploads(tmp_path):
    """A copy of a WordPress site's wp-content/uploads, and one file beside it."""
    folder = tmp_path / "uploads"
    (folder / "2020" / "05").mkdir(parents=True)
    (folder / "images").mkdir()
    (folder / "2020" / "05" / "harbour.jpg").write_bytes(image_bytes("JPEG", (1200, 800)))
    (folder / "2020" / "05" / "cover.png").write_bytes(image_bytes("PNG", (900, 600)))
    (folder / "images" / "chart.png").write_bytes(image_bytes("PNG", (400, 300), colour="#336699"))
    (tmp_path / "secret.png").write_bytes(image_bytes("PNG", (10, 10)))
    return folder


def markdown_post(tmp_path, name="harbour-walk"):
    path = tmp_path / f"{name}.md"
    path.write_text(
        "---\n"
        "title: A harbour walk\n"
        "author: Nell Marsh\n"
        f"featured_image: {OLD_SITE}/2020/05/cover.png\n"
        "featured_image_alt: Fishing boats at the quay\n"
        "---\n"
        "Morning.\n\n"
        f"![Boats at anchor]({OLD_SITE}/2020/05/harbour-300x200.jpg)\n\n"
        '![A tide chart](images/chart.png "High water at six")\n\n'
        "![Elsewhere](https://cdn.example.org/elsewhere.jpg)\n\n"
        "![Outside](../secret.png)\n",
        encoding="utf-8",
    )
    return path


def test_images_found_in_the_media_folder_become_library_images(tmp_path, uploads):
    out = command("import_posts", markdown_post(tmp_path), media_dir=uploads)

    assert "3 added to the library, 0 already there" in out
    post = Post.objects.get()
    harbour = Image.objects.get(title="harbour")
    chart = Image.objects.get(title="chart")
    assert (harbour.width, harbour.alt_text) == (1200, "Boats at anchor")  # the original
    assert f"![Boats at anchor](image:{harbour.pk})" in post.body
    assert f'![A tide chart](image:{chart.pk} "High water at six")' in post.body
    # Not in the folder, or outside it: left as they were.
    assert "![Elsewhere](https://cdn.example.org/elsewhere.jpg)" in post.body
    assert "![Outside](../secret.png)" in post.body
    assert post.featured_image.title == "cover"
    assert post.featured_image.alt_text == "Fishing boats at the quay"
    assert 'srcset="' in post.body_html
    assert set(post.image_uses.values_list("image__title", flat=True)) == {
        "harbour",
        "chart",
        "cover",
    }


def test_importing_again_makes_no_copies(tmp_path, uploads):
    command("import_posts", markdown_post(tmp_path), media_dir=uploads)
    first = Post.objects.get()

    out = command("import_posts", markdown_post(tmp_path), media_dir=uploads)

    assert "0 added to the library, 3 already there" in out
    assert "0 created, 0 updated, 1 unchanged" in out
    assert Image.objects.count() == 3
    again = Post.objects.get()
    assert (again.body, again.featured_image_id) == (first.body, first.featured_image_id)


def test_another_post_naming_the_same_file_reuses_its_image(tmp_path, uploads):
    command("import_posts", markdown_post(tmp_path, "first"), media_dir=uploads)
    second = tmp_path / "second.md"
    second.write_text(
        f"---\ntitle: Second\n---\n![The harbour]({OLD_SITE}/2020/05/harbour.jpg)\n",
        encoding="utf-8",
    )

    command("import_posts", second, media_dir=uploads)

    harbour = Image.objects.get(title="harbour")
    assert Post.objects.get(slug="second").body.strip() == f"![The harbour](image:{harbour.pk})"
    assert Image.objects.count() == 3


def test_without_a_media_folder_addresses_stay_as_they_are(tmp_path, uploads):
    command("import_posts", markdown_post(tmp_path))

    post = Post.objects.get()
    assert f"![Boats at anchor]({OLD_SITE}/2020/05/harbour-300x200.jpg)" in post.body
    assert post.featured_image is None
    assert not Image.objects.exists()


def test_a_dry_run_takes_no_images(tmp_path, uploads):
    out = command("import_posts", markdown_post(tmp_path), media_dir=uploads, dry_run=True)

    assert "no images were taken" in out
    assert not Image.objects.exists()


def test_a_media_folder_that_does_not_exist_is_refused(tmp_path):
    out = command("import_posts", markdown_post(tmp_path), media_dir=tmp_path / "nowhere")

    assert "nowhere: no such folder" in out
    assert not Post.objects.exists()


def test_a_file_in_the_folder_that_is_not_an_image_is_named_and_left_out(tmp_path, uploads):
    (uploads / "2020" / "05" / "harbour.jpg").write_bytes(b"<html>not a photo</html>")

    out = command("import_posts", markdown_post(tmp_path), media_dir=uploads)

    assert "harbour.jpg" in out and "is not a JPEG, PNG, WebP or GIF image" in out
    post = Post.objects.get()
    assert f"{OLD_SITE}/2020/05/harbour-300x200.jpg" in post.body
    assert Image.objects.count() == 2


WXR = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Harbour notes</title><link>https://old.example</link><wp:wxr_version>1.2</wp:wxr_version>
  <item>
    <title>cover</title><wp:post_id>40</wp:post_id>
    <wp:post_type><![CDATA[attachment]]></wp:post_type><wp:status><![CDATA[inherit]]></wp:status>
    <wp:attachment_url><![CDATA[{site}/2020/05/cover.png]]></wp:attachment_url>
    <wp:postmeta><wp:meta_key><![CDATA[_wp_attachment_image_alt]]></wp:meta_key>
      <wp:meta_value><![CDATA[Nets drying on the wall]]></wp:meta_value></wp:postmeta>
  </item>
  <item>
    <title>Low tide</title><guid isPermaLink="false">https://old.example/?p=41</guid>
    <content:encoded><![CDATA[<p>Mud and birds.</p>
<p><img class="wp-image-9" src="{site}/2020/05/harbour-1024x683.jpg" alt="Boats on the mud"
  width="1024" height="683" /></p>]]></content:encoded>
    <wp:post_id>41</wp:post_id><wp:post_date_gmt><![CDATA[2021-03-04 08:00:00]]></wp:post_date_gmt>
    <wp:post_name><![CDATA[low-tide]]></wp:post_name><wp:status><![CDATA[draft]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <wp:postmeta><wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key>
      <wp:meta_value><![CDATA[40]]></wp:meta_value></wp:postmeta>
  </item>
</channel>
</rss>
"""


def test_wordpress_images_and_the_thumbnail_come_from_the_media_folder(tmp_path, uploads):
    export = tmp_path / "export.xml"
    export.write_text(WXR.replace("{site}", OLD_SITE), encoding="utf-8")

    out = command("import_wordpress", export, media_dir=uploads)

    assert "2 added to the library" in out
    post = Post.objects.get(slug="low-tide")
    harbour = Image.objects.get(title="harbour")
    assert f"![Boats on the mud](image:{harbour.pk})" in post.body
    assert "-1024x683" not in post.body
    assert post.featured_image.title == "cover"
    assert post.featured_image.alt_text == "Nets drying on the wall"

    command("import_wordpress", export, media_dir=uploads)

    assert Image.objects.count() == 2


def test_the_admins_import_takes_images_from_the_zip(client, editor):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as files:
        files.writestr(
            "posts/quay.md",
            "---\ntitle: The quay\nfeatured_image: images/quay.png\n---\n"
            "![Nets on the wall](images/nets.png)\n\n![Gone](images/missing.png)\n",
        )
        files.writestr("images/quay.png", image_bytes("PNG", (600, 400)))
        files.writestr("images/nets.png", image_bytes("PNG", (500, 300), colour="#224466"))
    client.force_login(editor)

    page = admin_import(client, {"file": upload("site.zip", archive.getvalue())})

    assert "2 added to the library" in page.text
    post = Post.objects.get()
    nets = Image.objects.get(title="nets")
    assert post.body.startswith(f"![Nets on the wall](image:{nets.pk})")
    assert "![Gone](images/missing.png)" in post.body
    assert post.featured_image.title == "quay"

    admin_import(client, {"file": upload("site.zip", archive.getvalue())})

    assert Image.objects.count() == 2
