"""Optional TOTP two-factor authentication (django-otp) for admins and branch staff.

Setup shows a QR code and the secret, and turns the device on only once a current code from it
is entered, ending the user's other sessions; turning it off also takes a code. After the
password, a user with a confirmed device enters a code on the verify page
(TwoFactorRequiredMiddleware sends them there). Wrong codes are throttled by the device itself
(django-otp's ThrottlingMixin: 1, 2, 4, 8… seconds).
"""

from __future__ import annotations

import math
from base64 import b32encode

import django_otp
from django import forms
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import role_required
from .middleware import TwoFactorRequiredMiddleware
from .qr import qr_svg
from .roles import STAFF
from .user_sessions import user_sessions_end

DEVICE_NAME = "Authenticator"


# Services ------------------------------------------------------------------------------------


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def pending_device(user) -> TOTPDevice:
    """The user's unconfirmed device, made on first use and kept until confirmed (reloading the
    setup page shows the same secret the user may already have scanned)."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def formatted_secret(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, as authenticator apps accept it typed in."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def check_code(device: TOTPDevice, code: str) -> str | None:
    """None when `code` is valid for `device`, otherwise why not (a translated message).

    The device row is locked, so two simultaneous guesses cannot both pass the throttle, and a
    code once accepted is not accepted again (django-otp remembers the last time step)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, info = device.verify_is_allowed()
        if allowed:
            if device.verify_token(code):  # resets or counts the failure
                return None
            return _("The code is wrong. Enter the current 6-digit code from the app.")
    seconds = max(math.ceil((info["locked_until"] - timezone.now()).total_seconds()), 1)
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second and try again.",
        "Too many wrong codes. Wait %(seconds)d seconds and try again.",
        seconds,
    ) % {"seconds": seconds}


@receiver(user_logged_in, dispatch_uid="portal.two_factor.remember_devices")
def remember_devices(sender, request, user, **kwargs):
    """At login, note in the session whether the user has a device, so that the middleware
    needs no query on the pages of users without one (connected by PortalConfig.ready)."""
    if request is None or not hasattr(request, "session"):
        return
    if confirmed_device(user) is None:
        request.session[TwoFactorRequiredMiddleware.SESSION_KEY] = user.pk
    else:
        request.session.pop(TwoFactorRequiredMiddleware.SESSION_KEY, None)


def mark_verified(request, device: TOTPDevice) -> None:
    """The session passed the second step (a new session key, as after a login)."""
    request.session.cycle_key()
    django_otp.login(request, device)


# Forms ---------------------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("6-digit code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]{6}",
                "autofocus": True,
            }
        ),
        error_messages={
            "required": gettext_lazy("Enter the 6-digit code from your authenticator app."),
            "min_length": gettext_lazy("The code has 6 digits."),
            "max_length": gettext_lazy("The code has 6 digits."),
        },
    )

    def __init__(self, *args, device: TOTPDevice, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError(_("The code has 6 digits."), code="digits")
        return code

    def clean(self):
        cleaned = super().clean()
        if "code" in cleaned:
            problem = check_code(self.device, cleaned["code"])
            if problem:
                self.add_error("code", problem)
        return cleaned


# Views ---------------------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("code")
@role_required(*STAFF)
def two_factor_setup(request):
    """Turn two-factor on: scan the QR code (or type the secret), then enter a current code."""
    if confirmed_device(request.user):
        messages.info(request, _("Two-factor authentication is already on."))
        return redirect("account_settings")
    device = pending_device(request.user)
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device.refresh_from_db()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        mark_verified(request, device)
        # Sessions opened elsewhere with the password alone would never be asked for the code.
        user_sessions_end(user=request.user, request=request)
        messages.success(request, _("Two-factor authentication is on."))
        return redirect("account_settings")
    return render(
        request,
        "portal/two_factor/setup.html",
        {"form": form, "qr": qr_svg(device.config_url), "secret": formatted_secret(device)},
    )


@never_cache
@sensitive_post_parameters("code")
@role_required(*STAFF)
def two_factor_disable(request):
    """Turn two-factor off, after a current code."""
    device = confirmed_device(request.user)
    if device is None:
        return redirect("account_settings")
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        TOTPDevice.objects.filter(user=request.user).delete()
        request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
        messages.success(request, _("Two-factor authentication is off."))
        return redirect("account_settings")
    return render(request, "portal/two_factor/disable.html", {"form": form})


@never_cache
@sensitive_post_parameters("code")
def two_factor_verify(request):
    """The second step of the login, for users with a confirmed device."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""  # only a path on this site ("-1" would be taken for a URL name: 500)
    device = confirmed_device(request.user)
    if device is None or is_verified(request.user):
        return redirect(next_url or request.user.get_home_url())
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        mark_verified(request, device)
        return redirect(next_url or request.user.get_home_url())
    return render(request, "portal/two_factor/verify.html", {"form": form, "next": next_url})


def is_verified(user) -> bool:
    """django-otp's check (OTPMiddleware installs it); False where the middleware is missing."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())
