import django_tables2 as tables
from django.utils.dateformat import format as date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import ContributionRate, Registration
from .premiums import format_rupiah

PHONE_HIDDEN = {"th": {"class": "hide-phone"}, "td": {"class": "hide-phone"}}
NUMERIC = {"th": {"class": "numeric"}, "td": {"class": "numeric"}}


class RegistrationTable(tables.Table):
    name = tables.Column(
        accessor="participant__full_name",
        linkify=lambda record: record.get_absolute_url(),
        verbose_name=_("Name"),
    )
    nik = tables.Column(
        accessor="participant__nik", verbose_name=_("NIK"), order_by="participant__nik"
    )
    village = tables.Column(accessor="village__name", verbose_name=_("Village"))
    category = tables.Column(
        accessor="participant__category", verbose_name=_("Category"), attrs=PHONE_HIDDEN
    )
    programs = tables.Column(accessor="jht", verbose_name=_("Programs"), attrs=PHONE_HIDDEN)
    monthly_premium = tables.Column(
        verbose_name=_("Premium"),
        attrs={"th": {"class": "numeric hide-phone"}, "td": {"class": "numeric hide-phone"}},
    )
    status = tables.TemplateColumn(
        template_name="enrollment/includes/status_cell.html", verbose_name=_("Status")
    )
    created_at = tables.DateColumn(format="d-m-Y", verbose_name=_("Registered"))

    class Meta:
        model = Registration
        fields = []
        sequence = [
            "name", "nik", "village", "category", "programs", "monthly_premium", "status",
            "created_at",
        ]  # fmt: skip
        empty_text = _("No registrations match.")
        order_by = "-created_at"

    def __init__(self, *args, show_village=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_village:
            self.columns.hide("village")

    def render_nik(self, record):
        return record.participant.masked_nik

    def render_category(self, record):
        return record.participant.get_category_display()

    def render_programs(self, record):
        return " + ".join(record.programs)

    @cached_property
    def price_book(self):
        return ContributionRate.objects.price_book()

    def render_monthly_premium(self, value, record):
        """This month's premium (issue 18): the rates and discounts in force now, priced from
        one price book for the whole page."""
        return format_rupiah(record.premium_this_month(self.price_book))


class RecentFilesTable(tables.Table):
    """The newest uploaded files of one kind (import batches, payment uploads; the view slices
    them): the file with its link, when, and its status."""

    original_name = tables.Column(
        linkify=lambda record: record.get_absolute_url(), verbose_name=_("File")
    )
    created_at = tables.DateTimeColumn(format="d-m-Y H:i", verbose_name=_("Uploaded"))
    status = tables.Column(accessor="get_status_display", verbose_name=_("Status"))

    class Meta:
        orderable = False  # a slice of the newest, as the heading says
        attrs = {"class": "compact"}


NUMERIC_PHONE_HIDDEN = {
    "th": {"class": "numeric hide-phone"},
    "td": {"class": "numeric hide-phone"},
}
NOT_PRINTED = {"th": {"class": "no-print"}, "td": {"class": "no-print"}}


class FollowUpTable(tables.Table):
    """The members to follow up (the view prepares each row: the WhatsApp link, the premium
    due, whether they were reached); the follow-up form of each row posts the channel chosen
    from the page's `follow_up_channels`. Not sortable: the order is the view's."""

    def __init__(self, *args, show_village=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_village:
            self.columns.hide("village")

    def render_premium(self, value):
        return format_rupiah(value)


class LapsingTable(FollowUpTable):
    """Funded periods ending soon (`/pendaftaran/segera-berakhir/`)."""

    name = tables.TemplateColumn(
        template_name="enrollment/includes/lapsing_name_cell.html", verbose_name=_("Name")
    )
    nik = tables.Column(accessor="participant__masked_nik", verbose_name=_("NIK"))
    village = tables.Column(accessor="village__name", verbose_name=_("Village"))
    phone = tables.TemplateColumn(
        template_name="enrollment/includes/phone_cell.html", verbose_name=_("Phone")
    )
    paid_by = tables.Column(accessor="get_paid_by_display", verbose_name=_("Paid by"))
    paid_until = tables.DateColumn(format="d-m-Y", verbose_name=_("Paid until"))
    days_left = tables.Column(verbose_name=_("Days left"), attrs=NUMERIC)
    premium = tables.Column(
        accessor="next_premium", verbose_name=_("Monthly premium"), attrs=NUMERIC_PHONE_HIDDEN
    )
    follow_up = tables.TemplateColumn(
        template_name="enrollment/includes/lapsing_follow_up_cell.html",
        verbose_name=_("Follow-up"),
        attrs=NOT_PRINTED,
    )

    class Meta:
        orderable = False


class ArrearsTable(FollowUpTable):
    """Members who missed a month (`/pendaftaran/menunggak/`), the most recent gap first."""

    name = tables.TemplateColumn(
        template_name="enrollment/includes/arrears_name_cell.html", verbose_name=_("Name")
    )
    nik = tables.Column(accessor="participant__masked_nik", verbose_name=_("NIK"))
    village = tables.Column(accessor="village__name", verbose_name=_("Village"))
    last_paid_month = tables.DateColumn(format="m/Y", verbose_name=_("Last month paid"))
    missed = tables.Column(verbose_name=_("Months missed"), attrs=NUMERIC)
    premium = tables.Column(
        accessor="premium_due", verbose_name=_("Monthly premium"), attrs=NUMERIC_PHONE_HIDDEN
    )
    follow_up = tables.TemplateColumn(
        template_name="enrollment/includes/arrears_follow_up_cell.html",
        verbose_name=_("Follow-up"),
    )

    class Meta:
        orderable = False
        attrs = {"data-testid": "arrears"}


class AgentMonthTable(tables.Table):
    """The agents of the user's area this month (enrollment.agent_views.agent_list computes the
    rows: each agent carries `this_month`, an AgentMonth); `rule` is the commission rule in
    force, for the dropped flag's number of months."""

    name = tables.Column(verbose_name=_("Agent"))
    recruits = tables.Column(
        accessor="this_month__recruits",
        verbose_name=_("New members paying"),
        attrs={"th": {"class": "numeric"}, "td": {"class": "numeric",
                                                  "data-testid": "recruits-this-month"}},
    )  # fmt: skip
    premiums = tables.Column(
        accessor="this_month__premiums_collected",
        verbose_name=_("Premiums paid"),
        attrs={"th": {"class": "numeric hide-phone"}, "td": {"class": "numeric hide-phone"}},
    )
    commission = tables.Column(
        accessor="this_month__commission",
        verbose_name=_("Commission due (net)"),
        attrs={"th": {"class": "numeric"}, "td": {"class": "numeric", "data-testid": "commission"}},
    )
    status = tables.Column(empty_values=(), verbose_name=_("Status"))

    class Meta:
        orderable = False  # active first, then by this month's recruits, as the page always was
        row_attrs = {"data-agent": lambda record: record.pk}

    def __init__(self, *args, rule=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule = rule

    def render_name(self, value, record):
        """The name links to the agent's page; the organization is under it, outside the link."""
        link = format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)
        if not record.organization:
            return link
        return format_html("{}<br><small>{}</small>", link, record.organization)

    def render_premiums(self, value):
        return format_rupiah(value)

    def render_commission(self, value):
        if not value.bonus:
            return format_rupiah(value.net)
        return format_html(
            "{}<br><small>{}</small>", format_rupiah(value.net), gettext("incl. bonus")
        )

    def render_status(self, record):
        if record.is_active:
            status = format_html('<span class="badge badge-active">{}</span>', gettext("Active"))
        else:
            status = format_html('<span class="badge">{}</span>', gettext("Not active"))
        if not getattr(record, "no_recruits_since", False):  # annotated only under a rule
            return status
        months = self.rule.inactive_after_months if self.rule else ""
        return format_html(
            '{} <span class="badge badge-rejected" data-testid="inactive-flag">{}</span>',
            status,
            gettext("Dropped: no new member and no premium for %(months)s months")
            % {"months": months},
        )


class AgentRecruitsTable(tables.Table):
    """New members per month, one column per month (`months`, oldest first; each agent's
    `months` holds an AgentMonth for each)."""

    name = tables.Column(verbose_name=_("Agent"))

    class Meta:
        orderable = False

    def __init__(self, *args, months, **kwargs):
        extra_columns = [
            (
                f"month_{index}",
                tables.Column(
                    accessor=f"months__{index}__recruits",
                    verbose_name=date_format(month, "M Y"),
                    attrs=NUMERIC,
                ),
            )
            for index, month in enumerate(months)
        ]
        super().__init__(*args, extra_columns=extra_columns, **kwargs)
