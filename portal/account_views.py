"""Account pages that need more than Django's auth views, and the load balancer's health check."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device

from . import account_lock


class LoginForm(AuthenticationForm):
    """Django's login form, which also holds an account that strangers guessed at from many
    addresses (portal.account_lock) unless the account has a second factor to ask next."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "account_locked": _(
            "This account is locked for now: too many wrong passwords from several places. "
            "Reset your password by e-mail to open it, or try again in %(minutes)s minutes."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if account_lock.is_locked(username) and not self._has_second_factor(username):
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            raise ValidationError(
                self.error_messages["account_locked"],
                code="account_locked",
                params={"minutes": minutes},
            )
        return super().clean()

    @staticmethod
    def _has_second_factor(username: str) -> bool:
        user = get_user_model()._default_manager.filter(username=username).first()
        return user is not None and user_has_device(user, confirmed=True)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's password reset, which also lifts the account-wide login lock."""

    def form_valid(self, form):
        account_lock.lift(form.user.get_username())
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, which also lifts the first-login obligation to change it."""

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.request.user.must_change_password:
            self.request.user.must_change_password = False
            self.request.user.save(update_fields=["must_change_password"])
        return response


@login_not_required
def health(request):
    """For the load balancer: 200 when the database answers, 503 otherwise; nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def locked_out(request, response=None, credentials=None, *args, **kwargs):
    """What django-axes answers once a username is locked out (AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
