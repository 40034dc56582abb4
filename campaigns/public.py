"""The public leaderboard of a public campaign: progress and ranking, no personal data.

Only aggregates leave this view: the campaign, its totals and per-village counts, targets and
scores. Nothing here reads a participant, a registration's fields or a user."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, render

from portal.page_cache import cached_content, campaign_scope, on_campaign, page_number

from .models import Campaign, SocializationEvent
from .progress import numbers, ranked, ranks, totals_of, with_shares
from .tables import KnownCountPaginator

VILLAGES_PER_PAGE = 50
CAMPAIGNS_SHOWN = 50
EVENTS_SHOWN = 20


def _public_campaigns(request) -> list[str]:
    """What the public front door depends on: every public campaign's own scope."""
    slugs = Campaign.objects.public().values_list("slug", flat=True)[:CAMPAIGNS_SHOWN]
    return [campaign_scope(slug) for slug in slugs]


@login_not_required
@cached_content(depends_on=_public_campaigns, params={})
def public_campaigns(request):
    """The front door anyone may open: the public campaigns, their progress and their
    socialization events. Aggregates, places and dates only; a bounded number of queries."""
    campaigns = list(
        Campaign.objects.public()
        .select_related("branch_office")
        .order_by("-starts_on", "name")[:CAMPAIGNS_SHOWN]
    )
    events = (
        SocializationEvent.objects.filter(campaign__in=campaigns)
        .select_related("campaign", "village", "district")
        .order_by("-held_on")[:EVENTS_SHOWN]
    )
    return render(
        request,
        "campaigns/public_campaigns.html",
        {"rows": list(zip(campaigns, totals_of(campaigns), strict=True)), "events": events},
    )


@login_not_required
@cached_content(depends_on=on_campaign, params={"page": page_number})
def leaderboard(request, slug):
    campaign = get_object_or_404(
        Campaign.objects.public()
        .with_benefits()
        .select_related("branch_office")
        .prefetch_related("criteria"),
        slug=slug,
    )
    page = KnownCountPaginator(
        ranked(campaign), VILLAGES_PER_PAGE, count=campaign.village_count
    ).get_page(request.GET.get("page"))
    rows = with_shares(page.object_list, campaign)
    rank_of = ranks(campaign, rows)
    for row in rows:
        row.rank = rank_of[row.village_id]
    return render(
        request,
        "campaigns/leaderboard.html",
        {
            "campaign": campaign,
            "criteria": campaign.criteria.all(),
            "total": numbers(campaign).totals,
            # An aggregate only: no member, no claim, no village of a claim.
            "benefits": campaign.benefits,
            "page": page,
            "rows": rows,
        },
    )
