"""The post form's "Make /go/ links of affiliate URLs": static/admin/js/go-links.js sends the
body as the form holds it and gets it back with every affiliate address pointing at its
sponsored link (made if missing). Nothing is saved to the post: the editor sees the new text
in the form, and saves it or not. For those who may make sponsored links and edit the post."""

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.urls import path

from blog.admin.editing import _payload, json_endpoint
from blog.affiliate_urls import go_address, replace_affiliate_urls
from blog.models.editing import DraftRefused

PERMISSION = "blog.add_sponsoredlink"


class GoLinksMixin:
    """Mixed into PostAdmin, after PostEditingMixin (whose checks it uses)."""

    def get_urls(self):
        def view(method):
            return self.admin_site.admin_view(method)

        return [
            path("<int:pk>/go-links/", view(self.go_links_view), name=self.url_name("go_links")),
            path("add/go-links/", view(self.new_go_links_view), name=self.url_name("new_go_links")),
            *super().get_urls(),
        ]

    @property
    def media(self):
        return super().media + forms.Media(js=["admin/js/go-links.js"])

    @json_endpoint("POST")
    def go_links_view(self, request, pk):
        if not request.user.has_perm(PERMISSION):
            return _refused()
        self._editable_post(request, pk)
        return _with_go_links(_payload(request))

    @json_endpoint("POST")
    def new_go_links_view(self, request):
        if not request.user.has_perm(PERMISSION):
            return _refused()
        self._may_add(request)
        return _with_go_links(_payload(request))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["go_links_url"] = self._go_links_url(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _go_links_url(self, request, post):
        if not request.user.has_perm(PERMISSION):
            return ""
        if post is None:
            may = self.has_add_permission(request)
            return self.admin_url("new_go_links") if may else ""
        if not self.has_change_permission(request, post):
            return ""
        return self.admin_url("go_links", post.pk)


def _refused():
    return JsonResponse({"error": "You may not make sponsored links."}, status=403)


def _with_go_links(payload):
    body = payload.get("body")
    if not isinstance(body, str):
        raise DraftRefused("Send the body as text.")
    if len(body) > settings.BYLINE_MARKDOWN_MAX_CHARS:  # more than the form would save
        raise DraftRefused(
            f"The body is longer than a post may be ({settings.BYLINE_MARKDOWN_MAX_CHARS:,} "
            "characters).",
            status=413,
        )
    with transaction.atomic():
        body, links = replace_affiliate_urls(body)
    return JsonResponse(
        {
            "body": body,
            "links": [
                {
                    "name": link.name,
                    "address": go_address(link),
                    "destination": link.destination,
                    "active": link.active,
                }
                for link in links
            ],
        }
    )
