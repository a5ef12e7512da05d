"""manage.py backup / restore: a whole site round-trips, and a bad archive writes nothing."""

import gzip
import hashlib
import io
import json
import tarfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from PIL import Image

from accounts.models import User
from blog.models import Image as LibraryImage
from blog.models import Listing, Post
from tests.factories import FullPostFactory, PostFactory, TopicFactory, UserFactory

# The test's own idea of "the site": every model but those migrate makes and sessions.
# Listings are derived, rebuilt on restore with ids of their own: compared by listings().
NOT_SITE = {ContentType, Permission, apps.get_model("sessions", "Session"), Listing}


def listings():
    return set(Listing.objects.values_list("post", "tag", "topic", "author", "publish_at"))


def png(width=600, height=400):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def build_site():
    """A site with a post that has everything, two people with passwords, and media."""
    editor = UserFactory(username="edith", display_name="Edith Stone", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    writer = UserFactory(username="wren", display_name="Wren Ade", bio="Bakes *bread*.")
    writer.groups.add(Group.objects.get(name="Author"))
    writer.user_permissions.add(Permission.objects.get(codename="view_topic"))
    writer.avatar = SimpleUploadedFile("wren.png", png(64, 64), content_type="image/png")
    writer.save()

    post = FullPostFactory(
        title="Sourdough without fuss",
        authors=[writer, editor],  # co-authors, in byline order
        tags=["bread", "baking"],
        topics=[TopicFactory(name="Cooking"), TopicFactory(name="Home")],
        status=Post.Status.DRAFT,
        faqs=[
            {"question": "Does it need a starter?", "answer": "Yes, *a lively one*."},
            {"question": "How long?", "answer": "A day."},
        ],
        references=[
            {"title": "On leavening", "year": 1998},
            {"title": "Crumb and crust", "url": "https://example.org/crumb"},
        ],
    )
    post.state_changes.create(
        from_status="", to_status=post.status, publish_at=post.publish_at, by=writer
    )
    post.featured_image = LibraryImage.objects.create_from_upload(
        SimpleUploadedFile("loaf.png", png(), content_type="image/png"), user=writer
    )
    post.featured_image_alt = "A loaf on a board"
    post.save_with_history(by=writer, note="first draft")
    post.slug = "sourdough"  # the old address becomes a redirect
    post.status = Post.Status.PUBLISHED
    post.publish_at = timezone.now() - timedelta(hours=1)
    post.save_with_history(by=editor, note="published")
    PostFactory(title="Another post", authors=[writer])
    return post


def site_rows():
    """Every row of the site as plain values; content types and permissions by natural key,
    since a fresh database numbers those its own way."""

    def plain(obj):
        return obj.natural_key() if isinstance(obj, ContentType | Permission) else obj.pk

    rows = {}
    for model in apps.get_models():
        if model in NOT_SITE or model._meta.proxy:
            continue
        objects = []
        for obj in model._base_manager.order_by("pk"):
            values = {}
            for field in model._meta.concrete_fields:
                if field.is_relation and field.related_model in NOT_SITE:
                    related = getattr(obj, field.name)
                    values[field.name] = related and plain(related)
                else:
                    values[field.attname] = getattr(obj, field.attname)
            for field in model._meta.many_to_many:
                values[field.name] = sorted(map(plain, getattr(obj, field.name).all()), key=str)
            objects.append(values)
        rows[model._meta.label] = objects
    return rows


def media_files(root):
    root = Path(root)
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def empty_the_site(settings, tmp_path):
    """What a new server has after `migrate`: an empty database (content types, permissions
    and role groups remade with new ids) and an empty media folder."""
    call_command("flush", interactive=False, verbosity=0)
    settings.MEDIA_ROOT = tmp_path / "new-media"
    assert User.objects.count() == Post.objects.count() == 0


def log_in(client, username, password):
    return client.post(
        "/admin/login/", {"username": username, "password": password, "next": "/admin/"}
    )


@pytest.fixture
def backup(transactional_db, tmp_path, settings):
    """A site and its archive: (path, rows, media) as they were when it was made."""
    build_site()
    path = tmp_path / "site.tar.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    return path, site_rows(), media_files(settings.MEDIA_ROOT)


def test_restore_into_a_fresh_database_gives_back_the_same_site(backup, settings, tmp_path, client):
    path, rows, media = backup
    listed = listings()
    assert len(listed) >= 4  # the published post under its tags, topic and authors
    assert path.stat().st_mode & 0o777 == 0o600  # it holds password hashes
    old_media_root = settings.MEDIA_ROOT
    assert rows["blog.Post"] and rows["blog.Revision"] and rows["blog.StateChange"]
    assert len(media) >= 3  # featured image, its rendition, the avatar
    empty_the_site(settings, tmp_path)

    out = io.StringIO()
    call_command("restore", str(path), stdout=out)

    assert "Restored" in out.getvalue()
    assert site_rows() == rows
    assert listings() == listed
    assert media_files(settings.MEDIA_ROOT) == media == media_files(old_media_root)
    post = Post.objects.get(slug="sourdough")
    assert [a.username for a in post.authors.order_by("postauthor__order")] == ["wren", "edith"]
    assert post.slug_redirects.get().old_slug == "sourdough-without-fuss"
    # What readers and editors notice.
    page = client.get("/posts/sourdough/")
    assert page.status_code == 200
    assert "Does it need a starter?" in page.text and "Crumb and crust" in page.text
    assert post.featured_image.url in page.text
    assert client.get("/posts/sourdough-without-fuss/").status_code == 301
    assert "Sourdough without fuss" in client.get("/search/?q=starter").text  # search index
    assert "Some <mark>words</mark> to read" in client.get("/search/?q=words").text  # passages
    assert log_in(client, "edith", "wrong-password").status_code == 200  # the form again
    assert log_in(client, "edith", "pass-word-123").url == "/admin/"
    assert User.objects.get(username="edith").has_perm("blog.edit_any_post")
    assert client.get(f"/admin/blog/post/{post.pk}/change/").status_code == 200


def test_restore_refuses_a_site_that_is_not_empty(backup, settings):
    path, rows, media = backup
    Post.objects.filter(slug="sourdough").update(title="Edited after the backup")

    with pytest.raises(CommandError, match="This site is not empty .*--force"):
        call_command("restore", str(path))

    assert Post.objects.get(slug="sourdough").title == "Edited after the backup"


def test_restore_with_force_replaces_the_site(backup, settings):
    path, rows, media = backup
    Post.objects.filter(slug="sourdough").update(title="Edited after the backup")
    PostFactory(title="Written after the backup")
    User.objects.filter(username="edith").delete()

    call_command("restore", str(path), "--force", stdout=io.StringIO())

    assert site_rows() == rows
    assert media_files(settings.MEDIA_ROOT) == media


def rewrite(path, change, reseal=False):
    """Rewrite the archive at `path` with `change(members)` applied to its {name: bytes};
    with `reseal`, the manifest's counts and checksums are made to match (a whole archive
    of wrong content)."""
    with tarfile.open(path, "r:gz") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar}
    change(members)
    if reseal:
        manifest = json.loads(members["manifest.json"])
        manifest["counts"] = {}
        for row in json.loads(members["data.json"]):
            manifest["counts"][row["model"]] = manifest["counts"].get(row["model"], 0) + 1
        manifest["files"] = {
            name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in members.items()
            if name != "manifest.json"
        }
        members["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def first_media(members):
    return next(name for name in members if name.startswith("media/"))


def cut_in_half(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def flip_a_byte(where):
    def flip(path):
        data = bytearray(path.read_bytes())
        data[int(len(data) * where)] ^= 0xFF
        path.write_bytes(bytes(data))

    return flip


def change_data(members):
    members["data.json"] = members["data.json"].replace(b"Sourdough", b"Sawdough")


def change_manifest(key, value):
    def change(members):
        manifest = json.loads(members["manifest.json"])
        manifest[key] = value(manifest[key])
        members["manifest.json"] = json.dumps(manifest).encode()

    return change


DAMAGE = {
    "cut short": (cut_in_half, "not a readable .tar.gz archive: damaged or cut short"),
    "a flipped byte in the middle": (flip_a_byte(0.5), "not a readable .tar.gz archive"),
    "a flipped byte near the end": (flip_a_byte(0.98), "not a readable .tar.gz archive"),
    "a flipped byte near the start": (flip_a_byte(0.05), "not a readable .tar.gz archive"),
    "not an archive": (lambda p: p.write_bytes(b"just text"), "not a readable .tar.gz"),
    "an empty gzip": (lambda p: p.write_bytes(gzip.compress(b"")), "not a readable"),
    "an edited data file": (lambda p: rewrite(p, change_data), "'data.json' is damaged"),
    "a media file missing": (
        lambda p: rewrite(p, lambda m: m.pop(first_media(m))),
        "listed in the manifest but missing",
    ),
    "a media file replaced": (
        lambda p: rewrite(p, lambda m: m.update({first_media(m): b"<svg onload=alert(1)>"})),
        "is damaged: its size or SHA-256 differs",
    ),
    "an unlisted file": (
        lambda p: rewrite(p, lambda m: m.update({"media/x.html": b"<script>"})),
        "'media/x.html' is in the archive but not in its manifest",
    ),
    "a path out of the media folder": (
        lambda p: rewrite(p, lambda m: m.update({"media/../../x.py": b"import os"})),
        "is not a media file name a backup can hold",
    ),
    "no manifest": (lambda p: rewrite(p, lambda m: m.pop("manifest.json")), "no manifest.json"),
    "counts that do not match": (
        lambda p: rewrite(p, change_manifest("counts", lambda c: c | {"blog.post": 1})),
        "do not match the counts in the manifest",
    ),
    "another format": (
        lambda p: rewrite(p, change_manifest("format_version", lambda v: 99)),
        "format 99 backup",
    ),
    "another migration state": (
        lambda p: rewrite(p, change_manifest("migrations", lambda m: [*m, "blog.0999_future"])),
        "another migration state \\(only in the archive: blog.0999_future; only in this "
        "database: none\\)",
    ),
    "rows of a model this site lacks": (
        lambda p: rewrite(
            p,
            lambda m: m.update(
                {"data.json": m["data.json"].replace(b'"blog.faq"', b'"blog.question"')}
            ),
            reseal=True,
        ),
        "it holds rows of blog.question, which this site does not keep",
    ),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_restore_refuses_a_damaged_archive_and_writes_nothing(backup, settings, tmp_path, damage):
    path, rows, media = backup
    spoil, message = damage
    spoil(path)
    empty_the_site(settings, tmp_path)

    with pytest.raises(CommandError, match=message) as refusal:
        call_command("restore", str(path))

    assert "Nothing was restored" in str(refusal.value)
    assert User.objects.count() == Post.objects.count() == 0
    assert media_files(settings.MEDIA_ROOT) == {}


def test_rows_that_fail_to_load_roll_back_the_whole_restore(backup, settings, tmp_path):
    """A whole archive (checksums match) whose rows name an author it does not hold: the
    users and posts before the failing row must not stay, nor the media."""
    path, rows, media = backup

    def drop_edith(members):
        data = json.loads(members["data.json"])
        data = [row for row in data if row["fields"].get("username") != "edith"]
        members["data.json"] = json.dumps(data).encode()

    rewrite(path, drop_edith, reseal=True)
    empty_the_site(settings, tmp_path)

    with pytest.raises(CommandError, match="its rows do not load into this database"):
        call_command("restore", str(path))

    assert User.objects.count() == Post.objects.count() == 0
    assert media_files(settings.MEDIA_ROOT) == {}


def test_a_media_file_that_cannot_be_written_rolls_back_rows_and_files(
    backup, settings, monkeypatch
):
    """Over a site (--force): a file replaced before the failure gets its old bytes back,
    a file added is removed, and the rows stay as they were."""
    path, rows, media = backup
    root = Path(settings.MEDIA_ROOT)
    avatar, rendition = sorted(name for name in media if name.endswith((".png", ".webp")))[:2]
    (root / avatar).write_bytes(b"changed since the backup")
    (root / rendition).unlink()
    Post.objects.filter(slug="sourdough").update(title="Edited after the backup")
    saves = []
    real_save = FileSystemStorage._save

    def save_then_fill_the_disk(storage, name, content):
        saves.append(name)
        if len(saves) == 2:
            raise OSError(28, "No space left on device")
        return real_save(storage, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", save_then_fill_the_disk)

    with pytest.raises(CommandError, match=f"could not write 'media/{rendition}'.*No space"):
        call_command("restore", str(path), "--force")

    assert saves == [avatar, rendition, avatar]  # the third puts the old bytes back
    assert (root / avatar).read_bytes() == b"changed since the backup"
    assert not (root / rendition).exists()
    assert Post.objects.get(slug="sourdough").title == "Edited after the backup"


def test_check_reads_the_archive_without_restoring(backup, settings, tmp_path):
    path, rows, media = backup
    empty_the_site(settings, tmp_path)
    out = io.StringIO()

    call_command("restore", str(path), "--check", stdout=out)

    assert "is whole: 2 users, 2 posts" in out.getvalue()
    assert User.objects.count() == 0


def test_an_archive_cannot_bring_its_own_page_fragments(backup, settings, tmp_path, client):
    """Stored fragments are shown as HTML: a restore renders them again rather than trusting
    the archive's (here, an archive edited to carry a script, with its checksums made good)."""
    path, rows, media = backup

    def inject(members):
        data = json.loads(members["data.json"])
        for row in data:
            if row["model"] == "blog.post":
                for field in ("card_html", "header_html", "footer_html"):
                    row["fields"][field] = "<script>alert('archive')</script>"
        members["data.json"] = json.dumps(data).encode()

    rewrite(path, inject, reseal=True)
    empty_the_site(settings, tmp_path)
    call_command("restore", str(path), stdout=io.StringIO())

    home, page = client.get("/").text, client.get("/posts/sourdough/").text
    assert "alert('archive')" not in home + page
    assert ">Sourdough without fuss</a>" in home
    assert '<h1 class="post__title">Sourdough without fuss</h1>' in page
