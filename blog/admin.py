from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils.html import format_html
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget
from taggit.models import Tag

from blog.models import FAQ, Post, PostAuthor, PostSlugRedirect, Reference, Topic

STATUS_COLOURS = {
    "draft": "#5f6368",
    "review": "#9a5b00",
    "scheduled": "#1a5fb4",
    "published": "#1e7b34",
    "archived": "#6b4f8c",
}


class OrderedInlineMixin:
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["order"].required = False
        formset.form.base_fields["order"].help_text = ""
        return formset


class PostAuthorInline(OrderedInlineMixin, admin.TabularInline):
    model = PostAuthor
    fields = ["author", "order"]
    min_num = 0
    verbose_name = "author"
    verbose_name_plural = "Authors (in byline order; you are added if none is given)"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            kwargs["queryset"] = get_user_model().objects.filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class FAQInline(OrderedInlineMixin, admin.StackedInline):
    model = FAQ
    fields = ["question", "answer", "order"]


class ReferenceInline(OrderedInlineMixin, admin.TabularInline):
    model = Reference
    fields = ["title", "publisher", "year", "url", "order"]


class PopularTagListFilter(admin.SimpleListFilter):
    """The most used tags only: a site's full tag list is too long to scan (search finds
    the rest)."""

    title = "tag"
    parameter_name = "tag"
    limit = 25

    def lookups(self, request, model_admin):
        tags = Tag.objects.annotate(uses=Count("taggit_taggeditem_items"))
        return [(tag.slug, tag.name) for tag in tags.order_by("-uses", "name")[: self.limit]]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(tags__slug=self.value())
        return queryset


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    formfield_overrides = {MarkdownxField: {"widget": AdminMarkdownxWidget}}
    inlines = [PostAuthorInline, FAQInline, ReferenceInline]
    list_display = ["title", "status_badge", "byline", "publish_at", "updated_at"]
    list_filter = [
        "status",
        ("authors", admin.RelatedOnlyFieldListFilter),
        "topics",
        PopularTagListFilter,
        "publish_at",
        "has_sponsored_links",
    ]
    search_fields = ["title", "description", "body", "slug", "tags__name"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["topics"]
    readonly_fields = ["word_count", "reading_time", "has_sponsored_links", "created_at"]
    list_per_page = 50

    class Media:
        css = {"all": ["admin/css/byline.css"]}

    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "body"]}),
        ("Publishing", {"fields": ["status", "publish_at", "topics", "tags"]}),
        (
            "Featured image",
            {"fields": ["featured_image", "featured_image_alt"], "classes": ["collapse"]},
        ),
        ("Search engines", {"fields": ["canonical_url", "noindex"], "classes": ["collapse"]}),
        (
            "Derived on save",
            {
                "fields": ["word_count", "reading_time", "has_sponsored_links", "created_at"],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_form(self, request, obj=None, **kwargs):
        kwargs["widgets"] = {"description": forms.Textarea(attrs={"rows": 3})}
        return super().get_form(request, obj, **kwargs)

    def get_queryset(self, request):
        posts = super().get_queryset(request).for_display()
        if request.user.has_perm("blog.edit_any_post"):
            return posts
        return posts.by_author(request.user).distinct()

    def _owns(self, request, obj):
        return (
            obj is None
            or request.user.has_perm("blog.edit_any_post")
            or (obj.authors.filter(pk=request.user.pk).exists())
        )

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._owns(request, obj)

    def has_change_permission(self, request, obj=None):
        if not (super().has_change_permission(request, obj) and self._owns(request, obj)):
            return False
        # Without the right to publish, a post that is out in the world is not yours to change.
        return (
            obj is None
            or request.user.has_perm("blog.publish_post")
            or obj.status in {Post.Status.DRAFT, Post.Status.IN_REVIEW}
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._owns(request, obj)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not request.user.has_perm("blog.publish_post"):
            kwargs["choices"] = [
                (value, label)
                for value, label in Post.Status.choices
                if value in {Post.Status.DRAFT, Post.Status.IN_REVIEW}
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_formset(self, request, form, formset, change):
        """Save inline rows in the order their numbers give, renumbered 1…n without gaps."""
        formset.save(commit=False)
        for row in formset.deleted_objects:
            row.delete()
        deleted = set(formset.deleted_forms)
        rows = [
            f.instance
            for f in formset.forms
            if f not in deleted and (f.instance.pk or f.has_changed())
        ]
        rows.sort(key=lambda row: row.order or float("inf"))  # stable: ties keep form order
        for number, row in enumerate(rows, start=1):
            row.order = number
            row.save()
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        post = form.instance
        if not post.authors.exists():
            PostAuthor.objects.create(post=post, author=request.user, order=1)

    @admin.display(description="status", ordering="status")
    def status_badge(self, post):
        key = "scheduled" if post.is_scheduled() else post.status
        label = "Scheduled" if key == "scheduled" else post.get_status_display()
        return format_html(
            '<span style="background:{};color:#fff;padding:2px 8px;border-radius:9px;'
            'font-size:11px;font-weight:600;white-space:nowrap">{}</span>',
            STATUS_COLOURS[key],
            label,
        )

    @admin.display(description="authors")
    def byline(self, post):
        return ", ".join(author.name for author in post.authors.all())


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "post_count"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_count=Count("posts"))

    @admin.display(description="posts", ordering="post_count")
    def post_count(self, topic):
        return topic.post_count


@admin.register(PostSlugRedirect)
class PostSlugRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "post", "created_at"]
    search_fields = ["old_slug", "post__title", "post__slug"]
    list_select_related = ["post"]
    raw_id_fields = ["post"]

    def has_add_permission(self, request):
        return False
