"""Campaign progress: the one place where registrations are counted toward targets. Every page,
export and test reads its numbers from here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from enrollment.commission import CommissionTerms, compute_commission
from enrollment.models import (
    CommissionRule,
    FundedPeriod,
    FundingSource,
    Registration,
    WorkerCategory,
)

from .forecast import Forecast, forecast
from .models import Campaign, CampaignVillage, ScoreCriterion


def _period_end(campaign: Campaign, on: datetime.date | None) -> datetime.date:
    return min(campaign.ends_on, on) if on else campaign.ends_on


def counted_registrations(campaign: Campaign, *, on: datetime.date | None = None) -> QuerySet:
    """The registrations that count toward the campaign's targets (up to `on`): in a taking-part
    village, registered within the period, with a counted status and category."""
    end = _period_end(campaign, on)
    registrations = Registration.objects.filter(
        village__campaign_participations__campaign=campaign,
        created_at__date__gte=campaign.starts_on,
        created_at__date__lte=end,
        status__in=campaign.counted_statuses(),
    )
    if campaign.categories:
        registrations = registrations.filter(participant__category__in=campaign.categories)
    return registrations


def _counted_in_village(campaign: Campaign, end: datetime.date) -> QuerySet:
    """The same rule as counted_registrations, for the village of the outer CampaignVillage."""
    registrations = Registration.objects.filter(
        village=OuterRef("village"),
        created_at__date__gte=campaign.starts_on,
        created_at__date__lte=end,
        status__in=campaign.counted_statuses(),
    )
    if campaign.categories:
        registrations = registrations.filter(participant__category__in=campaign.categories)
    return registrations


def _share(numerator: int, denominator: int | None) -> float:
    """numerator / denominator capped at 1; 0 when the denominator is unknown or zero."""
    return min(numerator / denominator, 1.0) if denominator else 0.0


SHARES = {
    ScoreCriterion.Measure.TARGET: "target_share",
    ScoreCriterion.Measure.OFFICIALS: "officials_share",
    ScoreCriterion.Measure.WORKING_AGE: "working_age_share",
    ScoreCriterion.Measure.CONTINUING: "continuing_share",
}


def _count(registrations: QuerySet):
    """A correlated subquery counting `registrations` (filtered on OuterRef("village"))."""
    counted = registrations.values("village").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _count_registrations(periods: QuerySet):
    """A correlated subquery counting the distinct registrations of funded `periods`."""
    counted = (
        periods.values("registration__village")
        .annotate(n=Count("registration", distinct=True))
        .values("n")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def village_rows(
    campaign: Campaign, *, on: datetime.date | None = None, villages=None
) -> list[CampaignVillage]:
    """The campaign's villages (or only `villages`) with target, counted, officials enrolled,
    members, their shares and the score (0–100, by the campaign's criteria), best first.

    One query: every count is a correlated subquery evaluated once per village; shares and
    score are computed here, so no count is repeated inside the SQL."""
    end = _period_end(campaign, on)
    members = Registration.objects.filter(
        village=OuterRef("village"), status__in=["verified", "active"], created_at__date__lte=end
    )
    rows = (
        CampaignVillage.objects.filter(campaign=campaign)
        .select_related("village__district__regency")
        .annotate(
            target=Coalesce("target_override", Value(campaign.default_target)),
            counted=_count(_counted_in_village(campaign, end)),
            officials_enrolled=_count(
                members.filter(participant__category=WorkerCategory.VILLAGE_OFFICIAL)
            ),
            members=_count(members),
        )
    )
    if villages is not None:
        rows = rows.filter(village__in=villages)
    criteria = list(campaign.criteria.all()) or [
        ScoreCriterion(campaign=campaign, measure=ScoreCriterion.Measure.TARGET, weight=1)
    ]
    if any(criterion.measure == ScoreCriterion.Measure.CONTINUING for criterion in criteria):
        # Joins of funded periods rather than nested EXISTS: the same rule as the registration
        # queryset's village_funding_ended() and continuing(), fast enough per village.
        ended = (
            FundedPeriod.objects.village_funded()
            .filter(registration__village=OuterRef("village"), ends_on__lt=end)
            .exclude(registration__status=Registration.Status.REJECTED)
        )
        continued = ended.filter(
            registration__funded_periods__funding_source=FundingSource.PARTICIPANT,
            registration__funded_periods__starts_on__gt=F("ends_on"),
        )
        rows = rows.annotate(
            funding_ended=_count_registrations(ended), continued=_count_registrations(continued)
        )
    total_weight = sum(criterion.weight for criterion in criteria) or 1
    result = list(rows)
    for row in result:
        row.target_share = _share(row.counted, row.target)
        row.officials_share = _share(row.officials_enrolled, row.village.official_count)
        row.working_age_share = _share(row.members, row.village.working_age_population)
        row.continuing_share = _share(
            getattr(row, "continued", 0), getattr(row, "funding_ended", 0)
        )
        weighted = sum(getattr(row, SHARES[c.measure]) * c.weight for c in criteria)
        row.score = weighted * 100 / total_weight
    result.sort(key=lambda row: (-row.score, row.village.name))
    return result


def village_row(campaign: Campaign, village) -> CampaignVillage | None:
    """One village's row of the campaign (None when it does not take part)."""
    rows = village_rows(campaign, villages=[village])
    return rows[0] if rows else None


def ranking(campaign: Campaign, *, on: datetime.date | None = None) -> dict[int, int]:
    """Each village's rank among all the campaign's villages by score (ties share a rank).
    Computed over every village, so a filtered table still shows the campaign-wide rank."""
    return ranks_from_scores((row.village_id, row.score) for row in village_rows(campaign, on=on))


def ranks_from_scores(scores) -> dict[int, int]:
    """Competition ranking ("1, 2, 2, 4") of (village_id, score) pairs sorted best first."""
    ranks, previous_score, rank = {}, None, 0
    for position, (village_id, score) in enumerate(scores, start=1):
        if score != previous_score:
            rank, previous_score = position, score
        ranks[village_id] = rank
    return ranks


@dataclass(frozen=True)
class Totals:
    counted: int
    target: int
    villages: int
    villages_reached: int

    @property
    def share(self) -> float:
        return min(self.counted / self.target, 1.0) if self.target else 0.0

    @property
    def percent(self) -> int:
        return int(self.counted * 100 // self.target) if self.target else 0

    @property
    def remaining(self) -> int:
        return max(self.target - self.counted, 0)


def totals(campaign: Campaign, *, on: datetime.date | None = None) -> Totals:
    end = _period_end(campaign, on)
    per_village = CampaignVillage.objects.filter(campaign=campaign).annotate(
        target=Coalesce("target_override", Value(campaign.default_target)),
        counted=_count(_counted_in_village(campaign, end)),
    )
    return totals_from_rows(per_village)


def totals_from_rows(rows) -> Totals:
    """Totals of village rows (anything with `target` and `counted`, e.g. village_rows)."""
    pairs = [(row.target, row.counted) for row in rows]
    return Totals(
        counted=sum(counted for _, counted in pairs),
        target=sum(target for target, _ in pairs),
        villages=len(pairs),
        villages_reached=sum(1 for target, counted in pairs if counted >= target),
    )


def weekly_counts(campaign: Campaign) -> dict[datetime.date, int]:
    """Counted registrations per week (keyed by the week's Monday, Asia/Jakarta)."""
    weeks = (
        counted_registrations(campaign)
        .annotate(week=TruncWeek("created_at", tzinfo=timezone.get_current_timezone()))
        .values("week")
        .annotate(n=Count("id"))
        .order_by("week")
    )
    return {row["week"].date(): row["n"] for row in weeks}


def campaign_forecast(
    campaign: Campaign,
    *,
    today: datetime.date | None = None,
    total: Totals | None = None,
    weeks: dict[datetime.date, int] | None = None,
) -> Forecast:
    """The pace forecast; pass totals and weekly counts already at hand to avoid recounting."""
    total = total or totals(campaign)
    return forecast(
        weekly_counts=weeks if weeks is not None else weekly_counts(campaign),
        counted=total.counted,
        target=total.target,
        today=today or timezone.localdate(),
        ends_on=campaign.ends_on,
    )


BREAKDOWNS = {
    "category": "participant__category",
    "program": "jht",
    "funding_source": "funding_source",
}


def breakdown(campaign: Campaign, by: str) -> list[tuple[str, int]]:
    """Counted registrations by worker category, program or funding source, largest first."""
    field = BREAKDOWNS[by]
    rows = counted_registrations(campaign).values(field).annotate(n=Count("id")).order_by("-n")
    return [(row[field], row["n"]) for row in rows]


@dataclass
class Rollup:
    code: str
    name: str
    villages: int = 0
    villages_reached: int = 0
    counted: int = 0
    target: int = 0

    @property
    def percent(self) -> int:
        return int(self.counted * 100 // self.target) if self.target else 0


def rollup(rows, level: str) -> list[Rollup]:
    """Sum village rows (from village_rows) per district or regency, in code order."""
    groups: dict[str, Rollup] = {}
    for row in rows:
        area = row.village.district if level == "district" else row.village.district.regency
        group = groups.setdefault(area.code, Rollup(code=area.code, name=area.name))
        group.villages += 1
        group.villages_reached += row.counted >= row.target
        group.counted += row.counted
        group.target += row.target
    return [groups[code] for code in sorted(groups)]


def rank_changes(campaign: Campaign, ranks: dict[int, int], *, today=None) -> dict[int, int]:
    """How many places each village rose (positive) or fell since a week ago."""
    today = today or timezone.localdate()
    before = ranking(campaign, on=today - datetime.timedelta(days=7))
    return {village: before[village] - rank for village, rank in ranks.items() if village in before}


def agent_leaderboard(campaign: Campaign, *, today: datetime.date | None = None) -> list[dict]:
    """Perisai agents by the counted registrations they recruited for the campaign, with this
    month's recruits and the commission due for this month under the rule in force."""
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    rows = list(
        counted_registrations(campaign)
        .filter(agent__isnull=False)
        .values("agent_id", "agent__name")
        .annotate(
            recruits=Count("id"),
            this_month=Count("id", filter=Q(created_at__date__gte=month_start)),
            premiums=Sum("monthly_premium"),
        )
        .order_by("-recruits", "agent__name")
    )
    try:
        terms = CommissionTerms.from_rule(CommissionRule.objects.in_force(today))
    except CommissionRule.DoesNotExist:
        terms = None
    for row in rows:
        row["commission"] = (
            compute_commission(
                terms=terms, recruits=row["this_month"], premiums_collected=row["premiums"]
            )
            if terms
            else None
        )
    return rows
