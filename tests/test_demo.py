"""The demo site: Markdown files in the export format, loaded through the importer."""

import datetime as dt
import shutil
from io import StringIO

import pytest
import time_machine
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from blog.importers import markdown_files
from blog.models import Post, Revision
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

DEMO_DIR = settings.BASE_DIR / "demo"
DATES_AS_OF = dt.datetime.fromisoformat(
    yaml.safe_load((DEMO_DIR / "site.yaml").read_text(encoding="utf-8"))["dates_as_of"]
)
NOW = dt.datetime(2031, 3, 15, 14, 30, 12, tzinfo=dt.UTC)  # whole seconds, as publish times are


def load_demo():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_copy(tmp_path, monkeypatch):
    """A copy of demo/ that load_demo reads instead, to add files to or take them away."""
    demo = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, demo)
    monkeypatch.setattr("blog.management.commands.load_demo.DEMO_DIR", demo)
    return demo


def demo_files():
    """(front matter, body) of each demo file, posts and pages, as the importer parses them."""
    return [
        markdown_files.split_front_matter(path.read_text(encoding="utf-8"))
        for folder in ("posts", "pages")
        for path in sorted((DEMO_DIR / folder).glob("*.md"))
    ]


@time_machine.travel(NOW, tick=False)
def test_exporting_the_fresh_demo_gives_back_the_demo_files_field_by_field():
    load_demo()

    files = demo_files()
    assert len(files) == Post.objects.count() == 17
    for meta, body in files:
        post = Post.objects.get(source_id=meta["id"])
        exported, exported_body = markdown_files.split_front_matter(markdown_files.write(post))
        # The loader gave each post its picture (demo/images/), which the export names by its
        # address; pages have none.
        if post.kind == Post.Kind.POST:
            assert exported.pop("featured_image") == post.featured_image.url, meta["slug"]
        assert exported.keys() == meta.keys(), meta["slug"]
        for field, value in meta.items():
            if field == "date":  # moved as a whole by the time between the files' day and now
                expected = dt.datetime.fromisoformat(value) + (NOW - DATES_AS_OF)
                assert dt.datetime.fromisoformat(exported["date"]) == expected, meta["slug"]
            else:
                assert exported[field] == value, (meta["slug"], field)
        assert exported_body == body, meta["slug"]


@time_machine.travel(NOW, tick=False)
def test_the_demo_is_as_recent_on_a_new_site_as_on_the_day_its_files_were_written():
    load_demo()

    scheduled = Post.objects.get(slug="planning-a-fall-garden")
    newest_published = Post.objects.published().latest("publish_at")
    assert scheduled.is_scheduled() and scheduled.publish_at == NOW + dt.timedelta(days=5)
    assert newest_published.publish_at == NOW - dt.timedelta(days=1)
    assert Post.objects.get(slug="gifts-for-home-cooks-2023").publish_at == NOW - dt.timedelta(
        days=400
    )


def test_a_demo_post_added_later_counts_from_the_first_load(demo_copy, tmp_path):
    (demo_copy / "posts" / "weeknight-pot-of-beans.md").rename(tmp_path / "beans.md")
    with time_machine.travel(NOW, tick=False):
        assert "16 created" in load_demo()

    (tmp_path / "beans.md").rename(demo_copy / "posts" / "weeknight-pot-of-beans.md")
    with time_machine.travel(NOW + dt.timedelta(days=30), tick=False):
        out = load_demo()

    assert "14 posts and 3 pages (1 created, 16 already there)" in out
    beans = Post.objects.get(slug="weeknight-pot-of-beans")
    assert beans.publish_at == NOW - dt.timedelta(days=3)


def test_loading_the_demo_again_creates_and_records_nothing():
    load_demo()
    posts, revisions = list(Post.objects.values()), Revision.objects.count()

    out = load_demo()

    assert "14 posts and 3 pages (0 created, 17 already there)" in out
    assert list(Post.objects.values()) == posts
    assert Revision.objects.count() == revisions


def test_a_deleted_demo_post_stays_deleted_and_an_edited_one_keeps_its_edit():
    load_demo()
    Post.objects.get(slug="family-photo-backups").delete()
    edited = Post.objects.get(slug="the-one-page-budget")
    edited.body = "Rewritten by an editor."
    edited.save()

    out = load_demo()

    assert "14 posts and 3 pages (0 created, 17 already there)" in out
    assert not Post.objects.filter(title__icontains="photo").exists()
    assert Post.objects.get(slug="the-one-page-budget").body == "Rewritten by an editor."
    assert Post.objects.count() == 16


def test_a_post_already_at_a_demo_address_is_kept_and_not_imported_over():
    own = PostFactory(slug="the-one-page-budget", title="Our own budget post")

    out = load_demo()

    assert "14 posts and 3 pages (16 created, 1 already there)" in out
    assert Post.objects.get(slug="the-one-page-budget").title == "Our own budget post"
    assert Post.objects.get(slug="the-one-page-budget").pk == own.pk
    own.delete()
    assert "0 created" in load_demo()
    assert not Post.objects.filter(slug="the-one-page-budget").exists()


def test_a_post_renamed_away_from_a_demo_address_before_the_loader_remembered_is_kept():
    renamed = PostFactory(slug="the-one-page-budget", title="Loaded by an older Byline")
    renamed.slug = "budget-on-a-page"
    renamed.save()

    out = load_demo()

    assert "14 posts and 3 pages (16 created, 1 already there)" in out
    assert not Post.objects.filter(slug="the-one-page-budget").exists()
    assert Post.objects.get(slug="budget-on-a-page").title == "Loaded by an older Byline"


def test_a_demo_file_that_cannot_be_imported_stops_the_load_and_says_why(demo_copy):
    (demo_copy / "posts" / "broken.md").write_text("---\ntitle: [unclosed\n---\n\nText.\n")

    with pytest.raises(CommandError, match="demo/posts/broken.md: the YAML front matter"):
        load_demo()

    assert not Post.objects.exists()


def test_every_demo_post_has_its_drawn_featured_image_with_alt_text_on_its_card(client):
    load_demo()

    posts = list(Post.objects.posts())
    assert len(posts) == 14
    for post in posts:
        image = post.featured_image
        assert image.file.name.endswith(".jpg"), post.slug
        assert image.alt_text.startswith("A drawing of"), post.slug
        assert post.featured_alt() == image.alt_text
        assert (image.width, image.height) == (960, 600)
        assert image.srcset("avif", "card") and image.srcset("webp"), post.slug
        assert f'alt="{image.alt_text}"' in post.card_html, post.slug
    home = client.get("/").text
    assert home.count('class="post-card post-card--image"') == Post.objects.published().count()


def test_a_demo_post_without_a_drawing_loads_without_an_image(demo_copy):
    (demo_copy / "images" / "the-one-page-budget.jpg").unlink()

    load_demo()

    assert not Post.objects.get(slug="the-one-page-budget").featured_image
    assert Post.objects.posts().filter(featured_image__isnull=False).count() == 13


def test_the_demo_has_an_about_a_contact_and_a_privacy_page_in_no_list():
    load_demo()

    pages = Post.objects.pages().public()
    assert sorted(pages.values_list("slug", flat=True)) == ["about", "contact", "privacy"]
    assert not Post.objects.published().filter(kind=Post.Kind.PAGE).exists()
    assert all(page.get_absolute_url() == f"/{page.slug}/" for page in pages)
