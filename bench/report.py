"""The bench's results as Markdown: one table per cache, and the conditions of the run."""

import datetime as dt
import os
import platform
import subprocess
import timeit
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


def _reference_work():
    """Calls, strings and a dict, as a page's Python does: machine()'s yardstick."""
    found = {}
    for number in range(1000):
        found[str(number)] = len(found)
    return found


def machine():
    """The machine a run was measured on: its CPUs, their model and how fast it runs Python
    (_reference_work, best of five). Ratios to the ceiling do not make two machines alike: a
    faster kernel and a slower CPU raised the ceiling and lowered every uncached page."""
    model = platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            names = [line.split(":", 1)[1] for line in cpuinfo if line.startswith("model name")]
        model = f"{names[0].strip()}, {model}" if names else model
    except OSError:
        pass
    best = min(timeit.repeat(_reference_work, number=200, repeat=5)) / 200
    return f"{os.cpu_count()} CPUs ({model}); Python yardstick {best * 1e6:.0f} µs (report.py)"


def short_commit():
    return (
        subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
        or "unknown"
    )


def uncommitted():
    """The tracked files changed since that commit, which a run measures too ([] when none)."""
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return [line[3:] for line in status.splitlines() if line.strip()]


def source():
    """ "commit <short hash>", and the files changed since, if any."""
    changed = uncommitted()
    return f"commit {short_commit()}" + (
        f", with uncommitted changes to {', '.join(changed)}" if changed else ""
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
