"""The admin's import runs on the task worker: the page queues a job and answers at once, the
worker imports with the same code as the commands, and the job's page follows it."""

import io
import subprocess
import sys
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from blog.models import ImportJob, Post
from blog.models import imports as import_jobs
from blog.uploads import import_storage
from tests.browser import PolicyWatch, log_in, requires_chromium
from tests.helpers import (
    ROOT,
    admin_import,
    database_url_of,
    django_child_env,
    run_worker,
    upload,
)

IMPORT = "/admin/blog/post/import/"


def markdown(number, body=None):
    return (
        f"---\ntitle: Post {number}\nauthor: Writer {number % 3}\ntags: [one, two]\n"
        f"topics: [Tests]\n---\n\n{body or f'Post number {number}, in **Markdown**.'}\n"
    ).encode()


def zip_of(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def posts_zip(count):
    return zip_of({f"posts/post-{n}.md": markdown(n) for n in range(count)})


def queue_import(client, data):
    """The import form posted; the on-commit hooks (the enqueueing) run. The response."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(IMPORT, data)


def job_page(client, job):
    return client.get(f"{IMPORT}{job.pk}/").content.decode()


def progress_line(html):
    """The "N of M files done." line of a running job's page."""
    return html.split('<p class="import-report__summary">')[1].split("<")[0]


def done_of(html):
    return int(progress_line(html).split(" of ")[0])


def stored_files():
    """The names of the uploads waiting in the import storage."""
    storage = import_storage()
    return storage.listdir("")[1] if storage.exists("") else []


# Who may import ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["contributor", "author"])
def test_contributors_and_authors_cannot_start_or_see_imports(client, editor, role, request):
    client.force_login(editor)
    queue_import(client, {"file": upload("mine.md", markdown(1, "An editor's draft."))})
    job = ImportJob.objects.get()
    client.force_login(request.getfixturevalue(role))

    assert client.get(IMPORT).status_code == 403
    attempt = queue_import(client, {"file": upload("planted.md", markdown(2))})
    assert client.get(f"{IMPORT}{job.pk}/").status_code == 403

    assert attempt.status_code == 403
    assert ImportJob.objects.count() == 1 and DBTaskResult.objects.count() == 1
    run_worker()
    assert list(Post.objects.values_list("title", flat=True)) == ["Post 1"]


def test_the_job_list_is_on_the_import_page_for_editors(client, editor):
    client.force_login(editor)
    queue_import(client, {"file": upload("first.zip", posts_zip(2))})
    run_worker()
    queue_import(client, {"file": upload("second.md", markdown(9))})

    html = client.get(IMPORT).content.decode()

    assert html.index("second.md") < html.index("first.zip")  # newest first
    assert "2 created, 0 updated, 0 unchanged, 0 failed." in html and "Queued" in html


# Queueing and running -------------------------------------------------------------------------


def test_the_page_queues_the_import_and_answers_without_importing(client, editor, settings):
    client.force_login(editor)

    response = queue_import(client, {"file": upload("posts.zip", posts_zip(5)), "dry_run": ""})

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{IMPORT}{job.pk}/"
    assert not Post.objects.exists()
    assert DBTaskResult.objects.get().args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert (job.status, job.started_by, job.file_name) == ("queued", editor, "posts.zip")
    html = job_page(client, job)
    assert "Queued" in html and '<meta http-equiv="refresh" content="2">' in html
    assert "is the worker running" not in html
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert "is the worker running (<code>python manage.py worker</code>)?" in job_page(
            client, job
        )
    # The upload waits outside the public media folder, under a name of ours.
    [name] = stored_files()
    assert name != "posts.zip" and name.endswith(".zip")
    assert Path(import_storage().path(name)).is_relative_to(settings.BYLINE_IMPORT_ROOT)
    assert not Path(import_storage().path(name)).is_relative_to(settings.MEDIA_ROOT)


def test_the_worker_imports_and_the_job_page_shows_the_report(client, editor):
    client.force_login(editor)
    broken = b"---\ntitle: [oops\n---\n"
    files = {f"posts/post-{n}.md": markdown(n) for n in range(3)} | {"posts/bad.md": broken}

    page = admin_import(client, {"file": upload("posts.zip", zip_of(files))})

    html = page.content.decode()
    assert "Import finished" in html
    assert "3 created, 0 updated, 0 unchanged, 1 failed." in html
    assert "posts/bad.md: the YAML front matter is invalid" in html
    assert '<meta http-equiv="refresh"' not in html  # done: the page stops refreshing
    assert Post.objects.count() == 3
    job = ImportJob.objects.get()
    assert (job.status, job.files_done, job.files_total) == ("done", 4, 4)
    assert job.finished_at and job.report["created"] == 3
    # The report stays, the upload goes.
    assert not job.file and stored_files() == []


def test_the_options_of_the_form_go_with_the_job(client, editor):
    client.force_login(editor)

    page = admin_import(
        client, {"file": upload("posts.zip", posts_zip(2)), "dry_run": "on", "status": "published"}
    )

    assert "Dry run: nothing was written" in page.content.decode()
    assert not Post.objects.exists()
    assert ImportJob.objects.get().options["status"] == "published"


def test_a_wordpress_export_imports_on_the_worker_with_its_progress(client, editor):
    client.force_login(editor)
    export = (Path(__file__).parent / "fixtures" / "import" / "wordpress.xml").read_bytes()

    page = admin_import(client, {"file": upload("wp.xml", export)})

    job = ImportJob.objects.get()
    assert "Import finished" in page.content.decode()
    assert job.files_total == Post.objects.count() > 0 and job.files_done == job.files_total


def test_progress_moves_while_the_worker_imports(client, editor, monkeypatch):
    monkeypatch.setattr(import_jobs, "PROGRESS_SECONDS", 0)  # written after every file
    client.force_login(editor)
    queue_import(client, {"file": upload("posts.zip", posts_zip(250))})
    job = ImportJob.objects.get()
    seen = []
    write = import_jobs.JobProgress._write

    def write_and_look(progress):
        write(progress)
        html = job_page(client, job)
        if "files done" in html:
            seen.append(progress_line(html))

    monkeypatch.setattr(import_jobs.JobProgress, "_write", write_and_look)

    run_worker()

    assert seen[0] == "0 of 250 files done."
    assert "100 of 250 files done." in seen and "200 of 250 files done." in seen
    assert "Import finished" in job_page(client, job)


def test_progress_is_written_every_second_not_for_each_file(client, editor):
    client.force_login(editor)
    queue_import(client, {"file": upload("posts.zip", posts_zip(300))})

    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        run_worker()
    seconds = time.monotonic() - started

    writes = [q for q in queries if q["sql"].startswith('UPDATE "blog_importjob"')]
    assert ImportJob.objects.get().files_done == 300
    # Taken, the total known, one a second, the end.
    assert len(writes) <= 4 + seconds, (len(writes), seconds)


# Failures --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("posts.zip", b"PK\x03\x04 not really", "posts.zip: this .zip file is damaged"),
        ("posts.zip", zip_of({"readme.png": b"\x89PNG"}), "holds no Markdown files"),
        ("export.xml", b"<rss><channel><item>", "not readable XML"),
    ],
)
def test_a_bad_file_fails_clearly_on_the_job_page_with_nothing_written(
    client, editor, name, content, reason
):
    client.force_login(editor)

    html = admin_import(client, {"file": upload(name, content)}).content.decode()

    assert "The import failed" in html and reason in html
    assert '<meta http-equiv="refresh"' not in html
    assert not Post.objects.exists()
    assert ImportJob.objects.get().status == "failed" and stored_files() == []
    assert "Failed" in client.get(IMPORT).content.decode()


def test_an_unexpected_error_fails_the_job_and_says_what_stays(client, editor, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("blog.importers.uploaded.import_markdown", broken)
    client.force_login(editor)

    html = admin_import(client, {"file": upload("posts.zip", posts_zip(2))}).content.decode()

    assert "The import failed" in html
    assert "RuntimeError: the disk is full" in html and "importing the same file again" in html
    assert stored_files() == []


def test_a_worker_that_cannot_reach_the_upload_says_so(client, editor):
    client.force_login(editor)
    queue_import(client, {"file": upload("posts.zip", posts_zip(2))})
    import_storage().delete(stored_files()[0])  # a worker on a machine of its own

    run_worker()

    html = job_page(client, ImportJob.objects.get())
    assert "The import failed" in html and "the uploaded file is not in the import storage" in html
    assert "the site and its workers must share STORAGES[&quot;imports&quot;]" in html


def test_a_job_whose_worker_died_shows_as_stalled_and_is_not_run_again(client, editor):
    client.force_login(editor)
    queue_import(client, {"file": upload("posts.zip", posts_zip(2))})
    job = ImportJob.objects.get()
    # A worker took it and was killed after 40 files.
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", files_done=40, files_total=120, progress_at=timezone.now()
    )
    DBTaskResult.objects.all().delete()

    running = job_page(client, job)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        stalled = job_page(client, job)
        listed = client.get(IMPORT).content.decode()

    assert "40 of 120 files done." in running and "Stalled" not in running
    assert "Stalled" in stalled and "40 of 120 files were done" in stalled
    assert "will not be run again by itself" in stalled
    assert '<meta http-equiv="refresh"' not in stalled
    assert "Stalled" in listed


def test_a_job_run_twice_imports_once(client, editor):
    client.force_login(editor)
    queue_import(client, {"file": upload("posts.zip", posts_zip(2))})
    run_worker()
    job = ImportJob.objects.get()

    job.run()  # the task delivered again

    job.refresh_from_db()
    assert job.status == "done" and job.report["created"] == 2


# The upload ------------------------------------------------------------------------------------


def test_the_upload_is_still_checked_before_anything_is_queued(client, editor, monkeypatch):
    monkeypatch.setattr("blog.uploads.IMPORT_MAX_BYTES", 1000)
    client.force_login(editor)

    other = queue_import(client, {"file": upload("photo.jpg", b"x")})
    large = queue_import(client, {"file": upload("posts.zip", posts_zip(50))})

    assert "is not a .md, .zip or .xml file" in other.content.decode()
    assert "the limit is 1,000." in large.content.decode()
    assert not ImportJob.objects.exists() and not DBTaskResult.objects.exists()
    assert stored_files() == []  # nothing kept


def test_a_file_name_is_shown_as_text_not_markup(client, editor):
    client.force_login(editor)
    name = "<img src=x onerror=alert(1)>" + "x" * 300 + ".md"

    queue_import(client, {"file": upload(name, markdown(1))})

    for html in (job_page(client, ImportJob.objects.get()), client.get(IMPORT).content.decode()):
        assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_uploaded_file_is_never_served(client, editor, settings):
    settings.BYLINE_SERVE_MEDIA = True
    settings.BYLINE_IMPORT_ROOT = settings.MEDIA_ROOT.parent / "imports"
    client.force_login(editor)
    queue_import(client, {"file": upload("drafts.md", markdown(1, "Unpublished words."))})
    [name] = stored_files()

    for url in (f"/media/{name}", f"/media/../imports/{name}", f"/media/%2e%2e/imports/{name}"):
        response = client.get(url)
        assert response.status_code in (400, 404), url
        assert b"Unpublished" not in b"".join(getattr(response, "streaming_content", [b""]))
    with pytest.raises(ValueError):
        import_storage().url(name)


# In a browser ---------------------------------------------------------------------------------


@pytest.mark.browser
@requires_chromium
@pytest.mark.django_db(transaction=True)  # the live server sees the job
def test_in_a_browser_the_job_page_follows_the_import_by_itself(
    live_server, browser, editor, tmp_path
):
    page = log_in(browser, live_server, editor)
    watch = PolicyWatch(page.context)
    path = tmp_path / "posts.zip"
    path.write_bytes(posts_zip(3))
    page.goto(f"{live_server.url}{IMPORT}")
    page.set_input_files("#id_file", path)
    page.click("input[type=submit]")
    expect(page.locator("#state-heading")).to_have_text("Queued")

    run_worker()  # between two of the page's refreshes (every 2 s)

    expect(page.locator("#state-heading")).to_have_text("Import finished", timeout=10_000)
    summary = page.locator(".import-report__summary")
    expect(summary).to_have_text("3 created, 0 updated, 0 unchanged, 0 failed.")
    assert watch.violations == [] and watch.errors == []


# Large imports ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_2000_file_zip_imports_with_its_report(client, editor):
    client.force_login(editor)
    started = time.monotonic()

    page = admin_import(client, {"file": upload("posts.zip", posts_zip(2000))})

    assert "2000 created, 0 updated, 0 unchanged, 0 failed." in page.content.decode()
    assert Post.objects.count() == 2000
    job = ImportJob.objects.get()
    assert (job.files_done, job.files_total) == (2000, 2000)
    assert time.monotonic() - started < 60


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the worker process reads what this one commits
def test_a_worker_process_imports_2000_files_and_the_page_follows_it(client, editor, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database two processes share: runs on PostgreSQL")
    client.force_login(editor)
    response = client.post(IMPORT, {"file": upload("posts.zip", posts_zip(2000))})
    job = ImportJob.objects.get()
    assert response["Location"] == f"{IMPORT}{job.pk}/" and not Post.objects.exists()

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--batch"],
        cwd=ROOT,
        env=django_child_env(
            DATABASE_URL=database_url_of(connection),
            BYLINE_IMPORT_ROOT=str(settings.BYLINE_IMPORT_ROOT),
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    pages = []
    while worker.poll() is None:
        pages.append(job_page(client, job))
        time.sleep(0.2)
    output = worker.communicate(timeout=60)[0]
    assert worker.returncode == 0, output

    done = job_page(client, job)
    assert "2000 created, 0 updated, 0 unchanged, 0 failed." in done, done[done.find("<main") :]
    assert Post.objects.count() == 2000
    during = [done_of(page) for page in pages if "files done" in page]
    assert any(0 < done < 2000 for done in during), during  # the page showed it moving
