from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django_otp.plugins.otp_totp import admin as otp_totp_admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from blog.admin.guards import TextOnlyQueryMixin

PROFILE = (
    "Author profile",
    {
        "fields": [
            "display_name",
            "slug",
            "bio",
            "avatar",
            "website",
            "twitter",
            "mastodon",
            "github",
            "linkedin",
        ]
    },
)
# Everyone who may open their own profile reaches their own preference here.
NOTIFICATIONS = ("Notifications", {"fields": ["email_notifications"]})


@admin.register(User)
class UserAdmin(TextOnlyQueryMixin, DjangoUserAdmin):
    """Superusers manage accounts; Editors edit every author's profile; every other writer
    edits their own profile and nothing else."""

    list_display = ["username", "display_name", "email", "roles", "is_staff", "is_active"]
    list_filter = ["groups", "is_staff", "is_superuser", "is_active"]
    search_fields = ["username", "display_name", "first_name", "last_name", "email"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets[:2],
        PROFILE,
        NOTIFICATIONS,
        *DjangoUserAdmin.fieldsets[2:],
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "display_name",
                    "email",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        )
    ]

    def _manages_profiles(self, request):
        return request.user.is_superuser or request.user.has_perm("accounts.change_user")

    def get_queryset(self, request):
        users = super().get_queryset(request).prefetch_related("groups")
        return users if self._manages_profiles(request) else users.filter(pk=request.user.pk)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff and (
            obj is None or obj == request.user or self._manages_profiles(request)
        )

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        # Profiles only: roles, permissions and passwords are a superuser's business.
        return [
            (None, {"fields": ["username", "first_name", "last_name", "email"]}),
            PROFILE,
            NOTIFICATIONS,
        ]

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return []
        # Whoever sets an account's email can have its password reset: only the owner may.
        return ["username"] if obj == request.user else ["username", "email"]

    def get_prepopulated_fields(self, request, obj=None):
        return {"slug": ["display_name"]} if obj is not None else {}

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser and str(request.user.pk) != str(id):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @admin.display(description="roles")
    def roles(self, user):
        return ", ".join(group.name for group in user.groups.all()) or "—"


class SuperusersOnly:
    """Login records and two-factor devices are a superuser's business, whatever
    permissions a role is given."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessAttempt)
class AccessAttemptAdmin(SuperusersOnly, axes_admin.AccessAttemptAdmin):
    """Failed logins still counting towards a lockout (one row per account, address and
    browser). Deleting a row, or the unlock action, lifts its lockout."""

    actions = ["unlock"]

    @admin.action(description="Unlock: forget the selected failed logins")
    def unlock(self, request, queryset):
        count, _ = queryset.delete()
        self.message_user(request, f"Unlocked: {count} failed-login records forgotten.")


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(SuperusersOnly, axes_admin.AccessFailureLogAdmin):
    """Every failed login, kept after lockouts expire."""


@admin.register(AccessLog)
class AccessLogAdmin(SuperusersOnly, axes_admin.AccessLogAdmin):
    """Every successful login, with its logout time."""


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(SuperusersOnly, otp_totp_admin.TOTPDeviceAdmin):
    """Enrolled authenticator apps. A superuser deletes one when its owner lost the phone;
    owners enrol their own from "Two-factor authentication"."""

    def has_add_permission(self, request):
        return False
