import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.formatting import EMPTY
from portal.paging import ActionsColumn, BoundedPaginator
from portal.templatetags.numbers import number, rupiah
from villages.models import Village

from . import progress
from .models import Agreement, CampaignVillage, Claim
from .templatetags.progress_cells import progress_cell, rank_change


class AgreementTable(tables.Table):
    title = tables.Column(linkify=True, verbose_name=_("Title"))
    status = tables.Column(accessor="get_status_display", orderable=False, verbose_name=_("Status"))

    class Meta:
        model = Agreement
        fields = ["title", "kind", "counterpart_name", "branch_office", "signed_on", "valid_until"]
        sequence = [
            "title",
            "kind",
            "counterpart_name",
            "branch_office",
            "signed_on",
            "valid_until",
            "status",
        ]
        empty_text = _("No agreements yet.")


PHONE_HIDDEN = {"th": {"class": "hide-phone"}, "td": {"class": "hide-phone"}}
NUMERIC = {"th": {"class": "numeric"}, "td": {"class": "numeric"}}


class ClaimTable(tables.Table):
    """The newest claims (the view slices them): no NIK, the member's record holds it."""

    member = tables.Column(
        accessor="registration__participant__full_name",
        linkify=lambda record: record.registration.get_absolute_url(),
        verbose_name=_("Member"),
    )
    village = tables.Column(accessor="village__name", verbose_name=_("Village"))
    programme = tables.Column(accessor="get_programme_display", verbose_name=_("Programme"))
    recipient = tables.Column(accessor="get_recipient_display", verbose_name=_("Paid to"))
    amount = tables.Column(verbose_name=_("Amount"), attrs=NUMERIC)
    paid_on = tables.DateColumn(format="d-m-Y", verbose_name=_("Paid on"))
    event = tables.Column(verbose_name=_("Handed over at"), attrs=PHONE_HIDDEN)

    class Meta:
        model = Claim
        fields = []
        sequence = ["member", "village", "programme", "recipient", "amount", "paid_on", "event"]
        orderable = False  # a slice of the newest, as the heading says
        attrs = {"data-testid": "claims"}

    def render_amount(self, value):
        return rupiah(value)


class KnownCountPaginator(BoundedPaginator):
    """A paginator told its count when the caller knows it (a campaign's village count), so
    the table need not count tens of thousands of rows for every page."""

    def __init__(self, *args, count: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if count is not None:
            self.count = count  # overrides the cached_property


class CampaignVillageTable(tables.Table):
    """One row per village of a campaign, with its progress. Ranks are campaign-wide whatever
    the filter, computed for the shown page only; the change is since the last ranking
    snapshot."""

    rank = tables.Column(empty_values=(), order_by=("-score", "village_id"), verbose_name=_("Rank"))
    village = tables.Column(accessor="village__name", verbose_name=_("Village"))
    district = tables.Column(accessor="village__district__name", verbose_name=_("District"))
    regency = tables.Column(
        accessor="village__district__regency__name",
        verbose_name=_("Regency / city"),
        attrs={"th": {"class": "hide-phone"}, "td": {"class": "hide-phone"}},
    )
    counted = tables.Column(verbose_name=_("Registered"), attrs={"td": {"class": "numeric"}})
    target = tables.Column(verbose_name=_("Target"), attrs={"td": {"class": "numeric"}})
    progress = tables.Column(
        empty_values=(),
        order_by=("-target_share", "village__name"),
        verbose_name=_("Progress"),
    )
    score = tables.Column(verbose_name=_("Score"), attrs={"td": {"class": "numeric"}})

    class Meta:
        model = CampaignVillage
        fields = []
        sequence = ["rank", "village", "district", "regency", "counted", "target", "progress",
                    "score"]  # fmt: skip
        empty_text = _("No villages match.")

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self._ranks = None

    @property
    def ranks(self) -> dict[str, int]:
        """The ranks of the rows shown (this page's, or all when not paginated)."""
        if self._ranks is None:
            if hasattr(self, "page"):
                rows = [row.record for row in self.page.object_list]
                self._ranks = progress.ranks(self.campaign, rows)
            else:  # the whole table (an export): rank every village at once
                self._ranks = progress.ranking(self.campaign)
        return self._ranks

    def render_rank(self, record):
        rank = self.ranks.get(record.village_id, "")
        change = record.rank_before - rank if record.rank_before and rank else 0
        if not change:
            return rank
        return format_html("{} {}", rank, rank_change(change, self.campaign))

    def value_rank(self, record):
        return self.ranks.get(record.village_id, "")

    def render_progress(self, record):
        return progress_cell(record)

    def render_score(self, value):
        return number_format(value, decimal_pos=1, use_l10n=True)

    def value_score(self, value):
        return round(float(value), 1)

    def value_progress(self, record):
        return float(record.target_share)  # a number in the export, shown as a percentage


COUNT = {"attrs": {"th": {"class": "number"}, "td": {"class": "number"}}, "default": EMPTY}


class VillageCountsTable(tables.Table):
    """The villages' counts (village_data_list pages them, in code order), each with its edit
    link."""

    name = tables.Column(verbose_name=_("Village"))
    code = tables.Column(verbose_name=_("Code"))
    population = tables.Column(verbose_name=_("Population"), **COUNT)
    working_age_population = tables.Column(verbose_name=_("Working-age population"), **COUNT)
    official_count = tables.Column(verbose_name=_("Village officials"), **COUNT)
    edit = ActionsColumn(verbose_name=_("Actions"))

    class Meta:
        model = Village
        fields = []
        sequence = ["name", "code", "population", "working_age_population", "official_count",
                    "edit"]  # fmt: skip
        orderable = False  # in code order, as the page always listed them
        attrs = {"class": "compact"}

    def render_name(self, record):
        return format_html(
            "{}<br><small>{}, {}</small>",
            record.name,
            record.district.name,
            record.district.regency.name,
        )

    def render_population(self, value):
        return number(value)

    render_working_age_population = render_official_count = render_population

    def render_edit(self, record):
        return format_html(
            '<a href="{}">{}<span class="visually-hidden"> {}</span></a>',
            reverse("village_data_edit", args=[record.code]),
            _("Edit"),
            record.name,
        )


class AgentBoardTable(tables.Table):
    """A campaign's Perisai agents (progress.agent_leaderboard's rows, dicts), by recruits."""

    agent = tables.Column(
        accessor="agent__name",
        linkify=lambda record: reverse("agent_detail", args=[record["agent_id"]]),
        verbose_name=_("Agent"),
    )
    recruits = tables.Column(verbose_name=_("Recruits in the campaign"), attrs=NUMERIC)
    this_month = tables.Column(verbose_name=_("This month"), attrs=NUMERIC)
    commission = tables.Column(verbose_name=_("Commission this month"), attrs=NUMERIC)

    class Meta:
        orderable = False  # by recruits, as the leaderboard orders them

    def render_recruits(self, value):
        return number(value)

    def render_commission(self, value):
        return rupiah(value.net)
