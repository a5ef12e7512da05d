"""Optional TOTP two-factor authentication for staff, on django-otp's TOTP devices.

A staff user enrols an authenticator app from the admin ("Two-factor authentication" in the
user links); from then on the admin login asks for the code. BYLINE_REQUIRE_2FA makes it
compulsory: an unenrolled staff user can then open nothing in the admin but the enrolment page.
"""

from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

# Also said after a wrong code, when django-otp makes the next try wait (1 s, then 2, 4, ...).
CODE_REFUSED = "That code was not accepted. Wait for the next code in your app and try again."


def confirmed_device(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def unverified_but_required(request):
    """True for a logged-in staff user who gave no code while BYLINE_REQUIRE_2FA is on."""
    user = request.user
    return (
        settings.BYLINE_REQUIRE_2FA and user.is_active and user.is_staff and not user.is_verified()
    )


def _normalise(code):
    return "".join((code or "").split())


def _verify(device, code):
    """Check a code against a device, once: TOTP codes are refused on reuse (django-otp
    remembers the last time step used) and after failures (its exponential throttle)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, _ = device.verify_is_allowed()
        return allowed and device.verify_token(_normalise(code)), device


class LoginForm(AdminAuthenticationForm):
    """The admin login: username, password and, for a user with two-factor on, the code."""

    otp_token = forms.CharField(
        label="Two-factor code",
        required=False,
        max_length=12,
        help_text="Only if you turned on two-factor authentication: the 6 digits your "
        "authenticator app shows now.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "token_required": "Enter the 6-digit code from your authenticator app as well.",
        "invalid_token": "That code is wrong or has already been used. Wait for the next "
        "code in your authenticator app and try again.",
    }

    def clean(self):
        cleaned_data = super().clean()  # refuses a wrong password or a locked-out attempt
        user = self.user_cache
        device = confirmed_device(user)
        if device is None:
            return cleaned_data
        if not _normalise(cleaned_data.get("otp_token")):
            raise forms.ValidationError(
                self.error_messages["token_required"], code="token_required"
            )
        verified, device = _verify(device, cleaned_data["otp_token"])
        if not verified:
            # A wrong code is a failed login: with the password known, codes are throttled
            # like passwords (axes counts this signal).
            user_login_failed.send(
                sender=__name__,
                credentials={"username": user.get_username()},
                request=self.request,
            )
            raise forms.ValidationError(self.error_messages["invalid_token"], code="invalid_token")
        user.otp_device = device  # django-otp marks the session verified on login
        return cleaned_data


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def staff_only(view):
    """Let in any logged-in staff user, verified or not (so BYLINE_REQUIRE_2FA can send them
    here), unlike admin_view."""

    def wrapped(request, *args, **kwargs):
        if not (request.user.is_active and request.user.is_staff):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return view(request, *args, **kwargs)

    return wrapped


def two_factor_view(request, admin_site):
    """Enrol an authenticator app (QR code, then a code to confirm it), or turn it off."""
    user = request.user
    device = confirmed_device(user)
    pending = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is not None and not user.is_verified():
        # A session that did not give a code (e.g. opened before the app was enrolled
        # elsewhere) must not replace or remove the device.
        raise PermissionDenied("Log out and log in again with your code first.")

    form = CodeForm(request.POST or None)
    action = request.POST.get("action")
    if request.method == "POST" and action == "start" and device is None:
        TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
        return redirect("admin:two_factor")
    confirming = action == "confirm" and device is None and pending is not None
    if request.method == "POST" and confirming and form.is_valid():
        verified, pending = _verify(pending, form.cleaned_data["code"])
        if verified:
            pending.confirmed = True
            pending.save(update_fields=["confirmed"])
            otp_login(request, pending)
            messages.success(
                request, "Two-factor authentication is on: from now on the login asks for a code."
            )
            return redirect("admin:index")
        form.add_error("code", CODE_REFUSED)
    if request.method == "POST" and action == "disable" and device and form.is_valid():
        if settings.BYLINE_REQUIRE_2FA:
            raise PermissionDenied("This site requires two-factor authentication for staff.")
        verified, device = _verify(device, form.cleaned_data["code"])
        if verified:
            TOTPDevice.objects.devices_for_user(user, confirmed=None).delete()
            messages.success(request, "Two-factor authentication is off.")
            return redirect("admin:two_factor")
        form.add_error("code", CODE_REFUSED)

    context = {
        **admin_site.each_context(request),
        "title": "Two-factor authentication",
        "device": device,
        "pending": pending if device is None else None,
        "form": form,
        "required": settings.BYLINE_REQUIRE_2FA,
        "is_nav_sidebar_enabled": False,
    }
    if context["pending"]:
        context["qr_svg"] = mark_safe(  # segno's own markup: no text from the user
            segno.make(pending.config_url, error="m").svg_inline(scale=5, light="#fff")
        )
        key = b32encode(pending.bin_key).decode()
        context["manual_key"] = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
    return TemplateResponse(request, "admin/two_factor.html", context)
