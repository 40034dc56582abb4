"""Campaign numbers kept in step with the registrations, so that no page has to count them.

Each village's numbers in a campaign live on its CampaignVillage row (counted, members,
officials enrolled, the funding figures and the score), the campaign's sums on the Campaign
(villages, target, villages that reached it), the sums per province, regency and district in
CampaignArea and the weekly counts in CampaignWeek. Every write to registrations announces
itself inside its own transaction (enrollment.changes.registrations_changed, and
villages.signals.village_facts_changed for a village's counts); CampaignsConfig.ready connects
the receivers below, so the numbers change exactly when the registrations do, or not at all.
reconcile() counts everything again from the registrations and reports, then repairs, any
difference.

The counting rule itself is the one of campaigns.progress.counted_registrations: a registration
counts when its village takes part, it was registered within the campaign's dates (Asia/Jakarta)
and its status and worker category count.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from enrollment.changes import Fact
from enrollment.models import FundedPeriod, FundingSource, Payment, Registration, WorkerCategory
from enrollment.models.payments import FULL_PAYMENT
from enrollment.premiums import EMPLOYER_CATEGORIES
from portal import page_cache
from portal.progress_math import share

from .models import Campaign, CampaignArea, CampaignVillage, CampaignWeek, ScoreCriterion

NUMBERS = [
    "counted", "members", "officials_enrolled", "funding_ended", "continued", "paying",
    "retention_base", "retained",
]  # fmt: skip
# The numbers kept on the campaign itself as the sums of its villages'.
PAYMENT_SUMS = {"paying": "paying_total", "retention_base": "retention_base_total",
                "retained": "retained_total"}  # fmt: skip
# A village's code starts with its district's, regency's and province's: "35.23.12.2002".
AREA_CODE_LENGTHS = {
    CampaignArea.Level.PROVINCE: len("35"),
    CampaignArea.Level.REGENCY: len("35.23"),
    CampaignArea.Level.DISTRICT: len("35.23.12"),
}


def counts_toward(campaign: Campaign, fact: Fact) -> bool:
    return (
        campaign.starts_on <= fact.day <= campaign.ends_on
        and fact.status in campaign.counted_statuses()
        and (not campaign.categories or fact.category in campaign.categories)
        and (campaign.counts_employer_covered or fact.category not in EMPLOYER_CATEGORIES)
    )


def week_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def registrations_changed(
    *, before: Iterable[Fact] = (), after: Iterable[Fact] = (), villages: Iterable[str] = ()
) -> None:
    """Bring the campaigns' numbers in step with a change of registrations: `before` are the
    changed registrations' facts before the change, `after` after it (a new registration has
    only after, a deleted one only before); `villages` are villages whose other numbers changed
    (a funded period, the population). Call it inside the transaction that made the change.

    The village rows are locked first and counted afterwards, so two changes in one village at
    the same time count each other: the second waits for the first to commit, then counts."""
    before, after = list(before), list(after)
    village_ids = {fact.village_id for fact in before + after} | set(villages)
    if not village_ids:
        return
    with transaction.atomic(savepoint=False):  # inside the change's own transaction
        rows = list(
            CampaignVillage.objects.filter(village_id__in=village_ids)
            .select_related("campaign", "village")
            .prefetch_related("campaign__criteria")  # the scoring rules, one query for all
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        weeks: Counter = Counter()
        sums: dict[int, Counter] = {}
        for campaign, campaign_rows in _by_campaign(rows).items():
            taking_part = {row.village_id for row in campaign_rows}
            for sign, changed in ((-1, before), (1, after)):
                for fact in changed:
                    if fact.village_id in taking_part and counts_toward(campaign, fact):
                        weeks[_week_key(campaign.pk, fact)] += sign
            sums[campaign.pk] = _recount(campaign, campaign_rows)
        # Each table's rows in one order (campaigns, areas, weeks by key): no deadlocks.
        _add_to_sums(sums)
        _add_to_weeks(weeks)
        page_cache.changed(
            page_cache.REGISTRATIONS,
            *map(page_cache.village_scope, village_ids),
            *(page_cache.campaign_scope(row.campaign.slug) for row in rows),
        )


def on_registrations_changed(sender, *, before=(), after=(), villages=(), **kwargs) -> None:
    """enrollment.changes.registrations_changed's receiver."""
    registrations_changed(before=before, after=after, villages=villages)


def on_village_facts_changed(sender, *, villages=(), **kwargs) -> None:
    """villages.signals.village_facts_changed's receiver: the campaign scores use the counts."""
    registrations_changed(villages=villages)


def _by_campaign(rows: list[CampaignVillage]) -> dict[Campaign, list[CampaignVillage]]:
    grouped: dict[int, list[CampaignVillage]] = defaultdict(list)
    for row in rows:
        grouped[row.campaign_id].append(row)
    return {group[0].campaign: group for group in grouped.values()}


def _week_key(campaign_id: int, fact: Fact) -> tuple:
    return (campaign_id, week_of(fact.day), fact.category, fact.jht, fact.funding_source)


def _add_to_sums(sums: dict[int, Counter]) -> None:
    """Add the changes of villages reached and counted to the campaigns and their areas."""
    for campaign_id in sorted(sums):
        deltas = {
            total: sums[campaign_id][None, name]
            for name, total in [("villages_reached", "villages_reached"), *PAYMENT_SUMS.items()]
        }
        if changes := {total: F(total) + delta for total, delta in deltas.items() if delta}:
            Campaign.objects.filter(pk=campaign_id).update(**changes)
    for campaign_id in sorted(sums):
        deltas = sums[campaign_id]
        codes = sorted({code for code, _name in deltas if code is not None})
        if not codes:
            continue
        areas = CampaignArea.objects.filter(campaign_id=campaign_id, code__in=codes)
        list(areas.select_for_update().order_by("code").values_list("pk"))  # locked in order
        areas.update(
            **{
                name: F(name)
                + Case(
                    *[When(code=code, then=Value(deltas[code, name])) for code in codes],
                    default=Value(0),
                )
                for name in ("counted", "villages_reached")
            }
        )


def _add_to_weeks(deltas: Counter) -> None:
    keys = sorted(key for key, delta in deltas.items() if delta)  # one order: no deadlocks
    names = ["campaign_id", "week", "category", "jht", "funding_source"]
    CampaignWeek.objects.bulk_create(
        [CampaignWeek(**dict(zip(names, key, strict=True))) for key in keys],
        ignore_conflicts=True,
    )
    for key in keys:
        CampaignWeek.objects.filter(**dict(zip(names, key, strict=True))).update(
            count=F("count") + deltas[key]
        )


# Counting from the registrations ---------------------------------------------------------


def counted_rule(campaign: Campaign, *, end: datetime.date | None = None) -> Q:
    """Registrations that count toward the campaign (registered by `end`, if given)."""
    rule = Q(
        created_at__date__gte=campaign.starts_on,
        created_at__date__lte=end or campaign.ends_on,
        status__in=campaign.counted_statuses(),
    )
    if campaign.categories:
        rule &= Q(participant__category__in=campaign.categories)
    if not campaign.counts_employer_covered:
        rule &= ~Q(participant__category__in=EMPLOYER_CATEGORIES)
    return rule


def _member_rule(campaign: Campaign) -> Q:
    return Q(status__in=Registration.Status.members(), created_at__date__lte=campaign.ends_on)


def _counts(campaign: Campaign, registrations: QuerySet) -> dict[str, dict[str, int]]:
    """Each village's numbers, counted from `registrations` (one grouped query, two more for
    campaigns that score continuing members)."""
    members = _member_rule(campaign)
    numbers: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(NUMBERS, 0))
    for row in (
        registrations.order_by()
        .values("village_id")
        .annotate(
            counted=Count("pk", filter=counted_rule(campaign)),
            members=Count("pk", filter=members),
            officials_enrolled=Count(
                "pk", filter=members & Q(participant__category=WorkerCategory.VILLAGE_OFFICIAL)
            ),
        )
    ):
        numbers[row.pop("village_id")].update(row)
    _count_payments(campaign, registrations, numbers)
    if _scores_continuing(campaign):
        # The rule of RegistrationQuerySet.village_funding_ended() and continuing().
        ended = (
            FundedPeriod.objects.village_funded()
            .filter(registration__in=registrations, ends_on__lt=campaign.ends_on)
            .exclude(registration__status__in=Registration.Status.returned())
        )
        continued = ended.filter(
            registration__funded_periods__funding_source=FundingSource.PARTICIPANT,
            registration__funded_periods__starts_on__gt=F("ends_on"),
        )
        for name, periods in (("funding_ended", ended), ("continued", continued)):
            for village, n in (
                periods.order_by()
                .values("registration__village_id")
                .annotate(n=Count("registration", distinct=True))
                .values_list("registration__village_id", "n")
            ):
                numbers[village][name] = n
    return numbers


def _count_payments(campaign: Campaign, registrations: QuerySet, numbers: dict) -> None:
    """Each village's members who paid in full for the campaign's last month (what a campaign
    counting paying members counts), and its retention: members whose village-funded months
    ended by then, and those of them who paid in full for the month after (two queries)."""
    month = campaign.paying_month()
    if month is None:
        return
    members = registrations.filter(_member_rule(campaign))
    paid = Payment.objects.filter(FULL_PAYMENT, registration=OuterRef("pk"), month=month)
    for village, n in (
        members.filter(Exists(paid))
        .order_by()
        .values("village_id")
        .annotate(n=Count("pk"))
        .values_list("village_id", "n")
    ):
        numbers[village]["paying"] = n
        if campaign.counts == Campaign.Counts.PAYING:
            numbers[village]["counted"] = n
    month_after = MonthAfter(TruncMonth("ends_on", output_field=DateField()))
    paid_after = Payment.objects.filter(
        FULL_PAYMENT, registration=OuterRef("registration"), month=OuterRef("month_after")
    )
    ended = (
        FundedPeriod.objects.village_funded()
        .filter(registration__in=members)
        .alias(month_after=month_after)
        .filter(month_after__lte=month)
    )
    for village, base, kept in (
        ended.alias(kept=Exists(paid_after))
        .order_by()
        .values("registration__village_id")
        .annotate(
            base=Count("registration", distinct=True),
            kept=Count("registration", distinct=True, filter=Q(kept=True)),
        )
        .values_list("registration__village_id", "base", "kept")
    ):
        numbers[village]["retention_base"] = base
        numbers[village]["retained"] = kept


class MonthAfter(Func):
    """The first day of the month after a month's first day (PostgreSQL, and SQLite for the
    run command's demo)."""

    template = "(%(expressions)s + interval '1 month')::date"
    output_field = DateField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="date(%(expressions)s, '+1 month')", **extra_context
        )


def _criteria(campaign: Campaign) -> list[ScoreCriterion]:
    criteria = list(campaign.criteria.all())
    return criteria or [
        ScoreCriterion(campaign=campaign, measure=ScoreCriterion.Measure.TARGET, weight=1)
    ]


def _scores_continuing(campaign: Campaign) -> bool:
    return any(c.measure == ScoreCriterion.Measure.CONTINUING for c in _criteria(campaign))


def shares(row: CampaignVillage, campaign: Campaign) -> dict[str, float]:
    """A village row's shares, by ScoreCriterion measure."""
    village = row.village
    return {
        ScoreCriterion.Measure.TARGET: share(row.counted, target_of(row, campaign)),
        ScoreCriterion.Measure.OFFICIALS: share(row.officials_enrolled, village.official_count),
        ScoreCriterion.Measure.WORKING_AGE: share(row.members, village.working_age_population),
        ScoreCriterion.Measure.CONTINUING: share(row.continued, row.funding_ended),
    }


def score(row: CampaignVillage, campaign: Campaign, criteria: list[ScoreCriterion]) -> float:
    """0–100: the weighted mean of the shares the campaign's criteria name."""
    by_measure = shares(row, campaign)
    total_weight = sum(criterion.weight for criterion in criteria) or 1
    return sum(by_measure[c.measure] * c.weight for c in criteria) * 100 / total_weight


def target_of(row: CampaignVillage, campaign: Campaign) -> int:
    return campaign.default_target if row.target_override is None else row.target_override


@dataclass
class Difference:
    campaign: Campaign
    what: str
    stored: object
    counted: object
    villages: list[str] = field(default_factory=list)


def _recount(campaign: Campaign, rows: list[CampaignVillage]) -> Counter:
    """Count the rows' villages again (the rows are locked) and save what changed; returns how
    the campaign's and its areas' sums change (see _store)."""
    numbers = _counts(
        campaign, Registration.objects.filter(village_id__in=[row.village_id for row in rows])
    )
    _changed, sums = _store(campaign, rows, numbers)
    return sums


def _store(campaign, rows, numbers) -> tuple[list[CampaignVillage], Counter]:
    """Save the rows' new numbers and scores; returns the rows that changed and the changes
    of the sums: counted and villages_reached by (area code, name), the campaign's own under
    the code None."""
    criteria = _criteria(campaign)
    changed, sums = [], Counter()
    for row in rows:
        target = target_of(row, campaign)
        was_counted, was_reached = row.counted, row.counted >= target
        old = [getattr(row, name) for name in NUMBERS] + [row.score]
        counts = numbers.get(row.village_id) or dict.fromkeys(NUMBERS, 0)
        for name in NUMBERS:
            setattr(row, name, counts[name])
        row.score = score(row, campaign, criteria)
        if old != [getattr(row, name) for name in NUMBERS] + [row.score]:
            changed.append(row)
        delta = {
            "counted": row.counted - was_counted,
            "villages_reached": (row.counted >= target) - was_reached,
        }
        for name in PAYMENT_SUMS:
            sums[None, name] += getattr(row, name) - old[NUMBERS.index(name)]
        for code in [None, *area_codes(row.village_id)]:
            for name, value in delta.items():
                if value:
                    sums[code, name] += value
    CampaignVillage.objects.bulk_update(changed, [*NUMBERS, "score"], batch_size=2000)
    return changed, sums


def area_codes(village_id: str) -> list[str]:
    return [village_id[:length] for length in AREA_CODE_LENGTHS.values()]


# Whole campaigns -------------------------------------------------------------------------


def campaign_recount(campaign: Campaign) -> list[Difference]:
    """Count one campaign's numbers again from its registrations, save them, and return what
    differed from the stored numbers. Called after the campaign's rules, villages or targets
    change, and by reconcile()."""
    with transaction.atomic():
        # The village rows first, then the campaign: the order registrations_changed locks in.
        rows = list(
            CampaignVillage.objects.filter(campaign_id=campaign.pk)
            .select_related("village")
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        campaign = (
            Campaign.objects.select_for_update().prefetch_related("criteria").get(pk=campaign.pk)
        )
        differences = []
        registrations = Registration.objects.filter(
            village__campaign_participations__campaign=campaign
        )
        stored = {row.village_id: [getattr(row, name) for name in NUMBERS] for row in rows}
        changed, _reached = _store(campaign, rows, _counts(campaign, registrations))
        for name_index, name in enumerate(NUMBERS):
            villages = [
                row.village_id
                for row in changed
                if stored[row.village_id][name_index] != getattr(row, name)
            ]
            if villages:
                differences.append(Difference(campaign, name, None, None, villages))
        sums = {
            "village_count": len(rows),
            "target_total": sum(target_of(row, campaign) for row in rows),
            "villages_reached": sum(row.counted >= target_of(row, campaign) for row in rows),
            **{
                total: sum(getattr(row, name) for row in rows)
                for name, total in PAYMENT_SUMS.items()
            },
        }
        campaign.refresh_from_db(fields=list(sums))
        for name, value in sums.items():
            if getattr(campaign, name) != value:
                differences.append(Difference(campaign, name, getattr(campaign, name), value))
        Campaign.objects.filter(pk=campaign.pk).update(**sums)
        differences += _rebuild_areas(campaign, rows)
        differences += _rebuild_weeks(campaign, registrations)
        page_cache.changed(page_cache.campaign_scope(campaign.slug))
    return differences


AREA_SUMS = ["villages", "villages_reached", "counted", "target"]


def _rebuild_areas(campaign: Campaign, rows: list[CampaignVillage]) -> list[Difference]:
    """The campaign's areas summed again from its (freshly counted) village rows."""
    fresh: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for row in rows:
        target = target_of(row, campaign)
        for level, length in AREA_CODE_LENGTHS.items():
            sums = fresh[level, row.village_id[:length]]
            sums.update(
                villages=1,
                villages_reached=int(row.counted >= target),
                counted=row.counted,
                target=target,
            )
    fresh_values = {key: [sums[name] for name in AREA_SUMS] for key, sums in fresh.items()}
    stored = {
        (level, code): list(values)
        for level, code, *values in campaign.areas.values_list("level", "code", *AREA_SUMS)
    }
    if fresh_values == stored:
        return []
    differing = sorted(
        key[1] for key in fresh_values.keys() | stored.keys()
        if fresh_values.get(key) != stored.get(key)
    )  # fmt: skip
    campaign.areas.all().delete()
    CampaignArea.objects.bulk_create(
        [
            CampaignArea(
                campaign=campaign,
                level=level,
                code=code,
                **dict(zip(AREA_SUMS, values, strict=True)),
            )
            for (level, code), values in sorted(fresh_values.items())
        ],
        batch_size=2000,
    )
    return [Difference(campaign, "areas", len(stored), len(fresh_values), differing)]


def _rebuild_weeks(campaign: Campaign, registrations: QuerySet) -> list[Difference]:
    counted = (
        registrations.filter(counted_rule(campaign))
        .order_by()
        .annotate(week=TruncWeek("created_at", tzinfo=timezone.get_current_timezone()))
        .values_list("week", "participant__category", "jht", "funding_source")
        .annotate(n=Count("pk"))
    )
    fresh = {
        (week.date() if isinstance(week, datetime.datetime) else week, *key): n
        for week, *key, n in counted
    }
    stored = {
        (week, category, jht, source): n
        for week, category, jht, source, n in campaign.weeks.exclude(count=0).values_list(
            "week", "category", "jht", "funding_source", "count"
        )
    }
    if fresh == stored:
        return []
    campaign.weeks.all().delete()
    CampaignWeek.objects.bulk_create(
        [
            CampaignWeek(
                campaign=campaign,
                week=week,
                category=category,
                jht=jht,
                funding_source=source,
                count=n,
            )
            for (week, category, jht, source), n in sorted(fresh.items())
        ]
    )
    return [Difference(campaign, "weeks", sum(stored.values()), sum(fresh.values()))]


def reconcile(campaigns: Iterable[Campaign] | None = None) -> list[Difference]:
    """Count every campaign (or `campaigns`) again from the registrations, repair any stored
    number that differs, and return the differences found (none, when all is in step)."""
    differences = []
    for campaign in campaigns if campaigns is not None else Campaign.objects.order_by("pk"):
        differences += campaign_recount(campaign)
    page_cache.changed(page_cache.ALL)  # after bulk loads: every page shows what is stored now
    return differences
