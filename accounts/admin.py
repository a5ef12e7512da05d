from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied

from accounts.models import User
from blog.admin import TextOnlyQueryMixin

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


@admin.register(User)
class UserAdmin(TextOnlyQueryMixin, DjangoUserAdmin):
    """Superusers manage accounts; Editors edit every author's profile; every other writer
    edits their own profile and nothing else."""

    list_display = ["username", "display_name", "email", "roles", "is_staff", "is_active"]
    list_filter = ["groups", "is_staff", "is_superuser", "is_active"]
    search_fields = ["username", "display_name", "first_name", "last_name", "email"]
    fieldsets = [*DjangoUserAdmin.fieldsets[:2], PROFILE, *DjangoUserAdmin.fieldsets[2:]]
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
        return [(None, {"fields": ["username", "first_name", "last_name", "email"]}), PROFILE]

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
