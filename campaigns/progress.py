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
    Q,
    QuerySet,
    Value,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Least, NullIf, Rank, TruncWeek
from django.utils import timezone

from enrollment.models import Registration, WorkerCategory

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
    """numerator / denominator, capped at 1; 0 when the denominator is unknown or zero."""
    return Coalesce(
        Least(
            ExpressionWrapper(
                Cast(numerator, FloatField()) / NullIf(Cast(denominator, FloatField()), 0.0),
                output_field=FloatField(),
            ),
            Value(1.0),
        ),
        Value(0.0),
    )


def village_rows(campaign: Campaign, *, on: datetime.date | None = None) -> QuerySet:
    """The campaign's villages annotated with target, counted, share of target, officials
    enrolled, members, score (0–100, by the campaign's criteria) and rank."""
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
    criteria = list(campaign.criteria.all()) or [
        ScoreCriterion(campaign=campaign, measure=ScoreCriterion.Measure.TARGET, weight=1)
    ]
    shares = {
        ScoreCriterion.Measure.TARGET: F("target_share"),
        ScoreCriterion.Measure.OFFICIALS: F("officials_share"),
        ScoreCriterion.Measure.WORKING_AGE: F("working_age_share"),
        ScoreCriterion.Measure.CONTINUING: F("target_share") * 0,
    }
    total_weight = sum(criterion.weight for criterion in criteria) or 1
    score = sum(
        (shares[criterion.measure] * criterion.weight for criterion in criteria), Value(0.0)
    )
    rows = rows.annotate(
        score=ExpressionWrapper(score * 100.0 / total_weight, output_field=FloatField())
    )
    return rows.annotate(
        rank=Window(Rank(), order_by=[F("score").desc()], output_field=IntegerField())
    ).order_by("rank", "village__name")


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


def rank_changes(campaign: Campaign, rows, *, today: datetime.date | None = None) -> dict:
    """How many places each village rose (positive) or fell since a week ago."""
    today = today or timezone.localdate()
    before = dict(
        village_rows(campaign, on=today - datetime.timedelta(days=7)).values_list(
            "village_id", "rank"
        )
    )
    return {
        row.village_id: before[row.village_id] - row.rank
        for row in rows
        if row.village_id in before
    }
