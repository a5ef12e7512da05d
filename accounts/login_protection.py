"""Login throttling with django-axes, set up for Byline (settings: AXES_* in config/settings.py).

An account is locked at one address after BYLINE_LOGIN_FAILURE_LIMIT failures, and a whole
address after BYLINE_LOGIN_ADDRESS_FAILURE_LIMIT failures on any accounts, each for
BYLINE_LOGIN_LOCKOUT_MINUTES after the last failure. An account is never locked from every
address at once: that would let anyone lock the editors out by guessing from elsewhere.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.shortcuts import render
from django.utils.crypto import salted_hmac


class LoginAttemptHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own for the address.

    Axes compares one failure count with one limit (AXES_FAILURE_LIMIT). Its lockout parameters
    here are [account at address, address]; the address's count is put on the account's
    scale, so that it reaches the limit exactly at BYLINE_LOGIN_ADDRESS_FAILURE_LIMIT.
    """

    def get_failures(self, request, credentials=None):
        account_at_address, address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        address_scaled = (
            address * settings.AXES_FAILURE_LIMIT // settings.BYLINE_LOGIN_ADDRESS_FAILURE_LIMIT
        )
        return max(account_at_address, address_scaled)

    def reset_user_attempts(self, request, credentials=None):
        # A successful login forgets that account's failures at that address, not the whole
        # address's: someone with an account of their own must not wipe their guessing count.
        account_at_address = self.filter_user_attempts(request, credentials)[0]
        count, _ = account_at_address.delete()
        return count


def recorded_username(request, credentials=None):
    """The name axes counts and stores for a login attempt.

    A name that is not an account is stored as a keyed hash: people type their password into
    the username field, and the records must never hold one. Each unknown name still has its
    own count, so a lockout tells nothing about which names exist.
    """
    if credentials:
        username = credentials.get("username")
    else:
        username = request.POST.get("username")
    if not username:
        return None
    User = get_user_model()
    if User._default_manager.filter(**{User.USERNAME_FIELD: username}).exists():
        return username
    return (
        "unknown-"
        + salted_hmac("byline.login.username", username, algorithm="sha256").hexdigest()[:16]
    )


def lockout_response(request, original_response=None, credentials=None):
    """The admin login page's lockout message, the same whether or not the account exists."""
    from django.contrib import admin

    minutes = settings.BYLINE_LOGIN_LOCKOUT_MINUTES
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "lockout_minutes": minutes,
    }
    response = render(request, "admin/login_locked.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
