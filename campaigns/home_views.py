"""The home pages of the roles that work on campaigns: the branch's (what waits: registrations to
verify per village, the running campaigns, agreements ending) and the village operator's (the
village's campaigns, progress, agreements and events). portal.views.home sends each user to
theirs."""

import datetime

from django.db.models import Count, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.shortcuts import render
from django.utils import timezone

from enrollment.models import LAPSING_WITHIN_DAYS, Registration
from portal import progress_math
from portal.access import role_required
from portal.page_cache import cached_content, campaign_scope, village_scope
from portal.roles import BRANCH_STAFF_ONLY, VILLAGE_OPERATOR_ONLY
from villages.models import Village

from .models import Agreement, Campaign, CampaignVillage, Claim, SocializationEvent
from .progress import totals_of, village_progress

# What the branch home shows of what waits: the villages waiting longest, the running
# campaigns, and the agreements ending within this many days (time to renew them).
BRANCH_HOME_VILLAGES = 20
BRANCH_HOME_CAMPAIGNS = 10
AGREEMENTS_ENDING_DAYS = 90


@role_required(*BRANCH_STAFF_ONLY)
def branch_home(request):
    """What waits for the branch: registrations to verify per village, the running campaigns'
    progress, agreements ending soon; then its coverage and latest agreements."""
    office = request.user.branch_office
    regencies = (
        office.covered_regencies()
        .select_related("province")
        .annotate(village_count=Count("districts__villages", distinct=True))
        .order_by("code")
    )
    agreements = Agreement.objects.for_user(request.user).select_related("branch_office")[:5]
    today = timezone.localdate()
    waiting = list(
        Registration.objects.for_user(request.user).waiting_per_village()[:BRANCH_HOME_VILLAGES]
    )
    running = list(
        Campaign.objects.for_user(request.user)
        .running(today)
        .select_related("branch_office")[:BRANCH_HOME_CAMPAIGNS]
    )
    ending = (
        Agreement.objects.for_user(request.user)
        .active(today)
        .filter(valid_until__lte=today + datetime.timedelta(days=AGREEMENTS_ENDING_DAYS))
        .select_related("branch_office")
        .order_by("valid_until", "pk")
    )
    return render(
        request,
        "portal/branch_home.html",
        {
            "office": office,
            "regencies": regencies,
            "agreements": agreements,
            "waiting": waiting,
            "waiting_shown": BRANCH_HOME_VILLAGES,
            "campaigns": list(zip(running, totals_of(running), strict=True)),
            "ending": ending,
            "ending_days": AGREEMENTS_ENDING_DAYS,
        },
    )


def _village_and_its_campaigns(request):
    village = request.user.village_id
    # The scope names of the village's campaigns, in SQL: composing this subquery in the ORM
    # cost about 1 ms on every visit, more than running it.
    campaigns = RawSQL(
        f"SELECT %s || campaign.slug FROM {CampaignVillage._meta.db_table} joined"
        f" JOIN {Campaign._meta.db_table} campaign ON campaign.id = joined.campaign_id"
        " WHERE joined.village_id = %s",
        [campaign_scope(""), village],
    )
    return [village_scope(village), campaigns]


@role_required(*VILLAGE_OPERATOR_ONLY)
@cached_content(depends_on=_village_and_its_campaigns)
def village_home(request):
    """The operator's home: the village's progress and rank in each campaign it takes part in,
    its recent registrations, funded periods ending soon, agreements and events."""
    user = request.user
    village = (
        Village.objects.with_names()
        .annotate(**Claim.objects.benefit_subqueries(village=OuterRef("pk")))
        .get(pk=user.village_id)
    )
    progress = [
        (row.campaign, row, progress_math.remaining(row.counted, row.target))
        for row in village_progress(village, Campaign.objects.for_user(user))
    ]
    registrations = Registration.objects.for_user(user)
    recent = registrations.select_related("participant")[:5]
    lapsing = registrations.lapsing_within(LAPSING_WITHIN_DAYS).select_related("participant")[:10]
    agreements = Agreement.objects.for_user(user).select_related("branch_office")
    events = (
        SocializationEvent.objects.filter(
            Q(village=village) | Q(village__isnull=True, district=village.district_id)
        )
        .select_related("village", "district", "campaign")
        .order_by("-held_on", "-pk")[:10]
    )
    return render(
        request,
        "portal/village_home.html",
        {
            "village": village,
            "progress": progress,
            "recent": recent,
            "lapsing": lapsing,
            "lapsing_days": LAPSING_WITHIN_DAYS,
            "agreements": agreements,
            "events": events,
            "benefits": {"amount": village.benefits_amount, "families": village.benefit_families},
        },
    )
