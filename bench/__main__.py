"""`make bench`: load N posts into the PostgreSQL database DATABASE_URL names (a scratch one),
serve it with gunicorn in production mode, measure every row with wrk against the local-memory
cache and then Redis, print the table and write it to bench/results/<date>-<commit>.md.

    DATABASE_URL=postgres://…/byline_bench .venv/bin/python -m bench --posts 10000 --seconds 20
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import django
import redis

from bench.report import document, machine, source, write
from bench.rows import ACCEPT_ENCODING, CONNECTIONS, UNCACHED, WARM_SECONDS, measure, rows
from bench.server import gunicorn, manage, production_env

WORKERS = 2
SEARCH_TERM = "garden"
SEARCH_WORDS = 40


def spread_words(count):
    """`count` words of the posts, from the most common to the rarer, evenly spread over the
    400 most common (of four letters or more): searches no cache but PostgreSQL's has seen."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word FROM ts_stat('SELECT search_vector FROM blog_searchentry') "
            "WHERE length(word) >= 4 AND word ~ '^[a-z]+$' ORDER BY ndoc DESC, word LIMIT 400"
        )
        words = [word for (word,) in cursor.fetchall()]
    step = max(1, len(words) // count)
    return words[::step][:count]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=int(os.environ.get("N", "10000")))
    parser.add_argument(
        "--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "20")), help="a row"
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
    )
    parser.add_argument(
        "--rows",
        default=os.environ.get("BENCH_ROWS", ""),
        help="comma-separated row names to run (e.g. post-cached,revalidation-304); default all",
    )
    return parser.parse_args()


def main():
    args = parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit(
            "make bench writes to the database it is given: set DATABASE_URL to a scratch "
            "PostgreSQL database, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/byline_bench"
        )
    load_before = os.getloadavg()
    ceiling_seconds = max(2, args.seconds // 4)
    folder = Path(tempfile.mkdtemp(prefix="byline-bench-"))
    (folder / "payloads").mkdir()
    env = production_env(
        folder,
        DJANGO_SETTINGS_MODULE="bench.settings",
        BENCH_PAYLOAD_DIR=str(folder / "payloads"),
        BYLINE_RATE_LIMIT_SEARCH="1000000/m",
    )
    env.pop("REDIS_URL", None)
    os.environ.update(env)  # this process reads and writes the same database, DEBUG off

    print("Preparing: migrate, demo authors and topics, collectstatic …", flush=True)
    manage(env, ["migrate", "-v0"], ["load_demo"], ["collectstatic", "--no-input", "-v0"])
    django.setup()
    from django.db.models import Count  # after setup: these need the app registry
    from taggit.models import TaggedItem

    from bench.loader import load, sponsored_link

    print(f"Loading {args.posts:,} posts …", flush=True)
    started = time.perf_counter()
    slugs = load(args.posts)
    load_seconds = time.perf_counter() - started
    link_slug = sponsored_link()
    tag_slug = (
        TaggedItem.objects.values("tag__slug")
        .annotate(n=Count("id"))
        .order_by("-n")[0]["tag__slug"]
    )

    search_words = spread_words(SEARCH_WORDS)

    tables = []
    for cache, extra in (("Local-memory cache", {}), ("Redis", {"REDIS_URL": args.redis_url})):
        if "REDIS_URL" in extra:
            redis.Redis.from_url(args.redis_url).flushdb()
        results = []
        with gunicorn({**env, **extra}, WORKERS) as (port, process):
            for row in rows(slugs, tag_slug, SEARCH_TERM, link_slug, search_words):
                if args.rows and row.name not in args.rows.split(","):
                    continue
                print(f"{cache}: {row.label} …", flush=True)
                results.append(
                    measure(row, port, process.pid, folder, args.seconds, ceiling_seconds)
                )
        tables.append((cache, results))

    conditions = [
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {source()}",
        f"machine: {machine()}, load average before the run "
        + " ".join(f"{value:.2f}" for value in load_before),
        f"{args.posts:,} posts (bench loader, {load_seconds:.0f} s including its check), "
        "PostgreSQL",
        f"gunicorn: {WORKERS} sync workers, gunicorn.conf.py, DEBUG off; wrk: {CONNECTIONS} "
        f"connections, 2 threads, {args.seconds} s a row, {ceiling_seconds} s for the ceiling "
        "before and after each row",
    ]
    notes = [
        "ceiling: a bare Django view (`/__bench__/bare/<row>/`, bench/urls.py, only in "
        "bench.settings) serving the row's response bytes through the same middleware and "
        "gunicorn, measured right before and after the row; the ceiling is their mean and the "
        "ratio the row's requests/s over it.",
        f"uncached: `?{UNCACHED}`, a query parameter the page does not know: such requests are "
        "served but never from or into the page cache (blog/caching.py, cacheable_query).",
        f"search, {SEARCH_WORDS} different words: `/search/?q=<word>&{UNCACHED}` for each of "
        f"{', '.join(search_words)} in turn (stems of the posts' words, from the most common "
        "to the rarer, evenly spread over the 400 most common).",
        f"search, one at a time: the same {SEARCH_WORDS} words with one wrk connection (its "
        "ceiling too): "
        "the time a search takes when it waits behind no other request.",
        f"search: `/search/?q={SEARCH_TERM}`; its rate limit is raised to 1,000,000/m for the "
        "bench (BYLINE_RATE_LIMIT_SEARCH), else it answers 429.",
        f"tag page: `/tags/{tag_slug}/`, the most used tag.",
        "SQL/request: statements counted by a bench-only middleware (connection.execute_wrapper) "
        "inside gunicorn, mean of up to 5 requests right after the row's run, so with the cache "
        "as the run left it; the connection health check (not a cursor) is not counted.",
        "worker RSS: the largest VmRSS of the gunicorn workers right after the row's run.",
        "errors: wrk's non-2xx/3xx answers and socket errors (connect, read, write, timeout).",
        "gunicorn.conf.py as in production: no max_requests (a worker is replaced only when "
        "its memory passes GUNICORN_MAX_WORKER_MIB, 512 by default); no access log.",
        f"every request sends `Accept-Encoding: {ACCEPT_ENCODING}` (browsers over HTTPS), so "
        "cached pages go out brotli-compressed and the bare view serves those same bytes.",
        "cached rows: before the run each page is requested (4 at a time) until every worker "
        "has answered it with no query, i.e. from its own cache, bounded at "
        f"{WARM_SECONDS} s; the 304 row counts every answer that is not a 304 (wrk.lua).",
        f"/go/: `/go/{link_slug}/?from=<the post row's post>`, an active sponsored link with a "
        "tracking parameter: each request counts the click (the link and the post are read "
        "once per worker and content version), one INSERT … ON CONFLICT DO UPDATE on the "
        "day's counter, the same row for every request "
        "of the run: one hot counter, the worst case) and answers 302 with no-store, never "
        "from the page cache. wrk does not follow the redirect and sends no User-Agent, so "
        "the clicks count as a bot's (the same statement). Its ceiling is the bare view "
        "serving the redirect's empty body.",
        "the bench posts have no revisions or state changes (the loader writes what pages "
        "show); the loader runs VACUUM ANALYZE after loading, as autovacuum would soon after.",
    ]
    text = document(tables, conditions=conditions, notes=notes)
    print("\n" + text)
    print(f"Written to {write(text)}")


if __name__ == "__main__":
    main()
