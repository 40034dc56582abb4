"""Campaign setup by branch staff and admins (campaigns, targets, socialization events) and the
Dana Desa budget planner of a campaign's village."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from enrollment.commission import add_months
from enrollment.models import ContributionRate, FundingSource, WorkerCategory
from enrollment.premiums import month_of
from portal import progress_math
from portal.access import role_required, scoped_or_404
from portal.roles import ANY_ROLE, STAFF
from villages.models import Village

from . import services
from .forms import BudgetForm, CampaignForm, EventForm
from .models import Campaign, SocializationEvent
from .progress import village_row

EVENTS_PER_PAGE = 25
BUDGET_MONTHS = 12


@role_required(*STAFF)
def campaign_create(request):
    return _campaign_form(request, Campaign())


@role_required(*STAFF)
def campaign_edit(request, slug):
    campaign = get_object_or_404(Campaign.objects.managed_by(request.user), slug=slug)
    return _campaign_form(request, campaign)


def _campaign_form(request, campaign: Campaign):
    creating = campaign.pk is None
    form = CampaignForm(request.POST or None, instance=campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_save(
                campaign=form.save(commit=False),
                weights=form.weights(),
                by=request.user,
                village_changes=form.village_changes(),
            )
        except services.OutsideArea as error:
            form.add_error(
                None,
                _("Outside your area, nothing was saved: %(codes)s")
                % {"codes": ", ".join(error.codes)},
            )
        else:
            count = campaign.participations.count()
            messages.success(
                request,
                ngettext(
                    "The campaign is saved; %(count)s village takes part.",
                    "The campaign is saved; %(count)s villages take part.",
                    count,
                )
                % {"count": count},
            )
            return redirect(campaign)
    participations = (
        []
        if creating
        else campaign.participations.select_related("village__district__regency").order_by(
            "village"
        )
    )
    return render(
        request,
        "campaigns/campaign_form.html",
        {
            "form": form,
            "campaign": None if creating else campaign,
            "participations": participations,
        },
    )


@dataclass(frozen=True)
class BudgetLine:
    """One package for some workers over some months, each month priced by its own rates
    and discounts (`premiums`, one per month from this one)."""

    label: str
    premiums: tuple[int, ...]
    workers: int

    @property
    def months(self) -> int:
        return len(self.premiums)

    @property
    def monthly_premium(self) -> int:
        """This month's premium per worker."""
        return self.premiums[0]

    @property
    def per_month(self) -> int:
        return self.monthly_premium * self.workers

    @property
    def total(self) -> int:
        return sum(self.premiums) * self.workers


@role_required(*ANY_ROLE)
def budget_planner(request, slug, village_code):
    """The Dana Desa / ADD budget to pay a village's remaining workers' premiums for some months,
    at the cheapest package (JKK + JKM of a BPU worker at the lowest declared income), with and
    without JHT; each month priced by the rates and discounts in force that month. A kelurahan
    gets none, and its page says why."""
    campaign = scoped_or_404(Campaign.objects.prefetch_related("criteria"), request.user, slug=slug)
    village = scoped_or_404(Village.objects.with_names(), request.user, pk=village_code)
    row = village_row(campaign, village)
    if row is None:
        raise Http404
    if village.is_kelurahan:
        # No Dana Desa and no ADD reach a kelurahan: there is no village budget to plan.
        return render(
            request,
            "campaigns/budget_planner_kelurahan.html",
            {"campaign": campaign, "village": village},
        )
    remaining = progress_math.remaining(row.counted, row.target)
    form = BudgetForm(request.GET or None, initial={"workers": remaining, "months": BUDGET_MONTHS})
    rate = ContributionRate.objects.in_force()
    book = ContributionRate.objects.price_book()
    first = month_of(timezone.localdate())
    lines = []
    if not form.is_bound or form.is_valid():
        plan = form.cleaned_data if form.is_bound else form.initial
        months = [add_months(first, n) for n in range(plan["months"])]
        for label, jht in ((_("JKK + JKM"), False), (_("JKK + JKM + JHT"), True)):
            priced = tuple(
                book.price(
                    category=WorkerCategory.INFORMAL,
                    income=rate.min_income,
                    jht=jht,
                    payer=FundingSource.DANA_DESA,
                    month=month,
                ).total
                for month in months
            )
            lines.append(BudgetLine(label, priced, plan["workers"]))
    return render(
        request,
        "campaigns/budget_planner.html",
        {
            "campaign": campaign,
            "village": village,
            "row": row,
            "remaining": remaining,
            "form": form,
            "lines": lines,
            "rate": rate,
        },
    )


@role_required(*ANY_ROLE)
def event_list(request):
    events = SocializationEvent.objects.for_user(request.user).select_related(
        "campaign", "village", "district__regency"
    )
    campaign = None
    if request.GET.get("campaign"):
        campaign = scoped_or_404(Campaign.objects, request.user, slug=request.GET["campaign"])
        events = events.filter(campaign=campaign)
    page = Paginator(events.order_by("-held_on", "-pk"), EVENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "campaigns/event_list.html",
        {
            "page": page,
            "events": page.object_list,
            "campaign": campaign,
            "can_add": request.user.is_admin_or_branch_staff,
        },
    )


@role_required(*STAFF)
def event_create(request):
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        event = form.save()
        messages.success(request, _("The event “%(event)s” is recorded.") % {"event": event})
        return redirect("event_list")
    return render(request, "campaigns/event_form.html", {"form": form})
