from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "email", "roles", "is_staff", "is_active"]
    list_filter = ["groups", "is_staff", "is_superuser", "is_active"]
    search_fields = ["username", "display_name", "first_name", "last_name", "email"]
    prepopulated_fields = {"slug": ["display_name"]}
    fieldsets = [
        *DjangoUserAdmin.fieldsets[:2],
        (
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
        ),
        *DjangoUserAdmin.fieldsets[2:],
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="roles")
    def roles(self, user):
        return ", ".join(group.name for group in user.groups.all()) or "—"
