"""Campaign progress: the one place where the numbers toward targets are read. Every page,
export and test reads them from here; campaigns.tally keeps them in step with the
registrations, so no page counts registrations."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least, NullIf
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from enrollment.commission import CommissionTerms, compute_commission
from enrollment.models import Agent, CommissionRule, Registration
from portal import progress_math
from villages.models import area_names

from . import tally
from .forecast import Forecast, forecast
from .models import Campaign, CampaignArea, CampaignVillage, CampaignWeek, ScoreCriterion


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
        .annotate(  # progress_math.share in SQL, to sort by
            target_share=Coalesce(
                Least(
                    Cast("counted", FloatField()) / NullIf(F("target"), 0),
                    Value(1.0),
                ),
                Value(0.0),
            )
        )
        .order_by("-score", "village_id")  # ties by code: the ranking index, no sort
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


def village_progress(village, campaigns: QuerySet) -> list[CampaignVillage]:
    """The village's row in each of `campaigns` it takes part in (newest first), with its
    campaign (branch office and scoring criteria at hand), its shares and its campaign-wide
    rank: one query for the rows and ranks however many campaigns there are, one for the
    criteria."""
    scoring_higher = (
        CampaignVillage.objects.filter(campaign=OuterRef("campaign"), score__gt=OuterRef("score"))
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        CampaignVillage.objects.filter(village=village, campaign__in=campaigns)
        .select_related("campaign__branch_office", "village")
        .prefetch_related("campaign__criteria")
        .annotate(
            target=Coalesce("target_override", F("campaign__default_target")),
            rank=Coalesce(Subquery(scoring_higher), 0) + 1,  # progress_math.competition_ranks
        )
        .order_by("-campaign__starts_on", "campaign__name")
    )
    return [with_shares([row], row.campaign)[0] for row in rows]


def ranks(campaign: Campaign, rows) -> dict[str, int]:
    """The campaign-wide rank of each of `rows` (progress_math.competition_ranks' rule: 1 + the
    villages scoring higher, so ties share a rank: "1, 2, 2, 4"), in one query
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
    scores = CampaignVillage.objects.filter(campaign=campaign).order_by("-score", "village_id")
    return progress_math.competition_ranks(scores.values_list("village_id", "score"))


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
    # Both counts every campaign shows: members registered (in the campaign's dates) and members
    # who paid for its last month; and retention after the village-funded months.
    registered: int = 0
    paying: int = 0
    retention_base: int = 0
    retained: int = 0

    @property
    def retention_percent(self) -> int | None:
        return progress_math.percent_or_none(self.retained, self.retention_base)

    @property
    def share(self) -> float:
        return progress_math.share(self.counted, self.target)

    @property
    def percent(self) -> int:
        return progress_math.percent(self.counted, self.target)

    @property
    def remaining(self) -> int:
        return progress_math.remaining(self.counted, self.target)


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
    totals = _totals(campaign, sum(weeks.values()))
    return Numbers(
        totals=totals,
        weeks=dict(sorted(weeks.items())),
        breakdowns={name: counts.most_common() for name, counts in by.items()},
    )


def totals(campaign: Campaign) -> Totals:
    """The campaign's totals as they are now (its sums read again)."""
    campaign.refresh_from_db(
        fields=[
            "target_total", "village_count", "villages_reached", "paying_total",
            "retention_base_total", "retained_total",
        ]
    )  # fmt: skip
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
    return [_totals(campaign, counted.get(campaign.pk) or 0) for campaign in campaigns]


def _totals(campaign: Campaign, registered: int) -> Totals:
    """`registered`: the counted registrations of the campaign's weeks; a campaign that counts
    paying members counts those who paid for its last month instead."""
    paying = campaign.paying_total
    return Totals(
        counted=paying if campaign.counts == Campaign.Counts.PAYING else registered,
        target=campaign.target_total,
        villages=campaign.village_count,
        villages_reached=campaign.villages_reached,
        registered=registered,
        paying=paying,
        retention_base=campaign.retention_base_total,
        retained=campaign.retained_total,
    )


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
        return progress_math.percent(self.counted, self.target)


def area_range(code: str) -> dict:
    """Lookups for the villages whose code starts with `code.` ("35.23" -> "35.23.xx.xxxx")."""
    return {"village__gt": f"{code}.", "village__lt": f"{code}/"}  # "/" sorts right after "."


def rollup(campaign: Campaign, level: str, *, within: str = "") -> list[Rollup]:
    """The campaign's villages summed per province, regency or district (only those within the
    area `within`), in code order: the sums campaigns.tally keeps, no counting."""
    areas = campaign.areas.filter(level=level)
    if within:
        areas = areas.filter(code__gte=within, code__lt=f"{within}/")  # it and all inside it
    return _rollups(level, areas.order_by("code").values_list("code", *SUMS))


def widest_rollup(campaign: Campaign) -> tuple[str, list[Rollup]]:
    """(level, sums): the campaign's provinces when it spans several, else its regencies; in
    one query, which asks the stored provinces which level to read."""
    province, regency = CampaignArea.Level.PROVINCE, CampaignArea.Level.REGENCY
    provinces = (
        campaign.areas.filter(level=province)
        .order_by()
        .values("campaign")
        .annotate(count=Count("pk"))
        .values("count")
    )
    widest = Case(
        When(GreaterThan(Subquery(provinces), 1), then=Value(province)), default=Value(regency)
    )
    areas = campaign.areas.filter(level=widest).order_by("code")
    rows = list(areas.values_list("level", "code", *SUMS))
    level = rows[0][0] if rows else regency
    return level, _rollups(level, (row[1:] for row in rows))


def _rollups(level: str, rows) -> list[Rollup]:
    """Rollups of (code, *SUMS) rows, named."""
    names = area_names(level)
    return [
        Rollup(code=code, name=names.get(code, code), **dict(zip(SUMS, sums, strict=True)))
        for code, *sums in rows
    ]


SUMS = ["villages", "villages_reached", "counted", "target"]
AREA_LEVELS = [str(level) for level in tally.AREA_CODE_LENGTHS]  # widest first


def offered_areas(campaign: Campaign, chosen: dict[str, str]) -> dict[str, list[Rollup]]:
    """The areas a village table offers to narrow it, step by step: the campaign's provinces,
    the regencies of the chosen province, the districts of the chosen regency (of the only
    one, where there is only one). `chosen` codes by level; a narrower choice implies the wider
    ones, so a link to a regency needs no province. A national campaign thus offers 38
    provinces, not 514 regencies and 7,000 districts at once."""
    offered: dict[str, list[Rollup]] = dict.fromkeys(AREA_LEVELS, [])
    within = ""
    for depth, level in enumerate(AREA_LEVELS):
        areas = offered[level] = rollup(campaign, level, within=within)
        codes = {area.code for area in areas}
        implied = (chosen.get(narrower, "")[: tally.AREA_CODE_LENGTHS[level]]
                   for narrower in AREA_LEVELS[depth:])  # fmt: skip
        wanted = next((code for code in implied if code), "")
        within = wanted if wanted in codes else (areas[0].code if len(areas) == 1 else "")
        if not within:
            break
    return offered


def agent_leaderboard(
    campaign: Campaign, *, user, today: datetime.date | None = None
) -> list[dict]:
    """Perisai agents by the counted registrations they recruited for the campaign, with this
    month's recruits and the commission due for this month under the rule in force. Only the
    agents `user` may see (Agent.objects.for_user, as on the agent pages): a campaign shared
    with another office does not show that office's agents and their pay."""
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    rows = list(
        counted_registrations(campaign)
        .filter(agent__in=Agent.objects.for_user(user).values("pk"))
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
