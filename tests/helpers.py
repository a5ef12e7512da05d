"""What several test modules share: admin form data, files to upload and management commands run
with their output captured. Test modules import from here, never from each other."""

import contextlib
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.test import TestCase
from django.utils import timezone
from PIL import Image
from taggit.models import Tag, TaggedItem

from blog.fragments import FRAGMENTS, fragments_version, render_fragment
from blog.models import Listing, Post, PostAuthor
from blog.models.stored import PARTS, READERS

SCRIPT = b"<script>alert(document.cookie)</script>"


# Admin forms --------------------------------------------------------------------------------


def post_form(post=None, **fields):
    """A complete change-form POST for the post admin, with its three inlines."""
    data = {
        "title": "A title",
        "slug": "",
        "description": "A description.",
        "body": "Some **body**.",
        "publish_at_0": "2026-01-02",
        "publish_at_1": "10:00:00",
        "tags": "",
        "featured_image_alt": "",
        "canonical_url": "",
    }
    for prefix, rows in (("postauthor_set", []), ("faqs", []), ("references", [])):
        data |= {
            f"{prefix}-TOTAL_FORMS": str(len(rows)),
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    if post is not None:
        data |= {
            "title": post.title,
            "slug": post.slug,
            "description": post.description,
            "body": post.body,
            "publish_at_0": post.publish_at.strftime("%Y-%m-%d"),
            "publish_at_1": post.publish_at.strftime("%H:%M:%S"),
            "featured_image": post.featured_image_id or "",
            "featured_image_alt": post.featured_image_alt,
            # Opened now: the version stored (tests of older forms use test_edit_conflicts).
            "version": Post.objects.filter(pk=post.pk).values_list("version", flat=True).first(),
        }
    return data | fields


def restore_form(post):
    """A revision's "Restore" POST as the revisions page, opened now, sends it."""
    return {"version": Post.objects.filter(pk=post.pk).values_list("version", flat=True).first()}


def profile_form(user, **fields):
    """A complete change-form POST for the user admin's profile fields."""
    return {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": user.email,
        "display_name": user.display_name,
        "slug": user.slug,
        "bio": user.bio,
        "website": "",
        "twitter": "",
        "mastodon": "",
        "github": "",
        "linkedin": "",
        "email_notifications": "on" if user.email_notifications else "",
        **fields,
    }


# Files --------------------------------------------------------------------------------------


def image_bytes(fmt="PNG", size=(64, 48), mode="RGB", colour="#c0a080", **options):
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, fmt, **options)
    return buffer.getvalue()


def upload(name, content, content_type="text/plain"):
    """A file as a browser sends it in a form (Django's default type is text/plain)."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def png(width, height):
    """A PNG of that size, uploaded in a form."""
    return upload("cover.png", image_bytes("PNG", (width, height)), "image/png")


# Management commands ------------------------------------------------------------------------


def import_posts(*args, **options):
    """Run import_posts: (what it printed, what it printed to stderr, its error or None)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_posts", *map(str, args), stdout=out, stderr=err, **options)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), str(error)
    return out.getvalue(), err.getvalue(), None


def command(name, *args, **options):
    """Run a management command: everything it printed, and its error if it failed."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *map(str, args), stdout=out, stderr=err, **options)
    except CommandError as error:
        return out.getvalue() + err.getvalue() + str(error)
    return out.getvalue() + err.getvalue()


def posts_field_by_field():
    """Every post, field by field, as an import should reproduce it."""
    return {
        post.slug: {
            "title": post.title,
            "description": post.description,
            "body": post.body,
            "status": post.status,
            "publish_at": post.publish_at,
            "canonical_url": post.canonical_url,
            "metadata": post.metadata,
            "tags": sorted(post.tags.names()),
            "topics": sorted(post.topics.values_list("name", flat=True)),
            "authors": [a.name for a in post.authors.order_by("postauthor__order")],
            "faqs": list(post.faqs.values_list("question", "answer")),
            "references": list(post.references.values_list("title", "publisher", "year", "url")),
        }
        for post in Post.objects.all()
    }


ROOT = Path(__file__).resolve().parent.parent


def django_child_env(**env):
    """The environment of a Django child process: DEBUG on (plain static files storage: nothing
    was collected), this test's var directory (so its generation file), with `env` added."""
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "ALLOWED_HOSTS": "testserver",
        "BYLINE_VAR_DIR": str(settings.BYLINE_GENERATION_FILE.parent),
        **env,
    }


def run_django_child(module, *args, **env):
    """Run `python -m module args` as a separate Django process (see django_child_env) with
    `env` added; return the JSON of its last output line."""
    child = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=django_child_env(**env),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr
    return json.loads(child.stdout.splitlines()[-1])


# Background imports ---------------------------------------------------------------------------


def run_worker():
    """Run what the task queue holds, here: `manage.py worker --batch`. Between jobs the
    database backend's worker closes connections it takes for stale, which on PostgreSQL would
    close the test's own, inside its transaction: not here."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("worker", "--batch", verbosity=0)


def admin_import(client, data):
    """Start an import on the admin's import page and let the worker run it: the job's page
    (or the form page, had the form refused the file)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/admin/blog/post/import/", data)
    if response.status_code != 302:
        return response
    run_worker()
    return client.get(response["Location"])


# Many posts at once ---------------------------------------------------------------------------


def bulk_posts(count, *, tags=(), topics=(), authors=(), start=None, step=None, **fields):
    """`count` published posts written in bulk, as an importer would: post `n` is published
    `n` steps (1 hour) before `start` (now) and carries tag, topic and author number
    n mod len(...). Their stored blocks and listings are filled by
    Post.store_derived(), as bulk writers must. Returns the posts, newest first."""

    start = start or timezone.now().replace(microsecond=0)
    step = step or dt.timedelta(hours=1)
    tags = [Tag.objects.get_or_create(name=name)[0] for name in tags]
    posts = Post.objects.bulk_create(
        Post(
            title=f"Bulk post {n}",
            slug=f"bulk-post-{n}",
            body=f"Words of post {n}.",
            body_html=f"<p>Words of post {n}.</p>",
            excerpt=f"Words of post {n}.",
            status=Post.Status.PUBLISHED,
            publish_at=start - n * step,
            **fields,
        )
        for n in range(count)
    )
    post_type = ContentType.objects.get_for_model(Post)
    pick = [(n, post) for n, post in enumerate(posts)]
    if tags:
        TaggedItem.objects.bulk_create(
            TaggedItem(content_type=post_type, object_id=post.pk, tag=tags[n % len(tags)])
            for n, post in pick
        )
    if topics:
        Post.topics.through.objects.bulk_create(
            Post.topics.through(post_id=post.pk, topic_id=topics[n % len(topics)].pk)
            for n, post in pick
        )
    if authors:
        PostAuthor.objects.bulk_create(
            PostAuthor(post=post, author=authors[n % len(authors)], order=1) for n, post in pick
        )
    Post.store_derived(posts)
    return posts


def plain_related_posts(post, limit=4):
    """Related posts by their definition, straight from the relational tables: published posts
    sharing a tag or a topic with `post`, newest first, never itself."""
    return list(
        Post.objects.published()
        .exclude(pk=post.pk)
        .filter(Q(tags__in=post.tags.all()) | Q(topics__in=post.topics.all()))
        .distinct()
        .order_by("-publish_at", "-pk")
        .values_list("title", flat=True)[:limit]
    )


class DjangoChild:
    """A long-lived Django child process that answers one JSON line with another."""

    def __init__(self, module, *args, **env):
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            cwd=ROOT,
            env=django_child_env(**env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def ask(self, **question):
        self.process.stdin.write(json.dumps(question) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        assert answer, f"the child process stopped: {self.process.stderr.read()}"
        return json.loads(answer)

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()
        self.process.stderr.close()


def database_url_of(connection):
    """The URL of the (test) database `connection` uses, for a child process to share it."""
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def assert_derived_right():
    """Every post's stored blocks and listings as the relational tables give them, and related
    posts only ever published ones."""
    posts = list(Post.objects.all())
    ids = [post.pk for post in posts]
    for part in PARTS:
        found = READERS[part](ids)
        for post in posts:
            assert getattr(post, f"stored_{part}") == found.get(post.pk, []), (post, part)
    for post in posts:
        listed = set(
            Listing.objects.filter(post=post).values_list("tag_id", "topic_id", "author_id")
        )
        expected = set()
        if post.status == Post.Status.PUBLISHED:
            expected |= {(t, None, None) for t in post.tags.values_list("pk", flat=True)}
            expected |= {(None, t, None) for t in post.topics.values_list("pk", flat=True)}
            expected |= {(None, None, a) for a in post.authors.values_list("pk", flat=True)}
        assert listed == expected, post
        assert set(Listing.objects.filter(post=post).values_list("publish_at", flat=True)) <= {
            post.publish_at
        }
        assert post.fragments_version == fragments_version(), post
        for name, (_, field) in FRAGMENTS.items():
            assert getattr(post, field) == render_fragment(name, post), (post, name)
    public = set(Post.objects.published().values_list("pk", flat=True))
    for post in Post.objects.published():
        assert {related.pk for related in post.related_posts()} <= public


def child_processes(pid=None):
    """The ids of the processes `pid` (this one by default) started, from any of its threads:
    a parsing pool's threads start its children (Linux: /proc)."""
    found = set()
    for task in Path(f"/proc/{pid or os.getpid()}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that has ended
            found |= set((task / "children").read_text().split())
    return found
