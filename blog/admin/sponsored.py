"""Sponsored content in the admin: the affiliate networks and their rules, the site's sponsored
links (with where each is used) and the site's settings (one row). Editors change them;
writers may look up sponsored links, to link to them as /go/<slug>/."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import escape
from django.utils.text import Truncator

from blog.admin.guards import TextOnlyQueryMixin
from blog.affiliate_urls import go_address
from blog.models import (
    AffiliateNetwork,
    AffiliateRule,
    Post,
    SiteSettings,
    SponsoredLink,
    SponsoredLinkUse,
)
from blog.sponsored import posts_rendered_again


def _posts(number):
    return f"{number} post{'s' * (number != 1)}"


class RendersPostsMixin:
    """Saving or deleting here renders again the posts the change affects (blog/sponsored.py
    does, in the same transaction): the editor is told how many."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with posts_rendered_again() as rendered:
            response = super().changeform_view(request, object_id, form_url, extra_context)
        self._say_rendered(request, response, rendered)
        return response

    def delete_view(self, request, object_id, extra_context=None):
        with posts_rendered_again() as rendered:
            response = super().delete_view(request, object_id, extra_context)
        self._say_rendered(request, response, rendered)
        return response

    def changelist_view(self, request, extra_context=None):
        with posts_rendered_again() as rendered:  # "delete selected"
            response = super().changelist_view(request, extra_context)
        self._say_rendered(request, response, rendered)
        return response

    def _say_rendered(self, request, response, rendered):
        if request.method != "POST" or response.status_code != 302:
            return  # nothing was saved
        if rendered.later:
            self.message_user(
                request,
                f"{_posts(len(rendered))} rendered again with the change; the worker is "
                f"rendering the other {len(rendered.later):,} (newest first).",
            )
        elif rendered:
            self.message_user(request, f"{_posts(len(rendered))} rendered again with the change.")
        else:
            self.message_user(request, "No post needed rendering again.")


class AffiliateRuleInline(admin.TabularInline):
    model = AffiliateRule
    extra = 1
    fields = ["host", "parameter"]


@admin.register(AffiliateNetwork)
class AffiliateNetworkAdmin(RendersPostsMixin, TextOnlyQueryMixin, admin.ModelAdmin):
    """The networks whose links are sponsored, each with the shapes of its links."""

    list_display = ["name", "active", "rules_text"]
    list_filter = ["active"]
    search_fields = ["name", "rules__host"]
    inlines = [AffiliateRuleInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("rules")

    @admin.display(description="rules")
    def rules_text(self, network):
        return ", ".join(str(rule) for rule in network.rules.all()) or "—"


@admin.register(SponsoredLink)
class SponsoredLinkAdmin(RendersPostsMixin, TextOnlyQueryMixin, admin.ModelAdmin):
    """The site's /go/ links: where each goes, where it is used, and retiring it."""

    list_display = ["name", "go_address", "short_destination", "active", "used_in_count"]
    list_filter = ["active"]
    search_fields = ["name", "slug", "destination"]
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        "name",
        "slug",
        "go_address",
        "destination",
        "tracking_parameter",
        "active",
        "notes",
        "created_at",
        "updated_at",
    ]
    readonly_fields = ["go_address", "created_at", "updated_at"]
    # Its address would count the editor's visit as a click: the form shows it as text.
    view_on_site = False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            # The admin shows help text as HTML, and the models' is text ("/go/<slug>/").
            field.help_text = escape(field.help_text)
        return field

    def get_queryset(self, request):
        # Counting only posts the user may know of: a count can give others' drafts away.
        uses = SponsoredLinkUse.objects.filter(slug=OuterRef("slug"))
        if not request.user.has_perm("blog.edit_any_post"):
            uses = uses.filter(post__in=Post.objects.visible_to(request.user).values("pk"))
        count = uses.order_by().values("slug").annotate(n=Count("pk")).values("n")
        return (
            super()
            .get_queryset(request)
            .annotate(used_in_count=Coalesce(Subquery(count, output_field=IntegerField()), 0))
        )

    @admin.display(description="address")
    def go_address(self, link):
        return go_address(link) if link.slug else "—"

    @admin.display(description="destination", ordering="destination")
    def short_destination(self, link):
        return Truncator(link.destination).chars(60)

    @admin.display(description="used in", ordering="used_in_count")
    def used_in_count(self, link):
        return link.used_in_count

    def used_in(self, request, link):
        """(post, address to open it at) for the posts using `link` that the user may know
        of: their change page where the user may open it, else their public page."""
        posts = (
            Post.objects.visible_to(request.user)
            .filter(sponsored_link_uses__slug=link.slug)
            .order_by("title")
        )
        post_admin = self.admin_site.get_model_admin(Post)
        openable = set(
            post_admin.get_queryset(request)
            .filter(sponsored_link_uses__slug=link.slug)
            .values_list("pk", flat=True)
        )
        return [
            (
                post,
                reverse("admin:blog_post_change", args=[post.pk])
                if post.pk in openable
                else post.get_absolute_url(),
            )
            for post in posts
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["used_in"] = self.used_in(request, obj)
            if self.has_change_permission(request, obj):
                context["retiring_warning"] = self.retiring_warning(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @staticmethod
    def retiring_warning(link):
        """What retiring or moving `link` does to the posts using it; "" when none does."""
        number = link.used_in().count()
        if not number:
            return ""
        if not link.active:
            return (
                f"Retired: {go_address(link)} answers 404 and its text is a plain word in the "
                f"{_posts(number)} using it. Tick “Active” to make them links again."
            )
        these = f"these {_posts(number)}" if number > 1 else "this post"
        return (
            f"Used in {_posts(number)}. Retiring it makes its text a plain word in {these} "
            f"and {go_address(link)} answers 404. Changing its slug does the same: "
            f"{these} link to {go_address(link)}."
        )

    def save_model(self, request, obj, form, change):
        before = form.initial.get("slug") if change else None
        # Counted first: the posts are rendered again as the link is saved.
        number = SponsoredLinkUse.objects.filter(slug=before).count() if before else 0
        super().save_model(request, obj, form, change)
        if number and {"active", "slug"} & set(form.changed_data):
            if not obj.active or before != obj.slug:
                self.message_user(
                    request,
                    f"“{obj}” no longer answers at /go/{before}/: its text is a plain word in "
                    f"{_posts(number)} that link to that address.",
                    messages.WARNING,
                )


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One row: its list is its form."""

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        settings = SiteSettings.load()
        return HttpResponseRedirect(reverse("admin:blog_sitesettings_change", args=[settings.pk]))
