"""The site's one way of showing a date: a <time> element whose text is the site's DATE_FORMAT
("6 December 2026", config/formats/en/formats.py) and whose `datetime` machines can read."""

import datetime

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html

register = template.Library()


def machine_date(value):
    """`value` as an HTML datetime value: whole seconds, with the offset for a datetime (HTML
    allows at most three digits of a second, which isoformat() would exceed)."""
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


@register.filter(expects_localtime=True)
def time_tag(value):
    """A date or datetime as `<time datetime="…">6 December 2026</time>`; "" for none."""
    if not value:
        return ""
    return format_html(
        '<time datetime="{}">{}</time>', machine_date(value), date_format(value, "DATE_FORMAT")
    )
