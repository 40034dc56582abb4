"""Campaign progress: the one place where the numbers toward targets are read. Every page,
export and test reads them from here; campaigns.tally keeps them in step with the
registrations, so no page counts registrations."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import (
    Count,
    F,
    FloatField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Least, Left, NullIf
from django.utils import timezone

from enrollment.commission import CommissionTerms, compute_commission
from enrollment.models import CommissionRule, Registration
from villages.models import area_names

from . import tally
from .forecast import Forecast, forecast
from .models import Campaign, CampaignVillage, CampaignWeek, ScoreCriterion


def _period_end(campaign: Campaign, on: datetime.date | None) -> datetime.date:
    return min(campaign.ends_on, on) if on else campaign.ends_on


def counted_registrations(campaign: Campaign, *, on: datetime.date | None = None) -> QuerySet:
    """The registrations that count toward the campaign's targets (up to `on`): in a taking-part
    village, registered within the period, with a counted status and category."""
    return Registration.objects.filter(
        tally.counted_rule(campaign, end=_period_end(campaign, on)),
        village__campaign_participations__campaign=campaign,
    )


def ranked(campaign: Campaign) -> QuerySet:
    """The campaign's village rows with their stored numbers and target, best score first."""
    return (
        CampaignVillage.objects.filter(campaign=campaign)
        .select_related("village__district__regency")
        .annotate(target=Coalesce("target_override", Value(campaign.default_target)))
        .annotate(
            target_share=Coalesce(
                Least(
                    Cast("counted", FloatField()) / NullIf(F("target"), 0),
                    Value(1.0),
                ),
                Value(0.0),
            )
        )
        .order_by("-score", "village__name")
    )


def with_shares(rows, campaign: Campaign) -> list[CampaignVillage]:
    """The rows, each with its shares (target_share, officials_share, working_age_share,
    continuing_share) for display."""
    rows = list(rows)
    for row in rows:
        for measure, value in tally.shares(row, campaign).items():
            setattr(row, SHARES[measure], value)
    return rows


SHARES = {
    ScoreCriterion.Measure.TARGET: "target_share",
    ScoreCriterion.Measure.OFFICIALS: "officials_share",
    ScoreCriterion.Measure.WORKING_AGE: "working_age_share",
    ScoreCriterion.Measure.CONTINUING: "continuing_share",
}


def village_rows(campaign: Campaign, *, villages=None) -> list[CampaignVillage]:
    """The campaign's villages (or only `villages`) with target, counted, officials enrolled,
    members, their shares and the score (0–100, by the campaign's criteria), best first. Reads
    the numbers campaigns.tally keeps; meant for one village or a page of them."""
    rows = ranked(campaign)
    if villages is not None:
        rows = rows.filter(village__in=villages)
    return with_shares(rows, campaign)


def village_row(campaign: Campaign, village) -> CampaignVillage | None:
    """One village's row of the campaign (None when it does not take part)."""
    rows = village_rows(campaign, villages=[village])
    return rows[0] if rows else None


def ranks(campaign: Campaign, rows) -> dict[str, int]:
    """The campaign-wide rank of each of `rows` (ties share a rank: "1, 2, 2, 4"): one query
    over the villages scoring above the lowest of them, counting for each score how many
    score higher."""
    rows = list(rows)
    scores = sorted({row.score for row in rows})
    if not scores:
        return {}
    higher = CampaignVillage.objects.filter(campaign=campaign, score__gt=scores[0]).aggregate(
        **{f"above_{i}": Count("pk", filter=Q(score__gt=score)) for i, score in enumerate(scores)}
    )
    rank_of = {score: higher[f"above_{i}"] + 1 for i, score in enumerate(scores)}
    return {row.village_id: rank_of[row.score] for row in rows}


def ranking(campaign: Campaign) -> dict[str, int]:
    """Every village's rank, best first: for tests and small campaigns (reads every row)."""
    scores = CampaignVillage.objects.filter(campaign=campaign).order_by("-score", "village__name")
    return ranks_from_scores(scores.values_list("village_id", "score"))


def ranks_from_scores(scores) -> dict[str, int]:
    """Competition ranking ("1, 2, 2, 4") of (village_id, score) pairs sorted best first."""
    result, previous_score, rank = {}, None, 0
    for position, (village_id, score) in enumerate(scores, start=1):
        if score != previous_score:
            rank, previous_score = position, score
        result[village_id] = rank
    return result


def rank_changes(rows, ranks: dict[str, int]) -> dict[str, int]:
    """How many places each row's village rose (positive) or fell since the last ranking
    snapshot (campaigns.services.rankings_snapshot)."""
    return {
        row.village_id: row.rank_before - ranks[row.village_id]
        for row in rows
        if row.rank_before is not None and row.village_id in ranks
    }


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


BREAKDOWNS = ["category", "program", "funding_source"]


@dataclass(frozen=True)
class Numbers:
    """A campaign's totals, weekly counts and breakdowns, from its stored weekly counts."""

    totals: Totals
    weeks: dict[datetime.date, int]
    breakdowns: dict[str, list[tuple]]


def numbers(campaign: Campaign) -> Numbers:
    """One query: the campaign's weekly counts by category, programme and funding source."""
    weeks: Counter = Counter()
    by: dict[str, Counter] = {name: Counter() for name in BREAKDOWNS}
    for week, category, jht, source, n in campaign.weeks.filter(count__gt=0).values_list(
        "week", "category", "jht", "funding_source", "count"
    ):
        weeks[week] += n
        by["category"][category] += n
        by["program"][jht] += n
        by["funding_source"][source] += n
    totals = Totals(
        counted=sum(weeks.values()),
        target=campaign.target_total,
        villages=campaign.village_count,
        villages_reached=campaign.villages_reached,
    )
    return Numbers(
        totals=totals,
        weeks=dict(sorted(weeks.items())),
        breakdowns={name: counts.most_common() for name, counts in by.items()},
    )


def totals(campaign: Campaign) -> Totals:
    """The campaign's totals as they are now (its sums read again)."""
    campaign.refresh_from_db(fields=["target_total", "village_count", "villages_reached"])
    return numbers(campaign).totals


def totals_of(campaigns: list[Campaign]) -> list[Totals]:
    """The totals of several campaigns (a list page): one query for them all."""
    counted = dict(
        CampaignWeek.objects.filter(campaign__in=campaigns)
        .order_by()
        .values("campaign")
        .annotate(n=Sum("count"))
        .values_list("campaign", "n")
    )
    return [
        Totals(
            counted=counted.get(campaign.pk) or 0,
            target=campaign.target_total,
            villages=campaign.village_count,
            villages_reached=campaign.villages_reached,
        )
        for campaign in campaigns
    ]


def weekly_counts(campaign: Campaign) -> dict[datetime.date, int]:
    """Counted registrations per week (keyed by the week's Monday, Asia/Jakarta)."""
    return numbers(campaign).weeks


def breakdown(campaign: Campaign, by: str) -> list[tuple[str, int]]:
    """Counted registrations by worker category, program or funding source, largest first."""
    return numbers(campaign).breakdowns[by]


def campaign_forecast(
    campaign: Campaign, *, today: datetime.date | None = None, numbers_: Numbers | None = None
) -> Forecast:
    """The pace forecast (pass the campaign's numbers when already at hand)."""
    numbers_ = numbers_ or numbers(campaign)
    return forecast(
        weekly_counts=numbers_.weeks,
        counted=numbers_.totals.counted,
        target=numbers_.totals.target,
        today=today or timezone.localdate(),
        ends_on=campaign.ends_on,
    )


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


AREA_CODE_LENGTH = {"regency": len("35.23"), "district": len("35.23.12")}


def area_range(code: str) -> dict:
    """Lookups for the villages whose code starts with `code.` ("35.23" -> "35.23.xx.xxxx")."""
    return {"village__gt": f"{code}.", "village__lt": f"{code}/"}  # "/" sorts right after "."


def rollup(campaign: Campaign, level: str, *, within: str = "") -> list[Rollup]:
    """The campaign's villages summed per district or regency (only those whose code starts
    with `within`), in code order: one grouped query over the stored numbers."""
    target = Coalesce("target_override", Value(campaign.default_target))
    rows = (
        CampaignVillage.objects.filter(campaign=campaign, **(area_range(within) if within else {}))
        .annotate(area=Left("village_id", AREA_CODE_LENGTH[level]))
        .order_by()
        .values("area")
        .annotate(
            villages=Count("pk"),
            villages_reached=Count("pk", filter=Q(counted__gte=target)),
            counted=Sum("counted"),
            target=Sum(target),
        )
        .order_by("area")
    )
    names = area_names(level)
    groups = []
    for row in rows:
        code = row.pop("area")
        groups.append(Rollup(code=code, name=names.get(code, code), **row))
    return groups


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
    if not rows:
        return rows
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
