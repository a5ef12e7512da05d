"""Bounded load test of a production-mode Byline: gunicorn (DEBUG off), PostgreSQL, Redis.

    DATABASE_URL=postgres://…/scratch REDIS_URL=redis://127.0.0.1:6379/9 make loadtest

Migrates the database named by DATABASE_URL and loads the demo content into it (use a scratch
database), collects static files into a temporary folder, starts gunicorn on a free loopback
port, then runs three phases of at most 60 s in all, each with a fixed number of connections:

- readers: every page in the sitemap, the home page and the feeds, as anonymous readers;
- cookies: the same with a made-up `sessionid` and `byline_signed_in` on every request (this used
  to bypass the page cache);
- search flood: a new search on every request from one address, to show the page cache stays
  within its budget and the search rate limit answers 429 (a designed answer, counted apart).

Prints requests/s, latency percentiles and errors per phase (any status other than 200, or 429
in the flood, or a failed connection, is an error), and what the flood left in Redis. Exits 1 on
any error.
"""

import argparse
import asyncio
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
PHASES = 3
sys.path.insert(0, str(ROOT))

from bench.server import gunicorn, manage, production_env  # noqa: E402


async def fetch(port, path, cookie=""):
    """One GET on a new connection (gunicorn's sync workers close it after each response)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        extra = f"Cookie: {cookie}\r\n" if cookie else ""
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{extra}\r\n".encode()
        )
        await writer.drain()
        data = await reader.read()
    finally:
        writer.close()
    return int(data.split(b" ", 2)[1]), data


async def run_phase(port, paths, connections, seconds, cookie="", limited_ok=False):
    latencies, errors, limited = [], [], []
    deadline = time.monotonic() + seconds
    counter = iter(range(10**9))

    async def connection():
        while time.monotonic() < deadline:
            path = paths(next(counter))
            started = time.perf_counter()
            try:
                status, _ = await fetch(port, path, cookie)
            except OSError as error:
                errors.append(f"{path}: {error!r}")
                continue
            latencies.append(time.perf_counter() - started)
            if status == 429 and limited_ok:
                limited.append(path)
            elif status != 200:
                errors.append(f"{path}: {status}")

    started = time.monotonic()
    await asyncio.gather(*(connection() for _ in range(connections)))
    elapsed = time.monotonic() - started
    latencies.sort()

    def percentile(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000

    return {
        "requests": len(latencies) + sum("Error" in e for e in errors),
        "rps": len(latencies) / elapsed,
        "p50": percentile(0.50) if latencies else 0,
        "p99": percentile(0.99) if latencies else 0,
        "errors": errors,
        "limited": len(limited),
    }


def redis_pages(client):
    return sum(1 for _ in client.scan_iter(match="byline:*:byline:page:*", count=1000))


def run_phases(port, connections, seconds, cache):
    """Warm the cache with every page, then run the phases; returns (results, pages, Redis
    memory before, after)."""
    _, sitemap = asyncio.run(fetch(port, "/sitemap.xml"))
    pages = [
        re.sub(r"^https?://[^/]+", "", url)
        for url in re.findall(r"<loc>([^<]+)</loc>", sitemap.decode())
    ]
    pages += ["/", "/feed/", "/feed/atom/", "/robots.txt"]
    for path in pages:  # warm the cache: the phases measure what readers get after that
        asyncio.run(fetch(port, path))
    flood_token = secrets.token_hex(4)
    phases = [
        ("readers", lambda n: pages[n % len(pages)], "", False),
        (
            "made-up cookies",
            lambda n: pages[n % len(pages)],
            "sessionid=made-up; byline_signed_in=1:made-up:signature",
            False,
        ),
        ("search flood", lambda n: f"/search/?q=garden+{flood_token}{n}", "", True),
    ]
    before = cache.info("memory")["used_memory"]
    results = []
    for name, paths, cookie, limited_ok in phases:
        result = asyncio.run(
            run_phase(port, paths, connections, seconds / PHASES, cookie, limited_ok)
        )
        results.append((name, result))
    after = cache.info("memory")["used_memory"]
    return results, pages, before, after


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=60, help="all phases together, at most")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    args = parser.parse_args()
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url:
        sys.exit("Set DATABASE_URL to a scratch PostgreSQL database and REDIS_URL to Redis.")
    seconds = min(args.seconds, 60)

    tmp = Path(tempfile.mkdtemp(prefix="byline-loadtest-"))
    env = production_env(tmp)
    print("Preparing: migrate, demo content, collectstatic …", flush=True)
    manage(env, ["migrate", "-v0"], ["load_demo"], ["collectstatic", "--no-input", "-v0"])
    cache = redis.Redis.from_url(redis_url)
    cache.flushdb()

    try:
        with gunicorn(env, args.workers) as (port, _):
            results, pages, before, after = run_phases(port, args.connections, seconds, cache)
    finally:
        subprocess.run(["rm", "-rf", str(tmp)], check=False)

    print(
        f"\n{len(pages)} distinct pages, {args.connections} connections, "
        f"{seconds / PHASES:.0f} s a phase, gunicorn with {args.workers} sync workers\n"
    )
    print("| phase | requests | requests/s | p50 ms | p99 ms | 429 (rate limit) | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in results:
        print(f"| {name} | {r['requests']} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} "
              f"| {r['limited']} | {len(r['errors'])} |")  # fmt: skip
    print(
        f"\nRedis after the flood: {redis_pages(cache)} cached pages in all, used memory "
        f"{before / 1e6:.1f} MB before the phases, {after / 1e6:.1f} MB after."
    )
    errors = [error for _, r in results for error in r["errors"]]
    for error in errors[:20]:
        print("error:", error)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
