"""Import throughput: generate N Markdown files in the shape of real input (front matter,
mojibake, a repeated title, FAQ and References sections, Topics/Tagged lines), import them as
published posts (a site moving to Byline) into the configured database twice (create, then
re-import), and print a table with the queries per file and the CPU time per file of this
process, the parsing workers and (where /proc shows it) the PostgreSQL backend. Posts left by
an earlier run are deleted first.

    DEBUG=1 .venv/bin/python scripts/bench_import.py 10000
    DATABASE_URL=postgres://…/db DEBUG=1 .venv/bin/python scripts/bench_import.py 10000

With --wordpress, the same for a WordPress export of N posts (scripts/make_wxr.py): block and
classic content converted to Markdown, shortcodes, 3–5 tags each.

It writes to the database it is pointed at: use a scratch one.
"""

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.report import machine  # noqa: E402
from blog.importers import markdown_files  # noqa: E402
from blog.models import Post  # noqa: E402
from scripts import make_wxr  # noqa: E402

# The folder the files are generated in, and so the start of their posts' source ids.
FOLDER = "bench-import"

# The demo posts (demo/posts/*.md) are the text the generated files are made of.
POSTS = [
    markdown_files.read(path.name, path.read_bytes())
    for path in sorted((ROOT / "demo" / "posts").glob("*.md"))
]

TEMPLATE = """---
title: "{title}"
description: "{description}"
author: "{author}"
tags: [{tags}]
date: 2025-{month:02d}-{day:02d}
---

<center>

# {title}

</center>

---

{body}

---

## ğŸ’¬ FAQ

**Does it work the second time?**  
Yes â€” every time, and itâ€™s quick.

**Is this number {n} unique?**  
It is.

---

## ğŸ“š References

1. [Example Press (2024) â€” A study numbered {n}](https://example.org/study/{n})
2. [Another Journal (2023) â€” Follow-up](https://example.org/follow-up/{n})

---

**Tagged:**  
@Bench{n} @Byline

**Topics:** Benchmarks, Writing
"""


def mojibake(text):
    """The damage the real samples show: UTF-8 read as Windows-1252."""
    return text.encode("utf-8").decode("cp1252", errors="ignore")


def generate(folder, count):
    folder.mkdir()
    for n in range(count):
        source = POSTS[n % len(POSTS)]
        (folder / f"post-{n:05d}.md").write_text(
            TEMPLATE.format(
                n=n,
                title=f"{source.title} ({n})",
                description=mojibake(source.description).replace('"', "'"),
                author=["Maya Okafor", "Tomás Reyes", "Priya Raman"][n % 3],
                tags=", ".join(f'"{tag}"' for tag in source.tags),
                month=n % 12 + 1,
                day=n % 28 + 1,
                body=mojibake(source.body),
            ),
            encoding="utf-8",
        )


def cpu_seconds():
    """(this process, its finished children, the database backend) CPU seconds so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    backend = float("nan")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass  # the database runs elsewhere
    return (
        own.ru_utime + own.ru_stime,
        children.ru_utime + children.ru_stime,
        backend,
    )


def timed(label, count, command, *args, **options):
    queries = [0]

    def counted(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    cpu_before, started = cpu_seconds(), time.perf_counter()
    with connection.execute_wrapper(counted):
        call_command(command, *args, stdout=open(os.devnull, "w"), **options)
    seconds = time.perf_counter() - started
    cpu = [
        (after - before) / count * 1000
        for after, before in zip(cpu_seconds(), cpu_before, strict=True)
    ]
    return label, seconds, count / seconds, queries[0] / count, *cpu


def main():
    wordpress = "--wordpress" in sys.argv
    numbers = [arg for arg in sys.argv[1:] if arg.isdigit()]
    count = int(numbers[0]) if numbers else 10_000
    earlier = f"{make_wxr.SITE}/" if wordpress else f"{FOLDER}/"
    deleted, _ = Post.objects.filter(source_id__startswith=earlier).delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what the deleted posts left behind
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        if wordpress:
            source, command, what = Path(folder) / "export.xml", "import_wordpress", "posts"
            options = {}  # published, as the export says
            source.write_text(make_wxr.export(count), encoding="utf-8")
        else:
            source, command, what = folder, "import_posts", "files"
            options = {"status": "published"}
            generate(Path(folder) / FOLDER, count)
        generated = time.perf_counter() - started
        rows = [
            timed("first import (create)", count, command, source, **options),
            timed("second import (unchanged)", count, command, source, **options),
        ]
    database = connection.vendor
    kind = "posts in a WordPress export" if wordpress else "files"
    print(f"\nmachine: {machine()}")
    print(f"{count:,} {kind} generated in {generated:.1f} s; database: {database}", end="")
    print(f" ({deleted:,} rows of an earlier run deleted first)" if deleted else "")
    print(
        f"\n| run | seconds | {what}/s | queries per {what[:-1]} | CPU ms per {what[:-1]}: "
        "importer | parsing workers | database |\n|---|---:|---:|---:|---:|---:|---:|"
    )
    for label, seconds, rate, queries, own, children, backend in rows:
        print(
            f"| {label} | {seconds:.1f} | {rate:.0f} | {queries:.1f} | {own:.1f} | "
            f"{children:.1f} | {backend:.1f} |"
        )
    print(f"\nposts in the database: {Post.objects.count():,}")


if __name__ == "__main__":
    main()
