from django.contrib.admin import AdminSite
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from accounts import two_factor


class BylineAdminSite(AdminSite):
    """The admin site behind `admin.site`: a login form that asks for the two-factor code of
    users who turned it on, and, with BYLINE_REQUIRE_2FA, no admin page for unverified staff
    but the enrolment page."""

    login_form = two_factor.LoginForm
    dashboard_template = "admin/dashboard.html"

    def has_permission(self, request):
        return super().has_permission(request) and not two_factor.unverified_but_required(request)

    def login(self, request, extra_context=None):
        if (
            request.method == "GET"
            and two_factor.unverified_but_required(request)
            and two_factor.confirmed_device(request.user) is None
        ):
            return redirect("admin:two_factor")
        return super().login(request, extra_context)

    def each_context(self, request):
        context = super().each_context(request)
        if request.user.has_perm("blog.view_delivery"):
            from blog.golive import late_deliveries_cached

            context["late_deliveries"] = late_deliveries_cached()
        return context

    def index(self, request, extra_context=None):
        """The editorial desk (blog/dashboard.py) for those who write; Django's list of the
        admin's sections is at "All sections"."""
        from blog.dashboard import desk_for
        from blog.models import Post

        desk = desk_for(request.user) if request.user.has_perm("blog.view_post") else None
        posts = self._registry.get(Post)
        context = {
            **self.each_context(request),
            "title": self.index_title,
            "subtitle": None,
            "desk": desk,
            "can_add_post": request.user.has_perm("blog.add_post"),
            "can_import": bool(posts and posts.has_import_permission(request)),
            **(extra_context or {}),
        }
        request.current_app = self.name
        return TemplateResponse(request, self.dashboard_template, context)

    def sections_view(self, request):
        """Django's own index: every section of the admin the user may use."""
        return super().index(request, {"title": "All sections"})

    def enrolment_view(self, request):
        return two_factor.two_factor_view(request, self)

    def get_urls(self):
        enrolment = never_cache(two_factor.staff_only(self.enrolment_view))
        return [
            path("two-factor/", enrolment, name="two_factor"),
            path("sections/", self.admin_view(self.sections_view), name="sections"),
            *super().get_urls(),
        ]
