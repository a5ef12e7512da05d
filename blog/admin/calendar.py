"""The post admin's editorial calendar: month and week pages of scheduled, published and
planned posts with a tray of unplanned drafts (blog/editorial_calendar.py), moving a post to
another day (a plain form; static/admin/js/editorial-calendar.js adds dragging), and the link
to the person's iCal feed (blog/ical.py)."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import get_text_list
from django.views.decorators.http import require_POST

from blog import editorial_calendar, ical
from blog.models import Post
from blog.models.content import EditConflict


class CalendarMixin:
    """Mixed into PostAdmin."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("calendar/", view(self.calendar_view), name="blog_post_calendar"),
            path(
                "calendar/<int:year>/<int:month>/",
                view(self.calendar_view),
                name="blog_post_calendar_month",
            ),
            path(
                "calendar/week/<int:year>/<int:month>/<int:day>/",
                view(self.calendar_week_view),
                name="blog_post_calendar_week",
            ),
            path(
                "calendar/move/",
                view(require_POST(self.calendar_move_view)),
                name="blog_post_calendar_move",
            ),
            path(
                "calendar/feed/reset/",
                view(require_POST(self.calendar_feed_reset_view)),
                name="blog_post_calendar_feed_reset",
            ),
            *super().get_urls(),
        ]

    def calendar_view(self, request, year=None, month=None):
        today = timezone.localdate()
        first = _day(year or today.year, month or today.month, 1)
        weeks = editorial_calendar.month_weeks(first.year, first.month)
        found = self._calendar_entries(request, weeks[0][0], weeks[-1][-1])
        before = first - dt.timedelta(days=1)
        after = first + dt.timedelta(days=32)
        return self._calendar_page(
            request,
            "month",
            f"Calendar: {date_format(first, 'F Y')}",
            {
                "month": first,
                "weeks": [
                    {
                        "start": week[0],
                        # ISO 8601 numbers a week by its Thursday, whichever day starts it.
                        "number": next(d for d in week if d.weekday() == 3).isocalendar().week,
                        "days": [_day_cell(d, found, today, first.month) for d in week],
                    }
                    for week in weeks
                ],
                "weekdays": weeks[0],
                "earlier": (
                    reverse("admin:blog_post_calendar_month", args=[before.year, before.month]),
                    date_format(before, "F Y"),
                ),
                "later": (
                    reverse("admin:blog_post_calendar_month", args=[after.year, after.month]),
                    date_format(after, "F Y"),
                ),
                "week_url": _week_url(today if today.replace(day=1) == first else first),
            },
        )

    def calendar_week_view(self, request, year, month, day):
        today = timezone.localdate()
        days = editorial_calendar.week_of(_day(year, month, day))
        found = self._calendar_entries(request, days[0], days[-1])
        hours = sorted({e.time.hour for day in found.values() for e in day if e.time is not None})
        cells = [_day_cell(d, found, today) for d in days]
        return self._calendar_page(
            request,
            "week",
            f"Calendar: week of {date_format(days[0], 'j F Y')}",
            {
                "days": cells,
                "planned_row": [
                    {**cell, "entries": [e for e in cell["entries"] if e.time is None]}
                    for cell in cells
                ],
                "hour_rows": [
                    {
                        "hour": f"{hour:02d}:00",
                        "cells": [
                            {**cell, "entries": [e for e in cell["entries"] if _at(e, hour)]}
                            for cell in cells
                        ],
                    }
                    for hour in hours
                ],
                "earlier": (_week_url(days[0] - dt.timedelta(days=7)), "Previous week"),
                "later": (_week_url(days[0] + dt.timedelta(days=7)), "Next week"),
                "month_url": reverse("admin:blog_post_calendar_month", args=[year, month]),
            },
        )

    def _calendar_entries(self, request, first, last):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return editorial_calendar.by_day(editorial_calendar.entries(request.user, first, last))

    def _calendar_page(self, request, view, title, context):
        tray, tray_total = editorial_calendar.tray(request.user)
        feed_url = request.build_absolute_uri(ical.feed_path(request.user))
        return TemplateResponse(
            request,
            "admin/blog/post/calendar.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": title,
                "view": view,
                "is_nav_sidebar_enabled": False,  # the days need the width
                "today": timezone.localdate(),
                "today_url": reverse("admin:blog_post_calendar"),
                "this_week_url": _week_url(timezone.localdate()),
                "tray": tray,
                "tray_total": tray_total,
                "feed_url": feed_url,
                # What calendar apps open as a subscription rather than a one-off import.
                "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
                "here": request.get_full_path(),
                **context,
            },
        )

    def calendar_move_view(self, request):
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("admin:blog_post_calendar")
        post = get_object_or_404(
            Post.objects.posts().visible_to(request.user).with_bylines(),
            pk=_int(request.POST.get("post")),
        )
        version = _int(request.POST.get("version"))
        day = None
        try:
            if version is None:
                raise ValidationError(
                    "The calendar did not say which version of the post it showed: reload it "
                    "and move the post again."
                )
            if "unplan" not in request.POST:
                day = _parse_day(request.POST.get("day", ""))
            post.move_to_day(day, by=request.user, based_on=version)
        except (PermissionDenied, ValidationError, EditConflict) as problem:
            self.message_user(request, _refusal(post, problem), messages.ERROR)
            return HttpResponseRedirect(back)
        moment = date_format(timezone.localtime(post.publish_at), "l j F Y, H:i")
        if day is None:
            done = "back among the unplanned drafts"
        elif post.is_scheduled():
            done = f"scheduled for {moment}"
        elif post.is_published():
            done = f"published on {moment}"
        else:
            done = f"planned for {date_format(day, 'l j F Y')}"
        self.message_user(request, f"“{post}” moved: {done}.", messages.SUCCESS)
        return HttpResponseRedirect(back)

    def calendar_feed_reset_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        request.user.reset_calendar_feed()
        self.message_user(
            request,
            "Your calendar feed has a new address: the old one no longer works. Subscribe "
            "again in your calendar app with the new one.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:blog_post_calendar"))


def _day_cell(day, found, today, month=None):
    return {
        "date": day,
        "iso": day.isoformat(),
        "entries": found.get(day, []),
        "is_today": day == today,
        "is_past": day < today,
        "outside": month is not None and day.month != month,
    }


def _at(entry, hour):
    return entry.time is not None and entry.time.hour == hour


def _week_url(day):
    return reverse("admin:blog_post_calendar_week", args=[day.year, day.month, day.day])


def _day(year, month, day):
    try:
        if not 1000 <= year <= 9000:  # room for the weeks and months around it
            raise ValueError
        return dt.date(year, month, day)
    except ValueError:
        raise Http404("No such day.") from None


def _parse_day(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError("Choose the day to move the post to.") from None


def _refusal(post, problem):
    if isinstance(problem, EditConflict):
        return (
            f"“{post}” was not moved: {get_text_list(problem.by, 'and')} saved it after this "
            "calendar was shown. Look at where it stands now, then move it again."
        )
    reasons = problem.messages if isinstance(problem, ValidationError) else [str(problem)]
    return f"“{post}” was not moved: {' '.join(reasons)}"


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
