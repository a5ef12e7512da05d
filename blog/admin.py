from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.views.decorators.csp import csp_override
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget
from taggit.models import Tag

from blog import revisions
from blog.forms import ImportForm
from blog.importers import ImportProblem
from blog.models import (
    FAQ,
    Post,
    PostAuthor,
    PostSlugRedirect,
    Reference,
    StateChange,
    Topic,
)
from blog.preview import preview_url
from blog.workflow import TRANSITIONS


def status_badge(post):
    # A class per state, not an inline style: the admin's Content-Security-Policy has none.
    key = "scheduled" if post.is_scheduled() else post.status
    label = "Scheduled" if key == "scheduled" else post.get_status_display()
    return format_html('<span class="status-badge status-badge--{}">{}</span>', key, label)


class PostPartInline:
    """Inline rows of a post: editable exactly when the post is, and kept in order."""

    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["order"].required = False
        formset.form.base_fields["order"].help_text = ""
        return formset

    def _post_editable(self, request, post):
        return post is None or post.can_edit(request.user)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._post_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._post_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._post_editable(request, obj)


class PostAuthorInline(PostPartInline, admin.TabularInline):
    model = PostAuthor
    fields = ["author", "order"]
    verbose_name = "author"
    verbose_name_plural = "Authors (in byline order; you are added if none is given)"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            kwargs["queryset"] = get_user_model().objects.filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class FAQInline(PostPartInline, admin.StackedInline):
    model = FAQ
    fields = ["question", "answer", "order"]


class ReferenceInline(PostPartInline, admin.TabularInline):
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


class MyPostsFilter(admin.SimpleListFilter):
    title = "whose"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", "My posts")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.by_author(request.user)
        return queryset


class PostAdminForm(forms.ModelForm):
    """The post form; the workflow step asked for (a button) is checked with the new values."""

    user = None  # set per request by PostAdmin.get_form
    transition = None

    class Meta:
        model = Post
        fields = []  # PostAdmin's fieldsets say which
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self):
        super()._post_clean()
        if self.transition is None:
            if self.instance.status == Post.Status.PUBLISHED:
                self._check(self.instance.check_ready_to_publish)  # edits of live posts
            return
        self._check(
            self.instance.check_transition, self.transition, self.user, self.instance.publish_at
        )

    def _check(self, check, *args):
        try:
            check(*args)
        except PermissionDenied as denied:
            self.add_error(None, str(denied))
        except ValidationError as error:
            self.add_error(None, error)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    form = PostAdminForm
    formfield_overrides = {MarkdownxField: {"widget": AdminMarkdownxWidget}}
    inlines = [PostAuthorInline, FAQInline, ReferenceInline]
    list_display = ["title", "status_badge", "byline", "publish_at"]
    list_filter = [
        MyPostsFilter,
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
    readonly_fields = [
        "status_badge",
        "preview_link",
        "state_history",
        "word_count",
        "reading_time",
        "has_sponsored_links",
        "created_at",
    ]
    list_per_page = 50
    actions = ["submit_for_review", "publish_now", "archive", "back_to_draft"]
    change_form_template = "admin/blog/post/change_form.html"
    change_list_template = "admin/blog/post/change_list.html"
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "body"]}),
        (
            "Publishing",
            {"fields": ["status_badge", "publish_at", "preview_link", "topics", "tags"]},
        ),
        (
            "Featured image",
            {"fields": ["featured_image", "featured_image_alt"], "classes": ["collapse"]},
        ),
        ("Search engines", {"fields": ["canonical_url", "noindex"], "classes": ["collapse"]}),
        ("History", {"fields": ["state_history"], "classes": ["collapse"]}),
        (
            "Derived on save",
            {
                "fields": ["word_count", "reading_time", "has_sponsored_links", "created_at"],
                "classes": ["collapse"],
            },
        ),
    ]

    class Media:
        css = {"all": ["admin/css/byline.css"]}

    # Who sees and changes what -------------------------------------------------------------

    def get_queryset(self, request):
        posts = super().get_queryset(request).with_bylines()
        if request.user.has_perm("blog.edit_any_post"):
            return posts
        return posts.by_author(request.user).distinct()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None
            or request.user.has_perm("blog.edit_any_post")
            or obj.is_owned_by(request.user)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or obj.can_edit(request.user)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or obj.can_delete(request.user)
        )

    # Saving through the workflow -------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        form.transition = request.POST.get("_transition") or None
        return form

    def save_model(self, request, obj, form, change):
        stored = Post.objects.filter(pk=obj.pk).values("status", "publish_at").first() or {}
        obj._status_before = stored.get("status")
        if form.transition:
            # A publish time typed on purpose is kept ("backdated"); otherwise "now" is now.
            if change:
                backdated = obj.publish_at != stored["publish_at"]
            else:
                backdated = "publish_at" in form.changed_data
            obj.apply_transition(form.transition, keep_publish_time=backdated)
        super().save_model(request, obj, form, change)

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
        post.record_state_change(post._status_before, by=request.user)
        post.save_revision(by=request.user)
        if form.transition:
            change = post.state_changes.first()
            self.message_user(request, f"“{post}”: {change.description()}.")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        post = obj or Post()
        context["workflow_buttons"] = (
            post.available_transitions(request.user)
            if self.has_change_permission(request, obj) or add
            else []
        )
        context["preview_url"] = (
            reverse("admin:blog_post_preview", args=[obj.pk])
            if obj and not obj.is_published()
            else ""
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Bulk actions ----------------------------------------------------------------------------

    def _bulk(self, request, queryset, name):
        done, refused = [], []
        for post in queryset:
            try:
                post.check_transition(name, request.user)
            except (PermissionDenied, ValidationError) as problem:
                reasons = (
                    problem.messages if isinstance(problem, ValidationError) else [str(problem)]
                )
                refused.append(f"“{post}”: {' '.join(reasons)}")
                continue
            with transaction.atomic():
                before = post.status
                post.apply_transition(name)
                post.save()
                post.record_state_change(before, by=request.user)
                post.save_revision(by=request.user, note=TRANSITIONS[name].label)
            done.append(post)
        if done:
            self.message_user(
                request, f"{TRANSITIONS[name].label}: {len(done)} post{'s' * (len(done) != 1)}."
            )
        for reason in refused:
            self.message_user(request, f"Not changed: {reason}", messages.WARNING)

    @admin.action(description="Submit selected posts for review")
    def submit_for_review(self, request, queryset):
        self._bulk(request, queryset, "submit")

    @admin.action(description="Publish selected posts now", permissions=["publish"])
    def publish_now(self, request, queryset):
        self._bulk(request, queryset, "publish")

    @admin.action(description="Archive selected posts", permissions=["publish"])
    def archive(self, request, queryset):
        self._bulk(request, queryset, "archive")

    @admin.action(description="Move selected posts back to draft")
    def back_to_draft(self, request, queryset):
        self._bulk(request, queryset, "draft")

    def has_publish_permission(self, request):
        return request.user.has_perm("blog.publish_post")

    # Revisions and previews ------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<int:pk>/revisions/",
                self.admin_site.admin_view(self.revisions_view),
                name="blog_post_revisions",
            ),
            path(
                "<int:pk>/revisions/<int:number>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="blog_post_restore",
            ),
            path("import/", self.admin_site.admin_view(self.import_view), name="blog_post_import"),
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="blog_post_preview",
            ),
            *super().get_urls(),
        ]

    def _post_for(self, request, pk, permission):
        post = get_object_or_404(self.get_queryset(request), pk=pk)
        if not permission(request, post):
            raise PermissionDenied
        return post

    def has_import_permission(self, request):
        # Imported posts carry their own bylines, so importing is an Editor's job.
        return request.user.has_perms(["blog.add_post", "blog.edit_any_post"])

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
        report = None
        if request.method == "POST" and form.is_valid():
            try:
                report = form.run()
            except ImportProblem as problem:
                form.add_error("file", str(problem))
        return TemplateResponse(
            request,
            "admin/blog/post/import.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Import posts",
                "form": form,
                "report": report,
            },
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def revisions_view(self, request, pk):
        post = self._post_for(request, pk, self.has_view_permission)
        history = list(post.revisions.select_related("by"))
        newest = history[0].number if history else None
        older = history[1].number if len(history) > 1 else newest
        a = _int(request.GET.get("a"), older)
        b = _int(request.GET.get("b"), newest)
        by_number = {revision.number: revision for revision in history}
        old, new = by_number.get(a), by_number.get(b)
        if history and (old is None or new is None):
            raise Http404("No such revision.")
        return TemplateResponse(
            request,
            "admin/blog/post/revisions.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "post": post,
                "title": f"Revisions of “{post}”",
                "history": history,
                "old": old,
                "new": new,
                "diff": revisions.diff_rows(old.data, new.data) if old and new else [],
                "can_restore": self.has_change_permission(request, post),
            },
        )

    def restore_view(self, request, pk, number):
        post = self._post_for(request, pk, self.has_change_permission)
        revision = get_object_or_404(post.revisions, number=number)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:blog_post_revisions", args=[pk]))
        with transaction.atomic():
            revisions.restore(post, revision.data)
            post.save_revision(by=request.user, note=f"Restored revision {number}")
        self.message_user(request, f"Restored revision {number} of “{post}”.")
        return HttpResponseRedirect(reverse("admin:blog_post_change", args=[pk]))

    def preview_view(self, request, pk):
        from blog.views import PostPreviewView

        post = self._post_for(request, pk, self.has_view_permission)
        # The post as readers will see it, under the public site's policy (no script at all),
        # not the admin's: a contributor's draft is what an editor opens here.
        view = csp_override(settings.SECURE_CSP)(PostPreviewView.as_view(preview_post=post))
        return view(request)

    # What the list and the form show ----------------------------------------------------------

    @admin.display(description="status", ordering="status")
    def status_badge(self, post):
        return status_badge(post)

    @admin.display(description="authors")
    def byline(self, post):
        return ", ".join(author.name for author in post.authors.all())

    @admin.display(description="states")
    def state_history(self, post):
        changes = post.state_changes.select_related("by")[:50] if post.pk else []
        return (
            format_html_join(
                "",
                "<div>{} · {} · {}</div>",
                (
                    (
                        date_format(timezone.localtime(change.at), "DATETIME_FORMAT"),
                        change.description(),
                        change.by.name if change.by else "system",
                    )
                    for change in changes
                ),
            )
            or "No state changes yet."
        )

    @admin.display(description="shareable preview")
    def preview_link(self, post):
        if post.pk is None:
            return "Save the post to get a preview link."
        if post.is_published():
            return format_html('Published: <a href="{0}">{0}</a>', post.get_absolute_url())
        url, expires = preview_url(post)
        return format_html(
            '<a href="{0}" target="_blank" rel="noopener">{0}</a><br>'
            "<small>Anyone with this link can read the post until {1}.</small>",
            url,
            date_format(timezone.localtime(expires), "DATETIME_FORMAT"),
        )


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


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


@admin.register(StateChange)
class StateChangeAdmin(admin.ModelAdmin):
    """The whole audit trail: read-only, for editors."""

    list_display = ["at", "post", "description", "by"]
    list_filter = ["to_status", ("by", admin.RelatedOnlyFieldListFilter), "at"]
    search_fields = ["post__title"]
    list_select_related = ["post", "by"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="what")
    def description(self, change):
        return change.description()
