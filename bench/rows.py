"""The bench's rows: what each asks gunicorn for, and one row's measurement (the row between
two runs of the bare view serving the same bytes, its SQL per request and worker memory)."""

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.server import worker_pids, worker_rss

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk.lua"
CONNECTIONS = 16
# Any query parameter the page does not know is served, but never from or into the page cache.
UNCACHED = "uncached=1"
# What browsers send over HTTPS: cached pages go out brotli-compressed, and the bare view serves
# those same bytes.
ACCEPT_ENCODING = "gzip, deflate, br"
# Warming a cached row asks for each page until every worker has answered it from its cache,
# for at most this long.
WARM_SECONDS = 300


@dataclass
class Row:
    name: str
    label: str
    paths: list
    etag: bool = False  # send If-None-Match with the page's ETag
    warm: bool = True  # request every path once before measuring
    status: int = 200  # what its first path answers
    connections: int = CONNECTIONS  # wrk's, for the row and its ceiling


@dataclass
class Result:
    label: str
    rps: float
    ceiling: float
    p50_ms: float
    p99_ms: float
    errors: int
    queries: float | None
    rss_mib: float
    not_304: int | None = None
    notes: list = field(default_factory=list)

    @property
    def ratio(self):
        return self.rps / self.ceiling if self.ceiling else 0.0


def rows(slugs, tag_slug, search_term, link_slug, search_words=()):
    post = f"/posts/{slugs[0]}/"
    return [
        Row("post-cached", "post page, cached (one URL)", [post]),
        Row(
            "posts-cached-1000",
            "post pages, cached, 1,000 different posts",
            [f"/posts/{slug}/" for slug in slugs[:1000]],
        ),
        Row("post-uncached", "post page, uncached", [f"{post}?{UNCACHED}"], warm=False),
        # A click on the post's sponsored link: never cached, each one counted.
        Row(
            "go",
            "/go/ redirect, counted",
            [f"/go/{link_slug}/?from={slugs[0]}"],
            warm=False,
            status=302,
        ),
        Row("home-uncached", "home, uncached", [f"/?{UNCACHED}"], warm=False),
        Row("tag-uncached", "tag page, uncached", [f"/tags/{tag_slug}/?{UNCACHED}"], warm=False),
        Row("feed", "feed (cached)", ["/feed/"]),
        Row(
            "search-uncached",
            "search, uncached",
            [f"/search/?q={search_term}&{UNCACHED}"],
            warm=False,
        ),
        Row(
            "search-words",
            f"search, uncached, {len(search_words)} different words",
            [f"/search/?q={word}&{UNCACHED}" for word in search_words],
            warm=False,
        ),
        # How long one search takes when it does not wait behind fifteen others.
        Row(
            "search-words-alone",
            f"search, uncached, {len(search_words)} different words, one at a time",
            [f"/search/?q={word}&{UNCACHED}" for word in search_words],
            warm=False,
            connections=1,
        ),
        Row("revalidation-304", "304 revalidation (If-None-Match)", [post], etag=True),
    ]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is the answer measured (/go/ leads off the site)


_opener = urllib.request.build_opener(_NoRedirects)


def get(port, path, headers=None):
    """(status, headers, body) of one GET, redirects not followed."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with _opener.open(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:  # 304, redirects and errors alike
        return error.code, error.headers, error.read()


def wrk(port, paths_file, seconds, etag="", accept_encoding=ACCEPT_ENCODING, connections=None):
    """One bounded wrk run: requests/s, p50 and p99 in ms, errors, answers other than 304."""
    wrk_binary = shutil.which("wrk")
    connections = connections or CONNECTIONS
    threads = min(2, connections)
    command = [
        wrk_binary, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(WRK_SCRIPT), f"http://127.0.0.1:{port}", "--", str(paths_file), etag,
        accept_encoding,
    ]  # fmt: skip
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    summary = json.loads(output.strip().splitlines()[-1])
    return {
        "rps": summary["requests"] / (summary["duration_us"] / 1e6),
        "p50_ms": summary["p50_us"] / 1000,
        "p99_ms": summary["p99_us"] / 1000,
        "errors": summary["status_errors"] + summary["socket_errors"],
        "not_304": summary["not_304"],
    }


def warm(port, paths, workers, seconds, headers):
    """Ask for the paths in rounds (4 at a time) until each of `workers` has answered each
    with no query, i.e. from its cache, for at most about `seconds`; returns how many paths got
    there. Rounds, not retries of one path: while one worker renders, the other takes every
    request, and a path asked again at once would find the same worker."""
    deadline = time.monotonic() + seconds
    from_cache = {path: set() for path in paths}

    def ask(path):
        _, response_headers, _ = get(port, path, {**headers, "X-Bench-Count-Queries": "1"})
        if response_headers.get("X-Bench-Queries") == "0":
            from_cache[path].add(response_headers["X-Bench-Worker"])

    pending = list(paths)
    with ThreadPoolExecutor(4) as pool:
        while pending and time.monotonic() < deadline:
            list(pool.map(ask, pending))
            pending = [path for path in pending if len(from_cache[path]) < workers]
    return len(paths) - len(pending)


def drain(port, bare_path, limit_seconds=120):
    """Wait until the workers are idle again: gunicorn still answers requests wrk left in
    its backlog, which would slow the next measurement."""
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        get(port, bare_path)
        if time.monotonic() - started < 0.05:
            return


def queries_per_request(port, paths, headers):
    """Mean SQL statements per request over up to 5 of `paths`, as the bench middleware counts
    them in gunicorn (so with the same cache state the run left)."""
    counts = []
    for path in paths[:: max(1, len(paths) // 5)][:5]:
        _, response_headers, _ = get(port, path, {**headers, "X-Bench-Count-Queries": "1"})
        if "X-Bench-Queries" in response_headers:
            counts.append(int(response_headers["X-Bench-Queries"]))
    return sum(counts) / len(counts) if counts else None


def measure(row, port, master_pid, folder, seconds, ceiling_seconds):
    """Run `row`: the bare view with the row's bytes, the row, the bare view again."""
    notes = []
    base_headers = {"Accept-Encoding": ACCEPT_ENCODING} if ACCEPT_ENCODING else {}
    if row.warm:
        workers = len(worker_pids(master_pid))
        warmed = warm(port, row.paths, workers, WARM_SECONDS, base_headers)
        if warmed < len(row.paths):
            notes.append(
                f"{warmed} of {len(row.paths)} pages answered from the cache by all {workers} "
                f"workers before the run (warm-up bounded at {WARM_SECONDS} s)"
            )
    headers, etag = dict(base_headers), ""
    status, response_headers, body = get(port, row.paths[0], headers)
    if status != row.status:
        raise RuntimeError(f"{row.paths[0]} answered {status}, not {row.status}")
    if row.etag:
        etag = response_headers["ETag"]
        headers["If-None-Match"] = etag
        status, _, body = get(port, row.paths[0], headers)
        if status != 304:
            notes.append(f"a revalidation answered {status}, not 304")
    (folder / "payloads" / row.name).write_bytes(body)
    paths_file = folder / f"{row.name}.paths"
    paths_file.write_text("\n".join(row.paths) + "\n")
    bare_file = folder / f"{row.name}.bare"
    bare_file.write_text(f"/__bench__/bare/{row.name}/\n")

    before = wrk(port, bare_file, ceiling_seconds, connections=row.connections)
    result = wrk(port, paths_file, seconds, etag, connections=row.connections)
    rss = worker_rss(master_pid)
    drain(port, f"/__bench__/bare/{row.name}/")
    after = wrk(port, bare_file, ceiling_seconds, connections=row.connections)
    if row.etag:
        notes.append(
            f"{result['not_304']:,} of the run's answers were not 304"
            if result["not_304"]
            else "every answer in the run was a 304"
        )
    return Result(
        label=row.label,
        rps=result["rps"],
        ceiling=(before["rps"] + after["rps"]) / 2,
        p50_ms=result["p50_ms"],
        p99_ms=result["p99_ms"],
        errors=result["errors"],
        queries=queries_per_request(port, row.paths, headers),
        rss_mib=max(rss, default=0) / 2**20,
        not_304=result["not_304"] if row.etag else None,
        notes=notes,
    )
