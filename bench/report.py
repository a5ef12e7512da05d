"""The bench's results as Markdown: one table per cache, and the conditions of the run."""

import datetime as dt
import subprocess
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
COLUMNS = (
    "| page | requests/s | ceiling | ratio | p50 | p99 | errors | SQL/request | worker RSS |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
)


def rate(value):
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def duration(ms):
    return f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.1f} ms"


def table(results):
    lines = list(COLUMNS)
    for r in results:
        queries = "–" if r.queries is None else f"{r.queries:g}"
        lines.append(
            f"| {r.label} | {rate(r.rps)} | {rate(r.ceiling)} | {r.ratio:.3f} "
            f"| {duration(r.p50_ms)} | {duration(r.p99_ms)} | {r.errors} | {queries} "
            f"| {r.rss_mib:.0f} MiB |"
        )
    return "\n".join(lines)


def document(tables, *, conditions, notes):
    """`tables`: [(cache name, results)]."""
    parts = ["# Byline bench", "", *(f"- {line}" for line in conditions), ""]
    for cache, results in tables:
        parts += [f"## {cache}", "", table(results), ""]
        parts += [f"- {r.label}: {note}" for r in results for note in r.notes]
        parts += [""] if any(r.notes for r in results) else []
    parts += ["## Notes", "", *(f"- {note}" for note in notes), ""]
    return "\n".join(parts)


def short_commit():
    return (
        subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
        or "unknown"
    )


def write(text, today=None, results=None):
    """Save the table as <results>/<date>-<commit>.md, or -2.md, -3.md … beside an earlier
    run's of the same day and commit (another N, say), never over it."""
    results = results or RESULTS
    results.mkdir(exist_ok=True)
    stem = f"{(today or dt.date.today()).isoformat()}-{short_commit()}"
    path, number = results / f"{stem}.md", 1
    while path.exists():
        number += 1
        path = results / f"{stem}-{number}.md"
    path.write_text(text)
    return path
