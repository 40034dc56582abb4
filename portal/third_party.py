"""Third-party apps in the portal's language: their app names, and the strings they (and Django
6.1's newest ones) pass through gettext without an Indonesian translation of their own.

The app configs below replace the apps' own in INSTALLED_APPS only to name them; the strings
listed in `TRANSLATED_ELSEWHERE` are marked here so that `make messages` keeps them in
locale/id, where they translate the same words wherever those apps print them."""

from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.templatetags import admin_list
from django.db.models import fields
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_noop, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as OTPTOTPConfig
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("Failed logins and lockouts")


class TOTPConfig(OTPTOTPConfig):
    verbose_name = _("Two-factor authentication")

    def ready(self):
        # The model's name is a plain string; migrations read Meta's original attributes, so
        # naming it here changes no migration.
        model = self.get_model("TOTPDevice")
        model._meta.verbose_name = _("authenticator app")
        model._meta.verbose_name_plural = _("authenticator apps")


class TasksConfig(TasksAppConfig):
    verbose_name = _("Background tasks")


def use_portal_blank_choice() -> None:
    """An empty choice reads "- Choose -" (Django 6.1's "- Select an option -" has no Indonesian
    yet); Django lets an app's ready() set it."""
    fields.BLANK_CHOICE_LABEL = _("- Choose -")


def _boolean_icon(value: bool | None) -> str:
    """The admin's yes/no icon with its alternative text in the reader's language (Django's
    says "True", "False" or "None")."""
    name, text = {True: ("yes", gettext("Yes")), False: ("no", gettext("No"))}.get(
        value, ("unknown", gettext("Unknown"))
    )
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), text)


def translate_admin_boolean_icons() -> None:
    # Every caller in the admin looks the function up in this module when it runs.
    admin_list._boolean_icon = _boolean_icon


TRANSLATED_ELSEWHERE = [
    # django-tasks-db's model names.
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    # Django 6.1's admin strings that its Indonesian catalogue does not have yet.
    gettext_noop("Filter by %(field_name)s"),
    gettext_noop("Logout"),
    ngettext_lazy("…and %(count)d more object.", "…and %(count)d more objects.", "count"),
    # Django's log-in error: its Indonesian says "nama pengguna nama pengguna".
    gettext_noop(
        "Please enter a correct %(username)s and password. Note that both "
        "fields may be case-sensitive."
    ),
    # Django 6.1's own.
    gettext_noop("“%(value)s” is not a valid binary value."),
]
