"""Each person's calendar feed: what they may see on the editorial calendar, as iCalendar (RFC
5545) for their calendar app, at a secret address that needs no login (calendar apps have none
to give). The address is signed with the site's key, salted for this use, and names the person
and their feed version: "Reset the link" on the calendar moves the version on, and the addresses
given out before answer 404, as a tampered one does. What the feed holds is decided at each
request by the person's current rights, as on the calendar page."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control

from blog import editorial_calendar

SALT = "byline.calendar-feed"
# Published posts this far back are in the feed; scheduled and planned ones however far ahead.
PAST_DAYS = 92
LINE_OCTETS = 75


def feed_path(user):
    """The absolute path of `user`'s feed, as it stands until they reset it."""
    token = signing.dumps({"u": user.pk, "v": user.calendar_feed_version}, salt=SALT)
    return reverse("blog:calendar_feed", kwargs={"token": token})


def user_for(token):
    """The active staff member whose current feed `token` is, or None."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("v"), int):
        return None
    return (
        get_user_model()
        .objects.filter(
            pk=data.get("u"), calendar_feed_version=data["v"], is_active=True, is_staff=True
        )
        .first()
    )


@cache_control(private=True, max_age=300)
def calendar_feed(request, token):
    user = user_for(token)
    if user is None or not user.has_perm("blog.view_post"):
        raise Http404("No such calendar.")
    since = timezone.localdate() - dt.timedelta(days=PAST_DAYS)
    found = editorial_calendar.entries(user, since)
    response = HttpResponse(
        calendar_text(found, request, name=f"{settings.BYLINE_SITE_NAME}: editorial calendar"),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="editorial-calendar.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


def calendar_text(found, request, name):
    """The calendar of `found` entries as RFC 5545 text: CRLF line ends, folded lines."""
    host = request.get_host().split(":")[0]
    stamp = _utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Byline//Editorial calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for entry in found:
        lines += _event(entry, request, host, stamp)
    lines.append("END:VCALENDAR")
    return "".join(f"{fold(line)}\r\n" for line in lines)


def _event(entry, request, host, stamp):
    post = entry.post
    url = request.build_absolute_uri(reverse("admin:blog_post_change", args=[post.pk]))
    state = post.get_state_display()
    authors = ", ".join(author.name for author in post.authors.all())
    topics = [topic.name for topic in post.topics.all()]
    details = [f"{state}. By {authors or 'nobody yet'}."]
    if topics:
        details.append(f"Topics: {', '.join(topics)}.")
    details += [*entry.flags, url]
    if entry.time is None:
        when = [
            f"DTSTART;VALUE=DATE:{entry.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{entry.day + dt.timedelta(days=1):%Y%m%d}",
        ]
    else:
        when = [f"DTSTART:{_utc(post.publish_at)}"]
    return [
        "BEGIN:VEVENT",
        f"UID:post-{post.uuid}@{host}",
        f"DTSTAMP:{stamp}",
        f"LAST-MODIFIED:{_utc(post.updated_at)}",
        f"SEQUENCE:{post.version}",
        *when,
        f"SUMMARY:{escape(f'{post.title} ({state})')}",
        f"DESCRIPTION:{escape(chr(10).join(details))}",
        f"URL:{url}",
        *([f"CATEGORIES:{','.join(escape(topic) for topic in topics)}"] if topics else []),
        f"STATUS:{'TENTATIVE' if entry.time is None else 'CONFIRMED'}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def escape(text):
    """A TEXT value as RFC 5545 (3.3.11) writes it: backslash, semicolon, comma and line ends
    escaped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line):
    """`line` folded (RFC 5545 3.1): no line longer than 75 octets of UTF-8, each further one
    starting with a space, never splitting a character."""
    parts, current, size = [], [], 0
    for char in line:
        octets = len(char.encode())
        limit = LINE_OCTETS if not parts else LINE_OCTETS - 1  # the space counts
        if size + octets > limit:
            parts.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += octets
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _utc(moment):
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
