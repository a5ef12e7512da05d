"""`make bench` keeps working: its loader writes what normal saves write, its table has every
column, and its bare view and query count exist only under the bench's settings. Nothing timed."""

import os
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from bench.loader import (
    LoadMismatch,
    bench_posts,
    check_against_normal_saves,
    derived_fields,
    load,
    sponsored_link,
)
from bench.report import COLUMNS, document, machine, table
from bench.rows import Result, rows
from blog.models import LinkClicks, Post
from blog.models.cards import SearchCards


def quiet(*args):
    pass


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=StringIO())


def test_loaded_posts_have_the_derived_fields_a_normal_save_gives(demo):
    slugs = load(5, check=5, log=quiet)

    assert len(slugs) == 5
    post = Post.objects.get(slug=slugs[0])
    assert post.is_published()
    assert post.word_count > 1000 and post.body_html.startswith("<")
    assert 3 <= post.tags.count() <= 5 and 1 <= post.topics.count() <= 2
    assert post.faqs.count() == 3 and post.references.count() == 3
    assert 2 <= post.authors.count() <= 3
    fields = derived_fields(post)
    assert all(fields["faq answer_html"])
    assert (fields["search_vector"] is not None) == (connection.vendor == "postgresql")
    if connection.vendor == "postgresql":
        found = SearchCards(post.title.split()[0])[0:400]
        assert post.pk in [row.pk for row in found]


def test_loader_check_fails_loudly_when_a_derived_field_differs(demo):
    load(3, check=0, log=quiet)
    bench_posts().filter(source_id="bench:1").update(word_count=1)

    with pytest.raises(LoadMismatch, match="word_count"):
        check_against_normal_saves(3, 3)


def test_loader_reuses_its_posts_and_refuses_another_count(demo):
    load(2, check=0, log=quiet)
    load(2, check=0, log=quiet)
    assert bench_posts().count() == 2

    with pytest.raises(LoadMismatch, match="holds 2 bench posts"):
        load(3, check=0, log=quiet)


def test_loader_needs_the_demo_authors_and_topics(db):
    with pytest.raises(LoadMismatch, match="load_demo"):
        load(1, log=quiet)


def test_results_table_has_every_column():
    result = Result(
        label="post page, cached (one URL)",
        rps=1664.4,
        ceiling=5000,
        p50_ms=9.2,
        p99_ms=1300,
        errors=0,
        queries=2,
        rss_mib=71.6,
        notes=["a revalidation answered 200, not 304"],
    )

    lines = table([result]).splitlines()

    assert lines[:2] == list(COLUMNS)
    assert lines[2] == (
        "| post page, cached (one URL) | 1,664 | 5,000 | 0.333 | 9.2 ms | 1.30 s | 0 | 2 | 72 MiB |"
    )
    text = document([("Redis", [result])], conditions=["2 CPUs"], notes=["a note"])
    assert "## Redis" in text and "- 2 CPUs" in text and "- a note" in text
    assert "a revalidation answered 200, not 304" in text


def test_a_run_says_which_machine_it_was_and_how_fast_that_runs_python():
    described = machine()

    assert described.startswith(f"{os.cpu_count()} CPUs (")
    yardstick = re.search(r"Python yardstick (\d+) µs", described)
    assert yardstick and int(yardstick[1]) > 0


def test_go_row_clicks_the_bench_link_from_the_post_rows_post(client, demo):
    slugs = load(2, check=0, log=quiet)
    go = {row.name: row for row in rows(slugs, "tag", "garden", sponsored_link())}["go"]

    response = client.get(go.paths[0])

    assert response.status_code == go.status == 302
    assert response["Location"] == f"https://shop.example.com/bench?aff=7&tid={slugs[0]}"
    assert LinkClicks.objects.get().clicks == 1
    assert sponsored_link() == "bench-offer"  # a second run keeps the link


@pytest.mark.django_db  # a 404 looks for a redirect, and is counted (blog/redirects.py)
def test_bare_view_is_not_a_production_url(client):
    assert client.get("/__bench__/bare/post-cached/").status_code == 404


@override_settings(ROOT_URLCONF="bench.urls")
def test_bare_view_serves_the_saved_bytes(client, tmp_path, monkeypatch):
    (tmp_path / "post-cached").write_bytes(b"<p>the same bytes</p>")
    monkeypatch.setenv("BENCH_PAYLOAD_DIR", str(tmp_path))

    response = client.get("/__bench__/bare/post-cached/")

    assert response.status_code == 200 and response.content == b"<p>the same bytes</p>"


def test_bench_settings_count_a_requests_queries(client, settings, demo):
    settings.MIDDLEWARE = ["bench.views.QueryCountMiddleware", *settings.MIDDLEWARE]
    post = Post.objects.published().first()

    counted = client.get(f"/posts/{post.slug}/?uncached=1", headers={"X-Bench-Count-Queries": "1"})
    plain = client.get(f"/posts/{post.slug}/?uncached=1")

    assert int(counted["X-Bench-Queries"]) > 0
    assert "X-Bench-Queries" not in plain


def test_a_second_run_of_the_same_commit_is_written_beside_the_first(tmp_path):
    from bench.report import write

    first = write("first", results=tmp_path)
    second = write("second", results=tmp_path)
    assert first != second
    assert (first.read_text(), second.read_text()) == ("first", "second")
    assert second.name == first.name.replace(".md", "-2.md")
