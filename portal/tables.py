"""The account list's table (portal.account_admin_views.account_list pages it)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import User
from .paging import ActionsColumn

PHONE_HIDDEN = {"th": {"class": "hide-phone"}, "td": {"class": "hide-phone"}}


class AccountTable(tables.Table):
    """One row per account: a tick for the slips form (`slips-form`, outside the table: the
    checkboxes name it with form="…"), its invitation status and a form of its own to renew the
    invitation."""

    select = ActionsColumn(verbose_name=_("Select"))
    username = tables.Column(verbose_name=_("Username"))
    place = tables.Column(empty_values=(), verbose_name=_("Village or office"))
    status = tables.TemplateColumn(
        template_name="portal/accounts/includes/account_status_cell.html",
        verbose_name=_("Status"),
    )
    last_login = tables.DateTimeColumn(
        format="d-m-Y H:i", verbose_name=_("Last login"), attrs=PHONE_HIDDEN
    )
    actions = tables.TemplateColumn(
        template_name="portal/accounts/includes/account_actions_cell.html",
        verbose_name=_("Actions"),
    )

    class Meta:
        model = User
        fields = []
        sequence = ["select", "username", "place", "status", "last_login", "actions"]
        orderable = False  # by status, district, village and username, as the page always was
        # The class (django-tables2 fills in even/odd) before the test id: a row's tag still
        # ends with its test id, as the hand-written rows' did.
        row_attrs = {"class": "", "data-testid": lambda record: f"account-{record.username}"}

    def render_select(self, record):
        if not record.is_active:
            return ""
        return format_html(
            '<input type="checkbox" name="accounts" value="{}" form="slips-form"'
            ' aria-label="{} {}">',
            record.pk,
            _("Select"),
            record.username,
        )

    def render_username(self, record):
        if not record.first_name:
            return record.username
        return format_html("{}<br><small>{}</small>", record.username, record.get_full_name())

    def render_place(self, record):
        if record.village:
            return format_html(
                "{}<br><small>{}</small>", record.village.name, record.village.district.name
            )
        office = record.branch_office.name if record.branch_office else ""
        return format_html("{}<br><small>{}</small>", office, record.get_role_display())
