"""The post form as a place to write: the bar that keeps status, publish time and the workflow
buttons in reach, and what static/admin/js/post-writing.js needs (the Markdown toolbar, live
counts, search and social previews, tag suggestions, rows ordered by dragging)."""

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.http import JsonResponse
from django.urls import path, reverse

from blog.admin.editing import json_endpoint
from blog.models import visible_tags
from blog.rendering import WORDS_PER_MINUTE

SUGGESTED_TAGS = 20
# A stand-in slug, replaced in the browser by the slug being typed.
SLUG_STAND_IN = "slug-stand-in"


class PostWritingMixin:
    """Mixed into PostAdmin."""

    def get_urls(self):
        return [
            path(
                "tags/",
                self.admin_site.admin_view(self.tag_suggestions_view),
                name="blog_post_tag_suggestions",
            ),
            *super().get_urls(),
        ]

    @property
    def media(self):
        return super().media + forms.Media(
            css={"all": ["admin/css/prose.css", "admin/css/post-writing.css"]},
            js=["admin/js/post-writing.js"],
        )

    def may_write(self, request):
        """Whether `request.user` may use the post form to write: add a post, or change one."""
        return self.has_add_permission(request) or self.has_change_permission(request)

    @json_endpoint("GET")
    def tag_suggestions_view(self, request):
        """Existing tags starting with (then containing) what was typed: only those the user
        may know of (see visible_tags), for the users the post form is for."""
        if not self.may_write(request):
            return JsonResponse({"error": "You may not write posts."}, status=403)
        typed = request.GET.get("q", "").replace("\x00", "").strip()[:100]
        tags = visible_tags(request.user)
        if not typed:
            return JsonResponse({"tags": []})
        starting = list(
            tags.filter(name__istartswith=typed)
            .order_by("name")
            .values_list("name", flat=True)[:SUGGESTED_TAGS]
        )
        containing = []
        if len(starting) < SUGGESTED_TAGS:
            containing = list(
                tags.filter(name__icontains=typed)
                .exclude(name__istartswith=typed)
                .order_by("name")
                .values_list("name", flat=True)[: SUGGESTED_TAGS - len(starting)]
            )
        return JsonResponse({"tags": starting + containing})

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The publish time is shown in the bar (post_bar.html), not in a fieldset, where the
        # user may change it.
        if "fields" in kwargs and self._publish_time_editable(request, obj):
            kwargs["fields"] = [*kwargs["fields"], "publish_at"]
        return super().get_form(request, obj, change, **kwargs)

    def _publish_time_editable(self, request, obj):
        return (
            self.has_add_permission(request)
            if obj is None
            else self.has_change_permission(request, obj)
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        post = obj or self.model()
        site = urlsplit(settings.BYLINE_SITE_URL)
        detail = "blog:page_detail" if post.kind == post.Kind.PAGE else "blog:post_detail"
        address = reverse(detail, kwargs={"slug": SLUG_STAND_IN})
        form = context["adminform"].form
        context["post_bar"] = {
            "status": self.status_badge(post),
            "publish_field": form["publish_at"] if "publish_at" in form.fields else None,
            "publish_at": post.publish_at,
        }
        context["post_writing"] = {
            "tags_url": reverse("admin:blog_post_tag_suggestions"),
            "words_per_minute": WORDS_PER_MINUTE,
            "site_name": settings.BYLINE_SITE_NAME,
            "site_host": site.netloc,
            "address": f"{site.scheme}://{site.netloc}{address}",
            "slug_stand_in": SLUG_STAND_IN,
            "image": post.featured_image.rendition_url(960) if post.featured_image_id else "",
        }
        return super().render_change_form(request, context, add, change, form_url, obj)
