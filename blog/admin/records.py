"""Read-mostly records about posts: their old addresses and the audit trail of their states."""

from django.contrib import admin

from blog.admin.guards import ReadOnlyMixin, TextOnlyQueryMixin
from blog.models import PostSlugRedirect, StateChange


@admin.register(PostSlugRedirect)
class PostSlugRedirectAdmin(TextOnlyQueryMixin, admin.ModelAdmin):
    list_display = ["old_slug", "post", "created_at"]
    search_fields = ["old_slug", "post__title", "post__slug"]
    list_select_related = ["post"]
    raw_id_fields = ["post"]

    def has_add_permission(self, request):
        return False


@admin.register(StateChange)
class StateChangeAdmin(ReadOnlyMixin, TextOnlyQueryMixin, admin.ModelAdmin):
    """The whole audit trail: read-only, for editors."""

    list_display = ["at", "post", "description", "by"]
    list_filter = ["to_status", ("by", admin.RelatedOnlyFieldListFilter), "at"]
    search_fields = ["post__title"]
    list_select_related = ["post", "by"]
    date_hierarchy = "at"

    @admin.display(description="what")
    def description(self, change):
        return change.description()
