"""Charts drawn on the server as SVG, for the admin: no script and no style attribute (the
admin's Content-Security-Policy allows neither inline), colours from classes in
static/admin/css/click-report.css, with presentation attributes for where that is not loaded.
Every text passes through format_html, so a link's name is text, never markup."""

from math import ceil, floor, log10

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

WIDTH, HEIGHT = 760, 240
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 12, 30
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
MAX_DATE_LABELS = 7


def _n(number):
    """A coordinate, short: 12.5 rather than 12.500000001."""
    return f"{number:.2f}".rstrip("0").rstrip(".")


def nice_step(top, ticks=4):
    """A step of 1, 2 or 5 times a power of ten giving about `ticks` gridlines up to `top`."""
    if top <= ticks:
        return 1
    raw = top / ticks
    magnitude = 10 ** floor(log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if raw <= m * magnitude)


def bar_chart(series, *, title, description, html_id):
    """A bar per (day, count) of `series`, with gridlines and a few dates under it; each bar's
    <title> gives its day and count on hover. Screen readers get `title` and `description`
    (the page's table holds the figures themselves)."""
    top_value = max((count for _, count in series), default=0)
    step = nice_step(top_value)
    top = max(step * ceil(top_value / step), step)
    slot = PLOT_WIDTH / max(len(series), 1)
    gap = slot * 0.2 if slot >= 4 else 0

    def y(count):
        return TOP + PLOT_HEIGHT - count / top * PLOT_HEIGHT

    grid = format_html_join(
        "",
        '<line class="click-chart__grid" x1="{}" x2="{}" y1="{}" y2="{}" stroke="#ccc"/>'
        '<text class="click-chart__label" x="{}" y="{}" text-anchor="end" font-size="11" '
        'fill="#666">{}</text>',
        (
            (LEFT, WIDTH - RIGHT, _n(y(v)), _n(y(v)), LEFT - 6, _n(y(v) + 4), f"{v:,}")
            for v in range(0, top + 1, step)
        ),
    )
    bars = format_html_join(
        "",
        '<rect class="click-chart__bar" x="{}" y="{}" width="{}" height="{}" fill="#417690">'
        "<title>{}: {}</title></rect>",
        (
            (
                _n(LEFT + index * slot + gap / 2),
                _n(y(count)),
                _n(slot - gap),
                _n(TOP + PLOT_HEIGHT - y(count)),
                date_format(day, "DATE_FORMAT"),
                f"{count:,}",
            )
            for index, (day, count) in enumerate(series)
            if count
        ),
    )
    every = max(ceil(len(series) / MAX_DATE_LABELS), 1)
    # Beyond a quarter the labels are months apart, and may be in different years.
    label_format = "M j" if len(series) <= 92 else "M j, Y"
    dates = format_html_join(
        "",
        '<text class="click-chart__label" x="{}" y="{}" text-anchor="middle" font-size="11" '
        'fill="#666">{}</text>',
        (
            (_n(LEFT + (index + 0.5) * slot), HEIGHT - 10, date_format(day, label_format))
            for index, (day, _) in list(enumerate(series))[::every]
        ),
    )
    return format_html(
        '<svg class="click-chart" role="img" aria-labelledby="{id}-title" '
        'aria-describedby="{id}-desc" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "{grid}{bars}{dates}</svg>",
        id=html_id,
        w=WIDTH,
        h=HEIGHT,
        title=title,
        desc=description,
        grid=grid,
        bars=bars,
        dates=dates,
    )


def click_chart(report, html_id="click-chart"):
    """People clicks per day of a ClickReport, its totals in the title and description."""
    since, until = (date_format(day, "DATE_FORMAT") for day in (report.since, report.until))
    title = f"People clicks on sponsored links per day, {since} to {until}"
    parts = [
        f"{report.people:,} people clicks in all; {report.bots:,} clicks by bots, not charted."
    ]
    if busiest := report.busiest_day:
        parts.append(
            f"Busiest day: {date_format(busiest.day, 'DATE_FORMAT')}, "
            f"{busiest.people:,} people clicks."
        )
    if report.links and report.links[0].people:
        top = report.links[0]
        parts.append(f"Most followed link: {top.name}, {top.people:,} people clicks.")
    return bar_chart(
        [(day.day, day.people) for day in report.days],
        title=title,
        description=" ".join(parts),
        html_id=html_id,
    )
