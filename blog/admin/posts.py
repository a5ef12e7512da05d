"""Posts in the admin."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from blog import compliance
from blog.admin.calendar import CalendarMixin
from blog.admin.conflicts import ConflictMixin
from blog.admin.editing import PostEditingMixin
from blog.admin.go_links import GoLinksMixin
from blog.admin.guards import TextOnlyQueryMixin
from blog.admin.notes import NotesMixin
from blog.admin.post_images import PostImagesMixin
from blog.admin.post_pages import PostPagesMixin
from blog.admin.post_parts import (
    AttentionListFilter,
    FAQInline,
    MyPostsFilter,
    PopularTagListFilter,
    PostAuthorInline,
    ReferenceInline,
    StateListFilter,
    kept_rows,
)
from blog.admin.writing import PostWritingMixin
from blog.forms import PostAdminForm
from blog.models import FAQ, Post, PostAuthor, Reference
from blog.models.content import REFERENCE_FIELDS
from blog.preview import preview_url
from blog.workflow import TRANSITIONS


def sentence(text):
    """`text` ended with a full stop, unless it ends a sentence already ("… 2:05 p.m.")."""
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


@admin.register(Post)
class PostAdmin(
    CalendarMixin,
    NotesMixin,
    ConflictMixin,
    PostPagesMixin,
    PostEditingMixin,
    PostImagesMixin,
    PostWritingMixin,
    GoLinksMixin,
    TextOnlyQueryMixin,
    admin.ModelAdmin,
):
    """Posts: who sees and changes which, saving through the workflow with history, bulk
    workflow steps, and what the list and the form show (the editorial calendar is in
    CalendarMixin; notes in NotesMixin; revisions, previews and imports in PostPagesMixin;
    autosave and presence in PostEditingMixin; the bar, toolbar, counts and tag suggestions in
    PostWritingMixin; affiliate addresses made /go/ links in GoLinksMixin)."""

    form = PostAdminForm
    formfield_overrides = {MarkdownxField: {"widget": AdminMarkdownxWidget}}
    inlines = [PostAuthorInline, FAQInline, ReferenceInline]
    list_display = ["title", "status_badge", "byline", "publish_at"]
    list_filter = [
        MyPostsFilter,
        StateListFilter,
        ("authors", admin.RelatedOnlyFieldListFilter),
        "topics",
        PopularTagListFilter,
        "publish_at",
        "has_sponsored_links",
        AttentionListFilter,
    ]
    search_fields = [
        "title",
        "description",
        "body",
        "slug",
        "tags__name",
        "authors__display_name",
        "authors__username",
    ]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["topics"]
    # Picked from the image library (its popup list), never uploaded here.
    raw_id_fields = ["featured_image"]
    readonly_fields = [
        "sponsored_check",
        "status_badge",
        "preview_link",
        "sharing_preview",
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
    # Status, publish time and the workflow buttons are in the bar above these (post_bar.html).
    fieldsets = [
        (None, {"fields": ["title", "body"], "classes": ["post-writing"]}),
        (
            "Search and sharing",
            {"fields": ["description", "seo_title", "slug", "sharing_preview"]},
        ),
        ("Topics and tags", {"fields": ["topics", "tags"]}),
        # The day a draft is planned for, on the editorial calendar (not its publish time).
        ("Planning", {"fields": ["planned_for"]}),
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
                "fields": ["word_count", "reading_time", "has_sponsored_links", "created_at"],
                "classes": ["collapse"],
            },
        ),
    ]

    class Media:
        css = {"all": ["admin/css/byline.css"]}

    # Which rows this admin shows: Pages (blog/admin/pages.py) shows the other kind.
    kind = Post.Kind.POST

    def url_name(self, name):
        """The name of this admin's own URL `name`: Posts and Pages each have theirs."""
        return f"{self.opts.app_label}_{self.opts.model_name}_{name}"

    def admin_url(self, name, *args):
        return reverse(f"admin:{self.url_name(name)}", args=args)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # A page reached at a post's address (the desk, emails and reports link every row
        # there) opens where pages are edited.
        if str(object_id).isdigit() and request.method == "GET":
            kind = Post.objects.filter(pk=object_id).values_list("kind", flat=True).first()
            if kind is not None and kind != self.kind:
                model = "page" if kind == Post.Kind.PAGE else "post"
                return HttpResponseRedirect(reverse(f"admin:blog_{model}_change", args=[object_id]))
        return super().change_view(request, object_id, form_url, extra_context)

    def view_on_site(self, post):
        # An unpublished post's address answers 404: it has "Preview" instead.
        return post.get_absolute_url() if post.is_published() else None

    # Who sees and changes what -------------------------------------------------------------

    def get_queryset(self, request):
        posts = super().get_queryset(request).filter(kind=self.kind).with_bylines()
        if request.user.has_perm("blog.edit_any_post"):
            return posts
        return posts.by_author(request.user).distinct()

    # The posts' permissions, for pages too (the roles hold those): not the proxy model's.
    def has_add_permission(self, request):
        return request.user.has_perm("blog.add_post")

    def has_view_permission(self, request, obj=None):
        return (
            request.user.has_perm("blog.view_post") or request.user.has_perm("blog.change_post")
        ) and (
            obj is None
            or request.user.has_perm("blog.edit_any_post")
            or obj.is_owned_by(request.user)
        )

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("blog.change_post") and (
            obj is None or obj.can_edit(request.user)
        )

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("blog.delete_post") and (
            obj is None or obj.can_delete(request.user)
        )

    # Saving through the workflow -------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        form.transition = request.POST.get("_transition") or None
        return form

    def _create_formsets(self, request, obj, change):
        # The form's publishing check reads the FAQ rows submitted with it: Django makes the
        # formsets before it validates the form.
        formsets, inlines = super()._create_formsets(request, obj, change)
        obj._faq_formset = next((fs for fs in formsets if fs.model is FAQ), None)
        obj._reference_formset = next((fs for fs in formsets if fs.model is Reference), None)
        return formsets, inlines

    def save_model(self, request, obj, form, change):
        """Apply the workflow step asked for. The post itself is saved in save_related(),
        with its byline, tags, topics, FAQs and references, as one piece of content."""
        if form.transition:
            # A publish time typed on purpose is kept ("backdated"); otherwise "now" is now.
            if change:
                stored = Post.objects.filter(pk=obj.pk).values_list("publish_at", flat=True)
                backdated = obj.publish_at != stored.first()
            else:
                backdated = "publish_at" in form.changed_data
            obj.apply_transition(form.transition, keep_publish_time=backdated)

    def save_related(self, request, form, formsets, change):
        post = form.instance
        post.apply_content(self._submitted_parts(request, form, formsets))
        post.save_with_history(
            by=request.user,
            based_on=form.cleaned_data.get("version"),
            loaded=form.cleaned_data.get("loaded"),
        )
        if merged := self.merged_message(post):
            self.message_user(request, merged)
        change = post.state_changes.first() if form.transition else None
        if change:  # none when the step moved nothing (rescheduled to the same time)
            self.message_user(request, sentence(f"“{post}”: {change.description()}"))
        if "_revoke_previews" in request.POST:
            post.revoke_preview_links()
            self.message_user(request, f"“{post}”: preview links given out so far no longer work.")

    def _topics_in_order(self, form):
        """The chosen topics' slugs: those the post had in the order it had them (the first is
        its primary topic, as an import gave it), then the ones added, by name."""
        chosen = [topic.slug for topic in form.cleaned_data["topics"]]
        post = form.instance
        if post.pk is None:
            return chosen
        had = post.topics.through.objects.filter(post=post).order_by("pk")
        kept = [slug for slug in had.values_list("topic__slug", flat=True) if slug in chosen]
        return kept + [slug for slug in chosen if slug not in kept]

    def _submitted_parts(self, request, form, formsets):
        """What hangs off the post, as the form and its rows give it, in post content's terms
        (see Post.apply_content). With no author given, the one saving is the author if they
        have an author profile (User.has_author_profile); otherwise the post has none yet."""
        # A form opened before the last save gives its own rows only: the merge adds the others.
        stale = form.cleaned_data.get("version") not in (None, form.instance.version)
        rows = {formset.model: kept_rows(formset, unshown=not stale) for formset in formsets}
        parts = {}
        if "tags" in form.cleaned_data:
            parts["tags"] = form.cleaned_data["tags"]
        if "topics" in form.cleaned_data:
            parts["topics"] = self._topics_in_order(form)
        if PostAuthor in rows:
            authors = [row["author"].username for row in rows[PostAuthor]]
            if not authors and request.user.has_author_profile():
                authors = [request.user.username]
            parts["authors"] = authors
        if FAQ in rows:
            parts["faqs"] = [{"question": r["question"], "answer": r["answer"]} for r in rows[FAQ]]
        if Reference in rows:
            parts["references"] = [
                {field: row[field] for field in REFERENCE_FIELDS} for row in rows[Reference]
            ]
        return parts

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
            self.admin_url("preview", obj.pk) if obj and not obj.is_published() else ""
        )
        context["can_revoke_previews"] = bool(
            obj and not obj.is_published() and self.has_change_permission(request, obj)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Bulk actions ----------------------------------------------------------------------------

    def _bulk(self, request, queryset, name):
        done, refused = [], []
        for pk in queryset.values_list("pk", flat=True):
            with transaction.atomic():
                # The post as it is now, not as the list showed it, held until this step is saved.
                post = Post.objects.select_for_update().get(pk=pk)
                try:
                    post.check_transition(name, request.user)
                except (PermissionDenied, ValidationError) as problem:
                    reasons = (
                        problem.messages if isinstance(problem, ValidationError) else [str(problem)]
                    )
                    refused.append(f"“{post}”: {' '.join(reasons)}")
                    continue
                try:
                    post.apply_transition(name)
                    post.save_with_history(by=request.user, note=TRANSITIONS[name].label)
                except ValidationError as problem:  # a body stored before the rendering limits
                    refused.append(f"“{post}”: {' '.join(problem.messages)}")
                    continue
            done.append(post)
        if done:
            self.message_user(
                request, f"{TRANSITIONS[name].label}: {len(done)} {self._noun(len(done))}."
            )
        for reason in refused:
            self.message_user(request, f"Not changed: {reason}", messages.WARNING)

    @admin.action(description="Submit selected %(verbose_name_plural)s for review")
    def submit_for_review(self, request, queryset):
        self._bulk(request, queryset, "submit")

    @admin.action(
        description="Publish selected %(verbose_name_plural)s now", permissions=["publish"]
    )
    def publish_now(self, request, queryset):
        self._bulk(request, queryset, "publish")

    @admin.action(description="Archive selected %(verbose_name_plural)s", permissions=["publish"])
    def archive(self, request, queryset):
        self._bulk(request, queryset, "archive")

    @admin.action(description="Move selected %(verbose_name_plural)s back to draft")
    def back_to_draft(self, request, queryset):
        self._bulk(request, queryset, "draft")

    @admin.action(description="Revoke the preview links of selected %(verbose_name_plural)s")
    def revoke_preview_links(self, request, queryset):
        done, refused = 0, []
        for post in queryset:
            if post.can_edit(request.user):
                post.revoke_preview_links()
                done += 1
            else:
                refused.append(f"“{post}”")
        if done:
            self.message_user(request, f"Preview links revoked: {done} {self._noun(done)}.")
        if refused:
            self.message_user(
                request,
                f"Not changed (you may not edit them): {', '.join(refused)}.",
                messages.WARNING,
            )

    def _noun(self, count):
        return self.opts.verbose_name if count == 1 else self.opts.verbose_name_plural

    def has_publish_permission(self, request):
        return request.user.has_perm("blog.publish_post")

    # What the list and the form show ----------------------------------------------------------

    @admin.display(description="status", ordering="status")
    def status_badge(self, post):
        # A class per state, not an inline style: the admin's Content-Security-Policy has none.
        return format_html(
            '<span class="status-badge status-badge--{}">{}</span>',
            post.state,
            post.get_state_display(),
        )

    @admin.display(description="authors")
    def byline(self, post):
        return ", ".join(author.name for author in post.authors.all())

    @admin.display(description="states")
    def state_history(self, post):
        changes = post.state_changes.select_related("by")[:50] if post.pk else []
        return render_to_string("admin/blog/post/state_history.html", {"changes": changes})

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.has_sponsored_links:
            return fieldsets
        # Open where it matters: the post links to sponsors.
        return [
            (name, {**options, "classes": []}) if name == "Sponsored links" else (name, options)
            for name, options in fieldsets
        ]

    @admin.display(description="compliance check")
    def sponsored_check(self, post):
        if post.pk is None:
            return "Checked when the post is saved."
        found = compliance.problems(post)
        if found:
            return format_html(
                '<ul class="compliance compliance--problems">{}</ul>'
                "<p>Publishing is refused until these are fixed.</p>",
                format_html_join("", "<li>{}</li>", ((problem,) for problem in found)),
            )
        if not post.has_sponsored_links:
            return "No sponsored or affiliate links: no disclosure needed."
        uses = sorted(post.sponsored_link_uses.values_list("slug", flat=True))
        via = f" (through {', '.join(f'/go/{slug}/' for slug in uses)})" if uses else ""
        return format_html(
            '<p class="compliance compliance--ok">Sponsored links marked{}, and the disclosure '
            "comes before the first of them on the page and in the feeds.</p>",
            via,
        )

    @admin.display(description="how it looks")
    def sharing_preview(self, post):
        # Filled and kept up to date by post-writing.js from the fields above.
        site = urlsplit(settings.BYLINE_SITE_URL)
        path = post.get_absolute_url() if post.slug else "/"
        return render_to_string(
            "admin/blog/post/sharing_preview.html",
            {
                "post": post,
                "site_name": settings.BYLINE_SITE_NAME,
                "site_host": site.netloc,
                "crumbs": " › ".join([site.netloc, *filter(None, path.split("/"))]),
            },
        )

    @admin.display(description="shareable preview")
    def preview_link(self, post):
        if post.pk is None:
            return "Save the post to get a preview link."
        if post.is_published():
            return format_html('Published: <a href="{0}">{0}</a>', post.get_absolute_url())
        if post.status == Post.Status.ARCHIVED:
            return "Archived posts have no preview links: those given out no longer work."
        url, expires = preview_url(post)
        return format_html(
            '<a href="{0}" target="_blank" rel="noopener">{0}</a><br>'
            "<small>Anyone with this link can read the post until {1}.</small>",
            url,
            date_format(timezone.localtime(expires), "DATETIME_FORMAT"),
        )
