"""Sponsored-link clicks in the admin: not a list of counter rows but the report on them (a
range of days, a chart, per link and per post, CSV), for those who may view link clicks."""

import io

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode

from blog.admin.guards import ReadOnlyMixin
from blog.charts import click_chart
from blog.forms import ClickReportForm
from blog.models import LinkClicks


@admin.register(LinkClicks)
class LinkClicksAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The counters are written by the /go/ redirect only: here they are read, as a report."""

    def get_urls(self):
        # The report is the only page: a counter row on its own means nothing to an editor.
        view = self.admin_site.admin_view(self.changelist_view)
        return [path("", view, name="blog_linkclicks_changelist")]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ClickReportForm(request.GET)
        report = form.report() if form.is_valid() else None
        if report and request.GET.get("format") == "csv":
            return self.csv_response(report)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Sponsored-link clicks",
            "form": form,
            "report": report,
            "chart": click_chart(report) if report else None,
            "time_zone": timezone.get_current_timezone_name(),
            **(extra_context or {}),
        }
        if report:
            context["csv_query"] = urlencode(
                {"since": report.since, "until": report.until, "format": "csv"}
            )
        return TemplateResponse(request, "admin/blog/linkclicks/report.html", context)

    def csv_response(self, report):
        text = io.StringIO()
        report.write_csv(text)
        # With a byte-order mark, spreadsheets read the names as UTF-8, not as Windows-1252.
        response = HttpResponse(
            text.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
        )
        name = f"sponsored-clicks-{report.since.isoformat()}-to-{report.until.isoformat()}.csv"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
