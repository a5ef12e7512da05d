"""Markdown files as real sites have them (the shapes of the shared sample, in our own words): an
emoji then a space opening a heading, "Related:" links to posts not there yet, a "Topics:" line
whose first topic is the primary one, and authors the import creates without a bio."""

import re
import shutil
from pathlib import Path

import pytest

from accounts.models import User
from blog.models import Post, Topic, WaitingRelatedLink
from tests.factories import PostFactory, UserFactory
from tests.helpers import command, post_form

pytestmark = pytest.mark.django_db
EDGE = Path(__file__).parent / "fixtures" / "import" / "edge-cases"
SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "why-men-pull-away.md"


def import_file(name):
    return command("import_posts", EDGE / name)


def test_an_emoji_then_a_space_opening_a_heading_keeps_the_space():
    import_file("terraces.md")

    post = Post.objects.get(slug="terraces-on-a-steep-plot")
    assert "## 💠 Step 1: Mark the Contours" in post.body
    assert ">💠 Step 1: Mark the Contours</h2>" in post.body_html
    assert ">🌱 Step 2: Cut and Fill</h2>" in post.body_html  # already right: unchanged


def test_an_unresolved_related_link_shows_as_plain_text(client):
    out = import_file("terraces.md")

    post = Post.objects.get(slug="terraces-on-a-steep-plot")
    assert "Unresolved related link" in out
    assert 'href="#"' not in post.body_html
    assert "<em>Related: Keeping Hens on a Hillside</em>" in post.body_html
    assert 'href="#"' not in client.get(post.get_absolute_url()).content.decode()


def test_a_related_link_is_resolved_when_its_post_comes_in_a_later_import(client):
    import_file("terraces.md")
    terraces = Post.objects.get(slug="terraces-on-a-steep-plot")
    assert WaitingRelatedLink.objects.filter(post=terraces).count() == 1

    import_file("hens.md")

    terraces.refresh_from_db()
    link = '<a href="/posts/keeping-hens-on-a-hillside/">Keeping Hens on a Hillside</a>'
    assert link in terraces.body_html
    assert link in client.get(terraces.get_absolute_url()).content.decode()
    assert not WaitingRelatedLink.objects.exists()


def test_importing_the_linking_file_again_changes_nothing_and_may_still_update(tmp_path):
    import_file("terraces.md")
    import_file("hens.md")

    assert "0 created, 0 updated, 1 unchanged" in import_file("terraces.md")

    # the link resolved by the import is no edit made here: a changed file still comes in
    changed = tmp_path / "terraces.md"
    text = (EDGE / "terraces.md").read_text(encoding="utf-8")
    changed.write_text(text.replace("work up.", "work upwards."), encoding="utf-8")
    assert "0 created, 1 updated" in command("import_posts", changed)
    post = Post.objects.get(slug="terraces-on-a-steep-plot")
    assert "work upwards." in post.body and "/posts/keeping-hens-on-a-hillside/" in post.body


def test_the_topics_line_keeps_its_order_and_the_first_is_the_primary_topic(client):
    import_file("terraces.md")

    post = Post.objects.get(slug="terraces-on-a-steep-plot")
    assert [topic["name"] for topic in post.stored_topics] == ["Soil", "Garden Design", "Compost"]
    assert post.content()["topics"] == ["soil", "garden-design", "compost"]
    page = client.get(post.get_absolute_url()).content.decode()
    # the breadcrumb names the primary topic
    assert (
        '"position":2,"name":"Soil"' in page.split("BreadcrumbList", 1)[1].split("</script>", 1)[0]
    )
    assert "0 created, 0 updated, 1 unchanged" in import_file("terraces.md")


def test_export_and_import_keep_the_topic_order(tmp_path):
    import_file("terraces.md")
    command("export_posts", tmp_path / "out")
    Post.objects.all().delete()

    command("import_posts", tmp_path / "out")

    post = Post.objects.get(slug="terraces-on-a-steep-plot")
    assert [topic["name"] for topic in post.stored_topics] == ["Soil", "Garden Design", "Compost"]


def test_an_imported_author_without_a_bio_shows_no_about_the_author_box(client):
    import_file("terraces.md")

    author = User.objects.get(display_name="Ines Marlow")
    post = Post.objects.get(slug="terraces-on-a-steep-plot")
    assert author.bio == ""
    page = client.get(post.get_absolute_url()).content.decode()
    assert "About the author" not in page and "author-card__bio" not in page
    assert "Ines Marlow" in page  # still named in the byline


def test_only_co_authors_with_a_bio_get_a_card(client):
    quiet = UserFactory(display_name="Quiet Writer", bio="")
    told = UserFactory(display_name="Told Writer", bio="Grows *beans* on a balcony.")
    post = PostFactory(authors=[quiet, told])

    page = client.get(post.get_absolute_url()).content.decode()

    assert "About the author</h2>" in page  # one card: singular
    cards = page.split('class="post__authors"', 1)[1].split("</section>", 1)[0]
    assert "Told Writer" in cards and "Quiet Writer" not in cards


@pytest.mark.skipif(not SAMPLE.exists(), reason="the shared sample is not beside this checkout")
def test_the_shared_sample_imports_with_its_edge_cases_fixed(tmp_path):
    shutil.copy(SAMPLE, tmp_path / "sample.md")

    command("import_posts", tmp_path / "sample.md")

    post = Post.objects.get()
    assert 'href="#"' not in post.body_html
    assert post.stored_topics[0]["name"] == "Relationships"
    assert "## 💠 Section 1" in post.body
    assert re.search(r"^## [^\x00-\x7f]+[A-Za-z]", post.body, re.MULTILINE) is None


def test_saving_in_the_admin_keeps_the_primary_topic_first(client, editor):
    import_file("terraces.md")
    post = Post.objects.get(slug="terraces-on-a-steep-plot")
    bees = Topic.objects.create(name="Bees", slug="bees")
    chosen = [*post.topics.values_list("pk", flat=True), bees.pk]
    client.force_login(editor)

    response = client.post(
        f"/admin/blog/post/{post.pk}/change/",
        post_form(post, topics=[str(pk) for pk in chosen], tags="terraces, slopes"),
    )

    assert response.status_code == 302
    post.refresh_from_db()
    names = [topic["name"] for topic in post.stored_topics]
    assert names == ["Soil", "Garden Design", "Compost", "Bees"]
