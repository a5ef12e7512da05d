"""Import throughput: generate N Markdown files in the shape of real input (front matter,
mojibake, a repeated title, FAQ and References sections, Topics/Tagged lines), import them
into the configured database twice (create, then re-import), and print a table.

    DEBUG=1 .venv/bin/python scripts/bench_import.py 10000
    DATABASE_URL=postgres://…/db DEBUG=1 .venv/bin/python scripts/bench_import.py 10000

It writes to the database it is pointed at: use a scratch one.
"""

import os
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

from blog.importers import markdown_files  # noqa: E402
from blog.models import Post  # noqa: E402

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


def timed(label, *args):
    started = time.perf_counter()
    call_command("import_posts", *args, stdout=open(os.devnull, "w"))
    return label, time.perf_counter() - started


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        generate(Path(folder), count)
        generated = time.perf_counter() - started
        rows = [timed("first import (create)", folder), timed("second import (unchanged)", folder)]
    database = django.db.connection.vendor
    print(f"\n{count:,} files generated in {generated:.1f} s; database: {database}\n")
    print("| run | seconds | files/s |\n|---|---|---|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.1f} | {count / seconds:.0f} |")
    print(f"\nposts in the database: {Post.objects.count():,}")


if __name__ == "__main__":
    main()
