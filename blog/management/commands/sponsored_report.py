from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from blog.reports import ClickReport


def day(value, option):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} {value!r} is not a date: write it as YYYY-MM-DD.") from None


def table(headings, rows):
    """Plain-text columns: text left-aligned, numbers right-aligned."""
    if not rows:
        return "(none)"
    numeric = [isinstance(cell, int) for cell in rows[0]]
    rows = [[f"{cell:,}" if isinstance(cell, int) else str(cell) for cell in row] for row in rows]
    widths = [max(len(cell) for cell in column) for column in zip(headings, *rows, strict=True)]
    lines = []
    for row in [headings, *rows]:
        cells = [
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(row, widths, numeric, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Print the clicks on sponsored links from --since to --until (today by default), both "
        "days included, in the site's time zone: totals, per link and per post, or with --csv "
        "one CSV row per day, link and post."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--until", metavar="YYYY-MM-DD", help="Default: today.")
        parser.add_argument("--csv", action="store_true", help="CSV instead of tables.")

    def handle(self, *args, since, until, csv, **options):
        since = day(since, "--since")
        until = day(until, "--until") if until else timezone.localdate()
        try:
            report = ClickReport(since, until)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if csv:
            report.write_csv(self.stdout)
            return
        self.stdout.write(
            f"Sponsored-link clicks from {since.isoformat()} to {until.isoformat()} "
            f"({timezone.get_current_timezone_name()}): {report.people:,} by people, "
            f"{report.bots:,} by bots.\n\n"
            "Per link\n"
            + table(
                ["link", "address", "people", "bots"],
                [[ln.name, f"/go/{ln.slug}/", ln.people, ln.bots] for ln in report.links],
            )
            + "\n\nPer post\n"
            + table(
                ["post", "slug", "people", "bots"],
                [[post.label, post.slug or "", post.people, post.bots] for post in report.posts],
            )
        )
