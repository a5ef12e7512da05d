"""The admin's import runs on the task worker: the page queues a job and answers at once, the
worker imports with the same code as the commands, and the job's page follows it."""

import io
import zipfile

import pytest
from django.test import TestCase

from blog.models import ImportJob, Post
from tests.helpers import admin_import, run_worker, upload


def markdown(number, body=None):
    return (
        f"---\ntitle: Post {number}\nauthor: Writer {number % 3}\ntags: [one, two]\n"
        f"topics: [Tests]\n---\n\n{body or f'Post number {number}, in **Markdown**.'}\n"
    ).encode()


def zip_of(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def posts_zip(count):
    return zip_of({f"posts/post-{n}.md": markdown(n) for n in range(count)})


def test_the_worker_imports_and_the_job_page_shows_the_report(client, editor):
    client.force_login(editor)

    page = admin_import(client, {"file": upload("posts.zip", posts_zip(3))})

    html = page.content.decode()
    assert "Import finished" in html
    assert "3 created, 0 updated, 0 unchanged, 0 failed." in html
    assert Post.objects.count() == 3
