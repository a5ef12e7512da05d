"""Image uploads: the editor's drag-and-drop upload, featured images and avatars take one path.

Every attack goes through all three doors: the Markdown editor's upload endpoint (what
markdownx's script posts to), the post admin's featured image and the profile's avatar.
"""

import html
import re
import struct
import time
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from PIL import ExifTags, Image

from accounts.models import User
from blog.models import Image as LibraryImage
from tests.factories import UserFactory
from tests.helpers import SCRIPT, image_bytes, profile_form, upload

pytestmark = pytest.mark.django_db

NOT_AN_IMAGE = "is not a JPEG, PNG, WebP or GIF image"


# Files -------------------------------------------------------------------------------------


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def grey_png(width, height, rows=None):
    """A PNG of `width` × `height` grey pixels, built by hand so a huge one costs no memory
    here: with `rows` given, only that many rows of data follow the header."""
    row = b"\0" * (width + 1)  # filter byte + pixels
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height if rows is None else rows))
    data += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", data)
        + png_chunk(b"IEND", b"")
    )


def photo_with_gps(size=(1200, 800)):
    """A JPEG as a phone writes it: camera, GPS position and a turn-to-portrait tag."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Examplecam"
    exif[ExifTags.Base.Model] = "X100"
    exif[ExifTags.Base.Orientation] = 6  # shown turned 90° clockwise
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.0)
    return image_bytes("JPEG", size, exif=exif)


def animated_gif(size=(40, 30), frames=3):
    colours = ["#d00000", "#00a000", "#0000d0"]
    images = [Image.new("RGB", size, colours[n % 3]) for n in range(frames)]
    buffer = BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=80, loop=0)
    return buffer.getvalue()


# The three doors ---------------------------------------------------------------------------


class Sent:
    def __init__(self, accepted, message="", stored=""):
        self.accepted, self.message, self.stored = accepted, message, stored


def first_error(response):
    """The first error message the admin page shows."""
    found = re.search(r'<ul class="errorlist[^"]*"[^>]*><li>(.*?)</li>', response.content.decode())
    return html.unescape(found[1]) if found else ""


class Editor:
    """The post form's upload into the image library (dropped, pasted or chosen in the picker:
    static/admin/js/image-picker.js), answered with the library reference."""

    folder = "images"
    max_side = 2400

    def __init__(self, client, user):
        self.client, self.user = client, user

    def send(self, file):
        response = self.client.post(
            "/markdownx/upload/", {"image": file}, headers={"x-requested-with": "XMLHttpRequest"}
        )
        data = response.json()
        if response.status_code == 200:
            pk = re.fullmatch(r"!\[\]\(image:(\d+)\)", data["image_code"])[1]
            return Sent(True, stored=LibraryImage.objects.get(pk=pk).file.name)
        assert response.status_code == 400, response.status_code
        return Sent(False, message=data["image"][0])


class Library:
    """The image library's upload (drag and drop, one file a request): where featured images
    and body images come from."""

    folder = "images"
    max_side = 2400

    def __init__(self, client, user):
        self.client, self.user = client, user

    def send(self, file):
        response = self.client.post("/admin/blog/image/upload/", {"file": file})
        if response.status_code == 201:
            return Sent(True, stored=LibraryImage.objects.get(pk=response.json()["id"]).file.name)
        assert response.status_code == 400, response.status_code
        assert not LibraryImage.objects.exists()
        return Sent(False, message=response.json()["error"])


class Avatar:
    folder = "avatars"
    max_side = 512  # shown small

    def __init__(self, client, user):
        self.client, self.user = client, user

    def send(self, file):
        response = self.client.post(
            f"/admin/accounts/user/{self.user.pk}/change/", profile_form(self.user, avatar=file)
        )
        if response.status_code == 302:
            return Sent(True, stored=User.objects.get(pk=self.user.pk).avatar.name)
        assert response.status_code == 200, response.status_code
        assert not User.objects.get(pk=self.user.pk).avatar
        return Sent(False, message=first_error(response))


@pytest.fixture(params=[Editor, Library, Avatar], ids=["editor", "library", "avatar"])
def door(request, client, author):
    client.force_login(author)
    return request.param(client, author)


@pytest.fixture
def media(settings):
    return Path(settings.MEDIA_ROOT)


def stored_image(media, name):
    return Image.open(BytesIO((media / name).read_bytes()))


def stored_files(media):
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def assert_refused(door, media, file, *phrases):
    sent = door.send(file)

    assert not sent.accepted
    for phrase in phrases:
        assert phrase in sent.message
    assert stored_files(media) == []  # nothing half-written
    return sent


# The attack corpus -------------------------------------------------------------------------


def test_html_named_and_typed_as_a_gif_is_refused(door, media):
    page = b"<!doctype html><html><body>" + SCRIPT + b"</body></html>"

    assert_refused(door, media, upload("innocent.gif", page, "image/gif"), NOT_AN_IMAGE)
    assert_refused(door, media, upload("page.html", page, "image/gif"), NOT_AN_IMAGE)


def test_svg_with_script_is_refused_whatever_it_is_called(door, media):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">' + SCRIPT + b"</svg>"

    assert_refused(door, media, upload("drawing.svg", svg, "image/gif"), NOT_AN_IMAGE)
    assert_refused(door, media, upload("drawing.png", svg, "image/png"), NOT_AN_IMAGE)


def test_a_gif_html_polyglot_is_stored_as_pixels_only(door, media):
    """A real GIF carrying script in its comment and after its end: the pixels are kept, the
    script is not, and the name says .gif whatever the upload was called."""
    gif = image_bytes("GIF", (32, 32), "P", comment=SCRIPT) + SCRIPT

    sent = door.send(upload("polyglot.html", gif, "image/gif"))

    assert sent.accepted
    assert sent.stored.endswith(".gif")
    stored = (media / sent.stored).read_bytes()
    assert b"<script" not in stored.lower()
    assert stored_image(media, sent.stored).size == (32, 32)


def test_a_file_that_is_not_an_image_but_named_png_is_refused(door, media):
    text = b"Shopping list: flour, eggs, butter.\n" * 20

    assert_refused(door, media, upload("list.png", text, "image/png"), NOT_AN_IMAGE, "list.png")


def test_a_truncated_image_is_refused_as_damaged(door, media):
    photo = image_bytes("JPEG", (400, 300), colour="#336699")

    assert_refused(
        door, media, upload("cut.jpg", photo[: len(photo) // 2], "image/jpeg"), "damaged"
    )


def test_a_decompression_bomb_is_refused_before_it_is_decoded(door, media):
    """64 megapixels in 64 KB: refused from its header, without decoding it (before: decoded
    and renditions made, 6.7 s and 1.5 GB for a 13000 × 13000 one)."""
    bomb = grey_png(8000, 8000)
    assert len(bomb) < 100_000

    started = time.monotonic()
    sent = assert_refused(
        door, media, upload("bomb.png", bomb, "image/png"), "8,000 × 8,000", "40 megapixels"
    )
    assert time.monotonic() - started < 1, sent.message


def test_a_900_megapixel_png_is_refused_with_the_limit_named(door, media):
    bomb = grey_png(30000, 30000, rows=10)

    assert_refused(
        door,
        media,
        upload("huge.png", bomb, "image/png"),
        "has more pixels than an image may have: at most 40 megapixels",
    )


def test_an_animation_counts_the_pixels_of_every_frame(door, media, settings):
    settings.BYLINE_UPLOAD_MAX_PIXELS = 3000  # a still 40 × 30 image is 1200

    assert_refused(
        door,
        media,
        upload("dance.gif", animated_gif(frames=3), "image/gif"),
        "40 × 30 pixels a frame with more than 2 frames",
        "at most 0.003 megapixels in all its frames together",
    )
    assert door.send(upload("still.gif", image_bytes("GIF", (40, 30), "P"), "image/gif")).accepted


def gif_frame(width=1, height=1):
    """A GIF frame of one pixel's data, whatever size its descriptor claims."""
    control = b"\x21\xf9\x04\x00\x01\x00\x00\x00"
    descriptor = b"\x2c" + struct.pack("<4H", 0, 0, width, height) + b"\x00"
    return control + descriptor + b"\x02\x02\x44\x01\x00"


def tiny_frames_gif(frames, *more):
    """A GIF with a 1 × 1 canvas and `frames` frames of one pixel each (23 bytes a frame),
    then the `more` frames given."""
    head = b"GIF89a" + struct.pack("<HH", 1, 1) + b"\x80\x00\x00" + b"\0\0\0\xff\xff\xff"
    return head + gif_frame() * frames + b"".join(more) + b"\x3b"


def test_an_animation_of_thousands_of_tiny_frames_is_refused_quickly(door, media, monkeypatch):
    """20,000 frames in 460 KB: reading them all took 10 s; refused at the 1,001st (counted
    as frames read, not as seconds, which depend on the machine)."""
    from PIL import GifImagePlugin

    read = []
    seek = GifImagePlugin.GifImageFile.seek

    def counting_seek(image, frame):
        read.append(frame)
        return seek(image, frame)

    monkeypatch.setattr(GifImagePlugin.GifImageFile, "seek", counting_seek)
    assert_refused(
        door,
        media,
        upload("flicker.gif", tiny_frames_gif(20_000), "image/gif"),
        "more than 1,000 frames",
    )
    assert max(read) <= 1001
    monkeypatch.undo()
    assert door.send(upload("short.gif", tiny_frames_gif(1000), "image/gif")).accepted


def test_a_gif_frame_that_enlarges_the_canvas_is_counted_before_it_is_decoded(door, media):
    """The header says 1 × 1; the second frame says 8,000 × 8,000 (64 megapixels)."""
    gif = tiny_frames_gif(1, gif_frame(8000, 8000))

    started = time.monotonic()
    sent = assert_refused(
        door, media, upload("grow.gif", gif, "image/gif"), "8,000 × 8,000 pixels (64 megapixels)"
    )
    assert time.monotonic() - started < 1, sent.message


def test_a_file_over_the_byte_limit_is_refused_before_it_is_opened(door, media):
    """A real PNG with 11 MB of padding behind it (before: a 60 MB PNG was stored as is)."""
    big = image_bytes("PNG") + b"\0" * (11 * 1024 * 1024)

    assert_refused(door, media, upload("big.png", big, "image/png"), "11.0\xa0MB", "10.0\xa0MB")


def test_a_250_character_extension_does_not_matter(door, media):
    sent = door.send(upload("photo." + "x" * 250, image_bytes("PNG"), "image/png"))

    assert sent.accepted
    assert sent.stored.endswith(".png") and len(Path(sent.stored).name) < 40


def test_an_rgba_image_sent_as_jpeg_is_kept_as_the_png_it_is(door, media):
    rgba = image_bytes("PNG", (50, 40), "RGBA", (10, 200, 30, 128))

    sent = door.send(upload("photo.jpg", rgba, "image/jpeg"))

    assert sent.accepted
    assert sent.stored.endswith(".png")
    stored = stored_image(media, sent.stored)
    assert stored.format == "PNG" and stored.mode == "RGBA"
    assert stored.getpixel((0, 0)) == (10, 200, 30, 128)


def test_camera_and_gps_data_are_stripped_after_the_photo_is_turned_upright(door, media):
    photo = photo_with_gps()
    assert b"Examplecam" in photo

    sent = door.send(upload("IMG_2041.jpg", photo, "image/jpeg"))

    assert sent.accepted
    stored = stored_image(media, sent.stored)
    assert stored.format == "JPEG"
    # Turned as the camera said, so no tag is needed.
    assert stored.size == ((800, 1200) if door.max_side >= 1200 else (341, 512))
    assert not stored.getexif()
    assert b"Examplecam" not in (media / sent.stored).read_bytes()


def test_library_renditions_carry_no_gps_either(client, author, media):
    client.force_login(author)

    sent = Library(client, author).send(upload("walk.jpg", photo_with_gps(), "image/jpeg"))

    image = LibraryImage.objects.get()
    assert sent.accepted and {r["format"] for r in image.renditions} == {"avif", "webp"}
    for name in [image.file.name, *(r["name"] for r in image.renditions)]:
        data = (media / name).read_bytes()
        assert b"Examplecam" not in data and not stored_image(media, name).getexif(), name


def test_uploads_land_in_real_date_folders_under_random_names(door, media):
    first = door.send(upload("My Holiday.png", image_bytes("PNG"), "image/png"))
    second = door.send(upload("My Holiday.png", image_bytes("PNG"), "image/png"))

    folder = timezone.localtime().strftime(f"{door.folder}/%Y/%m/")
    for sent in (first, second):
        assert sent.accepted
        assert re.fullmatch(re.escape(folder) + r"[0-9a-f]{32}\.png", sent.stored), sent.stored
    assert first.stored != second.stored
    assert not any("%" in name or "Holiday" in name for name in stored_files(media))


def test_an_animated_gif_stays_animated_as_webp(door, media):
    sent = door.send(upload("dance.gif", animated_gif(frames=3), "image/gif"))

    assert sent.accepted and sent.stored.endswith(".webp")
    stored = stored_image(media, sent.stored)
    assert stored.format == "WEBP" and stored.n_frames == 3
    stored.load()
    assert stored.info["duration"] == 80 and stored.info["loop"] == 0


def test_a_large_photo_is_scaled_down_to_what_is_shown(door, media):
    sent = door.send(upload("wide.jpg", image_bytes("JPEG", (4000, 1000)), "image/jpeg"))

    assert sent.accepted
    assert stored_image(media, sent.stored).size == (door.max_side, door.max_side // 4)


# Files stored before this path existed ----------------------------------------------------------


def test_clean_images_re_encodes_what_was_stored_as_uploaded(
    media, capsys, django_capture_on_commit_callbacks
):
    """Library images (featured images before the library) and avatars from before keep GPS
    data under their uploaded names until `manage.py clean_images` puts them through the same
    path; a non-image is reported."""
    photo = default_storage.save("featured/2025/05/IMG_2041.jpg", ContentFile(photo_with_gps()))
    image = LibraryImage.objects.create(file=photo, title="IMG 2041", width=800, height=1200)
    page = default_storage.save("avatars/me.png", ContentFile(b"<html>" + SCRIPT))
    writer = UserFactory()
    User.objects.filter(pk=writer.pk).update(avatar=page)

    with django_capture_on_commit_callbacks(execute=True):  # old files go once committed
        call_command("clean_images")

    image.refresh_from_db()
    assert re.fullmatch(r"images/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", image.file.name)
    assert {r["format"] for r in image.renditions} == {"avif", "webp"}
    for name in [image.file.name, image.renditions[0]["name"]]:
        assert b"Examplecam" not in (media / name).read_bytes()
    assert not default_storage.exists(photo)
    assert User.objects.get(pk=writer.pk).avatar.name == "avatars/me.png"
    output = capsys.readouterr()
    assert "“me.png” is not a JPEG, PNG, WebP or GIF image" in output.err
    assert "Re-encoded 1 images; 1 refused." in output.out

    call_command("clean_images")  # nothing left to do

    assert "Re-encoded 0 images; 1 refused." in capsys.readouterr().out


# Who may upload ----------------------------------------------------------------------------


def test_staff_who_cannot_write_posts_cannot_upload_images(client, media):
    client.force_login(UserFactory(is_staff=True))

    response = client.post(
        "/markdownx/upload/",
        {"image": upload("a.png", image_bytes("PNG"), "image/png")},
        headers={"x-requested-with": "XMLHttpRequest"},
    )

    assert response.status_code == 403
    assert "permission" in response.json()["image"][0]
    assert stored_files(media) == []


@pytest.mark.parametrize("role", ["contributor", "author", "editor"])
def test_every_writing_role_can_upload_into_a_post(client, request, role):
    client.force_login(request.getfixturevalue(role))

    response = client.post(
        "/markdownx/upload/",
        {"image": upload("a.png", image_bytes("PNG"), "image/png")},
        headers={"x-requested-with": "XMLHttpRequest"},
    )

    assert response.status_code == 200
    assert re.fullmatch(r"!\[\]\(image:\d+\)", response.json()["image_code"])


def test_the_upload_endpoint_answers_only_posts(client, author):
    client.force_login(author)

    assert client.get("/markdownx/upload/").status_code == 405


# Serving media -----------------------------------------------------------------------------


def test_media_served_by_the_app_cannot_run_script(client, author, media, settings):
    settings.BYLINE_SERVE_MEDIA = True
    client.force_login(author)
    sent = Editor(client, author).send(upload("a.png", image_bytes("PNG"), "image/png"))
    client.logout()

    response = client.get(f"/media/{sent.stored}")
    response.close()

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response.get("Content-Disposition", "inline").startswith("inline")


def test_a_page_left_in_media_from_before_is_downloaded_not_shown(client, media, settings):
    settings.BYLINE_SERVE_MEDIA = True
    (media / "uploads/%Y/%m").mkdir(parents=True)
    (media / "uploads/%Y/%m/old.html").write_bytes(SCRIPT)

    response = client.get("/media/uploads/%25Y/%25m/old.html")
    response.close()

    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_media_are_not_served_by_the_app_unless_asked(client, media, settings):
    settings.BYLINE_SERVE_MEDIA = False
    (media / "uploads").mkdir(parents=True)
    (media / "uploads/a.png").write_bytes(image_bytes("PNG"))

    assert client.get("/media/uploads/a.png").status_code == 404
