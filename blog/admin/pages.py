"""Standalone pages in the admin: the post admin (workflow, revisions, previews, autosave,
presence, notes, edit conflicts, permissions), less what a page has not: tags, topics, FAQs,
references, the editorial calendar's planning and imports."""

from django.contrib import admin

from blog.admin.post_parts import MyPostsFilter, PostAuthorInline, StateListFilter
from blog.admin.posts import PostAdmin
from blog.models import Page


class MyPagesFilter(MyPostsFilter):
    def lookups(self, request, model_admin):
        return [("1", "My pages")]


class PageAuthorInline(PostAuthorInline):
    # Not shown to readers: who may work on the page (a Contributor edits their own).
    verbose_name_plural = (
        "Authors (not shown to readers: who may edit the page besides the Editors; you are "
        "added if none is given)"
    )


@admin.register(Page)
class PageAdmin(PostAdmin):
    kind = Page.Kind.PAGE
    new_draft_prefix = "page-"
    inlines = [PageAuthorInline]
    list_display = ["title", "address", "status_badge", "last_changed"]
    list_filter = [MyPagesFilter, StateListFilter, "has_sponsored_links"]
    search_fields = ["title", "description", "body", "slug"]
    date_hierarchy = None
    filter_horizontal = []
    change_list_template = None  # Django's own: no calendar or imports for pages
    ordering = ["title", "pk"]
    fieldsets = [
        (None, {"fields": ["title", "body"], "classes": ["post-writing"]}),
        (
            "Search and sharing",
            {"fields": ["description", "seo_title", "slug", "sharing_preview"]},
        ),
        ("Shareable preview", {"fields": ["preview_link"]}),
        (
            "Featured image",
            {"fields": ["featured_image", "featured_image_alt"], "classes": ["collapse"]},
        ),
        ("Sponsored links", {"fields": ["sponsored_check", "disclosure"], "classes": ["collapse"]}),
        ("Search engines", {"fields": ["canonical_url", "noindex"], "classes": ["collapse"]}),
        ("Status changes", {"fields": ["state_history"], "classes": ["collapse"]}),
        (
            "Derived on save",
            {
                "fields": ["word_count", "has_sponsored_links", "created_at"],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_urls(self):
        # The post admin's own pages named for posts (the calendar, imports, tag
        # suggestions) are the posts'; the rest (revisions, previews, notes…) are each admin's.
        return [url for url in super().get_urls() if not (url.name or "").startswith("blog_post_")]

    @admin.display(description="address")
    def address(self, page):
        return page.get_absolute_url()

    @admin.display(description="last changed", ordering="updated_at")
    def last_changed(self, page):
        return page.updated_at
