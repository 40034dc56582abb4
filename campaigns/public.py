"""The public leaderboard of a public campaign: progress and ranking, no personal data.

Only aggregates leave this view: the campaign, its totals and per-village counts, targets and
scores. Nothing here reads a participant, a registration's fields or a user."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, render

from portal.page_cache import cached_content, on_campaign

from .models import Campaign
from .progress import numbers, ranked, ranks, with_shares
from .tables import KnownCountPaginator

VILLAGES_PER_PAGE = 50


@login_not_required
@cached_content(depends_on=on_campaign)
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
