"""The post form's inline rows (byline, FAQs, references) and the post list's filters."""

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminTextareaWidget
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from accounts.roles import ROLES
from blog import dashboard
from blog.forms import PostAuthorFormSet, PostPartFormSet
from blog.models import FAQ, PostAuthor, Reference, visible_tags
from blog.workflow import SCHEDULED, SCHEDULED_LABEL, Status


class PostPartInline:
    """Inline rows of a post: editable exactly when the post is, and kept in order. The order
    is the rows' order on the form: post-writing.js numbers the hidden `order` fields as rows
    are dragged or moved up and down."""

    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        order = formset.form.base_fields["order"]
        order.required = False
        order.help_text = ""
        order.widget = forms.HiddenInput(attrs={"data-row-order": ""})
        if isinstance(self, admin.TabularInline):
            # A table's cells have the column heading, not a label: screen readers need one.
            for name, field in formset.form.base_fields.items():
                if not field.widget.is_hidden:
                    field.widget.attrs.setdefault("aria-label", str(field.label or name))
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
    formset = PostAuthorFormSet
    fields = ["author", "order"]
    verbose_name = "author"
    verbose_name_plural = (
        "Authors (in byline order; you are added if none is given and you have a role or a "
        "display name)"
    )

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
    formset = PostPartFormSet
    fields = ["question", "answer", "order"]
    # An answer is a paragraph or two: room for that, not for an essay.
    formfield_overrides = {models.TextField: {"widget": AdminTextareaWidget(attrs={"rows": 4})}}


class ReferenceInline(PostPartInline, admin.TabularInline):
    model = Reference
    formset = PostPartFormSet
    fields = ["title", "publisher", "year", "url", "order"]


class PopularTagListFilter(admin.SimpleListFilter):
    """The most used tags, in alphabetical order (a site's full tag list is too long to scan),
    and a field that finds any other by name, suggesting the names the user may know of."""

    title = "tag"
    parameter_name = "tag"
    template = "admin/blog/post/tag_filter.html"
    limit = 25

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        # The rest of the list's query, kept by the tag field's form.
        self.other_params = [
            (key, value)
            for key, values in request.GET.lists()
            if key not in {self.parameter_name, "p"}
            for value in values
        ]
        self.names = visible_tags(request.user).order_by("name").values_list("name", flat=True)

    def lookups(self, request, model_admin):
        tags = visible_tags(request.user).annotate(uses=Count("taggit_taggeditem_items"))
        popular = [(tag.slug, tag.name) for tag in tags.order_by("-uses", "name")[: self.limit]]
        value = self.value()
        if value and value not in {slug for slug, _ in popular}:
            # A tag found by the field: shown, as the one selected.
            chosen = visible_tags(request.user).filter(Q(slug=value) | Q(name__iexact=value))
            popular += [(value, tag.name) for tag in chosen[:1]] or [(value, value)]
        return sorted(popular, key=lambda choice: choice[1].casefold())

    def queryset(self, request, queryset):
        if value := self.value():
            return queryset.filter(Q(tags__slug=value) | Q(tags__name__iexact=value))
        return queryset


class StateListFilter(admin.SimpleListFilter):
    """The status, with "Scheduled" (published, its time ahead) apart from "Published" (out).
    Its parameter is the one Django's own status filter had: lists bookmarked then still work."""

    title = "status"
    parameter_name = "status__exact"

    def lookups(self, request, model_admin):
        return [
            (Status.DRAFT, Status.DRAFT.label),
            (Status.IN_REVIEW, Status.IN_REVIEW.label),
            (SCHEDULED, SCHEDULED_LABEL),
            (Status.PUBLISHED, Status.PUBLISHED.label),
            (Status.ARCHIVED, Status.ARCHIVED.label),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == SCHEDULED:
            return queryset.filter(status=Status.PUBLISHED, publish_at__gt=timezone.now())
        if value == Status.PUBLISHED:
            return queryset.public()
        if value in {Status.DRAFT, Status.IN_REVIEW, Status.ARCHIVED}:
            return queryset.filter(status=value)
        return queryset


class AttentionListFilter(admin.SimpleListFilter):
    """Posts in review or out that the desk says need attention (blog/dashboard.py)."""

    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [
            ("description", "No description"),
            ("alt", "Featured image without alt text"),
            ("stale", f"In review for over {dashboard.STALE_REVIEW_DAYS} days"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "description":
            return queryset.filter(dashboard.IN_PLAY, description="")
        if value == "alt":
            return queryset.filter(dashboard.IN_PLAY & dashboard.NO_ALT)
        if value == "stale":
            stale_before = timezone.now() - timedelta(days=dashboard.STALE_REVIEW_DAYS)
            return queryset.annotate(submitted_at=dashboard.submitted_for_review_at()).filter(
                status=Status.IN_REVIEW, submitted_at__lt=stale_before
            )
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


def kept_rows(formset, unshown=True):
    """The field values of an inline formset's rows that stay, in the order their numbers give
    (ties keep the form's order; a row without a number goes last): the rows submitted, less
    those marked for deletion, and rows stored but not in the form (added meanwhile by someone
    else): a form never removes a row it did not show. With `unshown` false, the rows submitted
    only: a form opened before another save is merged with it, which places that save's rows."""
    formset.save(commit=False)  # writes nothing; gives the admin's change message its rows
    deleted = set(formset.deleted_forms)
    submitted = [
        form.cleaned_data
        for form in formset.forms
        if form not in deleted and (form.instance.pk or form.has_changed())
    ]
    shown = {form.instance.pk for form in formset.initial_forms}
    others = [
        {field.name: getattr(row, field.name) for field in row._meta.fields}
        for row in (formset.get_queryset() if unshown else [])
        if row.pk not in shown
    ]
    rows = submitted + others
    rows.sort(key=lambda row: row.get("order") or float("inf"))
    return rows
