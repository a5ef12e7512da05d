from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class AccountsConfig(AppConfig):
    default = True  # this module holds other apps' configs too
    name = "accounts"
    verbose_name = "Accounts and authors"

    def ready(self):
        from accounts.roles import sync_roles

        post_migrate.connect(sync_roles, sender=self, dispatch_uid="accounts.sync_roles")


class BylineAdminConfig(admin_apps.AdminConfig):
    """Django's admin, whose default site (`admin.site`) is Byline's: see accounts/admin_site."""

    default = False  # "accounts" alone still means AccountsConfig
    default_site = "accounts.admin_site.BylineAdminSite"


class LoginRecordsConfig(AxesConfig):
    """django-axes, named for the superusers who read its records in the admin."""

    verbose_name = "Login records"


class TwoFactorDevicesConfig(TOTPConfig):
    """django-otp's TOTP devices, named for people rather than for the protocol."""

    verbose_name = "Two-factor devices"
