"""Topics and tags: counts only of posts the user may know of; renaming, merging or deleting a
tag keeps a revision of every post it changes."""

from django.contrib import admin
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from taggit.models import Tag

from blog.admin.guards import TextOnlyQueryMixin
from blog.forms import MergeTagsForm
from blog.models import Post, Topic, merge_tags, retagged, visible_tags


@admin.register(Topic)
class TopicAdmin(TextOnlyQueryMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "post_count"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        # Counting only posts the user may know of: a count can give others' drafts away.
        posts = Post.objects.visible_to(request.user)
        return (
            super()
            .get_queryset(request)
            .annotate(post_count=Count("posts", filter=Q(posts__in=posts), distinct=True))
        )

    @admin.display(description="posts", ordering="post_count")
    def post_count(self, topic):
        return topic.post_count


admin.site.unregister(Tag)  # django-taggit's: its "merge tags" page checks no permission


@admin.register(Tag)
class TagAdmin(TextOnlyQueryMixin, admin.ModelAdmin):
    """Editors rename, merge and delete tags; writers tag their own posts in the post form,
    and see here only tags they could see anyway (see visible_tags)."""

    list_display = ["name", "slug", "post_count"]
    ordering = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_selected_tags"]

    def get_queryset(self, request):
        tags = super().get_queryset(request) & visible_tags(request.user)
        posts = Post.objects.visible_to(request.user)
        return tags.annotate(post_count=Count("post", filter=Q(post__in=posts), distinct=True))

    @admin.display(description="posts", ordering="post_count")
    def post_count(self, tag):
        return tag.post_count

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.has_changed():
            retagged(Post.objects.filter(tags=obj), request.user, f"Tag renamed to “{obj}”")

    def delete_model(self, request, obj):
        posts = list(Post.objects.filter(tags=obj))
        super().delete_model(request, obj)
        retagged(posts, request.user, f"Tag “{obj}” deleted")

    def delete_queryset(self, request, queryset):
        posts = list(Post.objects.filter(tags__in=queryset).distinct())
        names = ", ".join(f"“{tag}”" for tag in queryset)
        super().delete_queryset(request, queryset)
        retagged(posts, request.user, f"Tags deleted: {names}")

    @admin.action(description="Merge selected tags…", permissions=["change", "delete"])
    def merge_selected_tags(self, request, queryset):
        form = MergeTagsForm(request.POST if "merge" in request.POST else None)
        if form.is_valid():
            into, changed = merge_tags(queryset, form.cleaned_data["name"], by=request.user)
            self.message_user(
                request, f"Merged into “{into}”: {changed} post{'s' * (changed != 1)} changed."
            )
            return None  # back to the tag list
        return TemplateResponse(
            request,
            "admin/taggit/tag/merge_tags.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Merge tags",
                "tags": queryset,
                "form": form,
            },
        )
