from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from enrollment.models import FundingSource, WorkerCategory
from portal import progress_math
from portal.access import RoleRequiredMixin, ScopedQuerysetMixin, role_required, scoped_or_404
from portal.db_routers import use_replica
from portal.page_cache import cached_content, on_campaign
from portal.paging import BoundedPaginator
from portal.roles import ANY_ROLE, STAFF
from portal.spreadsheets import table_download

from . import progress
from .charts import weekly_chart
from .filters import AgreementFilter, CampaignVillageFilter
from .models import Agreement, Campaign
from .tables import AgentBoardTable, AgreementTable, CampaignVillageTable, KnownCountPaginator


class AgreementListView(RoleRequiredMixin, ScopedQuerysetMixin, SingleTableMixin, FilterView):
    roles = ANY_ROLE
    table_class = AgreementTable
    filterset_class = AgreementFilter
    template_name = "campaigns/agreement_list.html"
    paginate_by = 25
    paginator_class = BoundedPaginator
    queryset = Agreement.objects.select_related("branch_office")


class AgreementDetailView(RoleRequiredMixin, ScopedQuerysetMixin, DetailView):
    roles = ANY_ROLE
    template_name = "campaigns/agreement_detail.html"
    queryset = Agreement.objects.select_related(
        "branch_office", "counterpart_regency", "counterpart_village"
    )


@role_required(*ANY_ROLE)
def agreement_document(request, pk):
    agreement = scoped_or_404(Agreement.objects, request.user, pk=pk)
    if not agreement.document:
        raise Http404
    return FileResponse(
        agreement.document.open("rb"),
        content_type="application/pdf",
        filename=agreement.document.name.rsplit("/", 1)[-1],
    )


def scoped_campaign(request, slug, *, benefits: bool = False) -> Campaign:
    """A campaign the user may see, or 404 (the same answer as a missing one); `benefits`
    annotates what claims paid to its villages' members."""
    campaigns = Campaign.objects.select_related("branch_office").prefetch_related("criteria")
    if benefits:
        campaigns = campaigns.with_benefits()
    return scoped_or_404(campaigns, request.user, slug=slug)


@role_required(*ANY_ROLE)
def campaign_list(request):
    campaigns = list(
        Campaign.objects.for_user(request.user)
        .select_related("branch_office")
        .prefetch_related("criteria")[:50]
    )
    rows = list(zip(campaigns, progress.totals_of(campaigns), strict=True))
    return render(request, "campaigns/campaign_list.html", {"rows": rows})


TOP_VILLAGES = 10
EVENTS_SHOWN = 10


def _village_table(request, campaign, *, paginate=True):
    """The campaign's village table, narrowed by the filter (which only picks villages; ranks
    stay campaign-wide), sorted and paginated in the database; and the areas it offers."""
    areas = progress.offered_areas(
        campaign, {level: request.GET.get(level, "") for level in progress.AREA_LEVELS}
    )
    filterset = CampaignVillageFilter(request.GET, queryset=progress.ranked(campaign), areas=areas)
    table = CampaignVillageTable(filterset.qs, campaign=campaign)
    if paginate:
        RequestConfig(
            request,
            paginate={
                "per_page": 25,
                "paginator_class": KnownCountPaginator,
                "count": _known_count(campaign, filterset, areas),
            },
        ).configure(table)
    else:
        RequestConfig(request, paginate=False).configure(table)
    return filterset, table, areas


def _known_count(campaign, filterset, areas) -> int | None:
    """How many villages the filter leaves, when the campaign or a roll-up already says so:
    no COUNT over tens of thousands of rows for every page."""
    if not filterset.is_valid() or filterset.form.cleaned_data.get("q"):
        return None
    chosen = filterset.form.cleaned_data
    for level in reversed(progress.AREA_LEVELS):
        if chosen.get(level):
            return next(area.villages for area in areas[level] if area.code == chosen[level])
    return campaign.village_count


@role_required(*ANY_ROLE)
@use_replica()
@cached_content(depends_on=on_campaign)
def campaign_dashboard(request, slug):
    campaign = scoped_campaign(request, slug, benefits=True)
    numbers = progress.numbers(campaign)
    newest_events = campaign.events.select_related("village", "district").order_by(
        "-held_on", "-pk"
    )
    events = list(newest_events[: EVENTS_SHOWN + 1])
    operator_view = request.user.is_village_operator
    top = progress.with_shares(progress.ranked(campaign)[:TOP_VILLAGES], campaign)
    ranks = progress_math.competition_ranks((row.village_id, row.score) for row in top)
    for row in top:
        row.rank = ranks[row.village_id]
        row.change = progress.rank_changes([row], ranks).get(row.village_id)
    context = {
        "campaign": campaign,
        "totals": numbers.totals,
        "forecast": progress.campaign_forecast(campaign, numbers_=numbers),
        "chart": weekly_chart(
            numbers.weeks,
            starts_on=campaign.starts_on,
            ends_on=min(campaign.ends_on, timezone.localdate()),
            events=campaign.events.weekly_markers(),
        ),
        "top": top,
        "events": events[:EVENTS_SHOWN],
        "more_events": len(events) > EVENTS_SHOWN,
        "operator_view": operator_view,
        "today": timezone.localdate(),
        "benefits": campaign.benefits,
    }
    if not operator_view:
        # A campaign across provinces sums them; within one, its regencies.
        area_level, areas = progress.widest_rollup(campaign)
        context.update(breakdowns=_labelled_breakdowns(numbers), area_level=area_level, areas=areas)
    return render(request, "campaigns/dashboard.html", context)


@role_required(*STAFF)
@use_replica()
def campaign_agents(request, slug):
    """The campaign's Perisai agents by recruits, with this month's commission. Counted from
    the registrations, on its own page: the dashboard reads only kept numbers."""
    campaign = scoped_campaign(request, slug)
    agents = progress.agent_leaderboard(campaign, user=request.user)
    return render(
        request,
        "campaigns/agents.html",
        {"campaign": campaign, "agents": agents, "table": AgentBoardTable(agents)},
    )


@role_required(*ANY_ROLE)
@use_replica()
@cached_content(depends_on=on_campaign)
def campaign_villages(request, slug):
    """Every village of the campaign: narrow by province, regency, district or name, sort, rank,
    export; the sums of the areas one level down."""
    campaign = scoped_campaign(request, slug)
    filterset, table, areas = _village_table(request, campaign)
    return render(
        request,
        "campaigns/villages.html",
        {
            "campaign": campaign,
            "filter": filterset,
            "table": table,
            "areas": areas,
            "operator_view": request.user.is_village_operator,
        },
    )


def _labelled_breakdowns(numbers) -> list[tuple[str, list[tuple[str, int]]]]:
    labels = {
        "category": dict(WorkerCategory.choices),
        "program": {True: "JKK + JKM + JHT", False: "JKK + JKM"},
        "funding_source": dict(FundingSource.choices),
    }
    titles = {
        "category": _("By worker category"),
        "program": _("By program"),
        "funding_source": _("By who pays"),
    }
    return [
        (titles[by], [(labels[by].get(key, key), count) for key, count in numbers.breakdowns[by]])
        for by in ("category", "program", "funding_source")
    ]


@role_required(*STAFF)
@use_replica()
def campaign_villages_export(request, slug, fmt):
    """The village table exactly as filtered and sorted on the dashboard, as CSV or XLSX."""
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    campaign = scoped_campaign(request, slug)
    _, table, _areas = _village_table(request, campaign, paginate=False)
    rows = table.as_values()
    header = next(rows)
    progress = [i for i, title in enumerate(header) if title == table.columns["progress"].header]
    return table_download(
        [header, *rows], file_format=fmt, name=f"{campaign.slug}-desa", percent_columns=progress
    )
