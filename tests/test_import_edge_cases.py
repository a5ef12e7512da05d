"""Imports meeting awkward, hostile or surprising input: the review's cases, each pinned."""

import io
import zipfile
from pathlib import Path

import pytest
import yaml

from blog.importers import front_matter, text
from blog.importers.records import ImportProblem
from blog.importers.text import repair
from blog.models import Post, Topic
from tests.factories import PostFactory, UserFactory
from tests.helpers import admin_import, command, import_posts, posts_field_by_field, upload

pytestmark = pytest.mark.django_db


def write(folder, name, text):
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_dates_in_unknown_keys_and_odd_years_are_kept_safely(tmp_path):
    write(
        tmp_path,
        "a.md",
        "---\ntitle: A\nlast_modified_at: 2024-05-01\nreferences:\n"
        "  - {title: Far future, year: 3024, url: 'https://example.org/f'}\n---\nBody",
    )

    _, err, error = import_posts(tmp_path)

    assert error is None, err
    post = Post.objects.get()
    assert post.metadata["last_modified_at"] == "2024-05-01"
    assert post.references.get().year is None


def test_topics_in_any_script_and_long_names_import_and_reimport(tmp_path):
    long_name = "A very long topic name " * 5
    write(tmp_path, "a.md", f"---\ntitle: A\ntopics: [日本, 中国, '{long_name}']\n---\nBody")

    import_posts(tmp_path)
    out, _, error = import_posts(tmp_path)

    assert error is None and "1 unchanged" in out
    assert Topic.objects.count() == 3
    assert len(set(Topic.objects.values_list("slug", flat=True))) == 3


def test_a_post_written_here_is_never_replaced_by_a_file_with_its_slug(tmp_path):
    mine = PostFactory(slug="about-us", title="Written by hand", body="Mine.")
    write(tmp_path, "about-us.md", "---\ntitle: About us\n---\nFrom a file.")

    _, err, error = import_posts(tmp_path)

    assert "belongs to “Written by hand”, a post written here" in err and error
    mine.refresh_from_db()
    assert mine.body == "Mine." and Post.objects.count() == 1


def test_two_files_with_one_slug_in_one_run_do_not_overwrite_each_other(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: Same\nslug: same\n---\nFirst.")
    write(tmp_path, "b.md", "---\ntitle: Same again\nslug: same\n---\nSecond.")

    _, err, error = import_posts(tmp_path)

    assert error == "1 of 2 files could not be imported."
    assert "its slug “same” is also that of" in err
    assert Post.objects.get(slug="same").body == "First."


def test_files_of_one_batch_see_what_the_earlier_ones_did(tmp_path):
    write(tmp_path / "before", "p.md", "---\ntitle: Post\nid: p\nslug: old\n---\nOld.")
    import_posts(tmp_path / "before")
    write(tmp_path / "now", "a.md", "---\ntitle: Post\nid: p\nslug: new\n---\nMoved.")
    write(tmp_path / "now", "b.md", "---\ntitle: Other\nid: q\nslug: old\n---\nOther.")
    write(tmp_path / "now", "c.md", "---\ntitle: Post again\nid: p\nslug: newer\n---\nAgain.")

    out, _, error = import_posts(tmp_path / "now")

    # a moves the post to "new"; b takes the address it left; c moves it on to "newer"
    assert error is None and "1 created, 2 updated" in out
    assert Post.objects.get(slug="newer").body == "Again." and Post.objects.count() == 2
    assert Post.objects.get(slug="old").body == "Other."


def test_page_bundles_are_told_apart_by_their_folder(tmp_path):
    write(tmp_path, "alpha/index.md", "---\ntitle: Alpha\n---\nA.")
    write(tmp_path, "beta/index.md", "---\ntitle: Beta\n---\nB.")

    import_posts(tmp_path)
    out, _, _ = import_posts(tmp_path)

    assert sorted(Post.objects.values_list("source_id", flat=True)) == ["alpha/index", "beta/index"]
    assert "2 unchanged" in out


def test_script_urls_never_become_links_or_canonicals(client, tmp_path):
    write(tmp_path, "x.md", "---\ntitle: X\ncanonical_url: 'javascript:alert(1)'\nreferences:\n"
          "  - {title: Bad, url: 'javascript:alert(2)'}\n---\nText\n\n## References\n\n"
          "1. [Click me](javascript:alert%28document.domain%29)\n"
          "2. [Good (2020) — Fine](https://example.org/fine)\n")  # fmt: skip
    import_posts(tmp_path, status="published")
    post = Post.objects.get()

    assert post.canonical_url == ""
    assert [(r.title, r.url) for r in post.references.all()] == [
        ("Bad", ""),
        ("Fine", "https://example.org/fine"),
    ]
    html = client.get(post.get_absolute_url()).content.decode()
    assert "javascript:" not in html


@pytest.fixture(params=["libyaml", "python"])
def yaml_parser(request, monkeypatch):
    """Front matter read by libyaml's parser (as PyYAML's wheels have it), then by PyYAML's own
    (where it was built without libyaml): both must refuse and report the same."""
    if request.param == "python":
        monkeypatch.setattr(front_matter, "_LOADER", yaml.SafeLoader)
    elif front_matter._LOADER is yaml.SafeLoader:
        pytest.skip("PyYAML was built without libyaml")
    return request.param


def test_yaml_aliases_are_refused_before_they_can_expand(tmp_path, yaml_parser):
    bomb = (
        "---\ntitle: B\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a]\n---\nx"
    )
    write(tmp_path, "bomb.md", bomb)

    _, err, error = import_posts(tmp_path)

    assert error == "1 of 1 files could not be imported."
    assert "uses aliases (*name), which are not accepted" in err
    assert not Post.objects.exists()


def test_yaml_anchors_without_aliases_are_fine_and_errors_name_their_line(yaml_parser):
    meta, body = front_matter.split_front_matter("---\ntitle: &t Anchored\ntags: [a, b]\n---\nText")
    assert meta == {"title": "Anchored", "tags": ["a", "b"]} and body == "\nText"
    with pytest.raises(ImportProblem, match="invalid at line 3: mapping values are not allowed"):
        front_matter.split_front_matter("---\ntitle: fine\nbad: : x\n---\nText")


def test_repair_mends_each_damaged_line_and_leaves_the_others_as_written():
    text = (
        "plain ascii line\nheâ€™s here\n\tcolour \x1b[31mred\x1b[0m\nline\u2028break and\x85next\n"
        "clean “quotes” — dash, café\nÃ©tÃ© and ðŸ‘‰\x00 end"
    )

    assert repair(text) == (
        "plain ascii line\nhe’s here\n\tcolour red\nline\nbreak and…next\n"
        "clean “quotes” — dash, café\nété and 👉 end"
    )


def test_repair_mends_the_samples_damaged_once_and_twice_as_ftfy_alone_does(monkeypatch):
    samples = [*Path(__file__).parents[2].joinpath("shared", "samples").glob("*.md")]
    samples += Path(__file__).parents[1].joinpath("demo", "posts").glob("*.md")
    texts = [path.read_text(encoding="utf-8") for path in samples]
    once = [text.encode("utf-8").decode("cp1252", errors="replace") for text in texts]
    twice = [text.encode("utf-8").decode("cp1252", errors="replace") for text in once]
    lines = [line for damaged in [*once, *twice] for line in damaged.split("\n")]
    quick = sum(text._undone(f"{line}\n") is not None for line in lines if not line.isascii())
    repaired = [repair(line) for line in lines]

    monkeypatch.setattr(text, "_undone", lambda segment: None)  # ftfy for every line
    assert repaired == [repair(line) for line in lines]
    assert len(texts) >= 10 and quick >= 150  # the quick way was taken, and gave the same


def test_reimport_does_not_undo_edits_made_here_unless_asked(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: A\n---\nOriginal.")
    import_posts(tmp_path)
    post = Post.objects.get()
    post.body = "Edited in the admin."
    post.save_with_history()
    write(tmp_path, "a.md", "---\ntitle: A\n---\nChanged in the file.")

    _, err, error = import_posts(tmp_path)
    assert "was edited here since it was imported" in err and error
    assert Post.objects.get().body == "Edited in the admin."

    import_posts(tmp_path, overwrite=True)
    assert Post.objects.get().body == "Changed in the file."


def test_repair_leaves_correct_text_alone(tmp_path):
    text = "你好，世界！（测试） &lt;b&gt; `&amp;lt;` ﬁne"
    write(tmp_path, "a.md", f"---\ntitle: Fine\n---\n{text}")

    import_posts(tmp_path)

    assert Post.objects.get().body == text


def test_export_then_import_keeps_bodies_that_look_like_sections(tmp_path):
    writer = UserFactory(display_name="Hand")
    body = ("# Admin Post\n\nA &lt;tag&gt; here.\n\n## Sources I like\n\n"
            "1. [Site (2020) — Page](https://example.org/p)\n\nTopics: Not, Really")  # fmt: skip
    PostFactory(slug="tricky", body=body, authors=[writer], noindex=True,
                featured_image_alt="A described image")  # fmt: skip
    before = posts_field_by_field()
    extra = {slug: Post.objects.get(slug=slug).noindex for slug in before}

    command("export_posts", tmp_path)
    Post.objects.all().delete()
    command("import_posts", tmp_path)

    assert posts_field_by_field() == before
    assert {slug: Post.objects.get(slug=slug).noindex for slug in before} == extra
    assert Post.objects.get().featured_image_alt == "A described image"


def test_an_faq_with_an_unanswered_question_stays_in_the_body(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: A\n---\nIntro.\n\n## FAQ\n\n**One?**\nYes.\n\n**Two?**\n")

    import_posts(tmp_path)

    post = Post.objects.get()
    assert not post.faqs.exists() and "**Two?**" in post.body


def test_front_matter_keys_any_case_and_odd_values(tmp_path):
    write(tmp_path, "a.md", "---\nTitle: Capital\nauthor: {name: Zed}\n---\nx")
    write(tmp_path, "b.md", "---\ntitle: B\ntags: [x, {a: 1}]\n---\nx")

    _, err, error = import_posts(tmp_path)

    assert error == "1 of 2 files could not be imported."
    assert Post.objects.get().title == "Capital"
    assert [a.name for a in Post.objects.get().authors.all()] == ["Zed"]
    assert "“tags” should be a list of words; {'a': 1} is not one" in err


def test_related_lines_in_other_shapes_and_dry_runs_report_them(tmp_path):
    PostFactory(title="Known post", slug="known")
    write(tmp_path, "a.md", "---\ntitle: A\n---\nx\n\n**Related:** [Known post](#), "
          "[Nobody Here](#)\n")  # fmt: skip

    dry, _, _ = import_posts(tmp_path, dry_run=True)
    out, _, _ = import_posts(tmp_path)

    assert "“Nobody Here”" in dry and "“Nobody Here”" in out
    assert "[Known post](/posts/known/)" in Post.objects.get(slug="a").body


def test_a_name_that_only_looks_like_jekyll_still_imports(tmp_path):
    write(tmp_path, "2024-13-45-not-a-date.md", "---\ntitle: Odd name\n---\nx")

    _, _, error = import_posts(tmp_path)

    assert error is None and Post.objects.get().title == "Odd name"


def test_a_damaged_zip_member_is_a_line_in_the_report_not_a_crash(client, editor):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("good.md", "---\ntitle: Good\n---\nFine.")
        archive.writestr("bad.md", "---\ntitle: Bad\n---\n" + "x" * 5000)
    data = bytearray(buffer.getvalue())
    start = data.find(b"bad.md") + len(b"bad.md")  # its compressed bytes follow its name
    data[start : start + 12] = b"\xff" * 12
    client.force_login(editor)

    response = admin_import(client, {"file": upload("p.zip", bytes(data))})

    assert response.status_code == 200
    html = response.content.decode()
    assert "bad.md" in html and "1 failed" in html
    assert Post.objects.filter(title="Good").exists()


def test_wordpress_url_encoded_slugs(tmp_path):
    xml = (Path(__file__).parent / "fixtures/import/wordpress.xml").read_text()
    path = tmp_path / "wp.xml"
    path.write_text(xml.replace("<![CDATA[folding-dumplings]]>", "<![CDATA[caf%c3%a9-dumplings]]>"))

    command("import_wordpress", path)

    assert Post.objects.filter(slug="cafe-dumplings").exists()
