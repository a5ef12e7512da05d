from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and authors"

    def ready(self):
        from accounts.roles import sync_roles

        post_migrate.connect(sync_roles, sender=self, dispatch_uid="accounts.sync_roles")


class BylineAdminConfig(admin_apps.AdminConfig):
    """Django's admin, whose default site (`admin.site`) is Byline's: see accounts/admin_site."""

    default = False  # "accounts" alone still means AccountsConfig
    default_site = "accounts.admin_site.BylineAdminSite"
