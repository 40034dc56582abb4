import time

from django.conf import settings
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    """Indonesian unless the user chose another language (the language cookie).

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is ignored: village office
    computers often run English browsers, and the portal speaks Indonesian first."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response


class PasswordChangeRequiredMiddleware:
    """An account an administrator created must choose its own password before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse("password_change"), reverse("logout"), reverse("set_language")}
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                return redirect("password_change")
        return self.get_response(request)


class SessionIdleMiddleware:
    """Keep an active user's session alive for SESSION_COOKIE_AGE after their last request,
    writing the session at most once a minute (not on every request)."""

    TOUCH_EVERY = 60  # seconds

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.get("_auth_user_id"):
            now = int(time.time())
            if now - session.get("seen", 0) >= self.TOUCH_EVERY:
                session["seen"] = now  # marks the session modified: saved with a new expiry
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than REQUEST_MAX_BYTES before reading it, with a page that
    says so (413), instead of a slow upload ending in a generic error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            return render(
                request,
                "413.html",
                {"limit": filesizeformat(settings.REQUEST_MAX_BYTES)},
                status=413,
            )
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """A user with a confirmed TOTP device enters a code after the password: until then every
    page but the code page, logout and the language switch redirects to the code page (the
    Django admin included). Needs django_otp's OTPMiddleware earlier, for `is_verified()`.

    Users without a device are remembered as such in the session (at login, by
    portal.two_factor.remember_devices, or on the first request), so their pages cost no extra
    query; a device set up later in the same session verifies that session at once."""

    SESSION_KEY = "two_factor_none"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self._must_verify(request, user):
            allowed = {
                reverse("two_factor_verify"),
                reverse("logout"),
                reverse("set_language"),
            }
            if user.must_change_password:
                # PasswordChangeRequiredMiddleware sends everything else there: no loop.
                allowed.add(reverse("password_change"))
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                from urllib.parse import urlencode

                url = reverse("two_factor_verify")
                if request.method == "GET":
                    url += "?" + urlencode({"next": request.get_full_path()})
                return redirect(url)
        return self.get_response(request)

    def _must_verify(self, request, user) -> bool:
        from django_otp import user_has_device

        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return False
        if request.session.get(self.SESSION_KEY) == user.pk:
            return False
        if user_has_device(user, confirmed=True):
            return True
        request.session[self.SESSION_KEY] = user.pk
        return False
