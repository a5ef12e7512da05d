"""export_posts and the round trip, import_wordpress, and the admin's import page."""

import io
import zipfile
from pathlib import Path

import pytest

from accounts.models import User
from blog.models import Post, Topic
from tests.factories import FullPostFactory, PostFactory, UserFactory
from tests.helpers import admin_import, command, posts_field_by_field, upload

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures" / "import"


def test_import_export_import_loses_nothing(tmp_path):
    command("import_posts", FIXTURES / "site")
    writer = UserFactory(display_name="Hand Written")
    FullPostFactory(
        title="Made in the admin", authors=[writer], tags=["x", "y"], topics=[],
        canonical_url="https://first.example/made", status=Post.Status.ARCHIVED,
        faqs=[{"question": "Multi-line?", "answer": "Yes.\n\nTwo *paragraphs*."}],
        references=[{"publisher": "", "year": None, "url": ""}],
    )  # fmt: skip
    before = posts_field_by_field()

    assert "Exported 4 posts" in command("export_posts", tmp_path / "out")
    Post.objects.all().delete()
    Topic.objects.all().delete()
    command("import_posts", tmp_path / "out")

    assert posts_field_by_field() == before


def test_export_filters(tmp_path):
    PostFactory(slug="kept", tags=["soup"])
    PostFactory(slug="other", tags=["bread"])

    command("export_posts", tmp_path, tag="soup")

    assert [p.name for p in tmp_path.iterdir()] == ["kept.md"]


def test_export_refuses_a_file_as_target(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")

    assert "exists and is not a folder" in command("export_posts", target)


def test_wordpress_export_comes_in_with_statuses_authors_topics_and_images():
    out = command("import_wordpress", FIXTURES / "wordpress.xml")

    posts = {post.slug: post for post in Post.objects.all()}
    assert set(posts) == {"folding-dumplings", "stock-from-scraps", "pickles"}
    dumplings = posts["folding-dumplings"]
    assert (
        dumplings.is_published() and dumplings.publish_at.isoformat() == "2022-05-03T16:00:00+00:00"
    )
    assert dumplings.description == "Six pleats and a wet edge."
    assert [a.name for a in dumplings.authors.all()] == ["June Park"]
    assert list(dumplings.topics.values_list("name", flat=True)) == ["Cooking"]
    assert list(dumplings.tags.names()) == ["dumplings"]
    assert dumplings.metadata["featured_image"].endswith("/2022/05/dumplings.jpg")
    assert "<strong>six</strong>" in dumplings.body_html and "<script" not in dumplings.body_html
    assert posts["stock-from-scraps"].status == Post.Status.DRAFT
    assert not posts["stock-from-scraps"].topics.exists()  # "Uncategorized" is no topic
    assert posts["pickles"].is_scheduled()
    assert not User.objects.get(display_name="Omar Haddad").has_usable_password()
    # what was left out, and the item that failed, are said; the command fails
    assert "item 15: no title" in out
    assert "1 page left out" in out and "2 comments left out" in out
    assert "3 created, 0 updated, 0 unchanged, 2 skipped, 1 failed." in out
    assert "1 items could not be imported." in out


def test_wordpress_import_again_and_with_pages():
    command("import_wordpress", FIXTURES / "wordpress.xml")

    out = command("import_wordpress", FIXTURES / "wordpress.xml", pages=True)

    assert Post.objects.count() == 4 and Post.objects.filter(slug="about").exists()
    assert "1 created, 0 updated, 3 unchanged" in out


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"<rss><channel><item>", "not readable XML"),
        (b"<html><body>hello</body></html>", "not a WordPress export"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<rss>&b;</rss>",
            "not readable XML",
        ),
    ],
)
def test_a_file_that_is_not_a_wordpress_export_is_refused(tmp_path, content, reason):
    path = tmp_path / "export.xml"
    path.write_bytes(content)

    assert reason in command("import_wordpress", path)
    assert not Post.objects.exists()


def test_editors_import_a_zip_in_the_admin_and_see_the_summary(client, editor):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in (FIXTURES / "site").rglob("*.md"):
            archive.write(path, f"posts/{path.name}")
        archive.writestr("posts/broken.md", b"---\ntitle: [oops\n---\n")
        archive.writestr("posts/readme.png", b"\x89PNG")
    client.force_login(editor)

    page = admin_import(client, {"file": upload("posts.zip", buffer.getvalue())})

    html = page.content.decode()
    assert "3 created, 0 updated, 0 unchanged, 1 failed." in html
    assert "posts/broken.md: the YAML front matter is invalid" in html
    assert Post.objects.count() == 3


def test_the_admin_imports_a_markdown_file_and_a_wordpress_export(client, editor):
    client.force_login(editor)
    markdown = (FIXTURES / "site" / "nested" / "toml-post.md").read_bytes()

    admin_import(client, {"file": upload("toml-post.md", markdown)})
    dry_run = admin_import(
        client,
        {"file": upload("wp.xml", (FIXTURES / "wordpress.xml").read_bytes()), "dry_run": "on"},
    )

    assert "Dry run: nothing was written" in dry_run.content.decode()

    assert list(Post.objects.values_list("slug", flat=True)) == ["lunchbox-ideas"]


def test_the_admin_import_refuses_other_files_and_other_roles(client, editor, author):
    client.force_login(editor)
    refused = client.post("/admin/blog/post/import/", {"file": upload("photo.jpg", b"x")})
    assert "is not a .md, .zip or .xml file" in refused.content.decode()

    client.force_login(author)
    assert client.get("/admin/blog/post/import/").status_code == 403
    assert "Import posts" not in client.get("/admin/blog/post/").content.decode()
