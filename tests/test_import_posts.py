"""import_posts: Markdown with front matter in, whatever shape and damage it arrives in."""

import io
import shutil
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from blog import importers
from blog.importers import import_markdown
from blog.importers.progress import Progress
from blog.models import FAQ, Post, Reference, Topic
from blog.render_limits import BoundedProcess
from blog.rendering import convert_markdown
from tests.helpers import assert_derived_right, child_processes, import_posts

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures" / "import"
SITE = FIXTURES / "site"


def everything():
    """Every text a reader or editor could see of the imported posts."""
    parts = []
    for post in Post.objects.all():
        parts += [post.title, post.description, post.body, post.body_html, str(post.metadata)]
        parts += [f"{f.question} {f.answer}" for f in post.faqs.all()]
        parts += [f"{r.title} {r.publisher}" for r in post.references.all()]
    return " ".join(parts)


@pytest.fixture
def imported():
    out, err, error = import_posts(SITE)
    assert error is None, err
    return out


def test_the_sample_shape_comes_in_whole_and_repaired(imported):
    post = Post.objects.get(slug="repotting-houseplants-without-the-mess")

    assert post.title == "Repotting Houseplants Without the Mess"
    assert post.description.endswith("without shock — or soil all over the floor.")
    assert "it’s time" in post.body and "That’s your cue. 👉 Don’t wait" in post.body
    assert "â€" not in everything() and "ğŸ" not in everything()
    # the repeated title (inside <center>) and the rule after it are gone
    assert post.body.startswith("## Signs it’s time")
    assert [(f.question, f.answer) for f in post.faqs.all()] == [
        ("How often should I repot?", "Every one to two years for most plants, less for cacti."),
        ("Can I repot a flowering plant?", "Better to wait until it finishes flowering."),
    ]
    assert [(r.publisher, r.year, r.title, r.url) for r in post.references.all()] == [
        ("Royal Horticultural Society", 2023, "Repotting houseplants",
         "https://www.rhs.org.uk/plants/types/houseplants/repotting"),
        ("Missouri Botanical Garden", 2021, "Container soil basics",
         "https://www.missouribotanicalgarden.org/soil"),
    ]  # fmt: skip
    # what moved out is not repeated; what could not be read stays
    assert "How often should I repot" not in post.body and "rhs.org.uk" not in post.body
    assert "Just a note we could not parse" in post.body
    assert "Topics:" not in post.body and "@IndoorJungle" not in post.body
    assert sorted(post.topics.values_list("name", flat=True)) == ["Gardening", "Home"]
    assert post.metadata["tagged"] == ["@IndoorJungle", "@RHSGardening"]
    assert post.metadata["series"] == "Indoor jungle" and post.metadata["rating"] == 4
    assert sorted(post.tags.names()) == ["houseplants", "indoor gardening", "repotting"]
    assert post.publish_at.date().isoformat() == "2024-03-14"
    assert post.has_sponsored_links and post.status == Post.Status.DRAFT


def test_missing_authors_become_contributors_who_cannot_log_in(imported):
    rosa = User.objects.get(display_name="Rosa Lindqvist")

    assert not rosa.has_usable_password()
    assert list(rosa.groups.values_list("name", flat=True)) == ["Contributor"]
    post = Post.objects.get(slug="lunchbox-ideas")
    assert [a.name for a in post.authors.order_by("postauthor__order")] == [
        "Rosa Lindqvist",
        "Sam Okoro",
    ]


def test_related_links_resolve_to_imported_posts_and_the_rest_are_reported(imported):
    post = Post.objects.get(slug="repotting-houseplants-without-the-mess")

    assert "[Choosing Compost for Containers](/posts/choosing-compost/)" in post.body
    assert "Unresolved related link" in imported and "A Guide Nobody Wrote Yet" in imported


def test_jekyll_names_give_date_and_slug_and_heading_faqs_and_sources_are_read(imported):
    post = Post.objects.get(slug="choosing-compost")

    assert post.publish_at.date().isoformat() == "2023-11-02"
    assert [f.question for f in post.faqs.all()] == [
        "Is garden soil fine in pots?",
        "Can I reuse old compost?",
    ]
    assert [(r.publisher, r.year, r.title, r.url) for r in post.references.all()] == [
        (
            "Which? Gardening",
            2022,
            "Best compost for containers",
            "https://www.which.co.uk/compost",
        ),
        ("", None, "Peat-free growing guide", "https://example.org/peat-free"),
    ]
    assert "Frequently Asked" not in post.body and "Sources" not in post.body


def test_toml_front_matter_and_q_a_faqs(imported):
    post = Post.objects.get(slug="lunchbox-ideas")

    assert post.title == "Lunchbox Ideas That Travel Well"
    assert post.status == Post.Status.DRAFT
    assert post.publish_at.isoformat() == "2024-01-08T07:30:00+00:00"
    assert list(post.topics.values_list("name", flat=True)) == ["Cooking"]
    assert [(f.question, f.answer) for f in post.faqs.all()] == [
        ("Does rice keep?", "Cool it fast and keep it cold; eat it within a day."),
        ("What about soup?", "A preheated flask keeps it hot until lunch."),
    ]


def counts():
    return {
        "posts": Post.objects.count(),
        "faqs": FAQ.objects.count(),
        "references": Reference.objects.count(),
        "topics": Topic.objects.count(),
        "users": User.objects.count(),
        "tags": sum(post.tags.count() for post in Post.objects.all()),
        "revisions": sum(post.revisions.count() for post in Post.objects.all()),
    }


def test_importing_again_duplicates_nothing_and_changes_nothing(imported):
    before = counts()

    out, _, error = import_posts(SITE)

    assert error is None and counts() == before
    assert "0 created, 0 updated, 3 unchanged, 0 failed." in out


def test_an_edited_file_updates_its_post_even_under_a_new_slug(tmp_path):
    shutil.copytree(SITE, tmp_path / "site")
    import_posts(tmp_path / "site")
    post = Post.objects.get(slug="choosing-compost")
    source = tmp_path / "site" / "2023-11-02-choosing-compost.md"
    source.write_text(
        source.read_text().replace("title: Choosing", "slug: compost-for-pots\ntitle: Choosing")
    )

    out, _, _ = import_posts(tmp_path / "site")

    post.refresh_from_db()
    assert post.slug == "compost-for-pots" and Post.objects.count() == 3
    # the renamed post, and the post whose related link now follows it
    assert "0 created, 2 updated, 1 unchanged" in out
    linking = Post.objects.get(slug="repotting-houseplants-without-the-mess")
    assert "(/posts/compost-for-pots/)" in linking.body


def test_status_option_and_drafts_that_stay_drafts():
    import_posts(SITE, status="published")

    assert Post.objects.get(slug="choosing-compost").status == Post.Status.PUBLISHED
    assert Post.objects.get(slug="lunchbox-ideas").status == Post.Status.DRAFT  # draft = true


def test_dry_run_reports_and_writes_nothing():
    out, _, error = import_posts(SITE, dry_run=True)

    assert error is None
    assert "Dry run, nothing written: would have 3 created" in out
    assert counts()["posts"] == 0 and counts()["users"] == 0


BAD_FILES = {
    "bad-yaml.md": (b"---\ntitle: [unclosed\n---\nBody", "the YAML front matter is invalid"),
    "unclosed.md": (b"---\ntitle: Fine\nBody without a closing fence", "is never closed"),
    "not-text.md": (b"\xff\xfe\x81\x8d\x8f\x90\x9d bytes", "neither UTF-8 nor Windows-1252"),
    "binary.md": (b"PNG\x00\x00\x00\rIHDR", "binary file"),
    "empty.md": (b"   \n", "the file is empty"),
    "untitled.md": (b"---\ntags: [x]\n---\nJust text.", "no title"),
    "huge.md": (b"---\ntitle: Big\n---\n" + b"word " * 500_000, "the limit is 2,097,152"),
    "bad-date.md": (b"---\ntitle: When\ndate: next tuesday\n---\nx", "is not a date"),
    "list.md": (b"---\n- just\n- a list\n---\nx", "not a set of key: value pairs"),
}


def test_each_bad_file_gets_one_clear_line_and_the_rest_still_import(tmp_path):
    shutil.copytree(SITE, tmp_path / "site")
    for name, (content, _) in BAD_FILES.items():
        (tmp_path / "site" / name).write_bytes(content)

    out, err, error = import_posts(tmp_path / "site")

    assert error == f"{len(BAD_FILES)} of {len(BAD_FILES) + 3} files could not be imported."
    assert f"3 created, 0 updated, 0 unchanged, {len(BAD_FILES)} failed." in out
    lines = err.strip().splitlines()
    assert len(lines) == len(BAD_FILES)
    for name, (_, reason) in BAD_FILES.items():
        [line] = [line for line in lines if line.startswith(str(tmp_path / "site" / name) + ":")]
        assert reason in line, line
    assert Post.objects.count() == 3


def test_a_missing_path_is_an_error_naming_it(tmp_path):
    _, _, error = import_posts(tmp_path / "nowhere")

    assert error == f"{tmp_path / 'nowhere'}: no such file or folder"


def test_standard_input(monkeypatch):
    data = (SITE / "nested" / "toml-post.md").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))

    out, _, error = import_posts("-")

    assert error is None and Post.objects.get().slug == "lunchbox-ideas"


def test_windows_1252_files_are_read():
    out, _, error = import_posts(FIXTURES / "windows-1252.md")

    assert error is None
    post = Post.objects.get()
    assert post.title == "Café “quotes” — déjà vu"


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_long_runs_on_a_terminal_show_a_progress_bar():
    from django.core.management.base import OutputWrapper

    stream = Terminal()
    with Progress(100, OutputWrapper(stream)) as bar:
        for _ in range(100):
            bar.advance()

    assert "[##############################] 100/100 files" in stream.getvalue()


SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "why-men-pull-away.md"


@pytest.mark.skipif(not SAMPLE.exists(), reason="the shared sample is not beside this checkout")
def test_the_shared_real_world_sample_imports_whole_and_clean():
    out, _, error = import_posts(SAMPLE)

    assert error is None
    post = Post.objects.get()
    assert post.title.startswith("Why Men Pull Away — ")
    assert (post.faqs.count(), post.references.count()) == (5, 4)
    assert post.topics.count() == 5 and len(post.metadata["tagged"]) == 10
    text = everything()
    for damage in ("â€", "ğŸ", "Ã", "â"):
        assert damage not in text, damage
    assert not post.body.lstrip().startswith(("<center>", "#  Why", "---"))
    assert "Unresolved related link" in out
    assert post.has_sponsored_links


def write_posts(folder, numbers, special=None):
    """Small Markdown files, post-<number>.md; `special` maps a number to the author, FAQ
    answer or body of that file."""
    folder.mkdir(exist_ok=True)
    for number in numbers:
        extra = (special or {}).get(number, {})
        author = extra.get("author", f"Writer {number % 3}")
        answer = extra.get("answer", "Because.")
        body = extra.get("body", f"Post number {number}, in **Markdown**.")
        (folder / f"post-{number}.md").write_text(
            f"---\ntitle: Post {number}\nauthor: {author}\ntags: [one, two]\ntopics: [Tests]\n"
            f"faqs:\n  - question: Why {number}?\n    answer: {answer}\n---\n\n{body}\n"
        )


def test_a_file_that_fails_in_the_middle_of_a_batch_rolls_back_alone(tmp_path, settings):
    settings.BYLINE_MARKDOWN_MAX_CHARS = 500
    write_posts(tmp_path, range(1, 6), {3: {"author": "Only In Three", "body": "word " * 200}})

    out, err, error = import_posts(tmp_path)

    assert error == "1 of 5 files could not be imported."
    assert "4 created, 0 updated, 0 unchanged, 1 failed." in out
    [line] = err.strip().splitlines()
    assert line.startswith(f"{tmp_path / 'post-3.md'}: body: The text is 999 characters")
    assert sorted(Post.objects.values_list("title", flat=True)) == [
        "Post 1", "Post 2", "Post 4", "Post 5"
    ]  # fmt: skip
    # the author made for it went with it; the others' parts all came in
    assert not User.objects.filter(display_name="Only In Three").exists()
    assert FAQ.objects.count() == 4 and Post.objects.filter(tags__name="two").count() == 4


def test_a_part_that_cannot_be_saved_fails_its_own_file_only(tmp_path, settings):
    settings.BYLINE_MARKDOWN_MAX_CHARS = 500
    write_posts(tmp_path, range(1, 6), {3: {"author": "Only In Three", "answer": "x" * 600}})

    out, err, error = import_posts(tmp_path)

    assert "4 created, 0 updated, 0 unchanged, 1 failed." in out
    [line] = err.strip().splitlines()
    assert line.startswith(f"{tmp_path / 'post-3.md'}: answer: The text is 600 characters")
    assert not Post.objects.filter(title="Post 3").exists()
    assert not User.objects.filter(display_name="Only In Three").exists()
    assert [post.faqs.get().question for post in Post.objects.order_by("title")] == [
        "Why 1?", "Why 2?", "Why 4?", "Why 5?"
    ]  # fmt: skip


def test_files_parsed_in_worker_processes_import_the_same_posts():
    sources = [
        (str(path), path.relative_to(SITE).with_suffix("").as_posix(), path.read_bytes)
        for path in sorted(SITE.rglob("*.md"))
    ]

    report = import_markdown(sources, workers=2)
    out, _, error = import_posts(SITE)  # parsed here this time

    assert report.summary() == "3 created, 0 updated, 0 unchanged, 0 failed."
    assert error is None and "0 created, 0 updated, 3 unchanged, 0 failed." in out


def test_a_batch_whose_files_all_save_takes_no_savepoint_per_file(tmp_path):
    write_posts(tmp_path / "first", range(3))  # the authors, tags and topic exist
    import_posts(tmp_path / "first")
    savepoints = []
    for folder, numbers in (("three", range(3, 6)), ("nine", range(6, 15))):
        write_posts(tmp_path / folder, numbers)
        with CaptureQueriesContext(connection) as queries:
            out, _, _ = import_posts(tmp_path / folder)
        assert f"{len(numbers)} created, 0 updated, 0 unchanged, 0 failed." in out
        savepoints.append(sum(query["sql"].startswith("SAVEPOINT") for query in queries))

    assert savepoints[1] <= savepoints[0]  # the batch's own: no more for 9 files than for 3


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_a_parsing_process_renders_a_file_itself_without_a_process_of_its_own():
    child = BoundedProcess(preload=["parse"])
    try:
        item = child.call("parse", "a.md", b"---\ntitle: A\n---\nSome *text*.", "a", seconds=5)
        assert item.derived[1]["body_html"] == "<p>Some <em>text</em>.</p>"
        assert child_processes(child.process.pid) == set()  # no second hop to a renderer
    finally:
        child.stop()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_a_file_that_renders_too_long_in_a_parsing_process_fails_alone_as_it_would_here(
    tmp_path, monkeypatch, settings
):
    settings.BYLINE_IMPORT_WORKERS = 2
    slow = "<b>x</b> " * 11_000  # over a render's budget, under a file's (POST_BUDGET renders')
    # The budget is half of what `slow` takes on this machine (0.35 to 1 s on the machines
    # seen), so the test does not depend on how fast the machine is; the parsing processes
    # read it from the environment.
    started = time.process_time()
    convert_markdown(slow)
    budget = (time.process_time() - started) / 2
    settings.BYLINE_MARKDOWN_CPU_SECONDS = budget
    monkeypatch.setenv("BYLINE_MARKDOWN_CPU_SECONDS", repr(budget))
    endless = '<a x=">" ' * 11_000  # 15 to 40 s: its process is stopped, the next file resent
    write_posts(tmp_path, range(1, 7), {3: {"body": endless}, 4: {"body": slow}})
    monkeypatch.setattr(importers, "PARALLEL_FROM", 2)
    before = child_processes()

    out, err, error = import_posts(tmp_path)

    assert error == "2 of 6 files could not be imported."
    assert "4 created, 0 updated, 0 unchanged, 2 failed." in out
    for number in (3, 4):
        assert f"{tmp_path / f'post-{number}.md'}: body: The text takes too long to render" in err
    assert sorted(Post.objects.values_list("title", flat=True)) == [
        "Post 1", "Post 2", "Post 5", "Post 6"
    ]  # fmt: skip
    assert child_processes() <= before  # the parsing processes are gone


def test_a_parallel_import_hands_over_files_promptly_and_leaves_the_interpreter_as_it_was(
    tmp_path, monkeypatch, settings
):
    """While parsing processes run, the interpreter switches threads every half millisecond
    (pool.SWITCH_INTERVAL), so a feeding thread gives its child the next file without
    waiting 5 ms for the saving thread; afterwards the switch interval is what it was."""
    settings.BYLINE_IMPORT_WORKERS = 1
    monkeypatch.setattr(importers, "PARALLEL_FROM", 2)
    write_posts(tmp_path, range(4))
    before = sys.getswitchinterval()
    during = []
    real = importers.pool.ParsePool.submit

    def submit(parsers, *args, **kwargs):
        during.append(sys.getswitchinterval())
        return real(parsers, *args, **kwargs)

    monkeypatch.setattr(importers.pool.ParsePool, "submit", submit)
    out, _, _ = import_posts(tmp_path)

    assert "4 created" in out
    assert during == [importers.pool.SWITCH_INTERVAL] * 4
    assert sys.getswitchinterval() == before


def test_an_import_takes_a_few_queries_per_file(tmp_path, django_assert_max_num_queries):
    write_posts(tmp_path / "first", range(3))  # the authors, tags and topic exist
    import_posts(tmp_path / "first")
    write_posts(tmp_path / "next", range(3, 43))

    with django_assert_max_num_queries(40 * 8):
        out, _, _ = import_posts(tmp_path / "next")

    assert "40 created" in out


def test_an_import_of_published_posts_takes_no_more_queries_a_file_than_one_of_drafts(tmp_path):
    """Each published post saved moved the page cache on, and the import then read the
    affiliate rules and the site's disclosure again: three queries a file more than drafts."""
    write_posts(tmp_path / "first", range(3))  # the authors, tags and topic exist
    import_posts(tmp_path / "first")
    write_posts(tmp_path / "drafts", range(3, 43))
    write_posts(tmp_path / "published", range(43, 83))

    with CaptureQueriesContext(connection) as drafts:
        import_posts(tmp_path / "drafts")
    with CaptureQueriesContext(connection) as published:
        out, _, _ = import_posts(tmp_path / "published", status="published")

    assert "40 created" in out
    assert Post.objects.published().count() == 40
    assert len(published) <= len(drafts) + 10, [q["sql"] for q in published][-20:]


def test_posts_imported_as_published_show_on_cached_pages_at_once(client, tmp_path):
    assert client.get("/").status_code == 200  # the home page, cached with no posts
    write_posts(tmp_path, range(3))

    import_posts(tmp_path, status="published")

    home = client.get("/").content.decode()
    assert all(f"Post {number}" in home for number in range(3))


def test_reimporting_edited_files_takes_a_few_queries_per_file_and_keeps_pages_right(
    tmp_path, django_assert_max_num_queries
):
    write_posts(tmp_path / "files", range(40))
    import_posts(tmp_path / "files")
    edits = {
        number: {"author": f"Editor {number % 3}", "answer": "Since.", "body": "Rewritten."}
        for number in range(40)
    }
    write_posts(tmp_path / "files", range(40), edits)

    # About 20 a file (30 before the batch quietened the receivers of the rows it replaces).
    with django_assert_max_num_queries(40 * 21):
        out, _, _ = import_posts(tmp_path / "files")

    assert "40 updated" in out
    assert_derived_right()
