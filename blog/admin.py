from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
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

from accounts.roles import ROLES
from blog import revisions
from blog.forms import ImportForm, MergeTagsForm
from blog.importers import ImportProblem
from blog.models import (
    FAQ,
    Post,
    PostAuthor,
    PostSlugRedirect,
    Reference,
    StateChange,
    Topic,
    merge_tags,
    retagged,
    visible_tags,
)
from blog.preview import preview_url
from blog.workflow import ARCHIVED, TRANSITIONS


def status_badge(post):
    # A class per state, not an inline style: the admin's Content-Security-Policy has none.
    key = "scheduled" if post.is_scheduled() else post.status
    label = "Scheduled" if key == "scheduled" else post.get_status_display()
    return format_html('<span class="status-badge status-badge--{}">{}</span>', key, label)


class TextOnlyQueryMixin:
    """PostgreSQL refuses NUL characters in text, and the admin passes filters and searches
    from the address bar to the database as they come: a filter holding one is dropped, with a
    message, and a search term loses them."""

    def changelist_view(self, request, extra_context=None):
        bad = [
            key
            for key, values in request.GET.lists()
            if "\x00" in key or any("\x00" in value for value in values)
        ]
        if not bad:
            return super().changelist_view(request, extra_context)
        query = request.GET.copy()
        for key in bad:
            del query[key]
        names = ", ".join(f"“{key.replace(chr(0), '')}”" for key in bad)
        self.message_user(
            request,
            f"Ignored the filter {names}: its value holds a NUL character, which is not text.",
            messages.WARNING,
        )
        return HttpResponseRedirect(f"{request.path}?{query.urlencode()}".rstrip("?"))

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term.replace("\x00", ""))


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


class PostAuthorFormSet(BaseInlineFormSet):
    """The byline: a writer who may not edit every post stays on it, or an "unsaved post is
    its creator's" and "every listed author is an owner" would let them publish under, or
    hand a draft to, someone else's name."""

    user = None  # set per request by PostAuthorInline.get_formset

    def clean(self):
        super().clean()
        if self.user is None or self.user.has_perm("blog.edit_any_post"):
            return
        authors = {
            form.cleaned_data["author"].pk
            for form in self.forms
            if form.cleaned_data.get("author") and not self._should_delete_form(form)
        }
        if authors and self.user.pk not in authors:
            raise ValidationError(
                "Keep yourself among the authors: only an editor can credit a post to others "
                "alone. (Leave the list empty to be the only author.)"
            )


class PostAuthorInline(PostPartInline, admin.TabularInline):
    model = PostAuthor
    formset = PostAuthorFormSet
    fields = ["author", "order"]
    verbose_name = "author"
    verbose_name_plural = "Authors (in byline order; you are added if none is given)"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.user = request.user
        return formset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            # People who write here (active staff or role members, like imported authors) and
            # people already credited (so a byline naming one who left can still be saved), not
            # every account on the site.
            writers = Q(is_active=True) & (Q(is_staff=True) | Q(groups__name__in=ROLES))
            credited = Q(postauthor__isnull=False)
            kwargs["queryset"] = get_user_model().objects.filter(writers | credited).distinct()
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
        tags = visible_tags(request.user).annotate(uses=Count("taggit_taggeditem_items"))
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
        if "slug" in self.changed_data:
            self._check(self.instance.check_slug, self.user)
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
class PostAdmin(TextOnlyQueryMixin, admin.ModelAdmin):
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
    actions = [
        "submit_for_review",
        "publish_now",
        "archive",
        "back_to_draft",
        "revoke_preview_links",
    ]
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
        js = ["admin/js/upload-errors.js"]

    def view_on_site(self, post):
        # An unpublished post's address answers 404: it has "Preview" instead.
        return post.get_absolute_url() if post.is_published() else None

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
        # Not post.authors: the change form's post has them prefetched, as they were before.
        if not PostAuthor.objects.filter(post=post).exists():
            PostAuthor.objects.create(post=post, author=request.user, order=1)
        post.record_state_change(post._status_before, by=request.user)
        post.save_revision(by=request.user)
        if form.transition:
            change = post.state_changes.first()
            self.message_user(request, f"“{post}”: {change.description()}.")
        if "_revoke_previews" in request.POST:
            post.revoke_preview_links()
            self.message_user(request, f"“{post}”: preview links given out so far no longer work.")

    def response_change(self, request, obj):
        if "_revoke_previews" in request.POST:
            return HttpResponseRedirect(request.path)  # back to the form, with the new link
        return super().response_change(request, obj)

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
        context["can_revoke_previews"] = bool(
            obj and not obj.is_published() and self.has_change_permission(request, obj)
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
            try:
                with transaction.atomic():
                    before = post.status
                    post.apply_transition(name)
                    post.save()
                    post.record_state_change(before, by=request.user)
                    post.save_revision(by=request.user, note=TRANSITIONS[name].label)
            except ValidationError as problem:  # a body stored before the rendering limits
                refused.append(f"“{post}”: {' '.join(problem.messages)}")
                continue
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

    @admin.action(description="Revoke the preview links of selected posts")
    def revoke_preview_links(self, request, queryset):
        done, refused = 0, []
        for post in queryset:
            if post.can_edit(request.user):
                post.revoke_preview_links()
                done += 1
            else:
                refused.append(f"“{post}”")
        if done:
            self.message_user(request, f"Preview links revoked: {done} post{'s' * (done != 1)}.")
        if refused:
            self.message_user(
                request,
                f"Not changed (you may not edit them): {', '.join(refused)}.",
                messages.WARNING,
            )

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
        try:
            with transaction.atomic():
                revisions.restore(post, revision.data, by=request.user)
                post.save_revision(by=request.user, note=f"Restored revision {number}")
        except ValidationError as problem:
            self.message_user(
                request,
                f"Revision {number} was not restored: {' '.join(problem.messages)}",
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:blog_post_revisions", args=[pk]))
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
        if post.status == ARCHIVED:
            return "Archived posts have no preview links: those given out no longer work."
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


@admin.register(PostSlugRedirect)
class PostSlugRedirectAdmin(TextOnlyQueryMixin, admin.ModelAdmin):
    list_display = ["old_slug", "post", "created_at"]
    search_fields = ["old_slug", "post__title", "post__slug"]
    list_select_related = ["post"]
    raw_id_fields = ["post"]

    def has_add_permission(self, request):
        return False


@admin.register(StateChange)
class StateChangeAdmin(TextOnlyQueryMixin, admin.ModelAdmin):
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


def view_on_site(request, content_type_id, object_id):
    """The admin's "View on site" (Django's shortcut view), for objects the user may view in
    the admin only: the shortcut alone tells any staff member the address of any object, a
    draft's slug included."""
    model = get_object_or_404(ContentType, pk=content_type_id).model_class()
    if not admin.site.is_registered(model):
        raise Http404("Only what the admin shows has a “View on site”.")
    model_admin = admin.site.get_model_admin(model)
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        raise Http404("No such object, or not yours to view.")
    return shortcut(request, content_type_id, object_id)
