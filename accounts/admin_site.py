from django.contrib.admin import AdminSite
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.cache import never_cache

from accounts import two_factor


class BylineAdminSite(AdminSite):
    """The admin site behind `admin.site`: a login form that asks for the two-factor code of
    users who turned it on, and, with BYLINE_REQUIRE_2FA, no admin page for unverified staff
    but the enrolment page."""

    login_form = two_factor.LoginForm

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

    def enrolment_view(self, request):
        return two_factor.two_factor_view(request, self)

    def get_urls(self):
        enrolment = never_cache(two_factor.staff_only(self.enrolment_view))
        return [path("two-factor/", enrolment, name="two_factor"), *super().get_urls()]
