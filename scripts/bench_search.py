"""Search at size: load N posts with the bench loader into the PostgreSQL database DATABASE_URL
names (a scratch one; a database already holding N bench posts is used as it is), then time the
search page in this process, one search at a time, for 40 words of the posts from the most
common to the rarer, and print p50/p95/p99 and the query plan of the search for the most
common word and the rarest (the GIN indexes at work), as the page ran it (the statement is
prepared: its generic plan, if PostgreSQL chose it).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/byline_search N=100000 make bench-search

Loading 100,000 posts takes about 15 minutes here; the timings take one. No HTTP server and
no concurrency: what one search costs the site (its view, its one query, its page), which is
what `make bench`'s "one at a time" search row adds gunicorn and a socket to.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import manage, production_env  # noqa: E402

ROUNDS = 5  # after one round that warms the caches


def percentile(ordered, percent):
    return ordered[min(len(ordered) - 1, int(percent / 100 * len(ordered)))]


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench_search loads posts into the database it is given: set DATABASE_URL.")
    env = production_env(
        tempfile.mkdtemp(prefix="byline-search-"),
        DJANGO_SETTINGS_MODULE="bench.settings",
        ALLOWED_HOSTS="testserver",
        BYLINE_RATE_LIMIT_SEARCH="1000000/m",
    )
    env.pop("REDIS_URL", None)
    os.environ.update(env)
    manage(env, ["migrate", "-v0"], ["load_demo"], ["collectstatic", "--no-input", "-v0"])

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.__main__ import spread_words
    from bench.loader import load
    from bench.rows import UNCACHED
    from blog.models.cards import SearchCards
    from blog.search import search_terms

    print(f"Loading {count:,} posts …", flush=True)
    started = time.perf_counter()
    load(count, check=3, log=lambda line: None)
    print(f"  loaded in {time.perf_counter() - started:.0f} s", flush=True)
    words = spread_words(40)
    client, times, queries = Client(), [], set()
    for round_number in range(ROUNDS + 1):
        for word in words:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(f"/search/?q={word}&{UNCACHED}")
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                sys.exit(f"/search/?q={word} answered {response.status_code}")
            if round_number:
                times.append(elapsed)
                queries.add(len(captured))
    times.sort()
    print(
        f"\n{count:,} posts; {len(times)} searches ({len(words)} words × {ROUNDS}), one at a "
        f"time: p50 {percentile(times, 50):.1f} ms, p95 {percentile(times, 95):.1f} ms, "
        f"p99 {percentile(times, 99):.1f} ms, max {times[-1]:.1f} ms; SQL per search: "
        f"{', '.join(map(str, sorted(queries)))}\nwords: {', '.join(words)}"
    )
    # The plan the page ran: PostgreSQL's choice for the prepared statement (a generic plan,
    # once five custom ones cost no less), shown with EXPLAIN of the same statement.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE strpos(statement, 'websearch_to_tsquery') > 0"
        )
        generic, custom = cursor.fetchone()
    mode = "force_generic_plan" if generic > custom else "force_custom_plan"
    print(f"\nThe search statement: {generic} runs on its generic plan, {custom} on custom ones.")
    for word in (words[0], words[-1]):
        sql, params = SearchCards(word).statement(search_terms(word), slice(0, 20))
        placeholders = {name: f"${number}" for number, name in enumerate(params, start=1)}
        with connection.cursor() as cursor:
            cursor.execute(f"SET plan_cache_mode = {mode}")
            cursor.execute(f"PREPARE bench_search AS {sql % placeholders}")
            arguments = ", ".join(["%s"] * len(params))
            cursor.execute(
                f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_search({arguments})",
                list(params.values()),
            )
            plan = "\n".join(line for (line,) in cursor.fetchall())
            cursor.execute("DEALLOCATE bench_search")
            cursor.execute("RESET plan_cache_mode")
        print(f"\nThe search for “{word}” ({mode.split('_')[1]} plan):\n{plan}")


if __name__ == "__main__":
    main()
