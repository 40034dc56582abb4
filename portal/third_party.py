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
from django.utils.translation import gettext, gettext_noop, ngettext_lazy, override
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as OTPTOTPConfig
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("Failed logins and lockouts")


# django-otp's TOTP device fields: their names and help texts are plain English strings. Each is
# replaced by the same English through gettext_lazy, so the admin shows them in the reader's
# language; makemigrations compares them with translations off, so no migration changes.
TOTP_FIELD_TEXTS = {
    "user": (_("user"), _("The user that this device belongs to.")),
    "name": (_("name"), _("The human-readable name of this device.")),
    "confirmed": (_("confirmed"), _("Is this device ready for use?")),
    "created_at": (
        _("created at"),
        _("The date and time when this device was initially created in the system."),
    ),
    "last_used_at": (_("last used at"), _("The most recent date and time this device was used.")),
    "key": (_("key"), _("A hex-encoded secret key of up to 40 bytes.")),
    "step": (_("step"), _("The time step in seconds.")),
    "t0": (_("t0"), _("The Unix time at which to begin counting steps.")),
    "digits": (_("digits"), _("The number of digits to expect in a token.")),
    "tolerance": (
        _("tolerance"),
        _("The number of time steps in the past or future to allow."),
    ),
    "drift": (
        _("drift"),
        _("The number of time steps the prover is known to deviate from our clock."),
    ),
    "throttling_failure_timestamp": (
        _("throttling failure timestamp"),
        _("A timestamp of the last failed verification attempt. Null if last attempt succeeded."),
    ),
    "throttling_failure_count": (
        _("throttling failure count"),
        _("Number of successive failed attempts."),
    ),
}


def _same_english(text, field_text: str) -> bool:
    with override(None):
        return str(text) == field_text


class TOTPConfig(OTPTOTPConfig):
    verbose_name = _("Two-factor authentication")

    def ready(self):
        # The model's name is a plain string; migrations read Meta's original attributes, so
        # naming it here changes no migration.
        model = self.get_model("TOTPDevice")
        model._meta.verbose_name = _("authenticator app")
        model._meta.verbose_name_plural = _("authenticator apps")
        for name, (verbose_name, help_text) in TOTP_FIELD_TEXTS.items():
            field = model._meta.get_field(name)
            # Only where django-otp still says the same: a changed text stays as it is (and
            # no migration of django-otp's own is ever asked for).
            if _same_english(verbose_name, field.verbose_name):
                field.verbose_name = verbose_name
            if _same_english(help_text, field.help_text):
                field.help_text = help_text


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
