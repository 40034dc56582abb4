"""Campaign progress: the one place where registrations are counted toward targets. Every page,
export and test reads its numbers from here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Least, NullIf, TruncWeek
from django.utils import timezone

from enrollment.commission import CommissionTerms, compute_commission
from enrollment.models import CommissionRule, Registration, WorkerCategory

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


def _registration_filter(campaign: Campaign, end: datetime.date) -> Q:
    """The same rule as counted_registrations, seen from CampaignVillage rows."""
    rule = Q(
        village__registrations__created_at__date__gte=campaign.starts_on,
        village__registrations__created_at__date__lte=end,
        village__registrations__status__in=campaign.counted_statuses(),
    )
    if campaign.categories:
        rule &= Q(village__registrations__participant__category__in=campaign.categories)
    return rule


def _share(numerator, denominator):
    """numerator / denominator, capped at 1; 0 when the denominator is unknown or zero.
    (The NULL is replaced before LEAST: PostgreSQL's LEAST ignores NULLs and would give 1.)"""
    ratio = ExpressionWrapper(
        Cast(numerator, FloatField()) / NullIf(Cast(denominator, FloatField()), 0.0),
        output_field=FloatField(),
    )
    return Least(Coalesce(ratio, Value(0.0)), Value(1.0))


def _count(registrations: QuerySet):
    """A correlated subquery counting `registrations` (filtered on OuterRef("village"))."""
    counted = registrations.values("village").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def village_rows(campaign: Campaign, *, on: datetime.date | None = None) -> QuerySet:
    """The campaign's villages annotated with target, counted, share of target, officials
    enrolled, members and score (0–100, by the campaign's criteria), best score first."""
    end = _period_end(campaign, on)
    member = Q(
        village__registrations__status__in=["verified", "active"],
        village__registrations__created_at__date__lte=end,
    )
    rows = (
        CampaignVillage.objects.filter(campaign=campaign)
        .select_related("village__district__regency")
        .annotate(
            target=Coalesce("target_override", Value(campaign.default_target)),
            counted=Count("village__registrations", filter=_registration_filter(campaign, end)),
            officials_enrolled=Count(
                "village__registrations",
                filter=member
                & Q(village__registrations__participant__category=WorkerCategory.VILLAGE_OFFICIAL),
            ),
            members=Count("village__registrations", filter=member),
        )
        .annotate(
            target_share=_share(F("counted"), F("target")),
            officials_share=_share(F("officials_enrolled"), F("village__official_count")),
            working_age_share=_share(F("members"), F("village__working_age_population")),
        )
    )
    if any(c.measure == ScoreCriterion.Measure.CONTINUING for c in campaign.criteria.all()):
        in_village = Registration.objects.filter(village=OuterRef("village"))
        rows = rows.annotate(
            funding_ended=_count(in_village.village_funding_ended(end)),
            continued=_count(in_village.village_funding_ended(end).continuing()),
        ).annotate(continuing_share=_share(F("continued"), F("funding_ended")))
    else:
        rows = rows.annotate(continuing_share=Value(0.0))
    criteria = list(campaign.criteria.all()) or [
        ScoreCriterion(campaign=campaign, measure=ScoreCriterion.Measure.TARGET, weight=1)
    ]
    shares = {
        ScoreCriterion.Measure.TARGET: F("target_share"),
        ScoreCriterion.Measure.OFFICIALS: F("officials_share"),
        ScoreCriterion.Measure.WORKING_AGE: F("working_age_share"),
        ScoreCriterion.Measure.CONTINUING: F("continuing_share"),
    }
    total_weight = sum(criterion.weight for criterion in criteria) or 1
    score = sum(
        (shares[criterion.measure] * criterion.weight for criterion in criteria), Value(0.0)
    )
    rows = rows.annotate(
        score=ExpressionWrapper(score * 100.0 / total_weight, output_field=FloatField())
    )
    return rows.order_by("-score", "village__name")


def ranking(campaign: Campaign, *, on: datetime.date | None = None) -> dict[int, int]:
    """Each village's rank among all the campaign's villages by score (ties share a rank).
    Computed over every village, so a filtered table still shows the campaign-wide rank."""
    ranks, previous_score, rank = {}, None, 0
    scores = village_rows(campaign, on=on).values_list("village_id", "score")
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
        counted=Count("village__registrations", filter=_registration_filter(campaign, end)),
    )
    rows = list(per_village.values_list("target", "counted"))
    return Totals(
        counted=sum(counted for _, counted in rows),
        target=sum(target for target, _ in rows),
        villages=len(rows),
        villages_reached=sum(1 for target, counted in rows if counted >= target),
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


def campaign_forecast(campaign: Campaign, *, today: datetime.date | None = None) -> Forecast:
    today = today or timezone.localdate()
    total = totals(campaign)
    return forecast(
        weekly_counts=weekly_counts(campaign),
        counted=total.counted,
        target=total.target,
        today=today,
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
