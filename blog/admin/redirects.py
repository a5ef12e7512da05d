"""Old addresses in the admin: the redirects (imported, or added by hand) with their hits, and
the addresses that answered 404 with no redirect yet, most asked for first, each a click from
its redirect. Editors only: no other role holds these permissions."""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from blog.admin.guards import TextOnlyQueryMixin
from blog.models import NotFoundPath, Redirect


@admin.register(Redirect)
class RedirectAdmin(TextOnlyQueryMixin, admin.ModelAdmin):
    list_display = ["old_path", "target", "kind", "source", "hits", "last_hit"]
    list_filter = ["source", "permanent"]
    search_fields = ["old_path", "target_url", "post__title", "post__slug"]
    list_select_related = ["post"]
    autocomplete_fields = ["post"]
    fields = ["old_path", "post", "target_url", "permanent"]
    readonly_fields = ["source", "hits", "last_hit", "created_at"]
    ordering = ["old_path"]
    show_facets = admin.ShowFacets.NEVER  # a count query per filter choice, on every page

    @property
    def media(self):
        return super().media + forms.Media(css={"all": ["admin/css/redirects.css"]})

    def get_fields(self, request, obj=None):
        fields = list(self.fields)
        return fields if obj is None else [*fields, *self.readonly_fields]

    @admin.display(description="redirects to", ordering="target_url")
    def target(self, redirect):
        if redirect.post_id:
            return format_html(
                '{} <span class="quiet">({})</span>',
                redirect.post.get_absolute_url(),
                redirect.post.title,
            )
        return redirect.target_url

    @admin.display(description="answer", ordering="-permanent")
    def kind(self, redirect):
        return "301" if redirect.permanent else "302"


@admin.register(NotFoundPath)
class NotFoundPathAdmin(TextOnlyQueryMixin, admin.ModelAdmin):
    list_display = ["path", "hits", "last_seen", "first_seen", "add_redirect"]
    search_fields = ["path"]
    ordering = ["-hits", "-last_seen"]
    list_per_page = 50
    list_display_links = None  # nothing to change: "Add redirect" is what to do with a row

    @property
    def media(self):
        return super().media + forms.Media(css={"all": ["admin/css/redirects.css"]})

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "title": "Addresses not found (404) without a redirect, most asked for first",
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        return super().get_queryset(request).without_redirect()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if request.user.has_perm("blog.add_redirect"):
            return shown
        return [name for name in shown if name != "add_redirect"]

    @admin.display(description="")
    def add_redirect(self, not_found):
        address = reverse("admin:blog_redirect_add") + "?" + urlencode({"old_path": not_found.path})
        return format_html('<a class="addlink" href="{}">Add redirect</a>', address)
